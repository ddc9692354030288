/**
 * GET /api/accounts: the one account the private key belongs to, as a one-element JSON:API collection in the
 * shape of the spec's `GetAccountResponseCollection` (sparse fieldsets apply, as on the other reads). Needs the
 * scope `accounts:read`, which the server checks before the handler like every operation's scopes.
 */
import type { HandlerResult, Route, RouteContext } from './context.ts';
import { Fieldset } from './resources.ts';
import type { AccountRecord } from './types.ts';

/** The account of `startKlaviyoFake()` without `options.account`: the demo shop's. */
export const DEFAULT_ACCOUNT: AccountRecord = {
  id: 'C360DM',
  organization_name: 'c360 Demo Shop',
  timezone: 'Europe/Berlin',
  preferred_currency: 'EUR',
  locale: 'de-DE',
  test_account: true,
};

function accountResource(account: AccountRecord, linkOrigin: string, fields: Fieldset) {
  const contact: Record<string, unknown> = {
    default_sender_name: account.organization_name,
    default_sender_email: `newsletter@${account.id.toLowerCase()}.example`,
    website_url: null,
    organization_name: account.organization_name,
    street_address: { address1: '', address2: '', city: '', region: '', country: '', zip: '' },
  };
  const all: Record<string, unknown> = {
    test_account: account.test_account,
    contact_information: contact,
    industry: null,
    timezone: account.timezone,
    preferred_currency: account.preferred_currency,
    public_api_key: account.id,
    locale: account.locale,
  };
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (!fields.has(key)) continue;
    const sub = fields.sub(key);
    attributes[key] =
      sub === null || typeof value !== 'object' || value === null
        ? value
        : Object.fromEntries(Object.entries(value).filter(([k]) => sub.has(k)));
  }
  return {
    type: 'account',
    id: account.id,
    attributes,
    links: { self: `${linkOrigin}/api/accounts/${account.id}/` },
  };
}

function getAccounts(ctx: RouteContext): HandlerResult {
  const fields = new Fieldset(ctx.query.list('fields[account]'));
  return {
    status: 200,
    body: {
      data: [accountResource(ctx.store.account, ctx.linkOrigin, fields)],
      links: { self: `${ctx.linkOrigin}/api/accounts/`, next: null, prev: null },
    },
  };
}

export const accountRoutes: Route[] = [
  { method: 'GET', pattern: '/api/accounts', operationId: 'get_accounts', handler: getAccounts },
];
