import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { DEFAULT_QUERY_TIMEOUT_SECONDS } from '../db/deadline.ts';
import { describeZodIssues } from '../models/schemaFile.ts';
import { loadSettingsSchema, sourceLoadSchema } from '../sources/loadConfig.ts';
import { DEFAULT_SYNC_CONFIG, syncConfigSchema } from '../sync/config.ts';
import { C360Error, type C360ErrorOptions } from '../errors.ts';

export const CONFIG_FILE = 'c360.config.yaml';

const varValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * `c360.config.yaml`. Secrets never live here: API keys come from the environment or the OS keychain.
 * Sections for sources, destinations and schedules join as their features land.
 */
export const workspaceConfigSchema = z.strictObject({
  version: z.literal(1).default(1),
  engine: z.enum(['duckdb']).default('duckdb'),
  /** Model variables (thresholds, as_of) over the defaults of sql/vars.yml; checked by the build (vars.ts). */
  vars: z.preprocess((raw) => raw ?? {}, z.record(z.string(), varValue)),
  duckdb: z
    .strictObject({
      threads: z.number().int().positive().optional(),
      memory_limit: z.string().regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'use a size like 3GB').optional(),
    })
    .default({}),
  /** Deadline of interactive queries (segment previews, counts, lookups); they are interrupted after it. */
  query_timeout_seconds: z
    .number()
    .positive('use a number of seconds above 0')
    .max(3600, 'use at most 3600 seconds')
    .default(DEFAULT_QUERY_TIMEOUT_SECONDS),
  /** Model project folder, relative to the workspace; default: the models shipped with c360. */
  models_dir: z.string().optional(),
  /** How `c360 load` reads each source's files (CSV dialect); see core/sources/loadConfig.ts. */
  sources: z.preprocess((raw) => raw ?? {}, z.record(z.string(), sourceLoadSchema)),
  /** Safety of `c360 load`: the share of rejected rows above which a file replaces nothing. */
  load: z.preprocess((raw) => raw ?? {}, loadSettingsSchema),
  /** Reverse ETL to Klaviyo (SPEC §7); see core/sync/config.ts for every setting. */
  sync: syncConfigSchema.default(DEFAULT_SYNC_CONFIG),
});

export type WorkspaceConfig = z.infer<typeof workspaceConfigSchema>;

/** c360.config.yaml cannot be used; the message names the file and what to change. */
export class ConfigError extends C360Error {
  override name = 'ConfigError';
  constructor(message: string, options: C360ErrorOptions & { code?: 'CONFIG_INVALID' | 'FILE_ACCESS_DENIED' } = {}) {
    super(options.code ?? 'CONFIG_INVALID', message, options);
  }
}

function unreadableConfig(path: string, error: unknown): ConfigError {
  const code = (error as NodeJS.ErrnoException).code;
  const what =
    code === 'EACCES' || code === 'EPERM'
      ? `your user may not read ${path}`
      : code === 'EISDIR'
        ? `${path} is a folder, not a file`
        : `${path} cannot be read (${code ?? (error instanceof Error ? error.message : String(error))})`;
  const todo =
    code === 'EISDIR'
      ? `Remove or rename the folder; c360 then uses the defaults, or \`c360 init\` writes a commented ${CONFIG_FILE}.`
      : `Give your user read access to it (e.g. \`chmod u+r ${path}\`) or fix the file system problem, then run the command again.`;
  return new ConfigError(`The workspace configuration cannot be read: ${what}. ${todo}`, {
    code: 'FILE_ACCESS_DENIED',
    details: { file: path, ...(code ? { errno: code } : {}) },
    cause: error,
  });
}

export async function readWorkspaceConfig(dir: string): Promise<WorkspaceConfig> {
  const path = join(dir, CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    // Only a missing file means "no config, use the defaults"; a file c360 may not read must not silently
    // turn into default settings (another memory limit, another sync audience).
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return workspaceConfigSchema.parse({});
    throw unreadableConfig(path, error);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${path} is not valid YAML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = workspaceConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`${path} has settings c360 does not understand:\n${describeZodIssues(parsed.error)}`);
  }
  return parsed.data;
}

export const DEFAULT_CONFIG_YAML = `# Customer 360 Workbench workspace.
# Secrets (Klaviyo API key, service-account JSON) never go here: use environment variables or the app's keychain.
version: 1
engine: duckdb

# Model variables: thresholds of sql/DEFINITIONS.md, declared with type, range and default in sql/vars.yml.
# Set only what this shop changes; the defaults live in vars.yml. Checked before every build. as_of defaults to
# the build's start (UTC); days and months are counted in shop_time_zone.
vars:
  # as_of: "2026-12-01"
  # shop_time_zone: Europe/Berlin
  # lifecycle_active_days: 45

duckdb:
  # threads: 2
  memory_limit: 3GB

# Interactive queries (segment previews, counts, lookups) are stopped after this many seconds, with a message.
# query_timeout_seconds: 10

# How c360 load reads CSV exports. Delimiter, encoding, decimal comma and DD.MM.YYYY dates are detected from each
# file; set them per source (or per table) only when detection is wrong. README "Your own data" has the details.
# sources:
#   shopify:
#     csv: { delimiter: ";", decimal: ",", date_format: "DD.MM.YYYY", encoding: "windows-1252" }
#     tables:
#       orders:
#         csv: { delimiter: "," }
# load:
#   max_reject_share: 0.01          # a file with more rejected rows replaces nothing (c360 load --force overrides)

# Sync to Klaviyo (c360 sync). The API key comes from the environment variable KLAVIYO_API_KEY, never from here.
# Every setting has a default; uncomment to change. README "Sync to Klaviyo" lists them all.
# sync:
#   profiles:
#     audience: marketable          # or valid_email
#     properties:                   # Klaviyo property name: dim_customers column
#       LTV: lifetime_revenue
#       Lifecycle Stage: lifecycle_stage
#   lists:
#     segments: all                 # or a list of segment names
#     list_prefix: "c360: "
#     mirror: true                  # remove members that left (only members c360 added)
#   events:
#     backfill_after_hours: 24      # older events are recorded without triggering flows
#   guardrails:
#     max_list_removal_percent: 20
#     max_profiles_changed_percent: 50
#     max_data_age_hours: 36          # older published data needs approval (stale_data); 0 = no age check
#     block_after_failed_build: true  # so does publishing after the last build failed
`;
