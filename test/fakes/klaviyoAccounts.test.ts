import { AccountsApi, ApiKeySession, RetryWithExponentialBackoff } from 'klaviyo-api';
import { afterEach, describe, expect, it } from 'vitest';
import { checkKlaviyoKey } from '../../core/desktop/klaviyoKeyCheck.ts';
import {
  DEFAULT_ACCOUNT,
  DEFAULT_API_KEY,
  startKlaviyoFake,
  type KlaviyoFake,
  type KlaviyoFakeOptions,
} from './klaviyo/index.ts';

const LIMITED_KEY = 'pk_limited_scopes_00112233';

const started: KlaviyoFake[] = [];
async function start(options: KlaviyoFakeOptions): Promise<KlaviyoFake> {
  const fake = await startKlaviyoFake(options);
  started.push(fake);
  return fake;
}
afterEach(async () => {
  await Promise.all(started.splice(0).map((fake) => fake.close()));
});

/** The official SDK's AccountsApi, one attempt per call so that the test sees the raw answer. */
function accountsApi(fake: KlaviyoFake, apiKey = fake.apiKey): AccountsApi {
  const api = new AccountsApi(new ApiKeySession(apiKey, new RetryWithExponentialBackoff({ numRetries: 1 })));
  api.basePath = fake.url;
  return api;
}

async function rawAccounts(fake: KlaviyoFake, apiKey: string, query = ''): Promise<Response> {
  return fetch(new URL(`/api/accounts/${query}`, fake.url), {
    headers: { Authorization: `Klaviyo-API-Key ${apiKey}`, revision: '2026-07-15' },
  });
}

describe('GET /api/accounts', () => {
  it("names the demo shop's account by default, read with the official SDK", async () => {
    const fake = await start({ rateLimits: 'off' });
    const { body } = await accountsApi(fake).getAccounts();
    expect(body.data).toHaveLength(1);
    expect(body.data[0]?.id).toBe(DEFAULT_ACCOUNT.id);
    expect(body.data[0]?.type).toBe('account');
    expect(body.data[0]?.attributes.contactInformation.organizationName).toBe(
      DEFAULT_ACCOUNT.organization_name,
    );
    expect(body.data[0]?.attributes.preferredCurrency).toBe(DEFAULT_ACCOUNT.preferred_currency);
    expect(fake.account).toEqual(DEFAULT_ACCOUNT);
  });

  it('answers the account given in the options, and keeps it across reset()', async () => {
    const fake = await start({ rateLimits: 'off', account: { id: 'BrndB2', organization_name: 'Brand B' } });
    fake.reset();
    const { body } = await accountsApi(fake).getAccounts({
      fieldsAccount: ['contact_information.organization_name'],
    });
    expect(body.data[0]?.id).toBe('BrndB2');
    expect(body.data[0]?.attributes.contactInformation.organizationName).toBe('Brand B');
  });

  it('applies the sparse fieldset and refuses fields the spec does not list', async () => {
    const fake = await start({ rateLimits: 'off' });
    const sparse = await rawAccounts(
      fake,
      fake.apiKey,
      '?fields[account]=contact_information.organization_name',
    );
    const document = (await sparse.json()) as { data: { id: string; attributes: Record<string, unknown> }[] };
    expect(document.data[0]?.attributes).toEqual({
      contact_information: { organization_name: DEFAULT_ACCOUNT.organization_name },
    });
    const unknown = await rawAccounts(fake, fake.apiKey, '?fields[account]=password');
    expect(unknown.status).toBe(400);
  });

  it('is 403 permission_denied, naming accounts:read, for a key without that scope', async () => {
    const fake = await start({
      rateLimits: 'off',
      apiKeys: [DEFAULT_API_KEY, LIMITED_KEY],
      keyScopes: { [LIMITED_KEY]: ['profiles:read', 'profiles:write'] },
    });
    const refused = await rawAccounts(fake, LIMITED_KEY);
    expect(refused.status).toBe(403);
    const body = (await refused.json()) as { errors: { code: string; detail: string }[] };
    expect(body.errors[0]?.code).toBe('permission_denied');
    expect(body.errors[0]?.detail).toContain('accounts:read');
    // The scopes it holds still work, and a key not named in keyScopes holds every scope.
    expect((await rawAccounts(fake, DEFAULT_API_KEY)).status).toBe(200);
    const profiles = await fetch(new URL('/api/profiles/', fake.url), {
      headers: { Authorization: `Klaviyo-API-Key ${LIMITED_KEY}`, revision: '2026-07-15' },
    });
    expect(profiles.status).toBe(200);
  });

  it("keeps Klaviyo's limit on this call: one a second", async () => {
    const fake = await start({ rateLimits: 'klaviyo' });
    const [first, second] = await Promise.all([
      rawAccounts(fake, fake.apiKey),
      rawAccounts(fake, fake.apiKey),
    ]);
    expect([first?.status, second?.status].sort()).toEqual([200, 429]);
  });

  it("answers the desktop app's key check (plain fetch of /api/accounts/)", async () => {
    const fake = await start({ rateLimits: 'off' });
    await expect(checkKlaviyoKey(fake.apiKey, { baseUrl: fake.url })).resolves.toEqual({
      ok: true,
      accountName: DEFAULT_ACCOUNT.organization_name,
    });
    await expect(
      checkKlaviyoKey('pk_not_a_key_of_this_account', { baseUrl: fake.url }),
    ).resolves.toMatchObject({ ok: false, reason: 'rejected' });
  });
});
