import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { openWorkspace } from '../../core/workspace/index.ts';
import { runCli } from './cliProcess.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  fakeEnv,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
} from './syncWorkspace.ts';

let base: string;
let fake: KlaviyoFake;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 10 });
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});

describe('bad rows are reported with reasons and never stop the valid rows', () => {
  it('1,000 bad rows: invalid emails, nulls, oversize profiles, duplicates; unicode rows sync', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    const ws = await openWorkspace(dir);
    const template = `select * replace (true as is_marketable, false as is_relay_email) from main.dim_customers
      where is_marketable order by customer_id limit 1`;
    const insert = (email: string, extra = '') =>
      `insert into main.dim_customers select t.* replace (${email} as email, 'bad' || i::varchar as customer_id${extra})
       from (${template}) t, range(200) r(i)`;
    await ws.db.run(insert(`'not-an-email-' || i::varchar`));
    await ws.db.run(insert(`null`));
    await ws.db.run(insert(`'big' || i::varchar || '@example.de'`, `, repeat('x', 110000) as first_name`));
    await ws.db.run(
      insert(
        `'jürgen.groß' || i::varchar || '@example.de'`,
        `, 'Jürgen 🎉 Groß' as first_name, 'Ærø' as last_name`,
      ).replace("'bad' || i::varchar", "'uni' || i::varchar"),
    );
    await ws.db.run(
      `insert into main.dim_customers select * replace ('dup' || customer_id as customer_id)
       from (select * from main.dim_customers where is_marketable and not is_relay_email and customer_id not like 'bad%'
             and customer_id not like 'uni%' order by customer_id limit 200)`,
    );
    ws.close();
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    const plan = outcome.plan.targets[0]!;
    if (plan.sync !== 'profiles') throw new Error('profiles plan expected');
    expect(plan.skipped, JSON.stringify(plan.skipped)).toBeDefined();
    expect(plan.skipped.invalid_email).toBe(200);
    expect(plan.skipped.missing_email).toBeGreaterThanOrEqual(200);
    expect(plan.skipped.profile_too_large).toBe(200);
    expect(plan.skipped.duplicate_email).toBe(200);
    expect(plan.samples.skipped.some((s) => s.reason === 'invalid_email' && s.key.startsWith('bad'))).toBe(
      true,
    );
    expect(outcome.status).toBe('succeeded');
    // Unicode names travel unchanged; the valid rows all arrived.
    const uni = fake.profileByEmail('jürgen.groß7@example.de');
    expect(uni?.first_name).toBe('Jürgen 🎉 Groß');
    expect(uni?.last_name).toBe('Ærø');
    const valid = await query(
      dir,
      `select count(distinct lower(email)) as n from main.dim_customers
       where is_marketable and not is_relay_email and email is not null and email like '%@%.%' and email not like 'big%'`,
    );
    expect(
      outcome.results[0]!.succeeded,
      JSON.stringify([plan.skipped, plan.create, outcome.results[0]]),
    ).toBe(Number(valid[0]!.n));
    expect(fake.profileByEmail('big3@example.de')).toBeUndefined();
    await removeDir(dir);
  });

  it('rows Klaviyo itself rejects are kept with its error and shown by `c360 runs show`', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    const ws = await openWorkspace(dir);
    // Passes c360's loose check, but the fake (like Klaviyo) rejects a domain label starting with a hyphen.
    await ws.db.run(
      `insert into main.dim_customers select t.* replace ('odd' || i::varchar || '@-invalid-.de' as email, 'odd' || i::varchar as customer_id)
       from (select * from main.dim_customers where is_marketable and not is_relay_email order by customer_id limit 1) t, range(3) r(i)`,
    );
    ws.close();
    const outcome = await syncOnce(dir, fake, { syncs: ['profiles'] });
    const rejected = outcome.results[0]!.failed;
    const runs = await runCli(['runs', 'show', outcome.runId!, '-w', dir], fakeEnv(fake));
    expect(runs.code).toBe(0);
    if (rejected > 0) {
      expect(outcome.status).toBe('partial');
      expect(runs.stdout).toMatch(/Rejected rows/);
      expect(runs.stdout).toMatch(/odd0@-invalid-\.de/);
    }
    const list = await runCli(['runs', '--json', '-w', dir], fakeEnv(fake));
    const parsed = JSON.parse(list.stdout) as { runId: string; totals: { failed: number } }[];
    expect(parsed[0]!.runId).toBe(outcome.runId);
    expect(parsed[0]!.totals.failed).toBe(rejected);
    await removeDir(dir);
  });
});

describe('the API key never leaves the process', () => {
  it('no log line, error, run record or plan file contains the key', async () => {
    fake.reset();
    const dir = await cloneWorkspace(base);
    const wrongKey = 'pk_wrong_but_secret_9f8e7d6c5b4a';
    const bad = await runCli(['sync', '--approve', '-w', dir], {
      ...fakeEnv(fake),
      KLAVIYO_API_KEY: wrongKey,
    });
    // Enough faults that retries and their messages happen (checked below); every 429 costs its 1 s Retry-After.
    fake.setFaults({ seed: 5, error500: 0.05, throttle429: 0.03 });
    const good = await runCli(
      ['sync', '--approve', '--json', '-w', dir, '--plan-out', `${dir}/plan.json`],
      fakeEnv(fake),
    );
    fake.setFaults(undefined);
    const faults = new Set(fake.state.requests.map((entry) => entry.fault));
    expect(faults).toContain('error500');
    expect(faults).toContain('throttle429');
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/401|authentication/i);
    const records = await query(
      dir,
      `select coalesce(string_agg(error, ' '), '') as e from (select error from c360.sync_runs union all select error from c360.sync_run_errors)`,
    );
    const { readFile } = await import('node:fs/promises');
    const planFile = await readFile(`${dir}/plan.json`, 'utf8');
    for (const text of [good.stdout, good.stderr, bad.stdout, bad.stderr, String(records[0]!.e), planFile]) {
      expect(text).not.toContain(fake.apiKey);
      expect(text).not.toContain(wrongKey);
    }
    await removeDir(dir);
  });
});
