import {
  ApiKeySession,
  DataPrivacyApi,
  EventsApi,
  ListsApi,
  ProfilesApi,
  RetryWithExponentialBackoff,
  type ProfileImportJobCreateQuery,
} from 'klaviyo-api';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startKlaviyoFake, type KlaviyoFake, type KlaviyoFakeOptions } from './klaviyo/index.ts';

interface Sdk {
  profiles: ProfilesApi;
  lists: ListsApi;
  events: EventsApi;
  privacy: DataPrivacyApi;
}

/** One attempt per call (`numRetries` counts attempts), so tests see the raw answers. */
function sdkFor(fake: KlaviyoFake, apiKey = fake.apiKey): Sdk {
  const session = new ApiKeySession(apiKey, new RetryWithExponentialBackoff({ numRetries: 1 }));
  const sdk = {
    profiles: new ProfilesApi(session),
    lists: new ListsApi(session),
    events: new EventsApi(session),
    privacy: new DataPrivacyApi(session),
  };
  for (const api of Object.values(sdk)) api.basePath = fake.url;
  return sdk;
}

interface HttpFailure {
  status: number | undefined;
  data: {
    errors?: {
      status: number;
      code: string;
      title: string;
      detail: string;
      source: Record<string, string>;
    }[];
  };
  headers: Record<string, string>;
  code: string | undefined;
}

/** Narrows the AxiosError the SDK throws without depending on axios directly. */
async function failure(promise: Promise<unknown>): Promise<HttpFailure> {
  try {
    await promise;
  } catch (error) {
    const e = error as {
      code?: string;
      response?: { status: number; data: HttpFailure['data']; headers: Record<string, string> };
    };
    return {
      status: e.response?.status,
      data: e.response?.data ?? {},
      headers: e.response?.headers ?? {},
      code: e.code,
    };
  }
  throw new Error('expected the call to fail');
}

function raw(
  fake: KlaviyoFake,
  path: string,
  init: RequestInit & { json?: unknown } = {},
): Promise<Response> {
  const headers = new Headers(init.headers);
  if (!headers.has('authorization')) headers.set('authorization', `Klaviyo-API-Key ${fake.apiKey}`);
  if (!headers.has('revision')) headers.set('revision', '2026-07-15');
  if (init.json !== undefined && !headers.has('content-type'))
    headers.set('content-type', 'application/json');
  const body = init.json === undefined ? init.body : JSON.stringify(init.json);
  return fetch(`${fake.url}${path}`, { ...init, headers, body });
}

type BulkProfile = ProfileImportJobCreateQuery['data']['attributes']['profiles']['data'][number];

function bulkJob(profiles: BulkProfile[], listId?: string): ProfileImportJobCreateQuery {
  return {
    data: {
      type: 'profile-bulk-import-job',
      attributes: { profiles: { data: profiles } },
      ...(listId ? { relationships: { lists: { data: [{ type: 'list', id: listId }] } } } : {}),
    },
  };
}

async function importAndWait(
  fake: KlaviyoFake,
  sdk: Sdk,
  profiles: BulkProfile[],
  listId?: string,
): Promise<string> {
  const created = await sdk.profiles.bulkImportProfiles(bulkJob(profiles, listId));
  await fake.waitForJobs();
  return created.body.data.id ?? '';
}

const eventPayload = (email: string, metric: string, uniqueId: string | undefined, time?: Date) => ({
  type: 'event' as const,
  attributes: {
    properties: { OrderId: uniqueId ?? 'none' },
    metric: { data: { type: 'metric' as const, attributes: { name: metric } } },
    ...(uniqueId === undefined ? {} : { uniqueId }),
    ...(time ? { time } : {}),
  },
});

function bulkEvents(entries: { email: string; events: ReturnType<typeof eventPayload>[] }[]) {
  return {
    data: {
      type: 'event-bulk-create-job' as const,
      attributes: {
        eventsBulkCreate: {
          data: entries.map((entry) => ({
            type: 'event-bulk-create' as const,
            attributes: {
              profile: { data: { type: 'profile' as const, attributes: { email: entry.email } } },
              events: { data: entry.events },
            },
          })),
        },
      },
    },
  };
}

let fake: KlaviyoFake;
let sdk: Sdk;

beforeAll(async () => {
  fake = await startKlaviyoFake({ rateLimits: 'off' });
  sdk = sdkFor(fake);
});
afterAll(async () => fake.close());
beforeEach(() => {
  fake.setFaults(undefined);
  fake.reset();
});

describe('authentication, revision and routing', () => {
  it('answers 401 authentication_failed to an unknown API key', async () => {
    const result = await failure(sdkFor(fake, 'pk_wrong_key').lists.getLists());
    expect(result.status).toBe(401);
    expect(result.data.errors?.[0]).toMatchObject({ status: 401, code: 'authentication_failed' });
  });

  it('answers 400 invalid with a clear detail when the revision header is missing', async () => {
    const response = await fetch(`${fake.url}/api/lists`, {
      headers: { authorization: `Klaviyo-API-Key ${fake.apiKey}` },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/vnd.api+json');
    const body = (await response.json()) as HttpFailure['data'];
    expect(body.errors?.[0]).toMatchObject({ code: 'invalid', source: { parameter: 'revision' } });
    expect(body.errors?.[0]?.detail).toMatch(/revision/);
  });

  it('answers 404 "No valid revisions found for method" to a future revision and accepts older ones', async () => {
    const future = await raw(fake, '/api/lists', { headers: { revision: '2027-01-15' } });
    expect(future.status).toBe(404);
    expect(((await future.json()) as HttpFailure['data']).errors?.[0]?.detail).toBe(
      'No valid revisions found for method',
    );
    expect((await raw(fake, '/api/lists', { headers: { revision: '2024-10-15' } })).status).toBe(200);
  });

  it('accepts trailing slashes and both JSON content types, and answers 404 to unknown routes', async () => {
    const created = await raw(fake, '/api/lists/', {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json' },
      json: { data: { type: 'list', attributes: { name: 'Slash' } } },
    });
    expect(created.status).toBe(201);
    expect((await raw(fake, '/api/lists/?filter=equals(name,"Slash")')).status).toBe(200);
    expect((await raw(fake, '/api/nothing-here')).status).toBe(404);
  });

  it('validates request bodies against the official schema', async () => {
    const response = await raw(fake, '/api/lists', {
      method: 'POST',
      json: { data: { type: 'lists', attributes: { name: 'x' } } },
    });
    expect(response.status).toBe(400);
    const error = ((await response.json()) as HttpFailure['data']).errors?.[0];
    expect(error).toMatchObject({ code: 'invalid', source: { pointer: '/data/type' } });
  });
});

describe('bulk profile import', () => {
  it('moves a job from queued through processing to complete and applies it only then', async () => {
    // Wide windows (queued < 300 ms ≤ processing < 900 ms) keep the check stable on a loaded CI runner.
    const slow = await startKlaviyoFake({ rateLimits: 'off', jobDelayMs: 900 });
    try {
      const api = sdkFor(slow);
      const created = await api.profiles.bulkImportProfiles(
        bulkJob([{ type: 'profile', attributes: { email: 'q@example.com' } }]),
      );
      expect(created.response.status).toBe(202);
      expect(created.body.data.attributes).toMatchObject({
        status: 'queued',
        totalCount: 1,
        completedCount: 0,
        failedCount: 0,
      });
      expect(created.body.data.attributes.createdAt).toBeInstanceOf(Date);
      const id = created.body.data.id ?? '';
      await new Promise((resolve) => setTimeout(resolve, 450));
      expect((await api.profiles.getBulkImportProfilesJob(id)).body.data.attributes.status).toBe(
        'processing',
      );
      expect(slow.profileByEmail('q@example.com')).toBeUndefined();
      await slow.waitForJobs();
      const done = (await api.profiles.getBulkImportProfilesJob(id)).body.data.attributes;
      expect(done).toMatchObject({ status: 'complete', totalCount: 1, completedCount: 1, failedCount: 0 });
      expect(done.completedAt).toBeInstanceOf(Date);
      expect(slow.profileByEmail('q@example.com')).toBeDefined();
    } finally {
      await slow.close();
    }
  });

  it('upserts by case-insensitive email, then external_id, and ignores nulls in properties', async () => {
    await importAndWait(fake, sdk, [
      {
        type: 'profile',
        attributes: {
          email: 'Sarah.Mason@Example.com',
          firstName: 'Sarah',
          properties: { tier: 'gold', ltv: 412.5 },
        },
      },
      { type: 'profile', attributes: { externalId: 'cust_2', properties: { tier: 'silver' } } },
    ]);
    const sarah = fake.profileByEmail('sarah.mason@example.com');
    expect(sarah?.email).toBe('sarah.mason@example.com');
    await importAndWait(fake, sdk, [
      {
        type: 'profile',
        attributes: {
          email: 'SARAH.MASON@example.com',
          lastName: 'Mason',
          properties: { tier: null, ltv: 500 },
        },
      },
      { type: 'profile', attributes: { externalId: 'cust_2', email: 'two@example.com' } },
    ]);
    expect(fake.state.profiles.size).toBe(2);
    const again = fake.profileByEmail('sarah.mason@example.com');
    expect(again?.id).toBe(sarah?.id);
    expect(again).toMatchObject({
      first_name: 'Sarah',
      last_name: 'Mason',
      properties: { tier: 'gold', ltv: 500 },
    });
    expect(fake.profileByEmail('two@example.com')?.external_id).toBe('cust_2');
  });

  it('unsets properties named in meta.patch_properties.unset, as a string or an array', async () => {
    // Sent raw: the SDK's serializer throws a TypeError on patchProperties.unset (notes §11).
    const send = (profiles: unknown[]) =>
      raw(fake, '/api/profile-bulk-import-jobs', {
        method: 'POST',
        json: { data: { type: 'profile-bulk-import-job', attributes: { profiles: { data: profiles } } } },
      });
    expect(
      (
        await send([
          { type: 'profile', attributes: { email: 'u@example.com', properties: { a: 1, b: 2, c: 3 } } },
        ])
      ).status,
    ).toBe(202);
    await fake.waitForJobs();
    const second = await send([
      { type: 'profile', attributes: { email: 'u@example.com' }, meta: { patch_properties: { unset: 'a' } } },
      {
        type: 'profile',
        attributes: { email: 'u@example.com' },
        meta: { patch_properties: { unset: ['b'] } },
      },
    ]);
    expect(second.status).toBe(202);
    await fake.waitForJobs();
    expect(fake.profileByEmail('u@example.com')?.properties).toEqual({ c: 3 });
  });

  it('reports per-profile failures as import errors with a pointer and the original payload', async () => {
    const id = await importAndWait(fake, sdk, [
      { type: 'profile', attributes: { email: 'ok@example.com' } },
      { type: 'profile', attributes: { email: 'not-an-email', properties: { tier: 'gold' } } },
      { type: 'profile', attributes: { firstName: 'Nobody' } },
      { type: 'profile', attributes: { email: 'phone@example.com', phoneNumber: '555-1234' } },
    ]);
    const job = (await sdk.profiles.getBulkImportProfilesJob(id)).body.data.attributes;
    expect(job).toMatchObject({ status: 'complete', totalCount: 4, completedCount: 1, failedCount: 3 });
    const errors = (await sdk.profiles.getErrorsForBulkImportProfilesJob(id)).body.data;
    expect(errors.map((e) => e.attributes.source.pointer)).toEqual([
      '/data/attributes/profiles/data/1/attributes/email',
      '/data/attributes/profiles/data/2/attributes',
      '/data/attributes/profiles/data/3/attributes/phone_number',
    ]);
    expect(errors[0]?.attributes).toMatchObject({
      code: 'invalid',
      title: expect.any(String),
      detail: expect.any(String),
    });
    expect(errors[0]?.attributes.originalPayload).toEqual({
      email: 'not-an-email',
      properties: { tier: 'gold' },
    });
    // The SDK camel-cases response keys, but not inside the free-form original_payload object.
    expect(errors[2]?.attributes.originalPayload).toEqual({
      email: 'phone@example.com',
      phone_number: '555-1234',
    });
    expect(fake.state.profiles.size).toBe(1);
  });

  it('rejects a job of more than 10,000 profiles as a whole with 400 invalid', async () => {
    const profiles: BulkProfile[] = Array.from({ length: 10_001 }, (_, i) => ({
      type: 'profile',
      attributes: { email: `p${i}@example.com` },
    }));
    const result = await failure(sdk.profiles.bulkImportProfiles(bulkJob(profiles)));
    expect(result.status).toBe(400);
    expect(result.data.errors?.[0]).toMatchObject({
      code: 'invalid',
      source: { pointer: '/data/attributes/profiles/data' },
    });
    expect(fake.state.importJobs.size).toBe(0);
  });

  it('adds the imported profiles to the list of the job and rejects an unknown list', async () => {
    const list = await sdk.lists.createList({ data: { type: 'list', attributes: { name: 'Imported' } } });
    const id = await importAndWait(
      fake,
      sdk,
      [
        { type: 'profile', attributes: { email: 'b@example.com' } },
        { type: 'profile', attributes: { email: 'a@example.com' } },
        { type: 'profile', attributes: { email: 'broken' } },
      ],
      list.body.data.id,
    );
    expect(fake.listMemberEmails('Imported')).toEqual(['a@example.com', 'b@example.com']);
    expect((await sdk.profiles.getListIdsForBulkImportProfilesJob(id)).body.data).toEqual([
      { type: 'list', id: list.body.data.id },
    ]);
    expect((await sdk.profiles.getListForBulkImportProfilesJob(id)).body.data[0]?.attributes.name).toBe(
      'Imported',
    );
    const unknown = await failure(
      sdk.profiles.bulkImportProfiles(
        bulkJob([{ type: 'profile', attributes: { email: 'c@example.com' } }], 'NoSuch'),
      ),
    );
    expect(unknown.status).toBe(400);
  });

  it('pages job profiles with absolute https next links that the SDK follows as pageCursor', async () => {
    const profiles: BulkProfile[] = Array.from({ length: 250 }, (_, i) => ({
      type: 'profile',
      attributes: { email: `page${i}@example.com` },
    }));
    const id = await importAndWait(fake, sdk, profiles);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await sdk.profiles.getProfilesForBulkImportProfilesJob(id, {
        pageSize: 100,
        pageCursor: cursor,
        fieldsProfile: ['email'],
      });
      pages += 1;
      for (const profile of page.body.data) seen.push(profile.attributes.email ?? '');
      cursor = page.body.links?.next ?? undefined;
      if (cursor)
        expect(cursor).toMatch(
          /^https:\/\/127\.0\.0\.1:\d+\/api\/profile-bulk-import-jobs\/.+\/profiles\/\?.*page%5Bcursor%5D=[\w-]+$/,
        );
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(250);
    const ids = await sdk.profiles.getProfileIdsForBulkImportProfilesJob(id, { pageSize: 100 });
    expect(ids.body.data).toHaveLength(100);
    expect(ids.body.data[0]).toEqual({ type: 'profile', id: expect.any(String) });
    expect(
      (await failure(sdk.profiles.getProfileIdsForBulkImportProfilesJob(id, { pageSize: 101 }))).status,
    ).toBe(400);
  });
});

describe('profiles', () => {
  beforeEach(async () => {
    await importAndWait(fake, sdk, [
      {
        type: 'profile',
        attributes: { email: 'ann@example.com', externalId: 'c1', phoneNumber: '+15005550001' },
      },
      { type: 'profile', attributes: { email: 'bob@example.com', externalId: 'c2' } },
      { type: 'profile', attributes: { email: 'cy+tag@example.com', externalId: 'c3' } },
    ]);
  });

  it('finds profiles with equals and any filters on email, external_id and phone_number', async () => {
    const emails = async (filter: string) =>
      (await sdk.profiles.getProfiles({ filter })).body.data.map((p) => p.attributes.email).sort();
    expect(await emails('equals(email,"ANN@example.com")')).toEqual(['ann@example.com']);
    expect(await emails('equals(email,"cy+tag@example.com")')).toEqual(['cy+tag@example.com']);
    expect(await emails('any(email,["bob@example.com","cy+tag@example.com","nobody@example.com"])')).toEqual([
      'bob@example.com',
      'cy+tag@example.com',
    ]);
    expect(await emails("equals(external_id,'c2')")).toEqual(['bob@example.com']);
    expect(await emails('any(phone_number,["+15005550001"])')).toEqual(['ann@example.com']);
    expect((await failure(sdk.profiles.getProfiles({ filter: 'equals(first_name,"Ann")' }))).status).toBe(
      400,
    );
  });

  it('honours the filter and page size passed again alongside a cursor', async () => {
    const filter = 'any(external_id,["c1","c2","c3"])';
    const first = await sdk.profiles.getProfiles({ filter, pageSize: 2 });
    expect(first.body.data).toHaveLength(2);
    const next = first.body.links?.next ?? '';
    expect(next.startsWith('https://')).toBe(true);
    const second = await sdk.profiles.getProfiles({ filter, pageSize: 2, pageCursor: next });
    expect(second.body.data.map((p) => p.attributes.externalId)).toEqual(['c3']);
    expect(second.body.links?.next).toBeNull();
  });

  it('clears a property sent as null through profile-import and answers 201 then 200', async () => {
    const created = await sdk.profiles.createOrUpdateProfile({
      data: { type: 'profile', attributes: { email: 'new@example.com', properties: { keep: 1, drop: 2 } } },
    });
    expect(created.response.status).toBe(201);
    const updated = await sdk.profiles.createOrUpdateProfile({
      data: { type: 'profile', attributes: { email: 'new@example.com', properties: { drop: null } } },
    });
    expect(updated.response.status).toBe(200);
    expect(updated.body.data.attributes.properties).toEqual({ keep: 1 });
    expect(fake.profileByEmail('new@example.com')?.properties).toEqual({ keep: 1 });
  });
});

describe('lists', () => {
  it('creates a list, finds it by name, adds and removes members by profile id', async () => {
    await importAndWait(fake, sdk, [
      { type: 'profile', attributes: { email: 'm1@example.com' } },
      { type: 'profile', attributes: { email: 'm2@example.com' } },
    ]);
    const created = await sdk.lists.createList({
      data: { type: 'list', attributes: { name: 'Reverse-ETL: VIP' } },
    });
    expect(created.response.status).toBe(201);
    const found = await sdk.lists.getLists({ filter: 'equals(name,"Reverse-ETL: VIP")' });
    expect(found.body.data.map((l) => l.id)).toEqual([created.body.data.id]);
    const listId = created.body.data.id ?? '';
    const ids = [...fake.state.profiles.values()].map((p) => ({ type: 'profile' as const, id: p.id }));
    expect((await sdk.lists.addProfilesToList(listId, { data: ids })).response.status).toBe(204);
    expect(fake.listMemberEmails('Reverse-ETL: VIP')).toEqual(['m1@example.com', 'm2@example.com']);
    const members = await sdk.lists.getProfilesForList(listId, { pageSize: 1 });
    expect(members.body.data).toHaveLength(1);
    expect(members.body.links?.next).toMatch(/^https:\/\//);
    expect((await sdk.lists.removeProfilesFromList(listId, { data: ids.slice(0, 1) })).response.status).toBe(
      204,
    );
    expect(fake.listMemberEmails('Reverse-ETL: VIP')).toEqual(['m2@example.com']);
    expect(
      (await sdk.lists.getList(listId, { additionalFieldsList: ['profile_count'] })).body.data.attributes
        .profileCount,
    ).toBe(1);
  });

  it('rejects more than 1000 profile ids per membership call and page sizes above 10 for lists', async () => {
    const list = await sdk.lists.createList({ data: { type: 'list', attributes: { name: 'Big' } } });
    const ids = Array.from({ length: 1001 }, (_, i) => ({ type: 'profile' as const, id: `P${i}` }));
    const result = await failure(sdk.lists.addProfilesToList(list.body.data.id ?? '', { data: ids }));
    expect(result.status).toBe(400);
    expect(result.data.errors?.[0]?.code).toBe('invalid');
    expect((await failure(sdk.lists.getLists({ pageSize: 11 }))).status).toBe(400);
  });
});

describe('events', () => {
  it('keeps only the first of single events that repeat profile, metric and unique_id', async () => {
    const send = (value: number) =>
      sdk.events.createEvent({
        data: {
          type: 'event',
          attributes: {
            properties: { value },
            uniqueId: 'order-1',
            metric: { data: { type: 'metric', attributes: { name: 'Placed Order' } } },
            profile: { data: { type: 'profile', attributes: { email: 'e@example.com' } } },
          },
        },
      });
    const first = await send(1);
    expect(first.response.status).toBe(202);
    expect(first.body).toBeUndefined();
    await send(2);
    expect(fake.eventsFor('e@example.com').map((e) => e.properties)).toEqual([{ value: 1 }]);
    expect(fake.state.counters.eventsDeduplicated).toBe(1);
  });

  it('rejects a bulk request that repeats a unique_id for the same profile and metric, keeping none of it', async () => {
    const body = bulkEvents([
      {
        email: 'd@example.com',
        events: [
          eventPayload('d@example.com', 'Placed Order', 'o1'),
          eventPayload('d@example.com', 'Placed Order', 'o2'),
        ],
      },
      { email: 'D@example.com', events: [eventPayload('d@example.com', 'Placed Order', 'o1')] },
    ]);
    const result = await failure(sdk.events.bulkCreateEvents(body));
    expect(result.status).toBe(400);
    expect(result.data.errors?.[0]?.source.pointer).toBe(
      '/data/attributes/events-bulk-create/data/1/attributes/events/data/0/attributes/unique_id',
    );
    expect(fake.state.events).toHaveLength(0);
  });

  it('silently skips bulk events whose unique_id was stored by an earlier request', async () => {
    const first = bulkEvents([
      { email: 'x@example.com', events: [eventPayload('x@example.com', 'Placed Order', 'o1')] },
    ]);
    expect((await sdk.events.bulkCreateEvents(first)).response.status).toBe(202);
    const second = bulkEvents([
      {
        email: 'x@example.com',
        events: [
          eventPayload('x@example.com', 'Placed Order', 'o1'),
          eventPayload('x@example.com', 'Placed Order', 'o2'),
        ],
      },
    ]);
    expect((await sdk.events.bulkCreateEvents(second)).response.status).toBe(202);
    expect(fake.eventsFor('x@example.com').map((e) => e.unique_id)).toEqual(['o1', 'o2']);
    expect(fake.profileByEmail('x@example.com')).toBeDefined();
  });

  it('rejects event times before 1990 or more than a year in the future', async () => {
    const old = bulkEvents([
      {
        email: 't@example.com',
        events: [eventPayload('t@example.com', 'M', 'a', new Date('1989-12-31T00:00:00Z'))],
      },
    ]);
    expect((await failure(sdk.events.bulkCreateEvents(old))).status).toBe(400);
    const future = new Date(Date.now() + 400 * 24 * 3600 * 1000);
    const late = bulkEvents([
      { email: 't@example.com', events: [eventPayload('t@example.com', 'M', 'b', future)] },
    ]);
    const result = await failure(sdk.events.bulkCreateEvents(late));
    expect(result.status).toBe(400);
    expect(result.data.errors?.[0]?.source.pointer).toMatch(/\/attributes\/time$/);
    expect(fake.state.events).toHaveLength(0);
  });
});

describe('data-privacy deletion', () => {
  it('deletes the profile with its list memberships and events once the job completes', async () => {
    const list = await sdk.lists.createList({ data: { type: 'list', attributes: { name: 'Gone' } } });
    await importAndWait(
      fake,
      sdk,
      [{ type: 'profile', attributes: { email: 'gdpr@example.com' } }],
      list.body.data.id,
    );
    await sdk.events.bulkCreateEvents(
      bulkEvents([{ email: 'gdpr@example.com', events: [eventPayload('gdpr@example.com', 'M', 'e1')] }]),
    );
    const response = await sdk.privacy.requestProfileDeletion({
      data: {
        type: 'data-privacy-deletion-job',
        attributes: { profile: { data: { type: 'profile', attributes: { email: 'gdpr@example.com' } } } },
      },
    });
    expect(response.response.status).toBe(202);
    await fake.waitForJobs();
    expect(fake.profileByEmail('gdpr@example.com')).toBeUndefined();
    expect(fake.listMemberEmails('Gone')).toEqual([]);
    expect(fake.state.events).toHaveLength(0);
    expect([...fake.state.deletionJobs.values()][0]).toMatchObject({
      status: 'complete',
      identifier: { email: 'gdpr@example.com' },
    });
  });

  it('rejects a deletion request with two identifiers', async () => {
    const result = await failure(
      sdk.privacy.requestProfileDeletion({
        data: {
          type: 'data-privacy-deletion-job',
          attributes: {
            profile: {
              data: { type: 'profile', attributes: { email: 'a@example.com', phoneNumber: '+15005550006' } },
            },
          },
        },
      }),
    );
    expect(result.status).toBe(400);
  });
});

describe('rate limits', () => {
  let limited: KlaviyoFake;
  const start = async (options: KlaviyoFakeOptions) => {
    limited = await startKlaviyoFake(options);
    return limited;
  };
  afterAll(async () => limited?.close());

  it('sends steady-window RateLimit headers on success and a bare Retry-After 429 once the burst is used up', async () => {
    const server = await start({ rateLimits: 'klaviyo' });
    const responses = await Promise.all(
      Array.from({ length: 11 }, () => raw(server, '/api/profile-bulk-import-jobs')),
    );
    const ok = responses.filter((r) => r.status === 200);
    const throttled = responses.filter((r) => r.status === 429);
    expect(ok).toHaveLength(10);
    expect(throttled).toHaveLength(1);
    expect(ok[0]?.headers.get('ratelimit-limit')).toBe('150');
    expect(Number(ok[0]?.headers.get('ratelimit-remaining'))).toBeLessThan(150);
    expect(Number(ok[0]?.headers.get('ratelimit-reset'))).toBeLessThanOrEqual(60);
    const limitedResponse = throttled[0];
    expect(limitedResponse?.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limitedResponse?.headers.get('ratelimit-limit')).toBeNull();
    expect(limitedResponse?.headers.get('ratelimit-remaining')).toBeNull();
    const body = (await limitedResponse?.json()) as HttpFailure['data'];
    expect(body.errors?.[0]).toMatchObject({
      status: 429,
      code: 'throttled',
      title: 'Request was throttled.',
    });
    expect(server.state.counters.rateLimited).toBe(1);
    expect(server.state.counters.throttled).toBe(1);
    await server.close();
  });

  it('scales every limit but leaves the 150-a-day list quota as it is', async () => {
    const server = await start({ rateLimits: { scale: 100 } });
    const api = sdkFor(server);
    for (let i = 0; i < 150; i++)
      await api.lists.createList({ data: { type: 'list', attributes: { name: `L${i}` } } });
    const result = await failure(
      api.lists.createList({ data: { type: 'list', attributes: { name: 'one too many' } } }),
    );
    expect(result.status).toBe(429);
    expect(Number(result.headers['retry-after'])).toBeGreaterThan(3600);
    expect(server.state.lists.size).toBe(150);
    await server.close();
  });
});

describe('fault injection', () => {
  const createList = (name: string) => sdk.lists.createList({ data: { type: 'list', attributes: { name } } });

  it('injects 429, 500 and 503 answers in Klaviyo shape', async () => {
    fake.setFaults({ throttle429: 1 });
    const throttled = await failure(createList('t'));
    expect(throttled.status).toBe(429);
    expect(throttled.headers['retry-after']).toBe('1');
    fake.setFaults({ error500: 1 });
    expect((await failure(createList('t'))).status).toBe(500);
    fake.setFaults({ error503: 1 });
    expect((await failure(createList('t'))).status).toBe(503);
    expect(fake.state.lists.size).toBe(0);
    expect(fake.state.counters.faults).toMatchObject({ throttle429: 1, error500: 1, error503: 1 });
    expect(fake.state.counters.throttled).toBe(1);
  });

  it('delays slow requests by slowMs', async () => {
    fake.setFaults({ slow: 1, slowMs: 120 });
    const started = performance.now();
    await createList('slow');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('drops the connection before processing, so nothing changes', async () => {
    fake.setFaults({ drop: 1 });
    const result = await failure(createList('dropped'));
    expect(result.status).toBeUndefined();
    expect(result.code).toBe('ECONNRESET');
    expect(fake.listByName('dropped')).toBeUndefined();
  });

  it('drops the connection after processing, so the state changed although the client saw ECONNRESET', async () => {
    fake.setFaults({ dropAfterProcessing: 1 });
    const result = await failure(createList('processed'));
    expect(result.code).toBe('ECONNRESET');
    expect(fake.listByName('processed')).toBeDefined();
    expect(fake.state.requests.at(-1)).toMatchObject({
      status: null,
      fault: 'dropAfterProcessing',
      processed: true,
    });
  });

  it('fails a seeded share of job profiles with a transient error that a later import can fix', async () => {
    fake.setFaults({ seed: 7, jobProfileErrors: 0.5 });
    const profiles: BulkProfile[] = Array.from({ length: 40 }, (_, i) => ({
      type: 'profile',
      attributes: { email: `f${i}@example.com` },
    }));
    const id = await importAndWait(fake, sdk, profiles);
    const errors = (await sdk.profiles.getErrorsForBulkImportProfilesJob(id, { pageSize: 100 })).body.data;
    expect(errors.length).toBeGreaterThan(5);
    expect(errors.length).toBeLessThan(35);
    expect(new Set(errors.map((e) => e.attributes.code))).toEqual(new Set(['temporarily_unavailable']));
    fake.setFaults(undefined);
    const retry = errors.map((e) => ({
      type: 'profile' as const,
      attributes: {
        email: String((e.attributes.originalPayload as Record<string, unknown> | undefined)?.['email']),
      },
    }));
    await importAndWait(fake, sdk, retry);
    expect(fake.state.profiles.size).toBe(40);
  });

  it('repeats the same fault sequence for the same seed and limits faults to matching paths', async () => {
    const run = async () => {
      fake.reset();
      fake.setFaults({ seed: 42, error500: 0.5, paths: '^/api/lists' });
      const statuses: (number | undefined)[] = [];
      for (let i = 0; i < 12; i++) {
        const answer = await sdk.lists.getLists().then(
          (ok) => ok.response.status,
          (e: { response?: { status: number } }) => e.response?.status,
        );
        statuses.push(answer);
      }
      return statuses;
    };
    const first = await run();
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
    expect((await sdk.profiles.getProfiles()).response.status).toBe(200);
  });
});

describe('request log and hooks', () => {
  it('logs method, path, status and endpoint without ever storing the API key', async () => {
    await sdk.lists.createList({ data: { type: 'list', attributes: { name: 'Logged' } } });
    await sdk.lists.getLists();
    await failure(sdkFor(fake, 'pk_wrong').lists.getLists());
    expect(fake.state.requests.map((r) => [r.method, r.path, r.status, r.endpoint])).toEqual([
      ['POST', '/api/lists', 201, 'create_list'],
      ['GET', '/api/lists', 200, 'get_lists'],
      ['GET', '/api/lists', 401, null],
    ]);
    expect(fake.writeRequests()).toHaveLength(1);
    expect(JSON.stringify(fake.state.requests)).not.toContain(fake.apiKey);
    expect(JSON.stringify(fake.state.requests)).not.toContain('pk_wrong');
  });

  it('calls onRequest hooks with the running request index as requests arrive', async () => {
    const seen: number[] = [];
    const paths: string[] = [];
    const off = fake.onRequest((arrival) => {
      seen.push(arrival.index);
      paths.push(arrival.path);
    });
    await sdk.lists.getLists();
    await sdk.lists.getLists();
    off();
    await sdk.lists.getLists();
    expect(seen).toEqual([1, 2]);
    expect(paths).toEqual(['/api/lists', '/api/lists']);
  });
});
