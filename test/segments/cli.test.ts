import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openFixture, type Fixture } from './fixtureShop.ts';
import { createSegmentProject, type SegmentProject } from './segmentProject.ts';
import { runSegmentsCli } from './segmentsCli.ts';

/** The `c360 segments …` commands, run in-process against the hand-made workspace. */
let fixture: Fixture;

beforeAll(async () => {
  fixture = await openFixture();
  fixture.db.close(); // the commands open the workspace themselves
  await mkdir(join(fixture.dir, 'segments'));
  await writeFile(
    join(fixture.dir, 'segments', 'winback.yaml'),
    'name: winback\nrules:\n  - column: days_since_last_order\n    op: ">="\n    value: 60\nproperties: [winback_stage]\n',
  );
});
afterAll(async () => fixture.close());
afterEach(() => {
  process.exitCode = undefined;
});

/** Runs `c360 --workspace <the fixture> ARGS…` in-process. */
const c360 = (...args: (string | { stdin: string })[]) => {
  const last = args.at(-1);
  return runSegmentsCli(
    fixture.dir,
    args.filter((a): a is string => typeof a === 'string'),
    typeof last === 'object' ? last : {},
  );
};

describe('c360 segments', () => {
  it('validate passes for good files', async () => {
    const run = await c360('segments', 'validate');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 segments are valid: winback/);
  });

  it('preview prints the count, funnel and breakdowns as tables', async () => {
    const run = await c360('segments', 'preview', 'winback');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Segment winback: 5 members = 50\.0 % of 10 customers, as of 2026-06-30/);
    expect(run.stdout).toMatch(/days_since_last_order ≥ 60/);
    expect(run.stdout).toMatch(/By winback_stage/);
  });

  it('preview --json prints one JSON document', async () => {
    const run = await c360('--json', 'segments', 'preview', 'winback', '--sample', '2');
    const preview = JSON.parse(run.stdout) as {
      count: number;
      sample: { rows: unknown[] };
      funnel: unknown[];
    };
    expect(preview.count).toBe(5);
    expect(preview.sample.rows).toHaveLength(2);
    expect(preview.funnel).toHaveLength(3);
  });

  it('snapshot, list and explain work together', async () => {
    expect((await c360('segments', 'snapshot', 'winback')).stdout).toMatch(/5 members \(5 entered, 0 left/);
    const list = await c360('--json', 'segments', 'list');
    expect(JSON.parse(list.stdout).segments[0]).toMatchObject({ name: 'winback', count: 5, delta: 0 });
    const explain = await c360('segments', 'explain', 'winback', '--customer', 'c01@example.com');
    expect(explain.stdout).toMatch(
      /c01 <c01@example\.com> is NOT a member of winback: fails at "days_since_last_order ≥ 60"/,
    );
    expect(explain.stdout).toMatch(/not a member then and now/);
  });

  it('validate exits 2 and points at the file and line of an unknown column', async () => {
    await writeFile(
      join(fixture.dir, 'segments', 'broken.yaml'),
      'name: broken\nrules:\n  - column: days_since_last_oder\n    op: ">="\n    value: 60\n',
    );
    const run = await c360('segments', 'validate');
    expect(run.code).toBe(2);
    expect(run.stdout).toMatch(
      /broken\.yaml:3:\d+: rules\.0\.column: 'days_since_last_oder' is not a column of dim_customers; did you mean days_since_last_order/,
    );
  });

  it('preview of a broken segment exits 2 with the problem', async () => {
    const run = await c360('segments', 'preview', 'broken');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/error: .*broken\.yaml:3/);
  });

  it('explain of an unknown customer exits 1', async () => {
    const run = await c360('segments', 'explain', 'winback', '--customer', 'nobody@example.com');
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No customer with id or email 'nobody@example.com'/);
  });
});

describe('c360 segments save and values (the editor’s save and value pickers)', () => {
  const file = (name: string) => join(fixture.dir, 'segments', `${name}.yaml`);
  const loyal = 'name: loyal\nrules:\n  - column: total_orders\n    op: ">="\n    value: 4\n';

  it('save writes a new segment from standard input, checked, and previews count it', async () => {
    const run = await c360('segments', 'save', { stdin: loyal });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Saved loyal to segments\/loyal\.yaml \(content hash [0-9a-f]{64}\)/);
    expect(await readFile(file('loyal'), 'utf8')).toBe(loyal);
    // c04, c06 and c10 have 4 or more orders and are marketable
    expect((await c360('segments', 'preview', 'loyal')).stdout).toMatch(/Segment loyal: 3 members/);
  });

  it('save does not overwrite a segment that exists; --over with the hash on disk replaces it on purpose', async () => {
    const source = join(fixture.dir, 'loyal-edited.yaml');
    await writeFile(source, loyal.replace('value: 4', 'value: 5'));
    const refused = await c360('segments', 'save', source);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/segments\/loyal\.yaml exists already; your segment was not saved/);
    const onDisk = createHash('sha256')
      .update(await readFile(file('loyal')))
      .digest('hex');
    expect(refused.stderr).toContain(`--file loyal.yaml --over ${onDisk}`);
    expect(await readFile(file('loyal'), 'utf8')).toBe(loyal);

    const stale = await c360('segments', 'save', source, '--over', 'f'.repeat(64));
    expect(stale.code).toBe(2);
    expect(stale.stderr).toMatch(/changed on disk since you opened it/);

    process.exitCode = undefined;
    const replaced = await c360('--json', 'segments', 'save', source, '--over', onDisk);
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toMatchObject({ name: 'loyal', file: 'loyal.yaml' });
    expect(await readFile(file('loyal'), 'utf8')).toContain('value: 5');
  });

  it('save refuses a definition that does not check out, at its line, and writes nothing', async () => {
    const run = await c360('segments', 'save', {
      stdin: 'name: typo\nrules:\n  - column: total_ordrs\n    op: ">="\n    value: 1\n',
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/typo\.yaml:3:\d+: rules\.0\.column: 'total_ordrs' is not a column/);
    await expect(readFile(file('typo'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('save refuses a segment that would feed the Klaviyo list of another, and names both', async () => {
    const run = await c360('segments', 'save', {
      stdin: `name: loyal_copy\nklaviyo_list: loyal\nrules:\n  - column: total_orders\n    op: ">="\n    value: 6\n`,
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /loyal_copy\.yaml:2:\d+: klaviyo_list: the Klaviyo list 'loyal' is fed by loyal \(loyal\.yaml\) already: .*klaviyo_list: loyal_copy/,
    );
    await expect(readFile(file('loyal_copy'), 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('values lists common values with counts and shares, and only values enough customers share', async () => {
    const run = await c360('segments', 'values', 'is_marketable');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/is_marketable \(boolean\): 10 customers, 0 without a value/);
    expect(run.stdout).toMatch(/true\s*│\s*8\s*│\s*80\.0 %/);
    // two non-marketable customers: fewer than a value needs to be named
    expect(run.stdout).toMatch(/\(other values\)\s*│\s*2\s*│\s*20\.0 %/);
  });

  it('values gives the range and quantiles of a number, and "in the last N days" counts of a date', async () => {
    const orders = JSON.parse((await c360('--json', 'segments', 'values', 'total_orders')).stdout);
    expect(orders).toMatchObject({ kind: 'number', min: 0, max: 7, nulls: 0 });
    expect(orders.quantiles.map((q: { q: number }) => q.q)).toEqual([0.1, 0.25, 0.5, 0.75, 0.9]);
    const dates = await c360('segments', 'values', 'last_order_at');
    expect(dates.stdout).toMatch(/last_order_at \(timestamp\): 10 customers, 2 without a value/);
    // as of 2026-06-30: c01 ordered within 30 days; c01, c02, c03 and c08 within 90
    expect(dates.stdout).toMatch(/30 days\s*│\s*\S+\s*│\s*1\s/);
    expect(dates.stdout).toMatch(/90 days\s*│\s*\S+\s*│\s*4\s/);
  });

  it('values of an unknown column says which columns there are', async () => {
    // a thrown error: c360's main prints it and exits with its code
    await expect(c360('segments', 'values', 'no_such_column')).rejects.toThrow(
      /'no_such_column' is not a column of dim_customers; `c360 segments columns` lists them/,
    );
  });
});

describe('c360 segments list: the size history of every build', () => {
  /** Customers 1…100 ordered i days ago; `winback` takes the flag of the threshold winback_early_days. */
  let project: SegmentProject;
  beforeAll(async () => {
    project = await createSegmentProject({
      prefix: 'c360-seg-cli-',
      dimCustomers: `select 'c' || i as customer_id, 'c' || i || '@example.com' as email, true as is_marketable,
        i as days_since_last_order, i >= {{ var('winback_early_days') }} as is_winback_candidate
        from range(1, 101) t(i)`,
      segments: {
        'winback.yaml':
          'name: winback\nklaviyo_list: Winback\nrules:\n  - column: is_winback_candidate\n    op: "="\n    value: true\n',
      },
    });
    await writeFile(join(project.dir, 'c360.config.yaml'), 'models_dir: project\n');
    for (const [day, threshold] of [90, 60, 30].entries())
      expect((await project.build({ winback_early_days: threshold, as_of: `2026-07-0${day + 1}` })).ok).toBe(
        true,
      );
    project.db.close();
  });
  afterAll(() => project.close());

  it('shows the size at the last builds as a sparkline, first → last, and the list each segment feeds', async () => {
    const run = await runSegmentsCli(project.dir, ['segments', 'list']);
    expect(run.code).toBe(0);
    // 11, 41 and 71 customers at thresholds 90, 60 and 30 days; the last build's 71 is the size now
    expect(run.stdout).toMatch(
      /winback\s*│\s*71\s*│\s*never\s*│\s*│\s*│\s*▁▅█ 11→71 \(3 builds\)\s*│\s*Winback/,
    );
    const json = JSON.parse((await runSegmentsCli(project.dir, ['--json', 'segments', 'list'])).stdout);
    expect(json.segments[0].history.map((p: { members: number }) => p.members)).toEqual([11, 41, 71]);
  });
});
