import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRouterClient } from '@orpc/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api/client/index.ts';
import { createRouter } from '../../core/api/router.ts';
import { C360Error } from '../../core/errors.ts';
import { WorkspaceService } from '../../core/service/index.ts';
import { syncOnService } from '../../core/sync/syncOnService.ts';
import { CONFIG_FILE, DEFAULT_CONFIG_YAML, readWorkspaceConfig } from '../../core/workspace/config.ts';
import {
  ConfigConflictError,
  editWorkspaceConfig,
  readConfigFile,
  type ConfigEditContext,
} from '../../core/workspace/configEdit.ts';
import { buildBaseWorkspace, cloneWorkspace, removeDir, SYNC_BASE } from '../sync/syncWorkspace.ts';

/**
 * Editing c360.config.yaml from the Settings page (core/workspace/configEdit.ts, settings.save): the person's
 * comments and settings the page does not know survive, a file changed on disk is a conflict (never
 * overwritten), invalid values and mappings are refused with what to fix, and the open service plans with the
 * new thresholds at once.
 */

const COLUMNS: ConfigEditContext = {
  profileModel: 'dim_customers',
  profileColumns: ['lifetime_revenue', 'lifecycle_stage', 'total_orders', 'winback_stage', 'email'],
};

const WRITTEN = `# Our shop's workspace (written by hand).
version: 1
vars:
  lifecycle_active_days: 45 # marketing wants 45, not 30
duckdb: { memory_limit: 3GB } # a section this page does not show
sync:
  guardrails:
    # Removing more than this share of a list needs approval.
    max_list_removal_percent: 20 # agreed with CRM
    block_empty_source: true
  profiles:
    properties:
      LTV: lifetime_revenue # shown in flows as LTV
      Lifecycle Stage: lifecycle_stage
      Total Orders: total_orders
`;

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'c360-config-edit-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(text: string): Promise<string> {
  await writeFile(join(dir, CONFIG_FILE), text);
  return (await readConfigFile(dir)).contentHash!;
}

async function rejection(promise: Promise<unknown>): Promise<C360Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(C360Error);
  return error as C360Error;
}

describe('editing c360.config.yaml', () => {
  it('changes only what was edited: comments, key order and unknown keys stay', async () => {
    const hash = await writeConfig(WRITTEN);
    const saved = await editWorkspaceConfig(
      dir,
      {
        contentHash: hash,
        guardrails: { max_list_removal_percent: 5, max_data_age_hours: 12 },
        profileProperties: [
          { property: 'LTV', column: 'lifetime_revenue' },
          { property: 'Lifecycle Stage', column: 'winback_stage' },
          { property: 'Winback Stage', column: 'winback_stage' },
        ],
      },
      COLUMNS,
    );
    const text = await readFile(join(dir, CONFIG_FILE), 'utf8');
    expect(text).toBe(saved.text);
    for (const kept of [
      "# Our shop's workspace (written by hand).",
      'lifecycle_active_days: 45 # marketing wants 45, not 30',
      'duckdb: { memory_limit: 3GB } # a section this page does not show',
      '    # Removing more than this share of a list needs approval.',
      '    max_list_removal_percent: 5 # agreed with CRM',
      '      LTV: lifetime_revenue # shown in flows as LTV',
      '      Lifecycle Stage: winback_stage',
    ])
      expect(text).toContain(kept);
    expect(text).not.toContain('Total Orders');
    expect(text.indexOf('max_data_age_hours: 12')).toBeGreaterThan(text.indexOf('block_empty_source'));
    const config = await readWorkspaceConfig(dir);
    expect(config.sync.guardrails).toMatchObject({ max_list_removal_percent: 5, max_data_age_hours: 12 });
    expect(config.vars.lifecycle_active_days).toBe(45);
    expect(config.duckdb.memory_limit).toBe('3GB');
    expect(saved.config).toEqual(config);
  });

  it('adds a sync section to the commented default config, keeping its comments', async () => {
    const hash = await writeConfig(DEFAULT_CONFIG_YAML);
    await editWorkspaceConfig(dir, { contentHash: hash, guardrails: { max_list_removal_percent: 7 } }, COLUMNS);
    const text = await readFile(join(dir, CONFIG_FILE), 'utf8');
    // The new section goes after the commented-out example that ends the default file.
    expect(text).toBe(`${DEFAULT_CONFIG_YAML}sync:\n  guardrails:\n    max_list_removal_percent: 7\n`);
    expect((await readWorkspaceConfig(dir)).sync.guardrails.max_list_removal_percent).toBe(7);
  });

  it('writes a new file when there was none (hash null)', async () => {
    const saved = await editWorkspaceConfig(dir, { contentHash: null, guardrails: { max_data_age_hours: 3 } }, COLUMNS);
    expect(saved.config.sync.guardrails.max_data_age_hours).toBe(3);
    expect((await readWorkspaceConfig(dir)).sync.guardrails.max_data_age_hours).toBe(3);
  });

  it('shows their version and mine instead of overwriting a file changed on disk', async () => {
    const hash = await writeConfig(WRITTEN);
    const theirs = WRITTEN.replace('block_empty_source: true', 'block_empty_source: false # teammate');
    await writeFile(join(dir, CONFIG_FILE), theirs);
    const error = await rejection(
      editWorkspaceConfig(dir, { contentHash: hash, guardrails: { max_list_removal_percent: 5 } }, COLUMNS),
    );
    expect(error).toBeInstanceOf(ConfigConflictError);
    expect(error.code).toBe('CONFIG_CONFLICT');
    const { conflict } = error as ConfigConflictError;
    expect(conflict.theirs).toBe(theirs);
    expect(conflict.mine).toContain('max_list_removal_percent: 5 # agreed with CRM');
    expect(conflict.mine).toContain('block_empty_source: false # teammate');
    expect(await readFile(join(dir, CONFIG_FILE), 'utf8')).toBe(theirs);
    // Saving over their version on purpose: with the hash the conflict gave, both changes are in the file.
    await editWorkspaceConfig(
      dir,
      { contentHash: conflict.contentHash, guardrails: { max_list_removal_percent: 5 } },
      COLUMNS,
    );
    const config = (await readConfigFile(dir)).text!;
    expect(config).toContain('block_empty_source: false # teammate');
    expect(config).toContain('max_list_removal_percent: 5');
  });

  it('refuses invalid values, naming the setting and the rule, and writes nothing', async () => {
    const hash = await writeConfig(WRITTEN);
    const tooHigh = await rejection(
      editWorkspaceConfig(dir, { contentHash: hash, guardrails: { max_list_removal_percent: 150 } }, COLUMNS),
    );
    expect(tooHigh.code).toBe('INVALID_INPUT');
    expect(tooHigh.message).toMatch(/sync\.guardrails\.max_list_removal_percent: .*100/);
    const unknown = await rejection(
      editWorkspaceConfig(dir, { contentHash: hash, guardrails: { max_list_removals: 5 } }, COLUMNS),
    );
    expect(unknown.message).toContain('max_list_removals');
    const wrongType = await rejection(
      editWorkspaceConfig(dir, { contentHash: hash, guardrails: { block_empty_source: 3 } }, COLUMNS),
    );
    expect(wrongType.message).toContain('sync.guardrails.block_empty_source');
    expect(await readFile(join(dir, CONFIG_FILE), 'utf8')).toBe(WRITTEN);
  });

  it('refuses a mapping to a column the profile model lacks, or a bad property name, saying which', async () => {
    const hash = await writeConfig(WRITTEN);
    const error = await rejection(
      editWorkspaceConfig(
        dir,
        {
          contentHash: hash,
          profileProperties: [
            { property: 'LTV', column: 'lifetime_revenu' },
            { property: '$email', column: 'email' },
            { property: ' Stage', column: 'lifecycle_stage' },
            { property: 'Orders', column: 'total_orders' },
            { property: 'Orders', column: 'total_orders' },
            { property: '', column: 'total_orders' },
          ],
        },
        COLUMNS,
      ),
    );
    expect(error.code).toBe('INVALID_INPUT');
    expect(error.message).toContain(
      `property "LTV": 'lifetime_revenu' is not a column of dim_customers — did you mean 'lifetime_revenue'?`,
    );
    expect(error.message).toContain(`property "$email": names starting with $ are Klaviyo's own`);
    expect(error.message).toContain('property " Stage" starts or ends with a space');
    expect(error.message).toContain('property "Orders" is mapped twice');
    expect(error.message).toContain('a property has no name');
    const unbuilt = await rejection(
      editWorkspaceConfig(
        dir,
        { contentHash: hash, profileProperties: [{ property: 'LTV', column: 'lifetime_revenue' }] },
        { profileModel: 'dim_customers', profileColumns: undefined },
      ),
    );
    expect(unbuilt.message).toContain('dim_customers is not built yet');
    expect(await readFile(join(dir, CONFIG_FILE), 'utf8')).toBe(WRITTEN);
  });
});

describe('settings.save on an open workspace', () => {
  let base: string;
  let workspace: string;
  let service: WorkspaceService | undefined;

  beforeAll(async () => {
    base = await buildBaseWorkspace(SYNC_BASE.customers, SYNC_BASE.seed);
  }, 120_000);

  afterAll(async () => {
    await service?.close();
    await removeDir(workspace);
    await removeDir(base);
  });

  it('the service plans with the saved threshold at once: lowering the data age trips stale_data', async () => {
    workspace = await cloneWorkspace(base);
    service = await WorkspaceService.open(workspace);
    const client = createRouterClient(createRouter(), { context: { service } }) as unknown as ApiClient;
    const plan = async () =>
      (await syncOnService(service!, { syncs: ['profiles'], dryRun: true })).plan.guardrails.map((g) => g.id);
    expect(await plan()).toEqual([]);

    const settings = await client.settings.get();
    expect(settings.profileColumns).toContain('lifetime_revenue');
    // 0.0001 h: the build finished more than a third of a second ago.
    const saved = await client.settings.save({
      configHash: settings.configHash,
      guardrails: { max_data_age_hours: 0.0001 },
      profileProperties: [{ property: 'Lifetime Value', column: 'lifetime_revenue' }],
    });
    expect(saved.guardrails.max_data_age_hours).toBe(0.0001);
    expect(saved.profiles.properties).toEqual([{ property: 'Lifetime Value', column: 'lifetime_revenue' }]);
    expect(saved.configHash).not.toBe(settings.configHash);
    expect(await plan()).toEqual(['stale_data']);

    // A second save with the old hash is a conflict: the file changed since that read.
    await expect(
      client.settings.save({ configHash: settings.configHash, guardrails: { max_data_age_hours: 36 } }),
    ).rejects.toMatchObject({ code: 'CONFIG_CONFLICT' });
    expect(service.config.sync.guardrails.max_data_age_hours).toBe(0.0001);
  });
});
