import { checkKlaviyoKey } from '../desktop/klaviyoKeyCheck.ts';
import { C360Error } from '../errors.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';
import { REQUIRED_SCOPES } from '../sync/klaviyo/errors.ts';
import { modelColumns } from '../sync/sourceModel.ts';
import { CONFIG_FILE } from '../workspace/config.ts';
import { editWorkspaceConfig, readConfigFile } from '../workspace/configEdit.ts';
import type { ApiContext } from './context.ts';
import type { KlaviyoConnection, Settings, SettingsSaveInput } from './schemas/settings.ts';

/**
 * The Settings page's calls: what c360.config.yaml sets (read from the service's parsed config, so the page
 * shows exactly what builds and syncs use), saving guardrail thresholds and the profile mapping into the file,
 * and a Klaviyo connection test with the serving process's key.
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

/** The profile model's columns, or undefined when it is not built (nothing to map from yet). */
async function profileColumns(service: WorkspaceService): Promise<string[] | undefined> {
  const model = service.config.sync.profiles.model;
  return service.read(async (db) => {
    try {
      return [...(await modelColumns(db, model)).keys()].sort();
    } catch (error) {
      if ((error as { code?: unknown }).code === 'CONFIG_INVALID') return undefined;
      throw error;
    }
  });
}

export async function workspaceSettings(context: ApiContext): Promise<Settings> {
  const [file, columns] = await Promise.all([
    readConfigFile(context.service.dir),
    profileColumns(context.service),
  ]);
  return { ...settingsOf(context), configHash: file.contentHash, profileColumns: columns ?? [] };
}

/**
 * Writes the edit into c360.config.yaml as a write job (one writer per workspace: no two saves interleave), then
 * the service uses the saved config: the next plan checks the new thresholds and sends the new mapping.
 */
export async function saveSettings(context: ApiContext, input: SettingsSaveInput): Promise<Settings> {
  const { service } = context;
  if (service.readOnly)
    throw new C360Error(
      'WORKSPACE_READ_ONLY',
      `The workspace ${service.dir} is open read-only here, so ${CONFIG_FILE} was not changed. Close the other ` +
        'c360 command or app that holds it, reopen the workspace and save again.',
    );
  const columns = input.profileProperties ? await profileColumns(service) : undefined;
  await service.write('config', async () => {
    const saved = await editWorkspaceConfig(
      service.dir,
      {
        contentHash: input.configHash,
        guardrails: input.guardrails,
        profileProperties: input.profileProperties,
      },
      { profileColumns: columns, profileModel: service.config.sync.profiles.model },
    );
    service.useConfig(saved.config);
  });
  return workspaceSettings(context);
}

function settingsOf(context: ApiContext): Omit<Settings, 'configHash' | 'profileColumns'> {
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
