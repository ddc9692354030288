import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * Writes `text` next to `path` and renames it over the file: a reader (the engine, git, an editor) never sees half
 * a file, and a failed write leaves the old file as it was. The temporary file is hidden and ends in `.tmp`, so a
 * folder scan for `*.yaml` does not pick it up while it is written.
 */
export async function writeFileAtomically(path: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const temporary = join(path, '..', `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, text, { flag: 'wx', ...(options.mode === undefined ? {} : { mode: options.mode }) });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}
