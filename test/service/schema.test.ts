import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openDatabase } from '../../core/db/duckdb.ts';
import { listModelsProcedure } from '../../core/api/modelProcedures.ts';
import { call } from '../../core/api/procedure.ts';
import { listRunsProcedure, showRunProcedure } from '../../core/api/syncProcedures.ts';
import { segmentHistoryProcedure } from '../../core/api/segmentProcedures.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { RunNotFoundError } from '../../core/sync/index.ts';
import {
  migrateWorkspaceSchema,
  WORKSPACE_SCHEMA_VERSION,
  workspaceSchemaVersion,
} from '../../core/workspace/schema.ts';
import { bareWorkspace, rejection, type WorkspaceFolder } from './serviceFixture.ts';

let folder: WorkspaceFolder | undefined;
afterEach(async () => {
  await folder?.remove();
  folder = undefined;
});

const C360_TABLES = `select table_name from duckdb_tables() where schema_name = 'c360' order by 1`;

describe('the c360 schema', () => {
  it('is created once, recorded with its version, and a second migration changes nothing', async () => {
    folder = await bareWorkspace();
    const db = await openDatabase(join(folder.dir, 'workspace.duckdb'));
    try {
      expect(await workspaceSchemaVersion(db)).toBe(0);
      expect(await migrateWorkspaceSchema(db)).toEqual({ from: 0, to: WORKSPACE_SCHEMA_VERSION });
      const tables = (await db.queryJson(C360_TABLES)).map((r) => r.table_name);
      expect(tables).toEqual(
        expect.arrayContaining([
          'build_runs',
          'schema_version',
          'segment_snapshots',
          'sync_runs',
          'sync_failures',
        ]),
      );
      await db.run(
        `insert into c360.sync_runs values ('r1', now()::timestamp, null, 'running', 'profiles', null, false, null, null)`,
      );
      expect(await migrateWorkspaceSchema(db)).toEqual({
        from: WORKSPACE_SCHEMA_VERSION,
        to: WORKSPACE_SCHEMA_VERSION,
      });
      expect((await db.queryJson(C360_TABLES)).map((r) => r.table_name)).toEqual(tables);
      expect(await db.queryJs('select max(version)::integer as n from c360.schema_version')).toEqual([
        { n: WORKSPACE_SCHEMA_VERSION },
      ]);
      expect(await db.queryJs('select count(*)::integer as n from c360.sync_runs')).toEqual([{ n: 1 }]);
    } finally {
      db.close();
    }
  });

  it('is migrated when a service opens a workspace for writing', async () => {
    folder = await bareWorkspace();
    const service = await WorkspaceService.open(folder.dir);
    try {
      const version = await service.read((db) => workspaceSchemaVersion(db));
      expect(version).toBe(WORKSPACE_SCHEMA_VERSION);
    } finally {
      await service.close();
    }
  });

  it('is not needed for reading: a read-only open of an old workspace reads empty histories and creates nothing', async () => {
    folder = await bareWorkspace();
    const service = await WorkspaceService.open(folder.dir, { readOnly: true });
    try {
      const ctx = { service };
      expect(await call(listRunsProcedure, {}, ctx)).toEqual([]);
      expect(await call(segmentHistoryProcedure, { segment: 'winback' }, ctx)).toEqual([]);
      const models = await call(listModelsProcedure, {}, ctx);
      expect(models.find((m) => m.name === 'dim_customers')?.rows).toBe(10);
      expect(await rejection(call(showRunProcedure, { runId: 'abcd' }, ctx))).toBeInstanceOf(
        RunNotFoundError,
      );
      expect(await service.read((db) => db.queryJson(C360_TABLES))).toEqual([]);
      // Writing needs a writable open.
      const refused = await rejection(service.write('snapshot', async () => 'written'));
      expect(refused.code).toBe('WORKSPACE_READ_ONLY');
    } finally {
      await service.close();
    }
  });
});

describe('schema version 2', () => {
  it('adds started_at and status to the build runs of a version 1 workspace and keeps its rows', async () => {
    folder = await bareWorkspace();
    const db = await openDatabase(join(folder.dir, 'workspace.duckdb'));
    try {
      // a workspace as version 1 left it: the table without the two columns, one finished build
      await db.run('create schema c360');
      await db.run(`create table c360.build_runs (run_id varchar primary key, finished_at timestamp,
        as_of timestamp, ok boolean, published boolean, seconds double, selectors varchar, vars varchar,
        models varchar, tests varchar)`);
      await db.run(`create table c360.schema_version (version integer primary key, applied_at timestamp not null,
        description varchar not null)`);
      await db.run(`insert into c360.schema_version values (1, now()::timestamp, 'v1')`);
      await db.run(`insert into c360.build_runs values ('b1', now()::timestamp, now()::timestamp, true, true, 1.5,
        '[]', '{}', '[]', '[]')`);
      // later versions follow in the same call
      expect(await migrateWorkspaceSchema(db)).toEqual({ from: 1, to: WORKSPACE_SCHEMA_VERSION });
      expect(await db.queryJson('select run_id, status, started_at from c360.build_runs')).toEqual([
        { run_id: 'b1', status: null, started_at: null },
      ]);
    } finally {
      db.close();
    }
  });
});

describe('schema version 3', () => {
  it('adds c360.sync_approvals (who approved which guardrail of which plan) to a version 2 workspace', async () => {
    folder = await bareWorkspace();
    const db = await openDatabase(join(folder.dir, 'workspace.duckdb'));
    try {
      await migrateWorkspaceSchema(db);
      await db.run('drop table c360.sync_approvals');
      await db.run('delete from c360.schema_version where version >= 3');
      expect(await workspaceSchemaVersion(db)).toBe(2);
      expect((await migrateWorkspaceSchema(db)).from).toBe(2);
      expect(
        (
          await db.queryJson(
            `select column_name from duckdb_columns() where schema_name = 'c360' and table_name = 'sync_approvals'
             order by column_index`,
          )
        ).map((r) => r.column_name),
      ).toEqual(['plan_hash', 'guardrail_id', 'sync', 'target', 'approved_by', 'approved_at', 'run_id']);
    } finally {
      db.close();
    }
  });
});
