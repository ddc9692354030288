import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../core/api/router.ts';
import { WorkspaceService } from '../../core/service/index.ts';

// Minutes of work that produce one row: only DuckDB's interrupt stops it in time, and it writes nothing.
const ENDLESS =
  "select count(*) as id from range(1000000000) x, range(100000) y, {{ ref('a') }} where x.range + y.range = -1";

let dir: string;
let service: WorkspaceService;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-api-cancel-'));
  const files: Record<string, string> = {
    'c360.config.yaml': 'models_dir: project\nvars:\n  as_of: 2026-01-31\n',
    'project/models/staging/a.sql': 'select range as id from range(3)',
    'project/models/staging/b.sql': ENDLESS,
    'project/models/staging/_staging.yml': `version: 2\nmodels:\n${['a', 'b']
      .map(
        (n) =>
          `  - name: ${n}\n    description: test model\n    columns:\n      - name: id\n        description: id\n`,
      )
      .join('')}`,
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  service = await WorkspaceService.open(dir, { create: true, owner: { kind: 'web', command: 'test' } });
});

afterAll(async () => {
  await service?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('models.build over the API', () => {
  it('an aborted call interrupts the running model within a second and publishes nothing', async () => {
    const client = createRouterClient(createRouter(), { context: { service } });
    const controller = new AbortController();
    const iterator = await client.models.build({}, { signal: controller.signal });
    let abortedAt = 0;
    // the stream ends (with the cancelled build's summary or an abort error, depending on the transport)
    await (async () => {
      for await (const event of iterator) {
        if (event.type === 'model_start' && event.name === 'b')
          setTimeout(() => {
            abortedAt = performance.now();
            controller.abort();
          }, 300);
      }
    })().catch(() => undefined);
    expect(abortedAt).toBeGreaterThan(0);
    // the writer is free again within a second: the model's SQL was interrupted, not awaited
    await service.write('build', async () => undefined);
    expect((performance.now() - abortedAt) / 1000).toBeLessThan(1.5);
    const runs = await service.read((db) => db.queryJs('select status, published from c360.build_runs'));
    expect(runs).toEqual([{ status: 'cancelled', published: false }]);
    const tables = await service.read((db) =>
      db.queryJs("select table_name from duckdb_tables() where schema_name = 'main' order by 1"),
    );
    expect(tables).toEqual([]);
  });
});
