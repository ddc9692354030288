import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop, type DemoOptions } from '../../core/demo/index.ts';
import { runBuild, type BuildResult } from '../../core/models/index.ts';
import { listTemplates, segmentTables } from '../../core/segments/index.ts';

/**
 * Time for one generation + build of a 20k shop. About a minute alone; the files that build one run in
 * parallel with each other on a busy machine, so the hook gets more than the global hookTimeout.
 */
export const GENERATED_SHOP_TIMEOUT_MS = 400_000;

/** A generated demo shop built into a temporary workspace: one generation + build per test file. */
export interface GeneratedShop {
  db: Database;
  build: BuildResult;
  close(): Promise<void>;
}

export async function buildGeneratedShop(
  options: Omit<DemoOptions, 'onProgress' | 'asOf'> & { asOf: string },
): Promise<GeneratedShop> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-generated-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  await generateDemoShop(db, options);
  // The built-in segment templates are the saved segments: the build makes their seg_<name> tables.
  const build = await runBuild(db, {
    vars: { as_of: options.asOf },
    // the identity and product checks read the build steps (staging, intermediate) too
    keepIntermediate: true,
    derived: segmentTables({ segments: await listTemplates() }),
  });
  return {
    db,
    build,
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
