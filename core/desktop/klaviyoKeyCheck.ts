/**
 * Checks a Klaviyo private key with one read-only call (GET /api/accounts/), the check Klaviyo's docs suggest
 * for "is this key valid". Plain fetch rather than the SDK: the SDK costs over a second to load, and this runs
 * in the main process when the user presses "Test".
 */
import type { KlaviyoKeyCheck } from './preloadApi.ts';

/** The API revision the project's Klaviyo SDK speaks (klaviyo-api 23). */
export const KLAVIYO_REVISION = '2026-07-15';
/** Same default as core/sync/klaviyo/client.ts, not imported from there: that module loads the SDK. */
const DEFAULT_BASE_URL = 'https://a.klaviyo.com';

export async function checkKlaviyoKey(
  key: string,
  options: { baseUrl?: string; signal?: AbortSignal; timeoutMs?: number } = {},
): Promise<KlaviyoKeyCheck> {
  const baseUrl = options.baseUrl ?? process.env.KLAVIYO_BASE_URL ?? DEFAULT_BASE_URL;
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let response: Response;
  try {
    response = await fetch(new URL('/api/accounts/', baseUrl), {
      headers: {
        Authorization: `Klaviyo-API-Key ${key}`,
        revision: KLAVIYO_REVISION,
        accept: 'application/vnd.api+json',
      },
      signal,
    });
  } catch {
    // The error's text could quote the request; say what happened in our own words.
    return {
      ok: false,
      reason: 'unreachable',
      message: `Klaviyo (${new URL(baseUrl).host}) could not be reached. Check the internet connection or proxy and try again.`,
    };
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    return {
      ok: false,
      reason: 'rejected',
      message:
        'Klaviyo refused the key. Check that it is a private key (pk_…) of the right account with read access to accounts.',
    };
  }
  if (!response.ok) {
    await response.body?.cancel();
    return {
      ok: false,
      reason: 'unexpected',
      message: `Klaviyo answered ${response.status} ${response.statusText}. Try again later.`,
    };
  }
  let accountName: string | null = null;
  try {
    const body = (await response.json()) as {
      data?: Array<{ attributes?: { contact_information?: { organization_name?: unknown } } }>;
    };
    const name = body.data?.[0]?.attributes?.contact_information?.organization_name;
    accountName = typeof name === 'string' ? name : null;
  } catch {
    accountName = null;
  }
  return { ok: true, accountName };
}
