import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parse } from 'yaml';
import { C360Error } from '../errors.ts';
import { definitionHash, type LoadedSegment } from './definition.ts';

export interface SavedSegmentFile {
  name: string;
  file: string;
  yaml: string;
  definition: Record<string, unknown>;
  definitionHash: string;
  contentHash: string;
}

/**
 * A saved segment's file as the rule builder opens it: the text (comments kept, for the YAML view), the same
 * YAML as data (the form the file writes, not the normalised definition), and the hashes a later save compares.
 */
export async function readSavedSegment(loaded: LoadedSegment): Promise<SavedSegmentFile> {
  if (!loaded.file)
    throw new C360Error('NOT_FOUND', `The segment ${loaded.definition.name} has no file to open.`);
  const bytes = await readFile(loaded.file);
  const yaml = bytes.toString('utf8');
  // The engine parsed this file when it loaded the folder; it may have changed since, so parse what was read.
  const data: unknown = parse(yaml);
  if (typeof data !== 'object' || data === null || Array.isArray(data))
    throw new C360Error(
      'INVALID_INPUT',
      `${basename(loaded.file)} no longer holds a segment definition (it changed on disk); fix the file or reload.`,
    );
  return {
    name: loaded.definition.name,
    file: basename(loaded.file),
    yaml,
    definition: data as Record<string, unknown>,
    definitionHash: definitionHash(loaded.definition),
    contentHash: createHash('sha256').update(bytes).digest('hex'),
  };
}
