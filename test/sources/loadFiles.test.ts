import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { loadRawFiles, type LoadProgressEvent } from '../../core/sources/loadFiles.ts';
import { findRawTable } from '../../core/sources/rawTables.ts';

const USERS_HEADER = 'id,email,name,created_at';

function rawColumns(source: string, table: string): string[] {
  const t = findRawTable(source, table);
  if (!t) throw new Error(`unknown table ${source}.${table}`);
  return t.columns.map((c) => c.name);
}

describe('loadRawFiles', () => {
  let dir: string;
  let files: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c360-load-'));
    files = join(dir, 'exports');
    mkdirSync(files);
    db = await openDatabase(join(dir, 'workspace.duckdb'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const write = (name: string, content: string): void => {
    const path = join(files, name);
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, content);
  };
  const rows = (sql: string) => db.queryJs(sql);

  it('loads CSV, Parquet and JSON-lines files from both naming layouts', async () => {
    write(
      'zendesk/users.csv',
      `${USERS_HEADER}\n1,anna@example.de,Anna Schmidt,2024-05-01 10:00:00\n2,,Ben,2024-05-02 11:00:00\n`,
    );
    await db.run(`copy (select 'L1' as id, 'Newsletter' as name union all select 'L2', 'VIP Customers')
      to '${join(files, 'klaviyo__lists.parquet')}' (format parquet)`);
    write(
      'zendesk__tickets.jsonl',
      [
        {
          id: 7,
          requester_id: 1,
          status: 'solved',
          priority: 'normal',
          channel: 'email',
          subject: 'Rückerstattung',
          created_at: '2024-05-03T08:00:00',
          updated_at: '2024-05-04 09:00:00',
          solved_at: '2024-05-04 09:00:00',
          satisfaction_rating: 'good',
        },
        {
          id: 8,
          requester_id: 2,
          status: 'open',
          priority: 'high',
          channel: 'chat',
          subject: 'Wo bleibt meine Bestellung?',
          created_at: '2024-05-05 08:00:00',
          updated_at: '2024-05-05 08:30:00',
          solved_at: null,
          satisfaction_rating: 'unoffered',
        },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const events: LoadProgressEvent[] = [];
    const report = await loadRawFiles(db, files, { onProgress: (e) => events.push(e) });

    expect(report.errors).toEqual([]);
    expect(report.unknownFiles).toEqual([]);
    expect(report.files.map((f) => [f.file, f.source, f.table, f.rowsLoaded, f.rowsRejected])).toEqual([
      ['klaviyo__lists.parquet', 'klaviyo', 'lists', 2, 0],
      ['zendesk/users.csv', 'zendesk', 'users', 2, 0],
      ['zendesk__tickets.jsonl', 'zendesk', 'tickets', 2, 0],
    ]);
    expect(await rows('select id, email, name, created_at from raw_zendesk.users order by id')).toEqual([
      {
        id: 1n,
        email: 'anna@example.de',
        name: 'Anna Schmidt',
        created_at: new Date('2024-05-01T10:00:00Z'),
      },
      { id: 2n, email: null, name: 'Ben', created_at: new Date('2024-05-02T11:00:00Z') },
    ]);
    expect(await rows('select id, solved_at from raw_zendesk.tickets order by id')).toEqual([
      { id: 7n, solved_at: new Date('2024-05-04T09:00:00Z') },
      { id: 8n, solved_at: null },
    ]);
    expect(events.filter((e) => e.status === 'loaded').map((e) => e.table)).toEqual([
      'lists',
      'users',
      'tickets',
    ]);
  });

  it('skips rows with values that do not fit and records column, value and row in load_rejections', async () => {
    write(
      'zendesk/users.csv',
      `${USERS_HEADER}\n1,a@example.de,Anna,2024-05-01 10:00:00\n2,b@example.de,Ben,2024-13-45\nx3,c@example.de,Cem,yesterday\n4,d@example.de,Dana,\n`,
    );
    const report = await loadRawFiles(db, files, { maxRejectShare: 0.5 });

    expect(report.files[0]).toMatchObject({ rowsLoaded: 2, rowsRejected: 2 });
    expect(report.files[0]?.warnings.join(' ')).toContain('main.load_rejections');
    expect(await rows('select id from raw_zendesk.users order by id')).toEqual([{ id: 1n }, { id: 4n }]);
    const rejections = await rows(
      'select source, "table", file, row_number, line, "column", reason, raw_row from main.load_rejections order by row_number',
    );
    expect(rejections).toEqual([
      {
        source: 'zendesk',
        table: 'users',
        file: 'zendesk/users.csv',
        row_number: 2n,
        line: 3n,
        column: 'created_at',
        reason: "created_at: '2024-13-45' is not a date and time (YYYY-MM-DD HH:MM:SS)",
        raw_row: '{"id":"2","email":"b@example.de","name":"Ben","created_at":"2024-13-45"}',
      },
      {
        source: 'zendesk',
        table: 'users',
        file: 'zendesk/users.csv',
        row_number: 3n,
        line: 4n,
        column: 'id, created_at',
        reason:
          "id: 'x3' is not a whole number; created_at: 'yesterday' is not a date and time (YYYY-MM-DD HH:MM:SS)",
        raw_row: '{"id":"x3","email":"c@example.de","name":"Cem","created_at":"yesterday"}',
      },
    ]);
  });

  it('rejects a file with missing columns, names them and leaves the table as it was', async () => {
    write('zendesk/users.csv', `${USERS_HEADER}\n1,a@example.de,Anna,2024-05-01 10:00:00\n`);
    await loadRawFiles(db, files);
    write('zendesk/users.csv', `id,name\n2,Ben\n`);
    const report = await loadRawFiles(db, files);

    expect(report.files).toEqual([]);
    expect(report.errors).toHaveLength(1);
    expect(report.errors[0]).toMatchObject({ file: 'zendesk/users.csv', source: 'zendesk', table: 'users' });
    expect(report.errors[0]?.message).toBe(
      'zendesk/users.csv is missing the columns email, created_at of zendesk.users. ' +
        'Expected columns: id, email, name, created_at. Add the missing columns (empty values are fine) ' +
        'and run the load again; the table was left unchanged.',
    );
    expect(await rows('select id from raw_zendesk.users')).toEqual([{ id: 1n }]);
  });

  it('reports files it does not know without loading them', async () => {
    write('shopify/refunds.csv', 'id\n1\n');
    write('notes.txt', 'hello');
    write('amazon__orders.xlsx', '');
    write('customers.csv', 'id\n1\n');
    const report = await loadRawFiles(db, files);

    expect(report.files).toEqual([]);
    expect(report.unknownFiles).toEqual([
      { file: 'amazon__orders.xlsx', reason: 'not a .csv, .parquet, .jsonl or .ndjson file' },
      { file: 'customers.csv', reason: expect.stringContaining('no raw table matches this name') },
      { file: 'notes.txt', reason: 'not a .csv, .parquet, .jsonl or .ndjson file' },
      { file: 'shopify/refunds.csv', reason: 'shopify has no raw table "refunds"' },
    ]);
    expect(report.errors[0]?.message).toContain('No raw table files found');
  });

  it('ignores extra columns, matches column names regardless of case and order, and says so', async () => {
    write(
      'zendesk/users.csv',
      `Created_At,NAME,segment,Id,Email\n2024-05-01 10:00:00,Anna,vip,1,a@example.de\n`,
    );
    const report = await loadRawFiles(db, files);

    expect(report.errors).toEqual([]);
    expect(report.files[0]?.warnings).toEqual(['ignored columns not in zendesk.users: segment']);
    expect(await rows('select * from raw_zendesk.users')).toEqual([
      { id: 1n, email: 'a@example.de', name: 'Anna', created_at: new Date('2024-05-01T10:00:00Z') },
    ]);
  });

  it('keeps tables without a file and creates missing raw tables empty', async () => {
    await db.run('create schema raw_zendesk');
    await db.run(
      `create table raw_zendesk.users (id BIGINT, email VARCHAR, name VARCHAR, created_at TIMESTAMP)`,
    );
    await db.run(
      `insert into raw_zendesk.users values (9, 'z@example.de', 'Zoe', timestamp '2024-01-01 00:00:00')`,
    );
    write('klaviyo/lists.csv', 'id,name\nL1,Newsletter\n');
    const report = await loadRawFiles(db, files);

    expect(await rows('select id from raw_zendesk.users')).toEqual([{ id: 9n }]);
    expect(report.createdEmpty).toContain('raw_shopify.orders');
    expect(report.createdEmpty).not.toContain('raw_zendesk.users');
    expect(report.createdEmpty).not.toContain('raw_klaviyo.lists');
    const columns = await rows(`select column_name, data_type from information_schema.columns
      where table_schema = 'raw_shopify' and table_name = 'orders' order by ordinal_position`);
    expect(columns.map((c) => c.column_name)).toEqual(rawColumns('shopify', 'orders'));
    expect(columns.find((c) => c.column_name === 'total_price')?.data_type).toBe('DECIMAL(12,2)');
  });

  it('converts timestamps with an offset to UTC and reads empty typed fields as null', async () => {
    write(
      'zendesk/users.csv',
      `${USERS_HEADER}\n1,a@example.de,Anna,2024-03-01T10:15:00+01:00\n2,b@example.de,Ben,2024-07-01T10:15:00Z\n3, ,Cem,  \n`,
    );
    await loadRawFiles(db, files);
    expect(await rows('select id, email, created_at from raw_zendesk.users order by id')).toEqual([
      { id: 1n, email: 'a@example.de', created_at: new Date('2024-03-01T09:15:00Z') },
      { id: 2n, email: 'b@example.de', created_at: new Date('2024-07-01T10:15:00Z') },
      { id: 3n, email: ' ', created_at: null },
    ]);
  });

  it('refuses two files for the same table and loads neither', async () => {
    write('klaviyo/lists.csv', 'id,name\nL1,Newsletter\n');
    write('klaviyo__lists.jsonl', '{"id": "L2", "name": "VIP"}\n');
    const report = await loadRawFiles(db, files);
    expect(report.files).toEqual([]);
    expect(report.errors[0]?.message).toBe(
      'klaviyo/lists.csv and klaviyo__lists.jsonl all hold klaviyo.lists; none was loaded. Keep one file per table and run the load again.',
    );
    expect(await rows('select count(*)::INTEGER as n from raw_klaviyo.lists')).toEqual([{ n: 0 }]);
  });

  it('explains a file that is not what its extension says', async () => {
    write('klaviyo/lists.jsonl', '{"id": "L1", "name": "Newsletter"}\nnot json at all\n');
    write('klaviyo/profiles.parquet', 'this is not parquet');
    const report = await loadRawFiles(db, files);
    expect(report.files).toEqual([]);
    const messages = report.errors.map((e) => e.message);
    expect(messages[0]).toMatch(
      /^klaviyo\/lists\.jsonl could not be read as JSON lines \(one JSON object per line\): .*klaviyo\.lists was left unchanged\.$/,
    );
    expect(messages[1]).toMatch(
      /^klaviyo\/profiles\.parquet could not be read as Parquet: .*Fix or re-export the file/,
    );
  });

  it('stores nested JSON values of text columns as JSON text and treats JSON null as empty', async () => {
    write(
      'klaviyo/profiles.ndjson',
      JSON.stringify({
        id: 'P1',
        email: 'a@example.de',
        first_name: 'Anna',
        last_name: null,
        created: '2024-01-01 00:00:00',
        updated: '2024-01-02 00:00:00',
        properties: { gender: 'female', pregnancy_opt_in: true },
        email_consent: 'SUBSCRIBED',
        suppression_reason: null,
      }) + '\n',
    );
    const report = await loadRawFiles(db, files);
    expect(report.errors).toEqual([]);
    expect(await rows('select properties, suppression_reason from raw_klaviyo.profiles')).toEqual([
      { properties: '{"gender":"female","pregnancy_opt_in":true}', suppression_reason: null },
    ]);
  });

  it('replaces the earlier rejections of a table on the next load', async () => {
    write('zendesk/users.csv', `${USERS_HEADER}\n1,a@example.de,Anna,bad\n`);
    await loadRawFiles(db, files, { force: true });
    expect(await rows('select count(*)::INTEGER as n from main.load_rejections')).toEqual([{ n: 1 }]);
    write('zendesk/users.csv', `${USERS_HEADER}\n1,a@example.de,Anna,2024-01-01\n`);
    await loadRawFiles(db, files);
    expect(await rows('select count(*)::INTEGER as n from main.load_rejections')).toEqual([{ n: 0 }]);
    expect(await rows('select count(*)::INTEGER as n from raw_zendesk.users')).toEqual([{ n: 1 }]);
  });

  it('tells the user when the folder does not exist', async () => {
    await expect(loadRawFiles(db, join(dir, 'nope'))).rejects.toThrow(
      /does not exist or is not a folder\. Pass the folder/,
    );
  });
});
