import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { loadRawFiles, type LoadOptions } from '../../core/sources/loadFiles.ts';
import { sniffDelimiter } from '../../core/sources/csvDialect.ts';
import { workspaceConfigSchema } from '../../core/workspace/config.ts';

/** Real-world exports (fixtures under test/fixtures/exports): German Excel dialects, encodings and broken files. */
const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'exports');
const USERS = 'id,email,name,created_at';

describe('loading real exports', () => {
  let dir: string;
  let files: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c360-exports-'));
    files = join(dir, 'exports');
    mkdirSync(files);
    db = await openDatabase(join(dir, 'workspace.duckdb'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Puts a fixture (or text) where the load looks for `source/table.csv`, replacing what was there. */
  const place = (target: string, fixture: string): void => {
    mkdirSync(join(files, target, '..'), { recursive: true });
    copyFileSync(join(FIXTURES, fixture), join(files, target));
  };
  const write = (target: string, content: string | Buffer): void => {
    mkdirSync(join(files, target, '..'), { recursive: true });
    writeFileSync(join(files, target), content);
  };
  const rows = (sql: string) => db.queryJs(sql);
  const load = (options: LoadOptions = {}) => loadRawFiles(db, files, options);
  const goodUsers = async (): Promise<void> => {
    write(
      'zendesk/users.csv',
      `${USERS}\n1,a@example.com,Anna,2026-01-01 10:00:00\n2,b@example.com,Ben,2026-01-02\n`,
    );
    expect((await load()).files).toHaveLength(1);
    rmSync(join(files, 'zendesk'), { recursive: true });
  };

  it('reads a German Excel export: Windows-1252, semicolons, decimal comma, DD.MM.YYYY dates', async () => {
    place('shopify/orders.csv', 'shopify-orders-excel-de.csv');
    // the UTF-8 copy goes to the OS temp folder: point it at one of ours to see it removed afterwards
    const temp = join(dir, 'tmp');
    mkdirSync(temp);
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = temp;
    const report = await load().finally(() => {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    });

    expect(report.errors).toEqual([]);
    expect(report.refused).toEqual([]);
    expect(report.files[0]).toMatchObject({ rowsLoaded: 4, rowsRejected: 0 });
    expect(report.files[0]?.readAs).toEqual([
      'Windows-1252',
      'delimiter ";"',
      'decimal comma in total_price, subtotal_price, total_discounts, total_refunded',
      'DD.MM.YYYY dates in created_at, cancelled_at',
    ]);
    const orders = await rows(`select id, email, created_at, cancelled_at, total_price::VARCHAR as total,
      total_discounts::VARCHAR as discounts, discount_codes from raw_shopify.orders order by id`);
    expect(orders).toEqual([
      {
        id: 5001n,
        email: 'anna.mueller@example.com',
        created_at: new Date('2026-02-01T09:15:00Z'),
        cancelled_at: null,
        total: '1234.50',
        discounts: '0.00',
        discount_codes: 'GRÜN10',
      },
      {
        id: 5002n,
        email: 'jürgen.weiß@example.com',
        created_at: new Date('2026-03-15T18:05:30Z'),
        cancelled_at: null,
        total: '12.50',
        discounts: '2.50',
        discount_codes: '€5;SOMMER',
      },
      {
        id: 5003n,
        email: 'gast@example.com',
        created_at: new Date('2025-12-31T00:00:00Z'),
        cancelled_at: new Date('2026-01-02T10:00:00Z'),
        total: '99.99',
        discounts: '0.00',
        discount_codes: null,
      },
      {
        id: 5004n,
        email: 'zoe.schäfer@example.com',
        created_at: new Date('2026-01-02T07:30:00Z'),
        cancelled_at: null,
        total: '7.00',
        discounts: '0.00',
        discount_codes: null,
      },
    ]);
    expect(readdirSync(temp)).toEqual([]);
  });

  it('reads UTF-8 with a BOM and tabs, and 01.02.2026 is always 1 February', async () => {
    place('zendesk/users.csv', 'zendesk-users-bom-tab.csv');
    const report = await load();
    expect(report.errors).toEqual([]);
    expect(report.files[0]?.readAs).toEqual(['delimiter tab', 'DD.MM.YYYY dates in created_at']);
    expect(await rows('select id, name, created_at from raw_zendesk.users order by id')).toEqual([
      { id: 1n, name: 'Anna Müller', created_at: new Date('2026-02-01T00:00:00Z') },
      { id: 2n, name: 'Ben Weiß', created_at: new Date('2026-02-13T08:00:00Z') },
      { id: 3n, name: 'Cem Öztürk', created_at: new Date('2026-02-28T23:59:59Z') },
    ]);
  });

  it('detects the dialect inside gzip-compressed CSV too, and an empty one is refused', async () => {
    write('shopify/orders.csv.gz', gzipSync(readFileSync(join(FIXTURES, 'shopify-orders-excel-de.csv'))));
    let report = await load();
    expect(report.files[0]).toMatchObject({ rowsLoaded: 4, rowsRejected: 0 });
    expect(report.files[0]?.readAs[0]).toBe('Windows-1252');
    write('shopify/orders.csv.gz', gzipSync(Buffer.alloc(0)));
    report = await load();
    expect(report.refused[0]?.reason).toBe('the file is empty: no header row');
    expect(await rows('select count(*)::INTEGER as n from raw_shopify.orders')).toEqual([{ n: 4 }]);
  });

  it('takes the dialect from the config over detection, per source and per table', async () => {
    // a decimal comma cannot be told from the values "1.234" alone; the config says it is one
    write('shopify/orders.csv', readFileSync(join(FIXTURES, 'shopify-orders-excel-de.csv')));
    write('zendesk/users.csv', `id|email|name|created_at\n1|a@example.com|Anna|02/01/2026 10:00\n`);
    const report = await load({
      sources: {
        shopify: { csv: { delimiter: ';', encoding: 'windows-1252', decimal: ',' } },
        zendesk: {
          csv: { delimiter: ',' },
          tables: { users: { csv: { delimiter: '|', date_format: 'MM/DD/YYYY' } } },
        },
      },
    });
    expect(report.errors).toEqual([]);
    expect(await rows('select created_at from raw_zendesk.users')).toEqual([
      { created_at: new Date('2026-02-01T10:00:00Z') },
    ]);
    expect(await rows('select count(*)::INTEGER as n from raw_shopify.orders')).toEqual([{ n: 4 }]);
  });

  it('sniffs the delimiter that splits every line the same way, ignoring quoted ones', () => {
    expect(sniffDelimiter(Buffer.from('a;b;c\n"1,5";2;3\n4;"x;y";6\n'), true)).toBe(';');
    expect(sniffDelimiter(Buffer.from('a,b\n"1;2",3\n'), true)).toBe(',');
    expect(sniffDelimiter(Buffer.from('a\tb\tc\n1\t2\t3\n'), true)).toBe('\t');
  });

  it('rejects values that do not fit the column format, naming line, column, value and reason', async () => {
    place('zendesk/users.csv', 'zendesk-users-multiline.csv');
    const report = await load();
    expect(report.refused).toEqual([]);
    expect(report.files[0]).toMatchObject({ rowsLoaded: 118, rowsRejected: 1 });
    expect(await rows('select file, line, "column", reason from main.load_rejections')).toEqual([
      {
        file: 'zendesk/users.csv',
        line: 7n,
        column: 'created_at',
        reason: "created_at: '31.02.2026' is not a date (DD.MM.YYYY[ HH:MM[:SS]])",
      },
    ]);
  });

  it('names the physical line of a bad value after a 5 MB field, within the default 3 GB memory limit', async () => {
    db.close();
    db = await openDatabase(join(dir, 'workspace.duckdb'), { memoryLimit: '3GB', threads: 2 });
    const long = 'x'.repeat(5_000_000);
    const good = Array.from({ length: 200 }, (_, i) => `${i + 10},u${i}@example.com,U,2026-01-01\n`).join('');
    write(
      'zendesk/users.csv',
      `${USERS}\n${'1,a@example.com,A,2026-01-01\n'.repeat(9)}2,b@example.com,"${long}",2026-01-01\n3,c@example.com,C,2026-13-01\n${good}`,
    );
    const report = await load();
    expect(report.errors).toEqual([]);
    expect(await rows('select line, "column" from main.load_rejections')).toEqual([
      { line: 12n, column: 'created_at' },
    ]);
  });

  it('names the line of a rejected JSON-lines row after blank lines', async () => {
    const user = (id: number, created: string) =>
      JSON.stringify({ id, email: `u${id}@example.com`, name: 'U', created_at: created });
    write(
      'zendesk/users.jsonl',
      `${user(1, '2026-01-01')}\n\n${user(2, '2026-01-02')}\n${user(3, 'gestern')}\n`,
    );
    const report = await load({ force: true });
    expect(report.files[0]).toMatchObject({ rowsLoaded: 2, rowsRejected: 1 });
    expect(await rows('select line, "column" from main.load_rejections')).toEqual([
      { line: 4n, column: 'created_at' },
    ]);
  });

  it('says why a file cannot be parsed: a short line, an unclosed quote, an empty file, a non-UTF-8 byte', async () => {
    await goodUsers();
    const cases: [string, RegExp][] = [
      ['zendesk-users-short-row.csv', /line 4 has 3 fields, the header has 4 \(delimiter ","\)/],
      ['zendesk-users-unclosed-quote.csv', /a quote \(".*\) opened on line 3 is never closed/],
    ];
    for (const [fixture, reason] of cases) {
      place('zendesk/users.csv', fixture);
      const report = await load();
      expect(report.errors, fixture).toHaveLength(1);
      expect(report.errors[0]?.message).toMatch(reason);
      expect(report.errors[0]?.message).toContain('zendesk.users was left unchanged');
    }
    place('zendesk/users.csv', 'zendesk-users-latin1.csv');
    const utf8 = await load({ sources: { zendesk: { csv: { encoding: 'utf-8' } } } });
    expect(utf8.errors[0]?.message).toMatch(/the byte 0xF6 on line 3 is not UTF-8/);
    // a BOM declares UTF-8 just as the config does
    write(
      'zendesk/users.csv',
      Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        readFileSync(join(FIXTURES, 'zendesk-users-latin1.csv')),
      ]),
    );
    expect((await load()).errors[0]?.message).toMatch(/the byte 0xF6 on line 3 is not UTF-8/);
    place('zendesk/users.csv', 'zendesk-users-empty.csv');
    const empty = await load();
    expect(empty.refused[0]?.message).toMatch(
      /^zendesk\/users\.csv was not loaded: the file is empty: no header row\. raw_zendesk\.users keeps its 2 rows\./,
    );
    expect(await rows('select count(*)::INTEGER as n from raw_zendesk.users')).toEqual([{ n: 2 }]);
  });

  it('reads a UTF-8-looking file as Windows-1252 when other bytes come after the first 64 KB, and says so', async () => {
    const filler = Array.from(
      { length: 2000 },
      (_, i) => `${i + 1},u${i}@example.com,User ${i},2026-01-01 10:00:00\n`,
    ).join('');
    write(
      'zendesk/users.csv',
      Buffer.concat([
        Buffer.from(`${USERS}\n${filler}`),
        Buffer.from('9999,j@example.com,J\xf6rg,2026-01-01\n', 'latin1'),
      ]),
    );
    const report = await load();
    expect(report.errors).toEqual([]);
    expect(report.files[0]?.warnings[0]).toMatch(
      /^read as Windows-1252: the byte 0xF6 on line 2002 is not UTF-8/,
    );
    expect(await rows('select name from raw_zendesk.users where id = 9999')).toEqual([{ name: 'Jörg' }]);
  });

  it('refuses a header-only file, an all-rejected file and too many rejections, unless forced', async () => {
    await goodUsers();
    place('zendesk/users.csv', 'zendesk-users-header-only.csv');
    let report = await load();
    expect(report.files).toEqual([]);
    expect(report.refused).toMatchObject([
      { file: 'zendesk/users.csv', reason: 'the file has no data rows', rowsKept: 2 },
    ]);
    expect(report.refused[0]?.message).toContain('load it anyway with c360 load --force');

    write('zendesk/users.csv', `${USERS}\n1,a@example.com,Anna,gestern\n`);
    report = await load();
    expect(report.refused[0]).toMatchObject({
      reason: 'all 1 rows were rejected',
      examples: [
        {
          line: 2,
          column: 'created_at',
          reason: "created_at: 'gestern' is not a date and time (YYYY-MM-DD HH:MM:SS)",
        },
      ],
    });

    const many = Array.from({ length: 98 }, (_, i) => `${i + 1},u${i}@example.com,U,2026-01-01\n`).join('');
    write('zendesk/users.csv', `${USERS}\n${many}99,x@example.com,X,soon\n100,y@example.com,Y,later\n`);
    report = await load();
    expect(report.refused[0]?.reason).toBe('2 of 100 rows (2 %) were rejected, more than the allowed 1 %');
    expect(report.refused[0]?.message).toContain('or a higher --max-reject-share');
    expect(await rows('select count(*)::INTEGER as n from raw_zendesk.users')).toEqual([{ n: 2 }]);

    report = await load({ maxRejectShare: 0.05 });
    expect(report.files[0]).toMatchObject({ rowsLoaded: 98, rowsRejected: 2 });

    place('zendesk/users.csv', 'zendesk-users-header-only.csv');
    report = await load({ force: true });
    expect(report.refused).toEqual([]);
    expect(report.files[0]?.warnings).toContain(
      'loaded because of --force although the file has no data rows',
    );
    expect(await rows('select count(*)::INTEGER as n from raw_zendesk.users')).toEqual([{ n: 0 }]);
  });

  it('loads the other files of a load when one is refused', async () => {
    place('zendesk/users.csv', 'zendesk-users-header-only.csv');
    write('klaviyo/lists.csv', 'id,name\nL1,Newsletter\n');
    const report = await load();
    expect(report.refused.map((r) => r.file)).toEqual(['zendesk/users.csv']);
    expect(report.files.map((f) => f.file)).toEqual(['klaviyo/lists.csv']);
  });

  it('adds line and column to a load_rejections table of an older workspace', async () => {
    await db.run(`create table main.load_rejections (source VARCHAR, "table" VARCHAR, file VARCHAR,
      row_number BIGINT, reason VARCHAR, raw_row VARCHAR)`);
    await db.run(`insert into main.load_rejections values ('zendesk', 'tickets', 't.csv', 3, 'old', '{}')`);
    write(
      'zendesk/users.csv',
      `${USERS}\n${'1,a@example.com,A,2026-01-01\n'.repeat(99)}2,b@example.com,B,nie\n`,
    );
    await load();
    expect(await rows('select "table", line, "column" from main.load_rejections order by "table"')).toEqual([
      { table: 'tickets', line: null, column: null },
      { table: 'users', line: 101n, column: 'created_at' },
    ]);
  });

  it('says when the config names a source or table the project does not have', async () => {
    write('klaviyo/lists.csv', 'id,name\nL1,Newsletter\n');
    const report = await load({
      sources: { shopfy: { csv: { delimiter: ';' } }, zendesk: { tables: { user: {} } } },
    });
    expect(report.files).toHaveLength(1);
    expect(report.errors.map((e) => e.message)).toEqual([
      expect.stringMatching(
        /^c360\.config\.yaml sources: "shopfy" is not a source of this project \(sources: shopify, /,
      ),
      expect.stringMatching(
        /^c360\.config\.yaml sources: zendesk has no table "user" \(tables: users, tickets\)/,
      ),
    ]);
  });

  it('explains a CSV setting it does not understand in c360.config.yaml', () => {
    const parsed = workspaceConfigSchema.safeParse({
      sources: { shopify: { csv: { delimiter: ':', encoding: 'latin1' } } },
    });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'sources.shopify.csv.delimiter: delimiter must be one of ",", ";", "\\t", "|"',
    ]);
    const ok = workspaceConfigSchema.parse({
      sources: { shopify: { csv: { encoding: 'Latin-1' } } },
      load: { max_reject_share: 0.05 },
    });
    expect(ok.sources.shopify?.csv?.encoding).toBe('windows-1252');
    expect(workspaceConfigSchema.parse({}).load.max_reject_share).toBe(0.01);
  });
});
