import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import type { EventsPlan } from '../../core/sync/eventPlan.ts';
import { snapshotFake } from './fakeSnapshot.ts';
import {
  buildBaseWorkspace,
  cloneWorkspace,
  query,
  removeDir,
  SYNC_BASE,
  syncOnce,
} from './syncWorkspace.ts';

/** Shipment events are transactional (sql/DEFINITIONS.md "Shipment events"): who gets them, with what profile. */

let base: string;
let fake: KlaviyoFake;
let dir: string | undefined;

beforeAll(async () => {
  base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  fake = await startKlaviyoFake({ rateLimits: { scale: 100 }, jobDelayMs: 20 });
}, 180_000);
afterAll(async () => {
  await fake.close();
  await removeDir(base);
});
beforeEach(() => fake.reset());
afterEach(async () => {
  if (dir) await removeDir(dir);
  dir = undefined;
});

interface EventRecipient {
  email: string;
  first_name: string | null;
  last_name: string | null;
  events: number;
}

async function recipients(where: string): Promise<EventRecipient[]> {
  return query<EventRecipient>(
    dir!,
    `select lower(email) as email, any_value(first_name) as first_name, any_value(last_name) as last_name,
       count(*)::integer as events
     from main.events_shipments where ${where} group by all order by email`,
  );
}

function eventsPlan(outcome: Awaited<ReturnType<typeof syncOnce>>): EventsPlan {
  const plan = outcome.plan.targets.find((t) => t.sync === 'events');
  if (plan?.sync !== 'events') throw new Error('no events plan');
  return plan;
}

describe('shipment events to Klaviyo', () => {
  it('reach customers outside the marketing audience with their name and no marketing properties', async () => {
    dir = await cloneWorkspace(base);
    const outsiders = await recipients('not is_marketable');
    expect(outsiders.length).toBeGreaterThan(10);
    // The profile sync runs first, so the plan counts the profiles only the events create: the outsiders.
    await syncOnce(dir, fake, { syncs: ['profiles'] });
    const outcome = await syncOnce(dir, fake, { syncs: ['events'] });
    expect(outcome.status).toBe('succeeded');
    const plan = eventsPlan(outcome);
    expect(plan.newProfiles).toBe(outsiders.length);
    expect(plan.nonMarketable).toBe(outsiders.reduce((n, r) => n + r.events, 0));
    const state = snapshotFake(fake);
    for (const r of outsiders) {
      const profile = state.profiles[r.email];
      expect(profile, r.email).toBeDefined();
      expect({ first: profile!.first_name, last: profile!.last_name }).toEqual({
        first: r.first_name,
        last: r.last_name,
      });
      expect(profile!.properties).toEqual({});
      expect(fake.eventsFor(r.email)).toHaveLength(r.events);
    }
    // A rerun creates no profiles and sends nothing.
    const again = eventsPlan(await syncOnce(dir, fake, { syncs: ['events'], dryRun: true }));
    expect({ send: again.send, newProfiles: again.newProfiles }).toEqual({ send: 0, newProfiles: 0 });
  });

  it('skip customers outside the marketing audience when include_non_marketable is false', async () => {
    dir = await cloneWorkspace(base, { events: { include_non_marketable: false } });
    const outsiders = await recipients('not is_marketable');
    const insiders = await recipients('is_marketable');
    const outcome = await syncOnce(dir, fake, { syncs: ['events'] });
    expect(outcome.status).toBe('succeeded');
    const plan = eventsPlan(outcome);
    expect(plan.skipped.not_marketable).toBe(outsiders.reduce((n, r) => n + r.events, 0));
    expect(plan.nonMarketable).toBe(0);
    expect(plan.newProfiles).toBe(insiders.length);
    for (const r of outsiders) expect(fake.profileByEmail(r.email), r.email).toBeUndefined();
    expect(snapshotFake(fake).events.length).toBe(insiders.reduce((n, r) => n + r.events, 0));
  });
});
