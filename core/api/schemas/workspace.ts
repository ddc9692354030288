import { z } from 'zod';

/** The last recorded build of the workspace (c360.build_runs), or null before the first build. */
export const lastBuildSchema = z.object({
  runId: z.string(),
  finishedAt: z.string(),
  ok: z.boolean(),
  published: z.boolean(),
  seconds: z.number(),
});

export const workspaceInfoSchema = z.object({
  /** The workspace folder's name, never its full server path. */
  name: z.string(),
  databaseBytes: z.number().int().nonnegative(),
  lastBuild: lastBuildSchema.nullable(),
  /** The as-of date (YYYY-MM-DD) of the published data: the last published build's, null before one. */
  asOf: z.string().nullable(),
});

export type WorkspaceInfo = z.infer<typeof workspaceInfoSchema>;
export type LastBuild = z.infer<typeof lastBuildSchema>;
