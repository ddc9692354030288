import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import {
  isRecord,
  pathToString,
  SegmentDefinitionError,
  segmentDefinitionSchema,
  type LoadedSegment,
  type SegmentProblem,
} from './definition.ts';

/** Segment files: YAML text → definitions, with problems pointing at file, line and path as written. */

/** Parses one segment's YAML text; throws SegmentDefinitionError with file, line and path. */
export function parseSegmentYaml(text: string, file?: string): LoadedSegment {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length) {
    throw new SegmentDefinitionError(
      doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        return {
          file,
          path: '',
          message: `not valid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`,
          ...(pos ? { line: pos.line, column: pos.col } : {}),
        };
      }),
    );
  }
  const raw: unknown = doc.toJS();
  const rulesAsList = isRecord(raw) && Array.isArray(raw.rules);
  const position = (keys: (string | number)[]) => {
    // The deepest node of the path that exists in the document (a missing key points at its parent).
    for (let depth = keys.length; depth >= 0; depth--) {
      const node = doc.getIn(keys.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };
  const locate = (path: string) => {
    const keys: (string | number)[] = path
      ? path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k))
      : [];
    if (rulesAsList && keys[0] === 'rules' && keys[1] === 'all') keys.splice(1, 1);
    return { path: keys.join('.'), ...position(keys) };
  };
  const parsed = segmentDefinitionSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new SegmentDefinitionError(
      parsed.error.issues.map((issue) => ({
        file,
        message: issue.message,
        ...locate(pathToString(issue.path)),
      })),
    );
  }
  return { definition: parsed.data, file, locate };
}

export const SEGMENTS_DIR = 'segments';

export interface SegmentFolder {
  segments: LoadedSegment[];
  problems: SegmentProblem[];
}

/**
 * What the segment files of a folder look like on disk (name, size, modification time of every `*.yaml` /
 * `*.yml`): a long-lived engine compares it to notice files saved, added or removed by an editor or git.
 */
export async function segmentFolderSignature(dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch {
    return '';
  }
  const parts: string[] = [];
  for (const name of names) {
    const info = await stat(join(dir, name)).catch(() => undefined);
    parts.push(info ? `${name}:${info.size}:${info.mtimeMs}` : `${name}:gone`);
  }
  return parts.join('|');
}

/** Reads every `*.yaml` / `*.yml` in the folder; broken files become problems, the rest still load. */
export async function loadSegmentFolder(dir: string): Promise<SegmentFolder> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => /\.ya?ml$/i.test(n)).sort();
  } catch {
    return { segments: [], problems: [] };
  }
  const segments: LoadedSegment[] = [];
  const problems: SegmentProblem[] = [];
  const seen = new Map<string, string>();
  for (const name of names) {
    const file = join(dir, name);
    try {
      const loaded = parseSegmentYaml(await readFile(file, 'utf8'), file);
      const other = seen.get(loaded.definition.name);
      if (other) {
        problems.push({
          file,
          path: 'name',
          message: `segment name '${loaded.definition.name}' is already used by ${basename(other)}; names must be unique`,
          ...loaded.locate?.('name'),
        });
        continue;
      }
      seen.set(loaded.definition.name, file);
      segments.push(loaded);
    } catch (error) {
      if (error instanceof SegmentDefinitionError) problems.push(...error.problems);
      else throw error;
    }
  }
  return { segments, problems };
}
