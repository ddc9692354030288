import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/client/index.ts';
import type { ApiContext } from '../../core/api/context.ts';
import { createRouter } from '../../core/api/router.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { TEMPLATE_FLOWS } from '../../core/segments/templates.ts';
import { DEFAULT_ACCOUNT, startKlaviyoFake, type KlaviyoFake } from '../fakes/klaviyo/index.ts';
import { createLocalWorkspace, type LocalWorkspace } from './localService.ts';

/**
 * settings.get, klaviyo.testConnection and segments.templates over the in-process router, on a real workspace
 * service whose c360.config.yaml points the Klaviyo connection at the Klaviyo fake.
 */

const KEY_ENV = 'C360_STUDIO_TEST_KLAVIYO_KEY';
let workspace: LocalWorkspace | undefined;
let fake: KlaviyoFake | undefined;

afterEach(async () => {
  delete process.env[KEY_ENV];
  await workspace?.close();
  await fake?.close();
  workspace = undefined;
  fake = undefined;
});

/** A workspace whose config sends Klaviyo calls to the fake and names KEY_ENV for the key. */
async function open(context: Partial<ApiContext> = {}): Promise<ApiClient> {
  fake = await startKlaviyoFake({ rateLimits: 'off' });
  workspace = await createLocalWorkspace();
  await workspace.service.close();
  await writeFile(
    join(workspace.dir, 'c360.config.yaml'),
    `models_dir: project
sync:
  klaviyo:
    base_url: ${fake.url}
    api_key_env: ${KEY_ENV}
  guardrails:
    max_list_removal_percent: 15
  lists:
    list_prefix: 'c360: '
`,
  );
  workspace.service = await WorkspaceService.open(workspace.dir);
  return createRouterClient(createRouter(), {
    context: { service: workspace.service, ...context },
  }) as unknown as ApiClient;
}

describe('klaviyo.testConnection', () => {
  it('names the account of the key in the environment variable the config names', async () => {
    const client = await open();
    process.env[KEY_ENV] = fake!.apiKey;
    const result = await client.klaviyo.testConnection();
    expect(result).toEqual({
      ok: true,
      accountName: DEFAULT_ACCOUNT.organization_name,
      host: new URL(fake!.url).host,
    });
  });

  it('says how to set a missing key, naming the variable', async () => {
    const client = await open();
    const result = await client.klaviyo.testConnection();
    expect(result).toMatchObject({ ok: false, reason: 'not-set' });
    expect(result.ok ? '' : result.message).toContain(`${KEY_ENV}=pk_… c360 web`);
  });

  it('says the key was refused, and never repeats it', async () => {
    const client = await open({ klaviyoKey: () => 'pk_wrong_key_of_no_account_42' });
    const result = await client.klaviyo.testConnection();
    expect(result).toMatchObject({ ok: false, reason: 'rejected' });
    expect(JSON.stringify(result)).not.toContain('pk_wrong_key_of_no_account_42');
  });
});

describe('settings.get', () => {
  it('shows the config as the service uses it, with where the key comes from but not the key', async () => {
    const client = await open({ klaviyoKey: () => 'pk_from_the_desktop_key_store' });
    const settings = await client.settings.get();
    expect(settings.klaviyo).toEqual({
      apiKeyEnv: KEY_ENV,
      keyPresent: true,
      keySource: 'app',
      host: new URL(fake!.url).host,
    });
    expect(settings.guardrails.max_list_removal_percent).toBe(15);
    expect(settings.lists.prefix).toBe('c360: ');
    expect(settings.profiles.properties).toContainEqual({
      property: 'Winback Stage',
      column: 'winback_stage',
    });
    expect(JSON.stringify(settings)).not.toContain('pk_from_the_desktop_key_store');
  });
});

describe('segments.templates', () => {
  it('gives every built-in template with its flow, the profile property it splits on and its list, before any build', async () => {
    const client = await open();
    const { templates } = await client.segments.templates();
    expect(templates.map((t) => t.name).sort()).toEqual(Object.keys(TEMPLATE_FLOWS).sort());
    const winback = templates.find((t) => t.name === 'winback_candidates')!;
    expect(winback.flow).toMatchObject({
      key: 'winback',
      splitColumn: 'winback_stage',
      splitProperty: 'Winback Stage',
    });
    expect(winback.klaviyoList).toBe('c360: Winback candidates');
    expect(winback.rules).toEqual(['is_winback_candidate = true']);
    expect(winback.definition).toMatchObject({ name: 'winback_candidates', priority_group: 'retention' });
    expect(winback.yaml).toContain('# Winback flow');
    const pregnancy = templates.find((t) => t.name === 'pregnancy_journey')!;
    expect(pregnancy).toMatchObject({ sensitive: true, consentColumns: ['pregnancy_opt_in'] });
    for (const template of templates)
      if (template.flow?.splitColumn)
        expect(template.properties, template.name).toContain(template.flow.splitColumn);
  });
});
