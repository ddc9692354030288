/**
 * Reverse ETL to Klaviyo (SPEC §7): plan (a diff against what Klaviyo confirmed) → guardrails → apply in
 * batches at the API maxima, paced within the rate limits, checkpointed per acknowledged batch.
 */
export { DEFAULT_SYNC_CONFIG, syncConfigSchema } from './config.ts';
export type { SyncConfig } from './config.ts';
export { computePlan, readPlanFile, savePlan, SYNC_KINDS, endpointLabel, PlanFileError } from './plan.ts';
export type { PlanRequest, SyncPlan } from './plan.ts';
export type { SyncKind, TargetPlan, TrippedGuardrail } from './guardrails.ts';
export { runSync } from './syncRunner.ts';
export {
  describeAccount,
  PlanAccountMismatchError,
  PlanRequestMismatchError,
  StalePlanError,
} from './planChecks.ts';
export type { GuardrailApproval, RecordedApproval } from './approvals.ts';
export type { KlaviyoAccount } from './klaviyo/client.ts';
export { syncOnService, SyncRunningError } from './syncOnService.ts';
export type { SyncHooks, SyncOutcome, SyncRequest, SyncStatus, SyncTargetResult } from './syncRunner.ts';
export { listRuns, showRun, RunNotFoundError, RUN_ERRORS_PAGE } from './runs.ts';
export type { RunSummary, RunError, TargetResult, RunDetail, RunRequests } from './runs.ts';
export { SKIP_REASONS } from './profilePlan.ts';
export { EVENT_SKIP_REASONS } from './eventPlan.ts';
export type { ApplyProgress } from './applyContext.ts';
export { SyncConfigError } from './sourceModel.ts';
export { NothingToRetryError } from './retryScope.ts';
export type { RetryFailed } from './retryScope.ts';
export { ENDPOINTS } from './klaviyo/rateLimits.ts';
export type { Endpoint } from './klaviyo/rateLimits.ts';
