import { z } from 'zod';
import { resolve } from 'node:path';
import { withService } from '../service/withService.ts';
import { demoOptionsSchema, generateDemoShop, type DemoSummary } from '../demo/index.ts';
import { loadRawFiles, type LoadReport } from '../sources/loadFiles.ts';
import { rawTablesOf } from '../sources/rawTables.ts';
import { projectSources } from '../sources/sourceFile.ts';
import { defineProcedure } from './procedure.ts';

export const demoInput = demoOptionsSchema.extend({ workspace: z.string().optional() });

export const demoProcedure = defineProcedure({
  name: 'sources.demo',
  summary: 'Generate a deterministic demo shop into the raw tables of the workspace',
  input: demoInput,
  async handler(input, ctx): Promise<DemoSummary & { workspace: string }> {
    return withService(ctx.service, input.workspace, { create: true }, async (service) => {
      const summary = await service.write(
        'demo',
        (job) =>
          generateDemoShop(job.db, {
            customers: input.customers,
            seed: input.seed,
            asOf: input.asOf,
            dirtyShare: input.dirtyShare,
            onProgress: (event) =>
              ctx.onProgress?.({ procedure: 'sources.demo', message: event.stage, data: { ...event } }),
          }),
        ctx.signal ? { signal: ctx.signal } : {},
      );
      return { ...summary, workspace: service.dir };
    });
  },
});

export const loadInput = z.object({
  workspace: z.string().optional(),
  dir: z.string().min(1, 'give the folder that holds the files'),
  /** Load files that would otherwise be refused (too many rejected rows, or emptying their table). */
  force: z.boolean().optional(),
  /** Over the config's load.max_reject_share for this load. */
  maxRejectShare: z
    .number()
    .min(0, 'the share is between 0 and 1, e.g. 0.05 for 5 %')
    .max(1, 'the share is between 0 and 1, e.g. 0.05 for 5 %')
    .optional(),
});

export const loadProcedure = defineProcedure({
  name: 'sources.load',
  summary: 'Load raw tables from CSV, Parquet or JSON-lines files',
  input: loadInput,
  async handler(input, ctx): Promise<LoadReport> {
    return withService(ctx.service, input.workspace, { create: true }, (service) =>
      service.write(
        'load',
        (job) =>
          loadRawFiles(job.db, resolve(input.dir), {
            // the sources the workspace's models declare (a shop's own channels included)
            tables: rawTablesOf(projectSources(service.projectDir)),
            sources: service.config.sources,
            maxRejectShare: input.maxRejectShare ?? service.config.load.max_reject_share,
            force: input.force,
            onProgress: (event: unknown) =>
              ctx.onProgress?.({
                procedure: 'sources.load',
                message: 'load',
                data: event as Record<string, unknown>,
              }),
          }),
        ctx.signal ? { signal: ctx.signal } : {},
      ),
    );
  },
});
