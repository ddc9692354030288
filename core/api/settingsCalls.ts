import { checkKlaviyoKey } from '../desktop/klaviyoKeyCheck.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';
import { REQUIRED_SCOPES } from '../sync/klaviyo/errors.ts';
import { CONFIG_FILE } from '../workspace/config.ts';
import type { ApiContext } from './context.ts';
import type { KlaviyoConnection, Settings } from './schemas/settings.ts';

/**
 * The Settings page's calls: what c360.config.yaml sets (read from the service's parsed config, so the page
 * shows exactly what builds and syncs use) and a Klaviyo connection test with the serving process's key.
 */

const DEFAULT_KLAVIYO_URL = 'https://a.klaviyo.com';

/** The API base a sync of this workspace uses: KLAVIYO_BASE_URL, else the config's, else Klaviyo's. */
function klaviyoBaseUrl(service: WorkspaceService): string {
  return process.env.KLAVIYO_BASE_URL ?? service.config.sync.klaviyo.base_url ?? DEFAULT_KLAVIYO_URL;
}

/**
 * The key a sync of this process would use, the same way core/sync/syncRunner.ts picks it: the context's key
 * source (the desktop app's key store) when there is one, else the environment variable the config names.
 */
function serverKey(context: ApiContext): {
  key: string | undefined;
  source: Settings['klaviyo']['keySource'];
} {
  const envName = context.service.config.sync.klaviyo.api_key_env;
  const fromEnv = process.env[envName]?.trim() || undefined;
  if (context.klaviyoKey) {
    const key = context.klaviyoKey()?.trim() || undefined;
    return { key, source: !key ? 'none' : key === fromEnv ? 'environment' : 'app' };
  }
  return { key: fromEnv, source: fromEnv ? 'environment' : 'none' };
}

const pairs = (record: Record<string, string | undefined>) =>
  Object.entries(record)
    .filter((entry): entry is [string, string] => typeof entry[1] === 'string')
    .map(([property, column]) => ({ property, column }));

export function workspaceSettings(context: ApiContext): Settings {
  const { sync } = context.service.config;
  const { source } = serverKey(context);
  return {
    configFile: CONFIG_FILE,
    klaviyo: {
      apiKeyEnv: sync.klaviyo.api_key_env,
      keyPresent: source !== 'none',
      keySource: source,
      host: new URL(klaviyoBaseUrl(context.service)).host,
    },
    guardrails: Object.fromEntries(
      Object.entries(sync.guardrails).map(([key, value]) => [
        key,
        typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string' ? value : null,
      ]),
    ),
    profiles: {
      model: sync.profiles.model,
      audience: sync.profiles.audience,
      properties: pairs(sync.profiles.properties),
      attributes: pairs(sync.profiles.attributes),
    },
    lists: {
      enabled: sync.lists.enabled,
      prefix: sync.lists.list_prefix,
      segments: sync.lists.segments,
      mirror: sync.lists.mirror,
    },
  };
}

/**
 * One read call (GET /api/accounts/) with the key a sync of this process would use; names the account. A
 * missing key says how to set it for this process; the key is never part of the answer or of a message.
 */
export async function testKlaviyoConnection(
  context: ApiContext,
  signal?: AbortSignal,
): Promise<KlaviyoConnection> {
  const baseUrl = klaviyoBaseUrl(context.service);
  const host = new URL(baseUrl).host;
  const { key } = serverKey(context);
  if (!key) {
    const envName = context.service.config.sync.klaviyo.api_key_env;
    return {
      ok: false,
      reason: 'not-set',
      host,
      message:
        `No Klaviyo key is set for the process that serves this workspace. Set the environment variable ` +
        `${envName} to a private API key (pk_…) with the scopes ${REQUIRED_SCOPES} and restart it ` +
        `(e.g. ${envName}=pk_… c360 web), or save the key in the desktop app.`,
    };
  }
  const check = await checkKlaviyoKey(key, { baseUrl, ...(signal ? { signal } : {}) });
  return check.ok ? { ok: true, accountName: check.accountName, host } : { ...check, host };
}
