import { writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../core/api/router.ts';
import type { SyncRunInput } from '../../core/api/schemas/sync.ts';
import { WorkspaceService } from '../../core/service/workspaceService.ts';
import type { SyncOutcome } from '../../core/sync/index.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { buildBaseWorkspace, cloneWorkspace, removeDir, SYNC_BASE } from './syncWorkspace.ts';

/**
 * `sync.run` through the API router (what the app's Publish page calls): the new fields travel through the
 * contract's schemas — broken targets in the plan, `approvals` in, `blocked` and `approvals` out — and a plan
 * sent for another sync is refused with INVALID_INPUT.
 */

let base: string;
let dir: string;
let fake: KlaviyoFake;
let service: WorkspaceService;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 10 });
  // The key is the serving process's (context.klaviyoKey); the base URL comes from the config.
  dir = await cloneWorkspace(base, { klaviyo: { base_url: fake.url, api_key_env: 'C360_TEST_UNSET_KEY' } });
  await writeFile(
    join(dir, 'segments', 'lapsed_buyers.yaml'),
    "name: lapsed_buyers\nrules:\n  - column: days_since_last_ordr\n    op: '>='\n    value: 90\n",
  );
  service = await WorkspaceService.open(dir);
}, 180_000);
afterAll(async () => {
  await service?.close();
  await fake?.close();
  await removeDir(dir);
  await removeDir(base);
});

async function run(input: SyncRunInput): Promise<SyncOutcome> {
  const client = createRouterClient(createRouter({ log: () => undefined }), {
    context: { service, klaviyoKey: () => fake.apiKey },
  });
  const events = await client.sync.run(input);
  for (;;) {
    const step = await events.next();
    if (step.done) return step.value as SyncOutcome;
  }
}

const journey = { id: 'sensitive_segment', sync: 'lists', target: 'pregnancy_journey' } as const;

describe('sync.run over the API', () => {
  it('a broken segment is in the plan; approvals bind to the plan sent; a plan for another sync is refused', async () => {
    const broken = await run({ syncs: ['lists'], segments: ['lapsed_buyers'], dryRun: true });
    expect(broken.plan.targets).toEqual([
      expect.objectContaining({
        target: 'lapsed_buyers',
        broken: expect.stringMatching(/days_since_last_ordr/),
      }),
    ]);

    const dry = await run({
      syncs: ['lists'],
      segments: ['pregnancy_journey', 'vip_customers'],
      dryRun: true,
    });
    expect(dry.plan.guardrails.map((g) => g.target)).toEqual(['pregnancy_journey']);
    await expect(run({ syncs: ['profiles'], plan: dry.plan, approvals: [journey] })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/made for `c360 sync lists --segment pregnancy_journey vip_customers`/),
    });
    expect(fake.writeRequests()).toHaveLength(0);

    // No syncs given: the plan applies as it was made, with the one guardrail approved.
    const applied = await run({ plan: dry.plan, approvals: [journey] });
    expect(applied.status, applied.error ?? '').toBe('succeeded');
    expect(applied.results.map((r) => [r.target, r.blocked])).toEqual([
      ['pregnancy_journey', null],
      ['vip_customers', null],
    ]);
    expect(applied.approvals).toEqual([
      expect.objectContaining({ ...journey, planHash: dry.plan.hash, approvedBy: userInfo().username }),
    ]);
  }, 120_000);
});
