import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../core/db/duckdb.ts';
import { loadRawFiles } from '../../core/sources/loadFiles.ts';

describe('a cancelled load', () => {
  let dir: string;
  let files: string;
  let db: Database;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'c360-load-cancel-'));
    files = join(dir, 'exports');
    mkdirSync(join(files, 'zendesk'), { recursive: true });
    db = await openDatabase(join(dir, 'workspace.duckdb'));
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const users = (n: number, domain: string) =>
    [
      'id,email,name,created_at',
      ...Array.from({ length: n }, (_, i) => `${i + 1},u${i}@${domain},U ${i},2024-05-01`),
    ]
      .join('\n')
      .concat('\n');

  it('keeps the tables loaded before, leaves the file it was loading unchanged, starts no further file', async () => {
    writeFileSync(join(files, 'zendesk', 'users.csv'), users(3, 'first.example'));
    await loadRawFiles(db, files);
    expect(await db.queryJs('select count(*)::integer as n from raw_zendesk.users')).toEqual([{ n: 3 }]);

    // a second load of two files, cancelled as soon as the first one (in discovery order) starts
    writeFileSync(join(files, 'zendesk', 'users.csv'), users(5, 'second.example'));
    writeFileSync(
      join(files, 'zendesk', 'tickets.csv'),
      'id,requester_id,status,priority,channel,subject,created_at,updated_at,solved_at,satisfaction_rating\n' +
        '7,1,solved,normal,email,Hallo,2024-05-03,2024-05-04,2024-05-04,good\n',
    );
    const controller = new AbortController();
    const started: string[] = [];
    const error = await loadRawFiles(db, files, {
      signal: controller.signal,
      onProgress: (event) => {
        if (event.status !== 'loading') return;
        started.push(event.file);
        controller.abort();
      },
    }).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'CANCELLED' });
    expect((error as Error).message).toMatch(/table was left unchanged/);
    expect(started).toHaveLength(1);
    // the users table is the first load's, whichever file was stopped
    expect(
      await db.queryJs("select count(*)::integer as n from raw_zendesk.users where email like '%first%'"),
    ).toEqual([{ n: 3 }]);
    expect(
      await db.queryJs('select count(*)::integer as n from raw_zendesk.tickets').catch(() => [{ n: 0 }]),
    ).toEqual([{ n: 0 }]);
    // no half-made table is left behind
    expect(
      await db.queryJs("select table_name from duckdb_tables() where table_name like '%__load_build'"),
    ).toEqual([]);
  });
});
