import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedSegment } from './definition.ts';
import { parseSegmentYaml } from './segmentFiles.ts';

/** The concept's segments (SPEC §5), shipped as YAML files that `c360 segments init` copies into a workspace. */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates', import.meta.url));

export async function listTemplates(): Promise<LoadedSegment[]> {
  const names = (await readdir(TEMPLATES_DIR)).filter((n) => n.endsWith('.yaml')).sort();
  return Promise.all(
    names.map(async (n) =>
      parseSegmentYaml(await readFile(join(TEMPLATES_DIR, n), 'utf8'), join(TEMPLATES_DIR, n)),
    ),
  );
}

export interface CopyResult {
  copied: string[];
  /** Files that exist already and were left as they are. */
  kept: string[];
}

/** Copies the templates into the segments folder; existing files are kept unless `overwrite`. */
export async function copyTemplates(
  segmentsDir: string,
  options: { only?: string[]; overwrite?: boolean } = {},
): Promise<CopyResult> {
  await mkdir(segmentsDir, { recursive: true });
  const templates = await listTemplates();
  const unknown = (options.only ?? []).filter((n) => !templates.some((t) => t.definition.name === n));
  if (unknown.length)
    throw new Error(
      `Unknown template ${unknown.join(', ')}; templates: ${templates.map((t) => t.definition.name).join(', ')}`,
    );
  const result: CopyResult = { copied: [], kept: [] };
  for (const template of templates) {
    const name = template.definition.name;
    if (options.only?.length && !options.only.includes(name)) continue;
    const target = join(segmentsDir, `${name}.yaml`);
    const exists = await stat(target).then(
      () => true,
      () => false,
    );
    if (exists && !options.overwrite) {
      result.kept.push(target);
      continue;
    }
    await copyFile(template.file!, target);
    result.copied.push(target);
  }
  return result;
}
