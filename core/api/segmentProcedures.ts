import { join } from 'node:path';
import { z } from 'zod';
import { openWorkspace, type Workspace } from '../workspace/index.ts';
import {
  formatProblem,
  copyTemplates,
  describeColumn,
  listTemplates,
  OPERATORS_BY_KIND,
  parseSegmentDefinition,
  parseSegmentYaml,
  SEGMENTS_DIR,
  SegmentEngine,
  sensitivityWarnings,
  type Explanation,
  type LoadedSegment,
  type PreviewResult,
  type SegmentDefinition,
  type SegmentProblem,
  type SegmentSize,
  type SnapshotSummary,
} from '../segments/index.ts';
import { defineProcedure } from './procedure.ts';

const workspaceInput = z.object({ workspace: z.string().optional() });

/** A segment to work on: a saved one (name) or a YAML file, or an unsaved definition (the editor). */
const targetInput = workspaceInput.extend({
  segment: z.string().min(1).optional(),
  definition: z.record(z.string(), z.unknown()).optional(),
  yaml: z.string().optional(),
});
type TargetInput = z.infer<typeof targetInput>;

async function withEngine<T>(
  workspace: string | undefined,
  fn: (engine: SegmentEngine, ws: Workspace) => Promise<T>,
  options: { readOnly?: boolean } = {},
): Promise<T> {
  const ws = await openWorkspace(workspace, options.readOnly ? { readOnly: true } : {});
  try {
    // Previews, sizes and explanations run user rules: they stop at the workspace's query deadline.
    const engine = await SegmentEngine.open(ws.db, {
      segmentsDir: join(ws.dir, SEGMENTS_DIR),
      projectDir: ws.projectDir,
      queryTimeoutSeconds: ws.config.query_timeout_seconds,
    });
    return await fn(engine, ws);
  } finally {
    ws.close();
  }
}

async function resolveTarget(engine: SegmentEngine, input: TargetInput): Promise<LoadedSegment> {
  const given = [input.segment, input.definition, input.yaml].filter((v) => v !== undefined).length;
  if (given !== 1) throw new Error('give exactly one of segment (name or file), definition or yaml');
  if (input.definition) return parseSegmentDefinition(input.definition);
  if (input.yaml !== undefined) return parseSegmentYaml(input.yaml);
  return engine.resolve(input.segment!);
}

export interface SegmentListResult {
  segments: SegmentSize[];
  problems: SegmentProblem[];
}

export const listSegmentsProcedure = defineProcedure({
  name: 'segments.list',
  summary: 'List the saved segments with their size, last published size and the change since',
  input: workspaceInput,
  async handler(input): Promise<SegmentListResult> {
    return withEngine(input.workspace, async (engine) => ({
      segments: await engine.sizes(),
      problems: engine.problems,
    }));
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
  async handler(input): Promise<PreviewResult> {
    return withEngine(input.workspace, async (engine) =>
      engine.preview(await resolveTarget(engine, input), {
        ...(input.breakdowns ? { breakdowns: input.breakdowns } : {}),
        sample: input.sample,
        ...(input.sampleColumns ? { sampleColumns: input.sampleColumns } : {}),
        changes: input.changes,
      }),
    );
  },
});

export const explainSegmentProcedure = defineProcedure({
  name: 'segments.explain',
  summary: 'Explain which rules hold for a customer, and why they entered or left since the last publish',
  input: targetInput.extend({ customer: z.string().min(1, 'give a customer id or email') }),
  async handler(input): Promise<Explanation> {
    return withEngine(input.workspace, async (engine) =>
      engine.explain(await resolveTarget(engine, input), input.customer),
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
  async handler(input): Promise<ValidateResult> {
    return withEngine(input.workspace, async (engine) => ({
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
  async handler(input): Promise<SnapshotSummary> {
    return withEngine(input.workspace, (engine) =>
      engine.snapshot(input.segment, input.note ? { note: input.note } : {}),
    );
  },
});

export const segmentHistoryProcedure = defineProcedure({
  name: 'segments.history',
  summary: 'List the snapshots of a segment, newest first, with who entered and left',
  input: workspaceInput.extend({ segment: z.string().min(1) }),
  async handler(input): Promise<SnapshotSummary[]> {
    return withEngine(input.workspace, (engine) => engine.history(input.segment));
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
  async handler(input): Promise<InitSegmentsResult> {
    const ws = await openWorkspace(input.workspace, { create: true });
    try {
      const dir = join(ws.dir, SEGMENTS_DIR);
      return { dir, ...(await copyTemplates(dir, { only: input.only, overwrite: input.overwrite })) };
    } finally {
      ws.close();
    }
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
  kind: string;
  description: string;
  operators: readonly string[];
  values?: (string | number | boolean)[];
}

export const segmentColumnsProcedure = defineProcedure({
  name: 'segments.columns',
  summary: 'List the dim_customers columns rules can use, with their operators (for the rule builder)',
  input: workspaceInput,
  async handler(input): Promise<ColumnSummary[]> {
    return withEngine(
      input.workspace,
      async (engine) =>
        [...engine.catalogue.columns.values()].map((c) => ({
          name: c.name,
          type: c.type,
          kind: c.kind,
          description: c.description ?? describeColumn(c),
          operators: OPERATORS_BY_KIND[c.kind],
          ...(c.values ? { values: c.values } : {}),
        })),
      { readOnly: true },
    );
  },
});
