import type { TaskInfo, WorkspaceService } from '../service/workspaceService.ts';
import { C360Error } from '../errors.ts';
import { runSync, type SyncHooks, type SyncOutcome, type SyncRequest } from './syncRunner.ts';

/** A second sync of a workspace while one runs: refused, nothing was planned or sent. */
export class SyncRunningError extends C360Error {
  override name = 'SyncRunningError';
  constructor(running: Pick<TaskInfo, 'startedAt'>) {
    super(
      'SYNC_RUNNING',
      `A sync of this workspace is already running (started ${running.startedAt}), so this one did not start. ` +
        'Wait for it to finish (`c360 runs` lists it) or cancel it, then sync again: the new sync starts from ' +
        'what the running one confirmed.',
      { details: { startedAt: running.startedAt } },
    );
  }
}

/**
 * A sync of the service's workspace (what `c360 sync` and the API's sync call both run). It runs as a service
 * task, outside the write queue on a connection of its own: it takes the writer for planning (one write job,
 * so the plan sees one published state) and then only for each batch's state, never while it waits on
 * Klaviyo. One sync per workspace at a time: a second one is refused (SyncRunningError) rather than queued, as
 * a queued sync would only repeat the running one's plan once it finished.
 */
export function syncOnService(
  service: Pick<WorkspaceService, 'task' | 'config' | 'dir' | 'projectDir'>,
  request: SyncRequest,
  hooks: Omit<SyncHooks, 'signal'> & { signal?: AbortSignal | undefined } = {},
): Promise<SyncOutcome> {
  const { signal, ...rest } = hooks;
  return service.task(
    'sync',
    (task) =>
      runSync(
        {
          db: task.db,
          config: service.config.sync,
          dir: service.dir,
          projectDir: service.projectDir,
          writer: (kind, work, options) => task.write(kind, work, options),
        },
        request,
        { ...rest, signal: task.signal },
      ),
    { ...(signal ? { signal } : {}), busy: (running) => new SyncRunningError(running) },
  );
}
