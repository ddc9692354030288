import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { ProjectError, runBuild, runTestsOnly, VarError } from '../../core/models/index.ts';

let dir: string;
let db: Database;

async function writeProject(files: Record<string, string>): Promise<string> {
  const project = join(dir, 'project');
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(project, path)), { recursive: true });
    await writeFile(join(project, path), content);
  }
  return project;
}

const docs = (models: { name: string; columns: string[]; tests?: string }[]): string =>
  `version: 2\nmodels:\n${models
    .map(
      (m) =>
        `  - name: ${m.name}\n    description: test model\n${m.tests ?? ''}    columns:\n${m.columns
          .map((c) => `      - name: ${c}\n        description: a column\n`)
          .join('')}`,
    )
    .join('')}`;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-runner-'));
  db = await openDatabase(join(dir, 'workspace.duckdb'));
});

afterEach(async () => {
  db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('model runner', () => {
  it('builds models in dependency order and publishes them as tables in main', async () => {
    const project = await writeProject({
      'models/staging/b.sql': "select a_id * 2 as b_id from {{ ref('a') }}",
      'models/staging/a.sql': 'select range as a_id from range({{ var("n", 3) }})',
      'models/staging/_staging.yml': docs([
        { name: 'a', columns: ['a_id'] },
        { name: 'b', columns: ['b_id'] },
      ]),
    });
    const result = await runBuild(db, { projectDir: project, vars: { n: 5, as_of: '2026-01-31' } });
    expect(result.ok).toBe(true);
    expect(result.models.map((m) => m.name)).toEqual(['a', 'b']);
    expect(result.models.map((m) => m.rows)).toEqual([5, 5]);
    const rows = await db.queryJs('select sum(b_id)::integer as s from main.b');
    expect(rows[0]?.s).toBe(20);
    const leftovers = await db.queryJs(
      "select table_name from duckdb_tables() where table_name like '%__c360_build'",
    );
    expect(leftovers).toEqual([]);
  });

  it('reports an unknown ref with file, line and a suggestion', async () => {
    const project = await writeProject({
      'models/staging/a.sql': 'select 1 as a_id',
      'models/marts/m.sql': "select *\nfrom {{ ref('aa') }}",
      'models/staging/_staging.yml': docs([{ name: 'a', columns: ['a_id'] }]),
    });
    await expect(runBuild(db, { projectDir: project })).rejects.toThrow(
      /models\/marts\/m\.sql:2: ref\('aa'\) points to no model or seed — did you mean 'a'\?/,
    );
  });

  it('reports an unknown source table', async () => {
    const project = await writeProject({
      'models/staging/a.sql': "select * from {{ source('shopify', 'ordrs') }}",
    });
    await expect(runBuild(db, { projectDir: project })).rejects.toThrow(
      /source\('shopify', 'ordrs'\) is not a known raw table — did you mean 'shopify.orders'\?/,
    );
  });

  it('detects a cycle and names the models in it', async () => {
    const project = await writeProject({
      'models/x.sql': "select * from {{ ref('y') }}",
      'models/y.sql': "select * from {{ ref('z') }}",
      'models/z.sql': "select * from {{ ref('x') }}",
    });
    const error = await runBuild(db, { projectDir: project }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProjectError);
    expect(String(error)).toMatch(/cycle/);
    expect(String(error)).toMatch(/x \(models\/x\.sql\) → y \(models\/y\.sql\) → z \(models\/z\.sql\) → x/);
  });

  it('fails the build on a failing data test and leaves the published tables untouched', async () => {
    const files = {
      'models/a.sql': 'select range as a_id from range({{ var("n", 3) }})',
      'models/_models.yml': docs([
        { name: 'a', columns: ['a_id'], tests: '    tests:\n      - expression: "a_id < 3"\n' },
      ]),
    };
    const project = await writeProject(files);
    expect((await runBuild(db, { projectDir: project })).ok).toBe(true);

    const failing = await runBuild(db, { projectDir: project, vars: { n: 10 } });
    expect(failing.ok).toBe(false);
    expect(failing.published).toBe(false);
    const test = failing.tests.find((t) => t.status === 'fail');
    expect(test?.name).toBe('expression(a_id < 3)');
    expect(test?.message).toMatch(/7 row\(s\) break `a_id < 3`/);
    const rows = await db.queryJs('select count(*)::integer as n from main.a');
    expect(rows[0]?.n).toBe(3);
    const leftovers = await db.queryJs(
      "select table_name from duckdb_tables() where table_name like '%__c360_build'",
    );
    expect(leftovers).toEqual([]);
  });

  it('does not publish anything when one model fails, and skips what depends on it', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      'models/b.sql': "select a_id, no_such_column from {{ ref('a') }}",
      'models/c.sql': "select * from {{ ref('b') }}",
      'models/_models.yml': docs([
        { name: 'a', columns: ['a_id'] },
        { name: 'b', columns: ['a_id'] },
        { name: 'c', columns: ['a_id'] },
      ]),
    });
    const result = await runBuild(db, { projectDir: project });
    expect(result.ok).toBe(false);
    expect(result.models.map((m) => [m.name, m.status])).toEqual([
      ['a', 'success'],
      ['b', 'failed'],
      ['c', 'skipped'],
    ]);
    expect(result.models[1]?.error).toMatch(/^models\/b\.sql.*no_such_column/);
    const tables = await db.queryJs("select table_name from duckdb_tables() where schema_name = 'main'");
    expect(tables).toEqual([]);
  });

  it('fails when the documented columns differ from the produced ones', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id, 2 as extra',
      'models/_models.yml': docs([{ name: 'a', columns: ['a_id', 'gone'] }]),
    });
    const result = await runBuild(db, { projectDir: project });
    expect(result.ok).toBe(false);
    expect(result.tests.find((t) => t.name === 'documented')?.message).toBe(
      'columns without docs: extra; documented but not produced: gone',
    );
  });

  it('runs unique, not_null, accepted_values, relationships and row_count tests', async () => {
    const project = await writeProject({
      'models/parent.sql': 'select * from (values (1), (2)) t(parent_id)',
      'models/child.sql':
        "select * from (values (1, 'a', 1), (1, 'z', 3), (null, 'a', 2)) t(child_id, kind, parent_id)",
      'models/_models.yml': `version: 2
models:
  - name: parent
    description: p
    columns:
      - name: parent_id
        description: id
        tests: [unique]
  - name: child
    description: c
    tests:
      - row_count: { min: 5 }
    columns:
      - name: child_id
        description: id
        tests: [unique, not_null]
      - name: kind
        description: k
        tests:
          - accepted_values: { values: [a, b] }
      - name: parent_id
        description: fk
        tests:
          - relationships: { to: parent, field: parent_id }
`,
    });
    const result = await runBuild(db, { projectDir: project });
    const byName = Object.fromEntries(
      result.tests.filter((t) => t.model === 'child').map((t) => [t.name, t]),
    );
    expect(byName['unique(child_id)']?.status).toBe('fail');
    expect(byName['not_null(child_id)']?.failures).toBe(1);
    expect(byName['accepted_values(kind)']?.message).toMatch(
      /1 row\(s\) have a kind outside \[a, b\] \(e\.g\. "z"\)/,
    );
    expect(byName['relationships(parent_id → parent.parent_id)']?.failures).toBe(1);
    expect(byName['row_count(min 5)']?.status).toBe('fail');
    expect(result.tests.find((t) => t.model === 'parent')?.status).toBe('pass');
  });

  it('builds only the selection, resolving refs outside it to the published tables', async () => {
    const project = await writeProject({
      'models/a.sql': 'select {{ var("v", 1) }} as a_id',
      'models/b.sql': "select a_id + 1 as b_id from {{ ref('a') }}",
      'models/_models.yml': docs([
        { name: 'a', columns: ['a_id'] },
        { name: 'b', columns: ['b_id'] },
      ]),
    });
    await runBuild(db, { projectDir: project });
    const result = await runBuild(db, { projectDir: project, select: ['b'], vars: { v: 100 } });
    expect(result.models.map((m) => m.name)).toEqual(['b']);
    expect((await db.queryJs('select b_id from main.b'))[0]?.b_id).toBe(2);
    const downstream = await runBuild(db, { projectDir: project, select: ['a+'], vars: { v: 100 } });
    expect(downstream.models.map((m) => m.name)).toEqual(['a', 'b']);
    expect((await db.queryJs('select b_id from main.b'))[0]?.b_id).toBe(101);
    await expect(runBuild(db, { projectDir: project, select: ['bb'] })).rejects.toThrow(
      /'bb' is not a model or seed — did you mean 'b'\?/,
    );
  });

  it('stops before publishing when cancelled', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      'models/b.sql': "select * from {{ ref('a') }}",
      'models/_models.yml': docs([
        { name: 'a', columns: ['a_id'] },
        { name: 'b', columns: ['a_id'] },
      ]),
    });
    let calls = 0;
    const result = await runBuild(db, { projectDir: project, isCancelled: () => ++calls > 1 });
    expect(result.ok).toBe(false);
    expect(result.warnings).toContain('the build was cancelled; nothing was published');
    expect(await db.queryJs("select table_name from duckdb_tables() where schema_name = 'main'")).toEqual([]);
  });

  it('stops a running model within a second when its signal aborts, and publishes nothing', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      // minutes of work: only DuckDB's interrupt can stop it in time
      'models/b.sql': "select count(*) as a_id from range(100000000000) r, {{ ref('a') }}",
      'models/_models.yml': docs([
        { name: 'a', columns: ['a_id'] },
        { name: 'b', columns: ['a_id'] },
      ]),
    });
    const controller = new AbortController();
    const started = performance.now();
    const building = runBuild(db, {
      projectDir: project,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'model_start' && event.name === 'b') setTimeout(() => controller.abort(), 300);
      },
    });
    const result = await building;
    expect((performance.now() - started) / 1000).toBeLessThan(5);
    expect(result.ok).toBe(false);
    expect(result.published).toBe(false);
    expect(result.warnings).toContain('the build was cancelled; nothing was published');
    expect(await db.queryJs("select table_name from duckdb_tables() where schema_name = 'main'")).toEqual([]);
    const [run] = await db.queryJson('select status, ok from c360.build_runs where run_id = $1', [
      result.runId,
    ]);
    expect(run).toEqual({ status: 'cancelled', ok: false });
  });

  it('records a build when it starts, and marks one that never finished (killed) as interrupted', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      'models/_models.yml': docs([{ name: 'a', columns: ['a_id'] }]),
    });
    const first = await runBuild(db, { projectDir: project });
    expect(first.published).toBe(true);
    // what kill -9 leaves: the row written at the start, never updated
    await db.run("update c360.build_runs set status = 'running', finished_at = null where run_id = $1", [
      first.runId,
    ]);
    const second = await runBuild(db, { projectDir: project });
    const runs = await db.queryJson('select run_id, status from c360.build_runs order by started_at');
    expect(runs).toEqual([
      { run_id: first.runId, status: 'interrupted' },
      { run_id: second.runId, status: 'published' },
    ]);
  });

  it('records every build in the run history', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      'models/_models.yml': docs([{ name: 'a', columns: ['a_id'] }]),
    });
    const result = await runBuild(db, { projectDir: project, vars: { as_of: '2026-03-01' } });
    const runs = await db.queryJson('select run_id, ok, as_of from c360.build_runs');
    expect(runs).toEqual([{ run_id: result.runId, ok: true, as_of: '2026-03-01 00:00:00' }]);
  });

  it('rejects an as_of that is not a date', async () => {
    const project = await writeProject({ 'models/a.sql': 'select 1 as a_id' });
    await expect(runBuild(db, { projectDir: project, vars: { as_of: 'yesterday' } })).rejects.toThrow(
      /as_of = 'yesterday' is not a date/,
    );
  });

  it('runs data tests alone against the published tables', async () => {
    const project = await writeProject({
      'models/a.sql': 'select 1 as a_id',
      'models/_models.yml': docs([{ name: 'a', columns: ['a_id'] }]),
    });
    const before = await runTestsOnly(db, { projectDir: project });
    expect(before[0]?.message).toMatch(/has not been built yet/);
    await runBuild(db, { projectDir: project });
    const after = await runTestsOnly(db, { projectDir: project });
    expect(after.every((t) => t.status === 'pass')).toBe(true);
  });
});

describe('model variables (vars.yml)', () => {
  const VARS_YML = `vars:
  as_of:
    type: timestamp
    description: reference time
  n:
    type: integer
    min: 1
    max: 10
    default: 3
    description: how many rows
`;
  const varProject = (sql = "select range as i from range({{ var('n') }})") =>
    writeProject({
      'vars.yml': VARS_YML,
      'models/a.sql': sql,
      'models/_models.yml': docs([{ name: 'a', columns: ['i'] }]),
    });
  const builtTables = async () =>
    (await db.queryJs("select table_name from duckdb_tables() where schema_name <> 'c360'")).map((r) =>
      String(r.table_name),
    );

  it('gives var() the default declared in vars.yml; vars: and --var override it in that order', async () => {
    const project = await varProject();
    await runBuild(db, { projectDir: project });
    expect((await db.queryJs('select count(*)::integer as n from main.a'))[0]?.n).toBe(3);
    await runBuild(db, { projectDir: project, configVars: { n: 5 } });
    expect((await db.queryJs('select count(*)::integer as n from main.a'))[0]?.n).toBe(5);
    await runBuild(db, { projectDir: project, configVars: { n: 5 }, vars: { n: '7' } });
    expect((await db.queryJs('select count(*)::integer as n from main.a'))[0]?.n).toBe(7);
  });

  it.each([
    [{ n: 'abc' }, /--var n: 'abc' is not a number; use a whole number from 1 to 10 \(default 3\)/],
    [{ n: 11 }, /--var n: 11 is too large; use a whole number from 1 to 10/],
    [{ n: 2.5 }, /--var n: 2\.5 is not a whole number/],
    [{ nn: 4 }, /--var nn: 'nn' is not a model variable; did you mean n\?/],
    [{ as_of: '2026-02-30' }, /--var as_of: 2026-02-30 is not a day of the calendar/],
    [{ as_of: 'yesterday' }, /--var as_of: 'yesterday' is not a date or time/],
  ])('refuses %j with name, value and what is allowed, before anything builds', async (vars, message) => {
    const project = await varProject();
    const error = await runBuild(db, { projectDir: project, vars }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VarError);
    expect((error as Error).message).toMatch(message);
    expect(await builtTables()).toEqual([]);
  });

  it('names c360.config.yaml for a bad value of vars:', async () => {
    const project = await varProject();
    await expect(runBuild(db, { projectDir: project, configVars: { n: 0 } })).rejects.toThrow(
      /c360\.config\.yaml vars: n: 0 is too small/,
    );
  });

  it('lets a workspace config of an older version set a retired variable (warning), but not --var', async () => {
    const project = await writeProject({
      'vars.yml': `${VARS_YML}  old_n:\n    type: integer\n    retired: n replaced it\n    description: how many rows, once\n`,
      'models/a.sql': "select range as i from range({{ var('n') }})",
      'models/_models.yml': docs([{ name: 'a', columns: ['i'] }]),
    });
    const result = await runBuild(db, { projectDir: project, configVars: { old_n: 4 } });
    expect(result.ok).toBe(true);
    expect(result.warnings).toContain(
      'c360.config.yaml vars: old_n: is no longer a model variable: n replaced it; the value is ignored, remove it',
    );
    await expect(runBuild(db, { projectDir: project, vars: { old_n: 4 } })).rejects.toThrow(
      /--var old_n: is no longer a model variable: n replaced it/,
    );
  });

  it('reports a var() of an undeclared variable with file and line before building', async () => {
    const project = await varProject("select 1 as i\nwhere {{ var('m', 2) }} > 1");
    await expect(runBuild(db, { projectDir: project })).rejects.toThrow(
      /models\/a\.sql:2 m: var\('m'\) is not declared; declare it in vars\.yml/,
    );
    expect(await builtTables()).toEqual([]);
  });
});

describe('build-only models (persist: false)', () => {
  const tablesInMain = async (): Promise<string[]> =>
    (
      await db.queryJs(
        "select table_name from duckdb_tables() where schema_name = 'main' and database_name = current_database() order by 1",
      )
    ).map((r) => String(r.table_name));

  async function project(): Promise<string> {
    return writeProject({
      'models/staging/a.sql': 'select range as a_id from range({{ var("n", 3) }})',
      'models/staging/b.sql': "select a_id * 2 as b_id from {{ ref('a') }}",
      'models/marts/c.sql': "select sum(b_id) as total from {{ ref('b') }}",
      'models/staging/_staging.yml': `persist: false\n${docs([
        { name: 'a', columns: ['a_id'], tests: '    tests:\n      - row_count: { min: 1 }\n' },
        { name: 'b', columns: ['b_id'] },
      ]).replace('version: 2\n', '')}`.replace(/^/, 'version: 2\n'),
      'models/marts/_marts.yml': docs([{ name: 'c', columns: ['total'] }]),
    });
  }

  it('builds and tests them, then keeps only the persisted models in the file', async () => {
    const dirOf = await project();
    const result = await runBuild(db, { projectDir: dirOf, vars: { n: 4 } });
    expect(result.ok).toBe(true);
    expect(result.models.map((m) => [m.name, m.rows])).toEqual([
      ['a', 4],
      ['b', 4],
      ['c', 1],
    ]);
    expect(result.tests.filter((t) => t.model === 'a').map((t) => t.name)).toContain('row_count(min 1)');
    expect(await tablesInMain()).toEqual(['c']);
    expect((await db.queryJs('select total::integer as t from main.c'))[0]?.t).toBe(12);
    // c360 test checks the persisted models only: the build-only ones have no table to test
    expect(new Set((await runTestsOnly(db, { projectDir: dirOf })).map((t) => t.model))).toEqual(
      new Set(['c']),
    );
  });

  it('rebuilds the build-only models a selected model reads', async () => {
    const dirOf = await project();
    await runBuild(db, { projectDir: dirOf, vars: { n: 4 } });
    const result = await runBuild(db, { projectDir: dirOf, select: ['c'], vars: { n: 5 } });
    expect(result.ok).toBe(true);
    expect(result.models.map((m) => m.name)).toEqual(['a', 'b', 'c']);
    expect((await db.queryJs('select total::integer as t from main.c'))[0]?.t).toBe(20);
  });

  it('keeps them with keepIntermediate, and the next normal build removes them from the file', async () => {
    const dirOf = await project();
    await runBuild(db, { projectDir: dirOf, keepIntermediate: true });
    expect(await tablesInMain()).toEqual(['a', 'b', 'c']);
    await runBuild(db, { projectDir: dirOf });
    expect(await tablesInMain()).toEqual(['c']);
  });

  it('drops the side tables a killed build left behind when the next build starts', async () => {
    const dirOf = await project();
    await runBuild(db, { projectDir: dirOf, vars: { n: 4 } });
    // what a build killed with kill -9 leaves: side tables of build steps and of a persisted model
    await db.run('create table main.a__c360_build as select 1 as a_id');
    await db.run('create table main.c__c360_build as select 99 as total');
    expect(await tablesInMain()).toEqual(['a__c360_build', 'c', 'c__c360_build']);
    const result = await runBuild(db, { projectDir: dirOf, vars: { n: 4 } });
    expect(result.ok).toBe(true);
    expect(await tablesInMain()).toEqual(['c']);
    expect((await db.queryJs('select total::integer as t from main.c'))[0]?.t).toBe(12);
  });

  it('leaves the published tables as they were when a build-only model fails its test', async () => {
    const dirOf = await project();
    await runBuild(db, { projectDir: dirOf, vars: { n: 4 } });
    const failed = await runBuild(db, { projectDir: dirOf, vars: { n: 0 } });
    expect(failed.ok).toBe(false);
    expect(failed.tests.find((t) => t.model === 'a' && t.status === 'fail')?.name).toBe('row_count(min 1)');
    expect((await db.queryJs('select total::integer as t from main.c'))[0]?.t).toBe(12);
    expect(await tablesInMain()).toEqual(['c']);
  });
});
