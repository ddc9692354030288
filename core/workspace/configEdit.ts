import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isMap, isScalar, Pair, parseDocument, Scalar, type Document } from 'yaml';
import { C360Error } from '../errors.ts';
import { closest } from '../models/dag.ts';
import { describeZodIssues } from '../models/schemaFile.ts';
import { writeFileAtomically } from './atomicWrite.ts';
import { CONFIG_FILE, ConfigError, workspaceConfigSchema, type WorkspaceConfig } from './config.ts';

/**
 * Edits of c360.config.yaml from the Settings page: guardrail thresholds and the profile property mapping.
 * The edit is applied to the file's YAML document (the `yaml` package's Document API), so comments, key order
 * and every setting the page does not know stay as they were; the result is checked with the config's own zod
 * schema before anything is written, and written next to the file and renamed over it (a reader never sees half
 * a file). If the file changed on disk since the page read it (sha256 of its bytes), nothing is written: the
 * answer is CONFIG_CONFLICT with their version and the one this edit would write.
 */

export interface ConfigEditRequest {
  /** sha256 of the file's bytes when the settings were read; null when there was no file. */
  contentHash: string | null;
  /** sync.guardrails settings to set (only the ones given change). */
  guardrails?: Record<string, number | boolean> | undefined;
  /** The whole sync.profiles.properties mapping, Klaviyo property name → column of the profile model. */
  profileProperties?: { property: string; column: string }[] | undefined;
}

export interface ConfigEditContext {
  /**
   * The profile model's columns (the mapping may only name these); undefined when the model is not built, in
   * which case a mapping edit is refused (nothing to check it against).
   */
  profileColumns: readonly string[] | undefined;
  /** The profile model's name, for messages. */
  profileModel: string;
}

export interface ConfigFileState {
  /** The file's text; null when there is none (the defaults apply). */
  text: string | null;
  contentHash: string | null;
}

export interface ConfigEditResult extends ConfigFileState {
  text: string;
  contentHash: string;
  config: WorkspaceConfig;
}

export interface ConfigConflictDetails {
  file: string;
  /** The file on disk now; null when it was deleted. */
  theirs: string | null;
  /** The file this edit would write onto their version (what "save anyway" writes); null if theirs is broken. */
  mine: string | null;
  /** sha256 of their version: send it to save over it on purpose. */
  contentHash: string | null;
}

export class ConfigConflictError extends C360Error {
  override name = 'ConfigConflictError';
  constructor(readonly conflict: ConfigConflictDetails) {
    super(
      'CONFIG_CONFLICT',
      conflict.theirs === null
        ? `${CONFIG_FILE} was deleted since the settings were read; your changes were not saved.`
        : `${CONFIG_FILE} changed on disk since the settings were read (an editor, git or a teammate saved it); your changes were not saved.`,
      {
        hint: 'Compare both versions, then save yours over theirs, or reload the settings and redo your change.',
        details: { ...conflict },
      },
    );
  }
}

export function configContentHash(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function readConfigFile(dir: string): Promise<ConfigFileState> {
  try {
    const bytes = await readFile(join(dir, CONFIG_FILE));
    return { text: bytes.toString('utf8'), contentHash: configContentHash(bytes) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { text: null, contentHash: null };
    throw error;
  }
}

const invalid = (message: string) => new C360Error('INVALID_INPUT', message);

/**
 * Klaviyo property names: what Klaviyo shows in its segment builder and flow splits. Names starting with `$`
 * are Klaviyo's own (e.g. `$email`), and a name with spaces around it would look the same as another one.
 */
function checkMapping(
  mapping: { property: string; column: string }[],
  context: ConfigEditContext,
): Record<string, string> {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { property, column } of mapping) {
    const shown = JSON.stringify(property);
    if (property.trim() === '') problems.push('a property has no name: give every mapped property a name');
    else if (property !== property.trim())
      problems.push(`property ${shown} starts or ends with a space: remove it`);
    else if (property.startsWith('$'))
      problems.push(`property ${shown}: names starting with $ are Klaviyo's own properties; choose another name`);
    else if (property.length > 200) problems.push(`property ${shown.slice(0, 40)}…: use at most 200 characters`);
    else if (seen.has(property)) problems.push(`property ${shown} is mapped twice: keep one row`);
    seen.add(property);
    if (context.profileColumns === undefined) continue;
    if (!context.profileColumns.includes(column)) {
      const hint = closest(column, context.profileColumns);
      problems.push(
        `property ${shown}: '${column}' is not a column of ${context.profileModel}` +
          (hint ? ` — did you mean '${hint}'?` : ''),
      );
    }
  }
  if (context.profileColumns === undefined)
    throw invalid(
      `The profile mapping cannot be checked: ${context.profileModel} is not built yet. Build the models first ` +
        '(Overview → Build, or `c360 build`), then map its columns.',
    );
  if (problems.length)
    throw invalid(`The profile mapping was not saved:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  return Object.fromEntries(mapping.map(({ property, column }) => [property, column]));
}

/** Makes `path` a mapping in the document (creating or replacing an empty `key:`), keeping what is there. */
function ensureMap(doc: Document, path: string[]): void {
  if (!isMap(doc.contents)) {
    if (doc.contents !== null && !(isScalar(doc.contents) && doc.contents.value === null))
      throw new ConfigError(`${CONFIG_FILE} does not hold settings (key: value lines); fix or remove it first.`);
    doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  }
  for (let i = 1; i <= path.length; i++) {
    const prefix = path.slice(0, i);
    const node = doc.getIn(prefix, true);
    if (isMap(node)) continue;
    if (node === undefined && i === 1 && doc.comment && isMap(doc.contents)) {
      // A new section goes after the comments that end the file (the default config ends with a commented-out
      // sync: example), not between the last setting and those comments.
      const key = new Scalar(prefix[0]);
      key.commentBefore = doc.comment;
      key.spaceBefore = true;
      doc.contents.items.push(new Pair(key, doc.createNode({})));
      doc.comment = null;
    } else if (node === undefined || node === null || (isScalar(node) && node.value === null))
      doc.setIn(prefix, doc.createNode({}));
    else
      throw new ConfigError(
        `${CONFIG_FILE}: ${prefix.join('.')} is not a section of settings; fix the file first (README "Sync to Klaviyo").`,
      );
  }
}

/** Applies the edit to the YAML text (comments and unknown keys kept). */
function editedText(text: string | null, guardrails: ConfigEditRequest['guardrails'], properties?: Record<string, string>): string {
  const doc = parseDocument(text ?? '');
  if (doc.errors.length)
    throw new ConfigError(
      `${CONFIG_FILE} is not valid YAML (${doc.errors[0]!.message.split('\n')[0]}); fix the file first, then save again.`,
    );
  if (guardrails && Object.keys(guardrails).length) {
    ensureMap(doc, ['sync', 'guardrails']);
    for (const [key, value] of Object.entries(guardrails)) {
      const node = doc.getIn(['sync', 'guardrails', key], true);
      // The scalar node itself, so a comment after the value stays on its line.
      if (isScalar(node)) node.value = value;
      else doc.setIn(['sync', 'guardrails', key], value);
    }
  }
  if (properties) {
    ensureMap(doc, ['sync', 'profiles', 'properties']);
    const node = doc.getIn(['sync', 'profiles', 'properties'], true);
    if (isMap(node)) {
      // Rows kept keep their node (and comment); removed rows go; new rows are added at the end.
      node.items = node.items.filter((pair) => {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        return typeof key === 'string' && Object.hasOwn(properties, key);
      });
      for (const [property, column] of Object.entries(properties)) {
        const value = node.get(property, true);
        if (isScalar(value)) value.value = column;
        else node.set(property, column);
      }
    }
  }
  return doc.toString();
}

/** The config the edited text gives, or INVALID_INPUT naming each setting and what is wrong. */
function checkedConfig(text: string): WorkspaceConfig {
  const parsed = workspaceConfigSchema.safeParse(parseDocument(text).toJS() ?? {});
  if (!parsed.success)
    throw invalid(`The settings were not saved; ${CONFIG_FILE} would be invalid:\n${describeZodIssues(parsed.error)}`);
  return parsed.data;
}

/** Writes the config atomically, keeping the file's permissions. */
async function writeConfig(path: string, text: string): Promise<void> {
  const mode = await stat(path).then(
    (info) => info.mode & 0o777,
    () => 0o644,
  );
  await writeFileAtomically(path, text, { mode });
}

/**
 * Checks and writes the edit. Callers serialise edits of one workspace (the service's write queue); the
 * content hash catches changes made outside this process.
 */
export async function editWorkspaceConfig(
  dir: string,
  request: ConfigEditRequest,
  context: ConfigEditContext,
): Promise<ConfigEditResult> {
  const properties = request.profileProperties ? checkMapping(request.profileProperties, context) : undefined;
  const current = await readConfigFile(dir);
  const text = editedText(current.text, request.guardrails, properties);
  const config = checkedConfig(text);
  if (current.contentHash !== request.contentHash)
    throw new ConfigConflictError({
      file: CONFIG_FILE,
      theirs: current.text,
      mine: text,
      contentHash: current.contentHash,
    });
  await writeConfig(join(dir, CONFIG_FILE), text);
  return { text, contentHash: configContentHash(text), config };
}
