/**
 * The three syncs to Klaviyo, in the order a run applies them. A module of its own, with no zod: the renderer
 * imports the values, and zod in the browser bundle probes for `new Function` when a schema is made, which the
 * app's CSP (no 'unsafe-eval') reports as a violation.
 */
export const SYNC_KIND_NAMES = ['profiles', 'lists', 'events'] as const;

export type SyncKindName = (typeof SYNC_KIND_NAMES)[number];
