import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient, type ApiClient } from '../../core/api/client/index.ts';
import type { ApiContext } from '../../core/api/context.ts';
import { createRouter } from '../../core/api/router.ts';
import { startWebServer, type WebServer } from '../../core/api/server/webServer.ts';
import type { JsonRow } from '../../core/db/duckdb.ts';
import { columnKind } from '../../core/segments/catalogue.ts';
import { copyTemplates } from '../../core/segments/templates.ts';
import { definitionYaml } from '../../core/segments/yamlDocument.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { buildInsightsShop, INSIGHTS_SHOP_TIMEOUT_MS, type InsightsShop } from '../insights/insightsShop.ts';

/**
 * segments.save / columns / values and muted rules over the router, on a built demo shop served by a real
 * workspace service (its segments folder holds the built-in templates). Files are read back from disk and counts
 * checked with SQL the engine did not write.
 */

let shop: InsightsShop;
let service: WorkspaceService;
let server: WebServer;
let segmentsDir: string;
let client: ApiClient;
let http: ApiClient;

const query = (sql: string): Promise<JsonRow[]> =>
  service.read((db) => db.queryJson(sql), { timeoutSeconds: 0 });
const count = async (sql: string) => Number(Object.values((await query(sql))[0] ?? {})[0]);
const failure = (promise: Promise<unknown>) => promise.then(() => undefined).catch((e: unknown) => e);

beforeAll(async () => {
  shop = await buildInsightsShop(400);
  const dir = dirname(shop.db.path);
  segmentsDir = join(dir, 'segments');
  await copyTemplates(segmentsDir);
  shop.db.close();
  service = await WorkspaceService.open(dir);
  const context: ApiContext = { service };
  const router = createRouter({ log: () => undefined });
  server = await startWebServer({ router, context, staticDir: dir, host: '127.0.0.1' });
  http = createHttpClient(server.url, { token: server.token });
  client = createRouterClient(router, { context }) as unknown as ApiClient;
}, INSIGHTS_SHOP_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  await service?.close();
  await shop?.close();
});

describe('segments.save', () => {
  it('writes a new segment as <name>.yaml, and the list and segments.get show it', async () => {
    const definition = {
      name: 'three_orders',
      description: 'Customers with three orders or more.',
      rules: [{ column: 'total_orders', op: '>=', value: 3 }],
    };
    const saved = await client.segments.save({ definition });
    expect(saved.file).toBe('three_orders.yaml');
    const text = await readFile(join(segmentsDir, 'three_orders.yaml'), 'utf8');
    expect(parse(text)).toEqual(definition);
    expect(saved.yaml).toBe(text);
    // no temporary file is left behind
    expect((await readdir(segmentsDir)).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    const list = await client.segments.list();
    const listed = list.segments.find((s) => s.name === 'three_orders');
    expect(listed?.count).toBe(
      await count('select count(*) from dim_customers where is_marketable and total_orders >= 3'),
    );
    const opened = await client.segments.get({ segment: 'three_orders' });
    expect(opened.contentHash).toBe(saved.contentHash);
    expect(opened.definitionHash).toBe(saved.definitionHash);
  });

  it('saves an opened file over itself, keeping its comments, when it did not change on disk', async () => {
    const opened = await client.segments.get({ segment: 'cross_channel_customers' });
    expect(opened.yaml).toContain('# Cross-channel flow');
    const definition = structuredClone(opened.definition) as { rules: { value: number }[] };
    definition.rules[0]!.value = 3;
    const saved = await client.segments.save({
      definition,
      file: opened.file,
      contentHash: opened.contentHash,
    });
    const text = await readFile(join(segmentsDir, opened.file), 'utf8');
    expect(text).toBe(saved.yaml);
    expect(text.split('\n')[0]).toBe(opened.yaml.split('\n')[0]);
    expect(text).toContain('# Cross-channel flow');
    expect(parse(text)).toEqual(definition);
    // the engine uses the saved file at once
    const preview = await client.segments.preview({ segment: 'cross_channel_customers' });
    expect(preview.count).toBe(
      await count('select count(*) from dim_customers where is_marketable and channels_count >= 3'),
    );
  });

  it('refuses to overwrite a file changed on disk since it was opened: SEGMENT_CONFLICT with their text', async () => {
    const opened = await client.segments.get({ segment: 'vip_customers' });
    const theirs = `${opened.yaml}# a teammate's note\n`;
    await writeFile(join(segmentsDir, opened.file), theirs);
    const definition = { ...opened.definition, description: 'mine' };
    const error = await failure(
      http.segments.save({ definition, file: opened.file, contentHash: opened.contentHash }),
    );
    expect(error).toMatchObject({ code: 'SEGMENT_CONFLICT', status: 409 });
    const details = (error as { data: { details: { theirs: string; contentHash: string; file: string } } })
      .data.details;
    expect(details).toMatchObject({ file: opened.file, theirs });
    expect((error as Error).message).toContain('changed on disk');
    // nothing was written
    expect(await readFile(join(segmentsDir, opened.file), 'utf8')).toBe(theirs);
    // saving again with the hash of their version (the user chose to keep theirs and apply mine) works
    const saved = await http.segments.save({
      definition,
      file: opened.file,
      contentHash: details.contentHash,
    });
    expect(saved.yaml).toContain("# a teammate's note");
    expect(parse(saved.yaml)).toMatchObject({ description: 'mine' });
  });

  it('of two saves of the same opened version at once, one is written and the other is a conflict', async () => {
    const opened = await client.segments.get({ segment: 'upsell_candidates' });
    const save = (description: string) =>
      client.segments.save({
        definition: { ...opened.definition, description },
        file: opened.file,
        contentHash: opened.contentHash,
      });
    const outcomes = await Promise.allSettled([save('first editor'), save('second editor')]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((o) => o.status === 'rejected')!;
    expect(rejected.reason).toMatchObject({ code: 'SEGMENT_CONFLICT' });
    const written = (
      outcomes.find((o) => o.status === 'fulfilled') as PromiseFulfilledResult<{ yaml: string }>
    ).value;
    expect(await readFile(join(segmentsDir, opened.file), 'utf8')).toBe(written.yaml);
    expect((await readdir(segmentsDir)).filter((n) => n.endsWith('.lock'))).toEqual([]);
  });

  it('refuses a new segment whose file exists already, and one whose name another file uses', async () => {
    const taken = await failure(
      client.segments.save({
        definition: { name: 'new_customers', rules: [{ column: 'total_orders', op: '>=', value: 1 }] },
      }),
    );
    expect(taken).toMatchObject({ code: 'SEGMENT_CONFLICT' });
    const renamed = await failure(
      client.segments.save({
        definition: { name: 'new_customers', rules: [{ column: 'total_orders', op: '>=', value: 1 }] },
        file: 'my_copy.yaml',
      }),
    );
    expect(renamed).toMatchObject({ code: 'INVALID_INPUT' });
    expect((renamed as Error).message).toContain('new_customers.yaml');
    expect((await readdir(segmentsDir)).includes('my_copy.yaml')).toBe(false);
  });

  it('does not save an invalid definition: its problems come as data with path, line and column', async () => {
    const yaml =
      'name: typo\n# a comment\nrules:\n  - column: days_since_last_ordr\n    op: ">="\n    value: 60\n';
    const error = await failure(http.segments.save({ yaml }));
    expect(error).toMatchObject({ code: 'INVALID_INPUT', status: 400 });
    const problems = (error as { data: { details: { problems: unknown[] } } }).data.details.problems;
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'typo.yaml',
        path: 'rules.0.column',
        line: 4,
        column: 13,
        message: expect.stringContaining('days_since_last_order'),
      }),
    ]);
    const syntax = await failure(http.segments.save({ yaml: 'name: broken\nrules: [\n' }));
    const [problem] = (syntax as { data: { details: { problems: { line?: number }[] } } }).data.details
      .problems;
    expect(problem?.line).toBeGreaterThan(0);
    expect((await readdir(segmentsDir)).some((n) => n.startsWith('typo') || n.startsWith('broken'))).toBe(
      false,
    );
  });

  it('saves YAML text as written, comments and all', async () => {
    const yaml =
      '# hand-written\nname: handwritten\nrules:\n  - column: total_orders # orders\n    op: ">="\n    value: 4\n';
    const saved = await client.segments.save({ yaml });
    expect(await readFile(join(segmentsDir, 'handwritten.yaml'), 'utf8')).toBe(yaml);
    expect(saved.definition).toEqual(parse(yaml));
  });
});

describe('muted rules', () => {
  it('a muted rule (or group) is left out of the count, and its funnel step with it', async () => {
    const preview = await client.segments.preview({
      definition: {
        name: 'muted_check',
        rules: [
          { column: 'total_orders', op: '>=', value: 2 },
          { column: 'days_since_last_order', op: '<=', value: 30, muted: true },
          { any: [{ column: 'no_such_column', op: '=', value: 1 }], muted: true },
        ],
      },
    });
    expect(preview.count).toBe(
      await count('select count(*) from dim_customers where is_marketable and total_orders >= 2'),
    );
    expect(preview.funnel.filter((s) => s.kind === 'rule').map((s) => s.path)).toEqual(['rules.all.0']);
  });

  it('a group whose rules are all muted keeps everyone', async () => {
    const preview = await client.segments.preview({
      definition: {
        name: 'all_muted',
        rules: [{ any: [{ column: 'total_orders', op: '>=', value: 50, muted: true }] }],
      },
    });
    expect(preview.count).toBe(await count('select count(*) from dim_customers where is_marketable'));
  });

  it('muted: true is kept in the definition and written to the file', () => {
    const text = definitionYaml(
      { name: 'x', rules: [{ column: 'a', op: '=', value: 1, muted: true }] },
      'name: x # the name\nrules:\n  - column: a\n    op: "="\n    value: 1\n',
    );
    expect(text).toContain('muted: true');
    expect(text).toContain('# the name');
  });
});

describe('segments.columns and segments.values', () => {
  it('lists every dim_customers column with the kind of its database type and its operators', async () => {
    const columns = await client.segments.columns();
    const described = await query('describe dim_customers');
    expect(columns.map((c) => c.name).sort()).toEqual(described.map((r) => String(r.column_name)).sort());
    for (const row of described) {
      const column = columns.find((c) => c.name === row.column_name)!;
      expect(column.kind, column.name).toBe(columnKind(String(row.column_type)));
      expect(column.operators.length).toBeGreaterThan(0);
    }
    expect(columns.find((c) => c.name === 'total_orders')?.description).toMatch(/order/i);
  });

  it('gives the common values of a text column with their counts, as SQL counts them', async () => {
    const values = await client.segments.values({ column: 'lifecycle_stage' });
    const rows = await query(
      'select lifecycle_stage as v, count(*) as n from dim_customers where lifecycle_stage is not null group by 1',
    );
    expect(values.values?.length).toBe(rows.length);
    for (const row of rows)
      expect(values.values?.find((v) => v.value === row.v)?.count, String(row.v)).toBe(Number(row.n));
    expect(values.other).toBe(0);
    const counts = values.values!.map((v) => v.count);
    expect(counts).toEqual([...counts].sort((a, b) => b - a));
  });

  it('gives min, max and quantiles of a number column, and date presets of a date column', async () => {
    const numbers = await client.segments.values({ column: 'total_orders' });
    const [range] = await query('select min(total_orders) as lo, max(total_orders) as hi from dim_customers');
    expect(numbers).toMatchObject({ min: Number(range!.lo), max: Number(range!.hi) });
    expect(numbers.quantiles?.map((q) => q.q)).toEqual([0.1, 0.25, 0.5, 0.75, 0.9]);
    const [median] = await query('select quantile_cont(total_orders, 0.5) as m from dim_customers');
    expect(numbers.quantiles?.find((q) => q.q === 0.5)?.value).toBeCloseTo(Number(median!.m), 2);

    const columns = await client.segments.columns();
    const date = columns.find((c) => c.kind === 'date' || c.kind === 'timestamp')!;
    const dates = await client.segments.values({ column: date.name });
    const preset = dates.presets?.find((p) => p.days === 30);
    expect(preset).toBeDefined();
    expect(preset!.count).toBe(
      await count(
        `select count(*) from dim_customers where cast("${date.name}" as date) between date '${preset!.from}' and date '2026-11-30'`,
      ),
    );
  });

  it('never names a value fewer than 5 customers share, nor any value of an identifying column', async () => {
    const emails = await client.segments.values({ column: 'email' });
    expect(emails.values).toBeUndefined();
    expect(emails.rows).toBe(await count('select count(*) from dim_customers'));
    const cities = await client.segments.values({ column: 'city' });
    const rare = await count(
      'select count(*) from (select city from dim_customers where city is not null group by 1 having count(*) < 5)',
    );
    expect(rare).toBeGreaterThan(0);
    expect(cities.values?.every((v) => v.count >= 5)).toBe(true);
    const named = cities.values?.reduce((sum, v) => sum + v.count, 0) ?? 0;
    expect(named + cities.other!).toBe(await count('select count(city) from dim_customers'));
  });

  it('an unknown column is NOT_FOUND', async () => {
    expect(await failure(client.segments.values({ column: 'no_such_column' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
