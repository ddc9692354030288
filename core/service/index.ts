export {
  DEFAULT_READERS,
  WorkspaceService,
  WorkspaceServiceError,
  type ReadOptions,
  type ServiceOptions,
  type WriteJob,
} from './workspaceService.ts';
export { JOB_KINDS, JobCancelledError, type JobInfo, type JobKind } from './jobQueue.ts';
export { withService } from './withService.ts';
export { commandLine, type ServiceOwner } from './ownership.ts';
