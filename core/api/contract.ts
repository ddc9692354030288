import { eventIterator, oc } from '@orpc/contract';
import { buildEventSchema, buildInputSchema, buildResultSchema } from './schemas/build.ts';
import {
  savedSegmentInputSchema,
  savedSegmentSchema,
  segmentExplainInputSchema,
  segmentExplanationSchema,
  segmentPreviewInputSchema,
  segmentPreviewSchema,
  segmentColumnsSchema,
  segmentSaveInputSchema,
  segmentValuesInputSchema,
  segmentValuesSchema,
} from './schemas/segments.ts';
import { loadInputSchema, loadProgressEventSchema, loadReportSchema } from './schemas/load.ts';
import { syncOutcomeSchema, syncProgressEventSchema, syncRunInputSchema } from './schemas/sync.ts';
import { workspaceInfoSchema } from './schemas/workspace.ts';
import { segmentListWithHistorySchema } from './schemas/segmentList.ts';
import { klaviyoConnectionSchema, settingsSaveInputSchema, settingsSchema } from './schemas/settings.ts';
import { segmentTemplatesSchema } from './schemas/templates.ts';
import {
  buildRunsInputSchema,
  buildRunsSchema,
  runDetailSchema,
  runShowInputSchema,
  runsListInputSchema,
  runsListSchema,
} from './schemas/runs.ts';
import {
  segmentBreakdownInputSchema,
  segmentBreakdownSchema,
  segmentDiffInputSchema,
  segmentDiffSchema,
  segmentExplainDraftInputSchema,
  segmentMembersInputSchema,
  segmentMembersSchema,
  segmentOverlapsInputSchema,
  segmentOverlapsSchema,
  segmentPriorityInputSchema,
  segmentPrioritySchema,
} from './schemas/segmentInsights.ts';
export { ERROR_CODES, ERROR_CODE_NAMES, isErrorCode, type ErrorCode } from '../errorCodes.ts';
import {
  customerProfileInputSchema,
  customerProfileSchema,
  customerSearchInputSchema,
  customerSearchResultSchema,
  overviewInputSchema,
  overviewSchema,
} from '../insights/schemas.ts';

/**
 * The one API of the workbench: every call's input, output and progress-event schema. Browser-safe (oRPC's
 * contract package and zod only), so the renderer, the Electron preload and the CLI all type their client from
 * it; core/api/router.ts implements it for the workspace service.
 */
export const contract = {
  workspace: {
    /** Folder name, database size, last build and the as-of date of the published data. */
    info: oc.output(workspaceInfoSchema),
  },
  overview: {
    /** Every figure of the Overview page, aggregated in DuckDB. */
    get: oc.input(overviewInputSchema.default({})).output(overviewSchema),
  },
  customers: {
    /** Customers matching part of an email, a name or an id, best first (a bounded page). */
    search: oc.input(customerSearchInputSchema).output(customerSearchResultSchema),
    /** One customer's 360 profile: identity, orders, shipments, engagement, tickets, scores, segments. */
    profile: oc.input(customerProfileInputSchema).output(customerProfileSchema),
  },
  segments: {
    // The editor's insights on its unsaved definition (core/segments/{whatIf,columnBreakdown,
    // prioritySimulation,memberPage}.ts): aggregates and bounded pages only.
    /** Who the unsaved definition adds and removes against the saved version and the last publish. */
    diff: oc.input(segmentDiffInputSchema).output(segmentDiffSchema),
    /** The unsaved definition's members by one column: top values + other, or bins for numbers and dates. */
    breakdown: oc.input(segmentBreakdownInputSchema).output(segmentBreakdownSchema),
    /** Who each segment of the definition's priority group would claim, before publishing. */
    priority: oc.input(segmentPriorityInputSchema).output(segmentPrioritySchema),
    /** A page of the unsaved definition's members, in customer id order. */
    members: oc.input(segmentMembersInputSchema).output(segmentMembersSchema),
    /** Why one customer (id or email) is in or out of the unsaved definition, rule by rule. */
    explainDraft: oc.input(segmentExplainDraftInputSchema).output(segmentExplanationSchema),
    /** How many customers every pair of the unsaved definition and the saved segments shares (a matrix). */
    overlaps: oc.input(segmentOverlapsInputSchema).output(segmentOverlapsSchema),
    /**
     * The saved segments with their size now, at the last snapshot and at the last builds (size history), the
     * Klaviyo list each feeds, priority, holdout and sensitivity, and the files that could not be used.
     */
    list: oc.output(segmentListWithHistorySchema),
    /**
     * Count, funnel, breakdowns and overlaps of a saved segment (by name) or of an unsaved definition (the rule
     * builder); a newer call cancels nothing by itself, but an aborted call interrupts its query.
     */
    preview: oc.input(segmentPreviewInputSchema).output(segmentPreviewSchema),
    /** A saved segment's file: its YAML, the definition as data, and hashes (the rule builder opens it). */
    get: oc.input(savedSegmentInputSchema).output(savedSegmentSchema),
    /** Why one customer (id or email) is in or out of a saved segment, rule by rule. */
    explain: oc.input(segmentExplainInputSchema).output(segmentExplanationSchema),
    /** Writes a segment file (checked first; comments of an opened file kept); SEGMENT_CONFLICT if it changed. */
    save: oc.input(segmentSaveInputSchema).output(savedSegmentSchema),
    /** The dim_customers columns rules can read, with kind, operators, description and documented values. */
    columns: oc.output(segmentColumnsSchema),
    /** What one column holds: top values with counts, min/max/quantiles, or date presets (value pickers). */
    values: oc.input(segmentValuesInputSchema).output(segmentValuesSchema),
    /** The built-in templates: definition, YAML, the Klaviyo flow each feeds and the property it splits on. */
    templates: oc.output(segmentTemplatesSchema),
  },
  settings: {
    /** What c360.config.yaml sets for Klaviyo, guardrails and the profile mapping (read-only; never the key). */
    get: oc.output(settingsSchema),
    /** Writes guardrail thresholds and the profile mapping into c360.config.yaml; CONFIG_CONFLICT if it changed. */
    save: oc.input(settingsSaveInputSchema).output(settingsSchema),
  },
  klaviyo: {
    /** One read call with the serving process's Klaviyo key: names the account, or says what to fix. */
    testConnection: oc.output(klaviyoConnectionSchema),
  },
  models: {
    /** Builds the models (a write job); streams progress events and returns the build's summary. */
    build: oc.input(buildInputSchema).output(eventIterator(buildEventSchema, buildResultSchema)),
  },
  sources: {
    /**
     * Loads raw tables from files sent as their contents (a write job), named as `c360 load DIR` finds them;
     * streams one event per file and returns the load report.
     */
    load: oc.input(loadInputSchema).output(eventIterator(loadProgressEventSchema, loadReportSchema)),
  },
  sync: {
    /**
     * Plans a sync to Klaviyo and applies it (or only plans: dryRun), with the Klaviyo key of the process that
     * serves the API; streams apply progress and returns the outcome, whose `plan` is what a plan file holds.
     */
    run: oc.input(syncRunInputSchema).output(eventIterator(syncProgressEventSchema, syncOutcomeSchema)),
  },
  runs: {
    /** The recent sync runs, newest first, with their counts per target (what Klaviyo confirmed). */
    list: oc.input(runsListInputSchema).output(runsListSchema),
    /** One sync run (by id or its first characters) with one page of its rejected rows and their total. */
    show: oc.input(runShowInputSchema).output(runDetailSchema),
    /** The recent model builds, newest first. */
    builds: oc.input(buildRunsInputSchema).output(buildRunsSchema),
  },
};

export type Contract = typeof contract;
