/**
 * The segment engine (SPEC §6): YAML definitions → parameterised SQL over dim_customers → previews (count,
 * breakdowns, overlaps, funnel, sample, change since the last publish), explanations per customer, and
 * membership snapshots per publish.
 */
export {
  OPERATORS,
  SegmentDefinitionError,
  definitionHash,
  formatProblem,
  parseSegmentDefinition,
  segmentDefinitionSchema,
} from './definition.ts';
export { loadSegmentFolder, parseSegmentYaml, SEGMENTS_DIR } from './segmentFiles.ts';
export type { SegmentFolder } from './segmentFiles.ts';
export type {
  LoadedSegment,
  Operator,
  Rule,
  SegmentDefinition,
  SegmentDefinitionInput,
  SegmentProblem,
} from './definition.ts';
export {
  readCatalogue,
  catalogueFromColumns,
  describeColumn,
  MissingTableError,
  SEGMENT_TABLE,
} from './catalogue.ts';
export type { Catalogue, CatalogueColumn, ColumnKind } from './catalogue.ts';
export { compileSegment, describeRule, OPERATORS_BY_KIND, SqlParams, HOLDOUT_BUCKETS } from './compiler.ts';
export type { CompiledSegment, CompileContext, FunnelStep, RuleNode } from './compiler.ts';
export { validateExpertSql, ExpertSqlError } from './expertSql.ts';
export { priorityGroups, higherPriorityThan } from './priority.ts';
export type { PriorityGroup } from './priority.ts';
export { SegmentEngine } from './engine.ts';
export type { EngineOptions, PreviewRequest, PreviewResult, SegmentSize } from './engine.ts';
export { DEFAULT_BREAKDOWNS } from './preview.ts';
export type { Breakdown, BreakdownValue, FunnelRow, Overlap, PreviewFigures } from './preview.ts';
export { naivePreview } from './naivePreview.ts';
export type { NaiveFigures } from './naivePreview.ts';
export { explainCustomer, evaluateCustomer, findCustomer, CustomerNotFoundError } from './explain.ts';
export type { ChangeExplanation, Evaluation, Explanation, RuleOutcome, StepOutcome } from './explain.ts';
export {
  diffSinceSnapshot,
  ensureSnapshotTables,
  latestSnapshots,
  listSnapshots,
  recordSnapshot,
} from './snapshots.ts';
export type { RecordOptions, SnapshotDiff, SnapshotSummary } from './snapshots.ts';
export { copyTemplates, listTemplates, TEMPLATES_DIR } from './templates.ts';
export { invalidateProjection } from './projection.ts';
export {
  consentFor,
  healthTagsOf,
  healthUse,
  HEALTH_TAG,
  NO_HEALTH_TAGS,
  sensitivityWarnings,
} from './sensitivity.ts';
export type { HealthRead, HealthTags, HealthUse } from './sensitivity.ts';
export { segmentTables, segmentTableName, SEGMENT_TABLE_PREFIX } from './materialise.ts';
export type { SegmentTablesOptions } from './materialise.ts';
