import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProcedure } from '../../core/api/modelProcedures.ts';
import { call, type ProgressEvent } from '../../core/api/procedure.ts';
import { previewSegmentProcedure } from '../../core/api/segmentProcedures.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { fixtureWorkspace, type WorkspaceFolder } from './serviceFixture.ts';

/**
 * The real build procedure on a workspace service: a two-model project whose first model takes a while (a sum
 * over 3·10^8 numbers) and whose dim_customers keeps five of the fixture's ten customers.
 */
let folder: WorkspaceFolder;
let service: WorkspaceService;

const docs = `version: 2
models:
  - name: slow
    description: takes a while to build
    columns:
      - name: n
        description: a sum
  - name: dim_customers
    description: half of the fixture's customers
    columns:
      - name: customer_id
        description: the customer
`;

beforeAll(async () => {
  folder = await fixtureWorkspace();
  const project = join(folder.dir, 'project');
  await mkdir(join(project, 'models'), { recursive: true });
  await mkdir(join(folder.dir, 'segments'), { recursive: true });
  await writeFile(join(project, 'models', 'slow.sql'), 'select sum(range % 7) as n from range(300000000)');
  await writeFile(
    join(project, 'models', 'dim_customers.sql'),
    "select c.* from main.fixture_customers c, {{ ref('slow') }} s where s.n > 0 and c.customer_id <= 'c05'",
  );
  await writeFile(join(project, 'models', '_models.yml'), docs);
  await writeFile(join(folder.dir, 'c360.config.yaml'), 'version: 1\nmodels_dir: project\n');
  service = await WorkspaceService.open(folder.dir);
  await service.write('load', ({ db }) =>
    db.run('create table fixture_customers as select * from dim_customers'),
  );
});
afterAll(async () => {
  await service.close();
  await folder.remove();
});

const everyone = {
  name: 'everyone',
  include_non_marketable: true,
  rules: [{ column: 'total_orders', op: '>=', value: 0 }],
};
const previewCount = async () =>
  (await call(previewSegmentProcedure, { definition: everyone, sample: 0, changes: false }, { service }))
    .count;

/** Resolves when the build reports that `model` started. */
function whenStarted(model: string): { onProgress: (e: ProgressEvent) => void; started: Promise<void> } {
  let resolve!: () => void;
  const started = new Promise<void>((r) => (resolve = r));
  return {
    onProgress: (e) => {
      if (e.message === 'model_start' && (e.data as { name?: string }).name === model) resolve();
    },
    started,
  };
}

describe('a build on the workspace service', () => {
  it('keeps the published tables when it is cancelled, and previews meanwhile read them', async () => {
    expect(await previewCount()).toBe(10);
    const controller = new AbortController();
    const progress = whenStarted('slow');
    const build = call(
      buildProcedure,
      { runTests: false },
      { service, signal: controller.signal, onProgress: progress.onProgress },
    );
    await Promise.race([progress.started, build]); // a build that fails early fails the test at once
    expect(service.currentJob()?.kind).toBe('build');
    expect(await previewCount()).toBe(10);
    controller.abort(new Error('Ctrl-C'));
    const result = await build;
    expect(result.ok).toBe(false);
    expect(result.published).toBe(false);
    expect(result.warnings).toContain('the build was cancelled; nothing was published');
    expect(await previewCount()).toBe(10);
    const leftovers = await service.read((db) =>
      db.queryJson(`select table_name from duckdb_tables() where table_name like '%__c360_build'`),
    );
    expect(leftovers).toEqual([]);
  });

  it('answers previews from the published tables while it runs, and from the new ones after it publishes', async () => {
    const progress = whenStarted('slow');
    const build = call(buildProcedure, { runTests: false }, { service, onProgress: progress.onProgress });
    await Promise.race([progress.started, build]); // a build that fails early fails the test at once
    expect(await previewCount()).toBe(10);
    const result = await build;
    expect(result.ok).toBe(true);
    expect(result.published).toBe(true);
    expect(await previewCount()).toBe(5);
  });
});
