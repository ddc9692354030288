import { basename } from 'node:path';
import { z } from 'zod';
import { columnValues, type ColumnValues } from '../segments/columnValues.ts';
import type { SavedSegmentFile } from '../segments/savedSegment.ts';
import { saveSegment, type SaveSegmentRequest } from '../segments/segmentSave.ts';
import { listNameClash } from '../segments/segmentSet.ts';
import { withService } from '../service/withService.ts';
import type { WorkspaceService } from '../service/workspaceService.ts';
import {
  formatProblem,
  copyTemplates,
  describeColumn,
  listTemplates,
  OPERATORS_BY_KIND,
  parseSegmentDefinition,
  parseSegmentYaml,
  SegmentDefinitionError,
  type ColumnKind,
  type SegmentEngine,
  sensitivityWarnings,
  type Explanation,
  type LoadedSegment,
  type PreviewResult,
  type SegmentDefinition,
  type SegmentProblem,
  type SnapshotSummary,
} from '../segments/index.ts';
import { defineProcedure, type ApiContext } from './procedure.ts';
import { segmentSaveInputSchema, segmentValuesInputSchema } from './schemas/segments.ts';
import type { SegmentListWithHistory } from './schemas/segmentList.ts';
import { segmentListWithHistory } from './segmentStudioCalls.ts';

const workspaceInput = z.object({ workspace: z.string().optional() });

/** A segment to work on: a saved one (name) or a YAML file, or an unsaved definition (the editor). */
const targetInput = workspaceInput.extend({
  segment: z.string().min(1).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  yaml: z.string().optional(),
});
type TargetInput = z.infer<typeof targetInput>;

/**
 * Runs `fn` with the workspace's long-lived segment engine (its caches stay warm between calls). Previews, sizes
 * and explanations run user rules: they stop at the workspace's query deadline or when the call's signal aborts.
 */
async function withEngine<T>(
  workspace: string | undefined,
  ctx: ApiContext,
  fn: (engine: SegmentEngine, service: WorkspaceService) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  return withService(ctx.service, workspace, options.readOnly ? { readOnly: true } : {}, async (service) => {
    await service.segments.refresh();
    return fn(service.segments, service);
  });
}

const signalOf = (ctx: ApiContext) => (ctx.signal ? { signal: ctx.signal } : {});

async function resolveTarget(engine: SegmentEngine, input: TargetInput): Promise<LoadedSegment> {
  const given = [input.segment, input.definition, input.yaml].filter((v) => v !== undefined).length;
  if (given !== 1) throw new Error('give exactly one of segment (name or file), definition or yaml');
  if (input.definition) return parseSegmentDefinition(input.definition);
  if (input.yaml !== undefined) return parseSegmentYaml(input.yaml);
  return engine.resolve(input.segment!);
}

/** What the segment list page shows (segmentStudioCalls.ts), so `c360 segments list` and the page agree. */
export const listSegmentsProcedure = defineProcedure({
  name: 'segments.list',
  summary:
    'List the saved segments with their size, last published size, the change since, their Klaviyo list and size history',
  input: workspaceInput,
  async handler(input, ctx): Promise<SegmentListWithHistory> {
    return withEngine(input.workspace, ctx, (engine, service) =>
      segmentListWithHistory(service, engine, ctx.signal),
    );
  },
});

export const previewSegmentProcedure = defineProcedure({
  name: 'segments.preview',
  summary: 'Preview a segment: count, breakdowns, overlaps, funnel, sample and change since the last publish',
  input: targetInput.extend({
    breakdowns: z.array(z.string().min(1)).optional(),
    sample: z.number().int().min(0).max(1000).default(10),
    sampleColumns: z.array(z.string().min(1)).optional(),
    changes: z.boolean().default(true),
  }),
  async handler(input, ctx): Promise<PreviewResult> {
    return withEngine(input.workspace, ctx, async (engine) =>
      engine.preview(await resolveTarget(engine, input), {
        ...(input.breakdowns ? { breakdowns: input.breakdowns } : {}),
        sample: input.sample,
        ...(input.sampleColumns ? { sampleColumns: input.sampleColumns } : {}),
        changes: input.changes,
        ...signalOf(ctx),
      }),
    );
  },
});

export const explainSegmentProcedure = defineProcedure({
  name: 'segments.explain',
  summary: 'Explain which rules hold for a customer, and why they entered or left since the last publish',
  input: targetInput.extend({ customer: z.string().min(1, 'give a customer id or email') }),
  async handler(input, ctx): Promise<Explanation> {
    return withEngine(input.workspace, ctx, async (engine) =>
      engine.explain(await resolveTarget(engine, input), input.customer, signalOf(ctx)),
    );
  },
});

export interface ValidateResult {
  ok: boolean;
  segments: string[];
  problems: SegmentProblem[];
  warnings: string[];
}

export const validateSegmentsProcedure = defineProcedure({
  name: 'segments.validate',
  summary: 'Check every segment file against the schema and the columns of dim_customers',
  input: workspaceInput,
  async handler(input, ctx): Promise<ValidateResult> {
    return withEngine(input.workspace, ctx, async (engine) => ({
      ok: engine.problems.length === 0,
      segments: engine.segments.map((s) => s.definition.name),
      problems: engine.problems,
      warnings: [
        ...engine.segments.flatMap((s) => sensitivityWarnings(s, engine.set)),
        ...(await engine.hardCodedValues()).map(formatProblem),
      ],
    }));
  },
});

export const snapshotSegmentProcedure = defineProcedure({
  name: 'segments.snapshot',
  summary: 'Record the current membership of a segment as a published snapshot',
  input: workspaceInput.extend({ segment: z.string().min(1), note: z.string().optional() }),
  async handler(input, ctx): Promise<SnapshotSummary> {
    // A snapshot writes membership rows: it waits for the writer like every write job. It is computed from the
    // engine's working tables, so it runs on the engine's connection while the job holds the writer.
    return withEngine(input.workspace, ctx, (engine, service) =>
      service.write(
        'snapshot',
        () => engine.snapshot(input.segment, input.note ? { note: input.note } : {}),
        signalOf(ctx),
      ),
    );
  },
});

export const segmentHistoryProcedure = defineProcedure({
  name: 'segments.history',
  summary: 'List the snapshots of a segment, newest first, with who entered and left',
  input: workspaceInput.extend({ segment: z.string().min(1) }),
  async handler(input, ctx): Promise<SnapshotSummary[]> {
    return withEngine(input.workspace, ctx, (engine) => engine.history(input.segment));
  },
});

export interface InitSegmentsResult {
  dir: string;
  copied: string[];
  kept: string[];
}

export const initSegmentsProcedure = defineProcedure({
  name: 'segments.init',
  summary: "Copy the built-in segment templates into the workspace's segments/ folder",
  input: workspaceInput.extend({
    only: z.array(z.string().min(1)).default([]),
    overwrite: z.boolean().default(false),
  }),
  async handler(input, ctx): Promise<InitSegmentsResult> {
    // Segment files are files: copying them needs no job, only the workspace folder.
    return withService(ctx.service, input.workspace, { create: true }, async (service) => {
      const dir = service.segmentsDir;
      return { dir, ...(await copyTemplates(dir, { only: input.only, overwrite: input.overwrite })) };
    });
  },
});

export interface TemplateSummary {
  name: string;
  description: string;
  definition: SegmentDefinition;
}

export const listTemplatesProcedure = defineProcedure({
  name: 'segments.templates',
  summary: 'List the built-in segment templates',
  input: z.object({}),
  async handler(): Promise<TemplateSummary[]> {
    return (await listTemplates()).map((t) => ({
      name: t.definition.name,
      description: t.definition.description,
      definition: t.definition,
    }));
  },
});

export interface ColumnSummary {
  name: string;
  type: string;
  kind: ColumnKind;
  description: string;
  operators: string[];
  values?: (string | number | boolean)[];
}

/** The columns of the segment catalogue (dim_customers as the database describes it, with the model docs). */
export async function segmentColumns(service: WorkspaceService): Promise<ColumnSummary[]> {
  const engine = service.segments;
  await engine.refresh();
  return [...engine.catalogue.columns.values()].map((c) => ({
    name: c.name,
    type: c.type,
    kind: c.kind,
    description: c.description ?? describeColumn(c),
    operators: [...OPERATORS_BY_KIND[c.kind]],
    ...(c.values ? { values: c.values } : {}),
  }));
}

/** What one column holds, for the value pickers: a read on a pooled connection, within the query deadline. */
export async function segmentValues(
  service: WorkspaceService,
  column: string,
  signal?: AbortSignal,
): Promise<ColumnValues> {
  const engine = service.segments;
  await engine.refresh();
  const catalogue = engine.catalogue;
  return service.read((db) => columnValues(db, catalogue, column), signal ? { signal } : {});
}

/**
 * Saves a segment file in the workspace's segments folder after the engine checked it like a preview, then
 * reloads the engine's segments so the list and previews use the saved file.
 */
export async function saveSegmentOn(
  service: WorkspaceService,
  request: SaveSegmentRequest,
): Promise<SavedSegmentFile> {
  const engine = service.segments;
  await engine.refresh();
  const saved = await saveSegment(request, {
    dir: service.segmentsDir,
    check: async (loaded) => {
      await engine.check(loaded);
      // Two segments on one Klaviyo list would overwrite each other's members at every sync.
      const clash = listNameClash(loaded, engine.set.saved.values());
      if (clash) throw new SegmentDefinitionError([clash]);
    },
    fileOfName: (name) => {
      const file = engine.set.saved.get(name)?.file;
      return file ? basename(file) : undefined;
    },
  });
  // refresh() looks at the folder at most once a second: the saved file must count in the very next call.
  await engine.reload();
  return saved;
}

export const segmentColumnsProcedure = defineProcedure({
  name: 'segments.columns',
  summary: 'List the dim_customers columns rules can use, with their operators (for the rule builder)',
  input: workspaceInput,
  async handler(input, ctx): Promise<ColumnSummary[]> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      segmentColumns(service),
    );
  },
});

export const saveSegmentProcedure = defineProcedure({
  name: 'segments.save',
  summary:
    'Write a segment file, checked like a preview; a file changed on disk since it was read is a conflict (SEGMENT_CONFLICT)',
  input: z.intersection(workspaceInput, segmentSaveInputSchema),
  async handler({ workspace, ...request }, ctx): Promise<SavedSegmentFile> {
    return withService(ctx.service, workspace, {}, (service) => saveSegmentOn(service, request));
  },
});

export const segmentValuesProcedure = defineProcedure({
  name: 'segments.values',
  summary:
    'What a column holds (the value pickers): common values with counts, range and quantiles, date presets',
  input: workspaceInput.extend(segmentValuesInputSchema.shape),
  async handler(input, ctx): Promise<ColumnValues> {
    return withService(ctx.service, input.workspace, { readOnly: true }, (service) =>
      segmentValues(service, input.column, ctx.signal),
    );
  },
});
