import type { KlaviyoFake } from '../fakes/klaviyo/index.ts';

/** Klaviyo's state as plain data, comparable across runs: profiles by email, list members, events. */
export interface FakeSnapshot {
  profiles: Record<
    string,
    { first_name: string | null; last_name: string | null; properties: Record<string, unknown> }
  >;
  lists: Record<string, string[]>;
  events: string[];
  duplicateEvents: number;
}

export function snapshotFake(fake: KlaviyoFake): FakeSnapshot {
  const profiles: FakeSnapshot['profiles'] = {};
  const emailOf = new Map<string, string>();
  for (const p of fake.state.profiles.values()) {
    if (!p.email) continue;
    emailOf.set(p.id, p.email);
    profiles[p.email] = { first_name: p.first_name, last_name: p.last_name, properties: p.properties };
  }
  const lists: FakeSnapshot['lists'] = {};
  for (const l of fake.state.lists.values()) lists[l.name] = fake.listMemberEmails(l.name);
  const keys = fake.state.events.map((e) => `${emailOf.get(e.profile_id)}|${e.metric}|${e.unique_id}`);
  return {
    profiles,
    lists,
    events: [...new Set(keys)].sort(),
    duplicateEvents: keys.length - new Set(keys).size,
  };
}
