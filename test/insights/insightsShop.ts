import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { generateDemoShop } from '../../core/demo/index.ts';
import { runBuild, type BuildResult } from '../../core/models/index.ts';
import { listTemplates, SegmentEngine, segmentTables } from '../../core/segments/index.ts';

/**
 * A demo shop built the way `c360 build` builds it: only the persisted tables are kept (no
 * keepIntermediate), so the insight queries are tested against what a real workspace holds after a build.
 * The built-in segment templates are the saved segments (seg_<name> tables and the profile's memberships).
 */
export interface InsightsShop {
  db: Database;
  build: BuildResult;
  segments: SegmentEngine;
  close(): Promise<void>;
}

export const INSIGHTS_AS_OF = '2026-11-30';
export const INSIGHTS_SHOP_TIMEOUT_MS = 400_000;

export async function buildInsightsShop(customers = 1500): Promise<InsightsShop> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-insights-'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  await generateDemoShop(db, { customers, seed: 7, asOf: INSIGHTS_AS_OF });
  const templates = await listTemplates();
  const build = await runBuild(db, {
    vars: { as_of: INSIGHTS_AS_OF },
    derived: segmentTables({ segments: templates }),
  });
  if (!build.published) throw new Error(`the demo build did not publish: ${JSON.stringify(build.warnings)}`);
  const segments = await SegmentEngine.open(db, { segments: templates });
  return {
    db,
    build,
    segments,
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
