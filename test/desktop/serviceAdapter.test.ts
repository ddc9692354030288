import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../core/api/client/index.ts';
import { openWorkspaceService, type OpenedWorkspace } from '../../core/desktop/serviceAdapter.ts';
import { readWorkspaceOwner } from '../../core/workspace/lock.ts';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { buildBaseWorkspace, cloneWorkspace, removeDir, SYNC_BASE } from '../sync/syncWorkspace.ts';

// The desktop app's workspace service (without Electron): what a `c360` command started meanwhile reaches.
let fake: KlaviyoFake;
let base: string;
let dir: string;
let opened: OpenedWorkspace | undefined;
let appKey: string | undefined;
const keyEnv = 'C360_TEST_DESKTOP_KEY';

beforeAll(async () => {
  fake = await startKlaviyoFake({ rateLimits: 'off' });
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  // a key variable nobody sets: only the app's own key can make the plan appliable
  dir = await cloneWorkspace(base, { klaviyo: { base_url: fake.url, api_key_env: keyEnv } });
  opened = await openWorkspaceService(dir, { create: false, klaviyoKey: () => appKey });
}, 120_000);

afterAll(async () => {
  await opened?.close();
  await fake?.close();
  if (dir) await removeDir(dir);
  if (base) await removeDir(base);
});

describe('the desktop app’s workspace service', () => {
  it('a sync sent to the app over its 127.0.0.1 API uses the key the app keeps, and none without one', async () => {
    const owner = await readWorkspaceOwner(dir);
    expect(owner?.kind).toBe('app');
    const client = createHttpClient(owner!.api!.url, { token: owner!.api!.token });
    const plan = async () => {
      // approved: the first sync of a workspace creates every list, which a guardrail holds for approval
      const stream = await client.sync.run({ syncs: ['lists'], dryRun: false, approve: true });
      for (;;) {
        const step = await stream.next();
        if (step.done) return step.value;
      }
    };

    appKey = undefined;
    const withoutKey = await plan();
    // no key in the app and none in its environment: the sync only plans, and says why
    expect(withoutKey.status).toBe('planned');
    expect(withoutKey.note).toContain(`${keyEnv} is not set`);

    appKey = fake.apiKey;
    const withKey = await plan();
    expect(withKey.note ?? null).toBeNull();
    expect(withKey.status).toBe('succeeded');
  }, 60_000);
});
