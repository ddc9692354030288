import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  PlanAccountMismatchError,
  readPlanFile,
  StalePlanError,
  type SyncPlan,
} from '../../core/sync/index.ts';
import { DEFAULT_API_KEY, startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { runCli } from './cliProcess.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  fakeEnv,
  removeDir,
  SYNC_BASE,
  syncOnce,
} from './syncWorkspace.ts';

/**
 * Every plan names the Klaviyo account its key writes to (issue 15 §1), so a plan reviewed for one brand is never
 * applied with another brand's key. Brand A and Brand B are two contract servers with their own account and key.
 */

const BRAND_B_KEY = 'pk_brand_b_c360_fedcba9876543210';
const NO_ACCOUNTS_SCOPE_KEY = 'pk_no_accounts_scope_0a1b2c3d4e';

let base: string;
let brandA: KlaviyoFake;
let brandB: KlaviyoFake;
let dir: string;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  brandA = await startKlaviyoFake({
    rateLimits: { scale: 100 },
    jobDelayMs: 10,
    account: { id: 'BrndA1', organization_name: 'Brand A GmbH' },
    apiKeys: [DEFAULT_API_KEY, NO_ACCOUNTS_SCOPE_KEY],
    keyScopes: {
      [NO_ACCOUNTS_SCOPE_KEY]: ['profiles:read', 'profiles:write', 'lists:write', 'events:write'],
    },
  });
  brandB = await startKlaviyoFake({
    rateLimits: { scale: 100 },
    jobDelayMs: 10,
    apiKeys: [BRAND_B_KEY],
    account: { id: 'BrndB2', organization_name: 'Brand B AG' },
  });
}, 180_000);
afterAll(async () => {
  await Promise.all([brandA.close(), brandB.close()]);
  await removeDir(base);
});
beforeEach(async () => {
  brandA.reset();
  brandB.reset();
  dir = await cloneWorkspace(base);
});
afterEach(async () => removeDir(dir));

function callsTo(fake: KlaviyoFake): string[] {
  return fake.state.requests.map((r) => `${r.method} ${r.path}`);
}

async function savedPlanFor(fake: KlaviyoFake, file: string): Promise<SyncPlan> {
  await syncOnce(dir, fake, { syncs: ['profiles'], dryRun: true, planOut: file });
  return readPlanFile(file);
}

describe('a plan names the Klaviyo account it writes to', () => {
  it("a dry run with a key names the key's account, read with one call and nothing written", async () => {
    const dry = await syncOnce(dir, brandA, { syncs: ['profiles'], dryRun: true });
    expect(dry.status).toBe('planned');
    expect(dry.plan.account).toEqual({ id: 'BrndA1', name: 'Brand A GmbH' });
    expect(callsTo(brandA)).toEqual(['GET /api/accounts']);
    expect(brandA.writeRequests()).toHaveLength(0);
  });

  it('without a key the plan names no account and says why', async () => {
    const dry = await syncOnce(dir, undefined, { syncs: ['profiles'] });
    expect(dry.dryRun).toBe(true);
    expect(dry.plan.account).toBeNull();
    expect(dry.note).toMatch(/KLAVIYO_API_KEY is not set/);
  });

  it('the plan file carries the account, and the hash covers it', async () => {
    const file = join(dir, 'plan-a.json');
    const planA = await savedPlanFor(brandA, file);
    const text = JSON.parse(await readFile(file, 'utf8')) as { account: unknown; hash: string };
    expect(text.account).toEqual({ id: 'BrndA1', name: 'Brand A GmbH' });
    expect(planA.account).toEqual({ id: 'BrndA1', name: 'Brand A GmbH' });
    // The same diff for another account is another plan.
    const planB = await savedPlanFor(brandB, join(dir, 'plan-b.json'));
    expect(planB.targets).toEqual(planA.targets);
    expect(planB.hash).not.toBe(planA.hash);
    const keyless = await syncOnce(dir, undefined, { syncs: ['profiles'] });
    expect(new Set([planA.hash, planB.hash, keyless.plan.hash]).size).toBe(3);
  });

  it("a saved plan applies with its own account's key", async () => {
    const plan = await savedPlanFor(brandA, join(dir, 'plan.json'));
    const applied = await syncOnce(dir, brandA, { plan });
    expect(applied.status, applied.error ?? '').toBe('succeeded');
    expect(applied.plan.account).toEqual(plan.account);
    expect(brandA.writeRequests().length).toBeGreaterThan(0);
  });
});

describe("a saved plan is refused against another account's key", () => {
  it('names both accounts, says what to do and sends nothing', async () => {
    const plan = await savedPlanFor(brandA, join(dir, 'plan.json'));
    brandA.reset();
    const refused = syncOnce(dir, brandB, { plan });
    await expect(refused).rejects.toThrow(PlanAccountMismatchError);
    const error = (await refused.catch((e: unknown) => e)) as PlanAccountMismatchError;
    expect(error).toBeInstanceOf(StalePlanError);
    expect(error.code).toBe('SYNC_BLOCKED');
    expect(error.message).toContain('"Brand A GmbH" (id BrndA1)');
    expect(error.message).toContain('"Brand B AG" (id BrndB2)');
    expect(error.message).toMatch(/set KLAVIYO_API_KEY to the private key of "Brand A GmbH"/);
    expect(error.message).toMatch(/plan again .*c360 sync --dry-run --plan-out FILE/);
    expect(error.message).not.toContain(BRAND_B_KEY);
    // Only the account read reached Brand B, and Brand A heard nothing.
    expect(callsTo(brandB)).toEqual(['GET /api/accounts']);
    expect(brandB.writeRequests()).toHaveLength(0);
    expect(brandB.state.profiles.size).toBe(0);
    expect(callsTo(brandA)).toEqual([]);
  });

  it('a plan made without a key names no account and is refused too', async () => {
    const file = join(dir, 'keyless.json');
    await syncOnce(dir, undefined, { syncs: ['profiles'], planOut: file });
    const plan = await readPlanFile(file);
    expect(plan.account).toBeNull();
    await expect(syncOnce(dir, brandA, { plan })).rejects.toThrow(
      /names no Klaviyo account.*"Brand A GmbH" \(id BrndA1\).*Plan again with KLAVIYO_API_KEY set/s,
    );
    expect(brandA.writeRequests()).toHaveLength(0);
  });

  it('the CLI exits 2 with the message and writes nothing', async () => {
    const file = join(dir, 'plan.json');
    await savedPlanFor(brandA, file);
    const cli = await runCli(['sync', '--plan', file, '-w', dir], {
      KLAVIYO_API_KEY: BRAND_B_KEY,
      KLAVIYO_BASE_URL: brandB.url,
    });
    expect(cli.code).toBe(2);
    expect(cli.stderr).toContain('"Brand A GmbH" (id BrndA1)');
    expect(cli.stderr).toContain('"Brand B AG" (id BrndB2)');
    expect(cli.stdout + cli.stderr).not.toContain(BRAND_B_KEY);
    expect(brandB.writeRequests()).toHaveLength(0);
  }, 60_000);
});

describe('a key without the scope accounts:read', () => {
  it('stops before planning with a message that names the missing scope, not the key', async () => {
    const env = { ...fakeEnv(brandA), KLAVIYO_API_KEY: NO_ACCOUNTS_SCOPE_KEY };
    const cli = await runCli(['sync', 'profiles', '--dry-run', '-w', dir], env);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toMatch(/403 permission_denied/);
    expect(cli.stderr).toMatch(/lacks the scope accounts:read/);
    expect(cli.stdout + cli.stderr).not.toContain(NO_ACCOUNTS_SCOPE_KEY);
    expect(callsTo(brandA)).toEqual(['GET /api/accounts']);
    expect(brandA.writeRequests()).toHaveLength(0);
  }, 60_000);
});

describe('the plan as `c360 sync --dry-run` prints it', () => {
  it('names the account the key belongs to', async () => {
    const cli = await runCli(['sync', 'profiles', '--dry-run', '-w', dir], fakeEnv(brandA));
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain(
      `Klaviyo account: ${brandA.account.organization_name} (${brandA.account.id})`,
    );
  }, 60_000);
});
