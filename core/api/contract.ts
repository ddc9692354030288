import { eventIterator, oc } from '@orpc/contract';
import { buildEventSchema, buildInputSchema, buildResultSchema } from './schemas/build.ts';
import { workspaceInfoSchema } from './schemas/workspace.ts';

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
  models: {
    /** Builds the models (a write job); streams progress events and returns the build's summary. */
    build: oc.input(buildInputSchema).output(eventIterator(buildEventSchema, buildResultSchema)),
  },
};

export type Contract = typeof contract;
