import type { Database } from '../db/duckdb.ts';
import type { SegmentEngine } from '../segments/engine.ts';
import type { WorkspaceConfig } from '../workspace/config.ts';

/** Kinds of write jobs the service queues one at a time (design15.md, WorkspaceService.write). */
export type JobKind = 'build' | 'load' | 'snapshot' | 'demo' | 'sync-state' | (string & {});

/**
 * The part of design15.md's `WorkspaceService` (core/service/workspaceService.ts, written on branch wt-service)
 * that the router uses. Declared here until that branch is merged so the transports can be built and tested
 * now; the real service satisfies it structurally, and then `ApiContext.service` becomes `WorkspaceService`.
 */
export interface ServiceLike {
  /** Absolute workspace folder. */
  readonly dir: string;
  readonly config: Pick<WorkspaceConfig, 'vars'>;
  /** The sql/ model project. */
  readonly projectDir: string;
  /** The workspace's segments/ folder. */
  readonly segmentsDir: string;
  /**
   * The long-lived segment engine (WorkspaceService.segments); optional here so a service without one still
   * serves everything but the profile's segment memberships and the segments calls.
   */
  readonly segments?: Pick<
    SegmentEngine,
    'refresh' | 'set' | 'problems' | 'resolve' | 'sizes' | 'preview' | 'explain'
  >;
  /** Read-only work on a reader connection, interrupted when `signal` aborts or the deadline passes. */
  read<T>(
    work: (db: Database, signal: AbortSignal) => Promise<T>,
    options?: { signal?: AbortSignal; timeoutSeconds?: number },
  ): Promise<T>;
  /** One write job at a time, queued first in, first out. */
  write<T>(
    kind: JobKind,
    work: (job: { db: Database; signal: AbortSignal; id: string }) => Promise<T>,
    options?: { signal?: AbortSignal },
  ): Promise<T>;
}

/** What every API handler gets in its oRPC context, whichever transport carried the call. */
export interface ApiContext {
  service: ServiceLike;
}
