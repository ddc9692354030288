import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import type { ApiContext, ServiceLike } from '../../core/api/context.ts';

/**
 * A small stand-in for core/service's WorkspaceService (branch wt-service, not merged yet) over a real DuckDB
 * file: reads on their own connection, writes one after another. Tests may swap `read` to make it fail.
 */
export interface LocalWorkspace {
  dir: string;
  service: ServiceLike;
  context: ApiContext;
  db: Database;
  close(): Promise<void>;
}

const docs = (names: string[]): string =>
  `version: 2\nmodels:\n${names
    .map(
      (name) =>
        `  - name: ${name}\n    description: test model\n    columns:\n      - name: id\n        description: id\n`,
    )
    .join('')}`;

/** Three models a → b → c of `n` rows each: enough for a build with several progress events. */
export async function createLocalWorkspace(): Promise<LocalWorkspace> {
  const dir = await mkdtemp(join(tmpdir(), 'c360-api-'));
  const projectDir = join(dir, 'project');
  const files: Record<string, string> = {
    'models/staging/a.sql': 'select range as id from range({{ var("n", 3) }})',
    'models/staging/b.sql': "select id * 2 as id from {{ ref('a') }}",
    'models/staging/c.sql': "select id + 1 as id from {{ ref('b') }}",
    'models/staging/_staging.yml': docs(['a', 'b', 'c']),
  };
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(projectDir, path)), { recursive: true });
    await writeFile(join(projectDir, path), content);
  }
  await mkdir(join(dir, 'segments'));
  const db = await openDatabase(join(dir, 'workspace.duckdb'));
  let queue: Promise<unknown> = Promise.resolve();
  const service: ServiceLike = {
    dir,
    config: { vars: { as_of: '2026-01-31' } },
    projectDir,
    segmentsDir: join(dir, 'segments'),
    async read(work, options) {
      const reader = await db.connect();
      try {
        return await work(reader, options?.signal ?? new AbortController().signal);
      } finally {
        reader.close();
      }
    },
    write(_kind, work, options) {
      const signal = options?.signal ?? new AbortController().signal;
      const run = queue.then(() => work({ db, signal, id: 'job' }));
      queue = run.catch(() => undefined);
      return run;
    },
  };
  return {
    dir,
    service,
    context: { service },
    db,
    async close() {
      db.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
