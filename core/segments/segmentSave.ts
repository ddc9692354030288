import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { C360Error } from '../errors.ts';
import { writeFileAtomically } from '../workspace/atomicWrite.ts';
import {
  definitionHash,
  isRecord,
  parseSegmentDefinition,
  SegmentDefinitionError,
  type LoadedSegment,
} from './definition.ts';
import type { SavedSegmentFile } from './savedSegment.ts';
import { parseSegmentYaml } from './segmentFiles.ts';
import { definitionYaml } from './yamlDocument.ts';

/**
 * Saving a segment from the editor: the definition is checked like a preview (schema, columns, values, expert
 * rules), written into the file it was opened from (comments kept, yamlDocument.ts) or a new `<name>.yaml`, and
 * only if the file on disk is still the one the editor opened: a save never overwrites someone else's change.
 */

/** A file name in the segments folder: no folders, no hidden files, a YAML extension. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$/;

export interface SaveSegmentRequest {
  /** The definition as data (the rule builder) … */
  definition?: Record<string, unknown>;
  /** … or the YAML text as the user wrote it (the YAML view): saved as it is, once it checks out. */
  yaml?: string;
  /** The file it was opened from (its name in the segments folder); none for a new segment. */
  file?: string;
  /** sha256 of the file's bytes when it was opened (segments.get); none for a new segment. */
  contentHash?: string;
}

export interface SaveContext {
  /** The workspace's segments folder. */
  dir: string;
  /** Full check of a definition against the data (SegmentEngine.check); throws SegmentDefinitionError. */
  check(loaded: LoadedSegment): Promise<void>;
  /** The file (base name) each saved segment name is in: a name is unique in the folder. */
  fileOfName(name: string): string | undefined;
}

/** What is on disk when a save finds the file changed since it was opened. */
export interface SegmentConflictDetails {
  file: string;
  /** The file's text now; null when it was deleted. */
  theirs: string | null;
  /** sha256 of the file now (null when deleted): save with it to overwrite their version on purpose. */
  contentHash: string | null;
}

export class SegmentConflictError extends C360Error {
  override name = 'SegmentConflictError';
  constructor(readonly conflict: SegmentConflictDetails & { opened: boolean }) {
    const { file, theirs, opened } = conflict;
    super(
      'SEGMENT_CONFLICT',
      !opened
        ? `segments/${file} exists already; your segment was not saved. Open that segment to change it, or give yours another name.`
        : theirs === null
          ? `segments/${file} was deleted since you opened it; your changes were not saved.`
          : `segments/${file} changed on disk since you opened it (another editor, git or a teammate saved it); your changes were not saved.`,
      {
        hint: 'Compare both versions, then save again over the version on disk, or reload it and redo your change.',
        details: { file: conflict.file, theirs: conflict.theirs, contentHash: conflict.contentHash },
      },
    );
  }
}

export function contentHashOf(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readIfThere(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** How long a save waits for another save of the same file, and when a lock left by a crash is stale. */
const LOCK_WAIT_MS = 3_000;
const STALE_LOCK_MS = 30_000;

/**
 * One save of a file at a time, across processes too (desktop app, `c360 web`): an exclusive lock file next to
 * it while the file is compared and written, so two editors that opened the same version cannot both save.
 */
async function withFileLock<T>(path: string, work: () => Promise<T>): Promise<T> {
  const lock = join(path, '..', `.${basename(path)}.lock`);
  const started = Date.now();
  for (;;) {
    try {
      await writeFile(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const info = await stat(lock).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) {
        await rm(lock, { force: true });
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new C360Error(
          'SEGMENT_CONFLICT',
          `segments/${basename(path)} is being saved by another editor right now; nothing was written. Try again in a moment.`,
        );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  try {
    return await work();
  } finally {
    await rm(lock, { force: true });
  }
}

function checkFileName(file: string): void {
  if (!FILE_NAME.test(file) || basename(file) !== file)
    throw new C360Error(
      'INVALID_INPUT',
      `'${file}' is not a segment file name; use a name like winback_early.yaml in the segments folder (no folders).`,
    );
}

/** Checks, then writes the segment file; answers what segments.get answers for the file now on disk. */
export async function saveSegment(request: SaveSegmentRequest, ctx: SaveContext): Promise<SavedSegmentFile> {
  if ((request.definition === undefined) === (request.yaml === undefined))
    throw new C360Error('INVALID_INPUT', 'give either definition (data) or yaml (text) to save, not both');
  if (request.file !== undefined) checkFileName(request.file);
  const parsed =
    request.yaml !== undefined
      ? parseSegmentYaml(request.yaml, request.file)
      : parseSegmentDefinition(request.definition);
  const name = parsed.definition.name;
  const file = request.file ?? `${name}.yaml`;
  checkFileName(file);
  // Problems found later (unknown column) name the file they would be in.
  const loaded = { ...parsed, file };

  const owner = ctx.fileOfName(name);
  if (owner !== undefined && owner !== file)
    throw new SegmentDefinitionError([
      {
        segment: name,
        path: 'name',
        message: `the name '${name}' is used by ${owner} already; segment names must be unique`,
        ...loaded.locate?.('name'),
      },
    ]);
  await ctx.check(loaded);

  await mkdir(ctx.dir, { recursive: true });
  const path = join(ctx.dir, file);
  return withFileLock(path, () => writeChecked(request, loaded.definition, path, file));
}

/** Compares the file on disk with the one the editor opened, then writes (under the file's lock). */
async function writeChecked(
  request: SaveSegmentRequest,
  definition: LoadedSegment['definition'],
  path: string,
  file: string,
): Promise<SavedSegmentFile> {
  const current = await readIfThere(path);
  const currentHash = current ? contentHashOf(current) : null;
  const opened = request.contentHash !== undefined;
  if (opened ? currentHash !== request.contentHash : current !== null)
    throw new SegmentConflictError({
      file,
      opened,
      theirs: current ? current.toString('utf8') : null,
      contentHash: currentHash,
    });

  const text = request.yaml ?? definitionYaml(request.definition!, current ? current.toString('utf8') : null);
  await writeFileAtomically(path, text);
  const data: unknown = parse(text);
  return {
    name: definition.name,
    file,
    yaml: text,
    definition: isRecord(data) ? data : {},
    definitionHash: definitionHash(definition),
    contentHash: contentHashOf(text),
  };
}
