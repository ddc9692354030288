import { z } from 'zod';

/**
 * The Settings page's calls (browser-safe: zod only). `settings.get` shows what c360.config.yaml sets for the
 * Klaviyo connection, the guardrails and the profile property mapping; `settings.save` changes the guardrail
 * thresholds and the mapping in the file (comments kept; CONFIG_CONFLICT if it changed on disk since it was
 * read). `klaviyo.testConnection` proves the serving process's key with one read call. The key itself never
 * leaves the process: only whether there is one and where it comes from.
 */

const settingValue = z.union([z.number(), z.boolean(), z.string(), z.null()]);

export const settingsSchema = z.object({
  /** The config file, relative to the workspace folder (the page says where to edit). */
  configFile: z.string(),
  klaviyo: z.object({
    /** The environment variable the config names for the key (sync.klaviyo.api_key_env). */
    apiKeyEnv: z.string(),
    /** Whether the serving process has a key (from the desktop app's key store or the environment). */
    keyPresent: z.boolean(),
    /** Where the key comes from: the desktop app's key store, or the environment variable. */
    keySource: z.enum(['app', 'environment', 'none']),
    /** Host of the Klaviyo API this workspace talks to (a.klaviyo.com unless a test or proxy overrides it). */
    host: z.string(),
  }),
  /** sync.guardrails as set (defaults included). */
  guardrails: z.record(z.string(), settingValue),
  /** sync.profiles: Klaviyo profile property ← dim_customers column; attributes are Klaviyo's own fields. */
  profiles: z.object({
    model: z.string(),
    audience: z.string(),
    properties: z.array(z.object({ property: z.string(), column: z.string() })).max(500),
    attributes: z.array(z.object({ property: z.string(), column: z.string() })).max(50),
  }),
  lists: z.object({
    enabled: z.boolean(),
    prefix: z.string(),
    /** 'all' saved segments or the names the config lists. */
    segments: z.union([z.literal('all'), z.array(z.string()).max(500)]),
    mirror: z.boolean(),
  }),
  /** sha256 of c360.config.yaml now (null: no file, the defaults apply); settings.save sends it back. */
  configHash: z.string().nullable(),
  /** Columns of the profile model the mapping may use (empty when it is not built yet). */
  profileColumns: z.array(z.string()).max(2000),
});

/** settings.save: the guardrails to change and/or the whole profile property mapping. */
export const settingsSaveInputSchema = z.object({
  /** configHash of the settings the page edited; a different file on disk is a CONFIG_CONFLICT. */
  configHash: z.string().nullable(),
  guardrails: z.record(z.string(), z.union([z.number(), z.boolean()])).optional(),
  profileProperties: z
    .array(z.object({ property: z.string().max(300), column: z.string().max(200) }))
    .max(500)
    .optional(),
});

export const klaviyoConnectionSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** The account's organization name as Klaviyo gives it (null if it has none). */
    accountName: z.string().nullable(),
    host: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    reason: z.enum(['not-set', 'rejected', 'unreachable', 'unexpected']),
    /** What went wrong and what to do, without the key. */
    message: z.string(),
    host: z.string(),
  }),
]);

export type Settings = z.infer<typeof settingsSchema>;
export type SettingsSaveInput = z.infer<typeof settingsSaveInputSchema>;
export type KlaviyoConnection = z.infer<typeof klaviyoConnectionSchema>;
