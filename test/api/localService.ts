import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ApiContext } from '../../core/api/context.ts';
import type { Database } from '../../core/db/duckdb.ts';
import { WorkspaceService } from '../../core/service/index.ts';

/**
 * A real workspace service over a small DuckDB file: three models a → b → c, enough for a build with several
 * progress events. Tests may swap the service's `read` or `write` to make it fail.
 */
export interface LocalWorkspace {
  dir: string;
  service: WorkspaceService;
  context: ApiContext;
  /** Queries the workspace's database (on a reader of the service: the same DuckDB instance). */
  db: Pick<Database, 'queryJs'>;
  close(): Promise<void>;
}

const docs = (names: string[]): string =>
  `version: 2\nmodels:\n${names
    .map(
      (name) =>
        `  - name: ${name}\n    description: test model\n    columns:\n      - name: id\n        description: id\n`,
    )
    .join('')}`;

export async function createLocalWorkspace(): Promise<LocalWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-api-'));
  const files: Record<string, string> = {
    'c360.config.yaml': 'models_dir: project\nvars:\n  as_of: 2026-01-31\n',
    'project/models/staging/a.sql': 'select range as id from range({{ var("n", 3) }})',
    'project/models/staging/b.sql': "select id * 2 as id from {{ ref('a') }}",
    'project/models/staging/c.sql': "select id + 1 as id from {{ ref('b') }}",
    'project/models/staging/_staging.yml': docs(['a', 'b', 'c']),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  const service = await WorkspaceService.open(dir, {
    create: true,
    owner: { kind: 'web', command: 'test/api/localService.ts' },
  });
  return {
    dir,
    service,
    context: { service },
    db: {
      queryJs: (sql, params) => service.read((db) => db.queryJs(sql, params), { timeoutSeconds: 0 }),
    },
    async close() {
      await service.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
