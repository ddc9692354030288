import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Database } from '../db/duckdb.ts';
import { deadline } from '../db/deadline.ts';
import { interruptible, QueryCancelledError, stoppedError } from '../db/interrupt.ts';
import { C360Error } from '../errors.ts';
import { SegmentEngine } from '../segments/engine.ts';
import { SEGMENTS_DIR } from '../segments/segmentFiles.ts';
import type { WorkspaceConfig } from '../workspace/config.ts';
import { migrateWorkspaceSchema } from '../workspace/schema.ts';
import { openWorkspace, resolveWorkspaceDir, type Workspace } from '../workspace/workspace.ts';
import type { LockOptions, WorkspaceLock } from '../workspace/lock.ts';
import { JobQueue, type JobInfo, type JobKind } from './jobQueue.ts';
import { claimWorkspace, type ServiceOwner } from './ownership.ts';
import { ReaderPool } from './readerPool.ts';

export const DEFAULT_READERS = 2;

export interface ServiceOptions {
  /** Reader connections for `read()` (default 2). */
  readers?: number;
  /** Open the database read-only (DuckDB's access mode): `write()` is refused, the schema is not migrated. */
  readOnly?: boolean;
  /** Create the folder and a commented config when missing (demo, load). */
  create?: boolean;
  /**
   * Who this process is, recorded in the workspace lock a writable open takes (default: kind 'cli' with this
   * process's command line). A second process reads it to route its call here or to say who holds the workspace.
   */
  owner?: ServiceOwner;
  /** Lock timings (tests). */
  lock?: LockOptions;
}

export interface ReadOptions {
  signal?: AbortSignal;
  /** Deadline of this read; default the workspace's `query_timeout_seconds`; 0 = none (exports, jobs). */
  timeoutSeconds?: number;
}

export interface WriteJob {
  /**
   * The writer connection. Statements that should stop when the job is cancelled run on
   * `interruptible(job.db, job.signal)`; clean-up (dropping half-made tables, recording the run) runs on `job.db`
   * itself. The job may open more connections from it (`job.db.connect()`), e.g. the build's workers.
   */
  db: Database;
  signal: AbortSignal;
  id: string;
}

/** Work that runs outside the write queue and takes the writer per piece: a sync (see `task`). */
export const TASK_KINDS = ['sync'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

export interface TaskInfo {
  id: string;
  kind: TaskKind;
  startedAt: string;
}

export interface Task {
  id: string;
  /**
   * A connection of the task's own, closed when the task ends: its temp tables and its reads. It is not the
   * writer: the task changes workspace tables only inside `write`.
   */
  db: Database;
  /** Aborted by the caller's signal or when the workspace closes; the task decides how to stop. */
  signal: AbortSignal;
  /**
   * Runs `work` while the task holds the writer: a write job of its own in the FIFO queue (so a build or load
   * queued meanwhile runs between two of the task's jobs). `work` writes on the task's connection `db` (its
   * temp tables are there); the writer connection stays idle meanwhile, so there is still one writer at a
   * time. Without `options.signal` the job runs even after the task's signal aborted, also while the workspace
   * closes: a cancelled sync still records what Klaviyo answered to the calls it had sent.
   */
  write<T>(kind: JobKind, work: () => Promise<T>, options?: { signal?: AbortSignal }): Promise<T>;
}

export interface TaskOptions {
  signal?: AbortSignal;
  /** The error for a second task of the same kind while one runs (one sync per workspace at a time). */
  busy: (running: TaskInfo) => Error;
}

/** A call the service cannot take: the workspace is closed, or open read-only in this process. */
export class WorkspaceServiceError extends C360Error {
  override name = 'WorkspaceServiceError';
  declare readonly code: 'WORKSPACE_CLOSED' | 'WORKSPACE_READ_ONLY';
  constructor(code: 'WORKSPACE_CLOSED' | 'WORKSPACE_READ_ONLY', message: string) {
    super(code, message);
  }
}

/**
 * The services open in this process, by workspace folder. DuckDB wants one instance per database file and
 * process (two instances of one file in one process fight over its lock and caches), so a second `open` of the
 * same folder gets the same service; each `open` is paired with a `close`, and the last `close` closes it.
 */
const openServices = new Map<string, { service: Promise<WorkspaceService>; opens: number }>();

/**
 * One open workspace: one DuckDB instance for the process, a writer owned by a FIFO job queue (one write job at
 * a time: build, load, demo, snapshot, sync), a small pool of reader connections for interactive reads, and the
 * segment engine with its working tables on a connection of its own. API handlers borrow it from their call
 * context; nothing opens a database of its own.
 *
 * Readers see committed data only: a build writes `*__c360_build` tables and renames them in one transaction,
 * so a read during a build sees the published tables until the build publishes.
 */
export class WorkspaceService {
  readonly dir: string;
  /** c360.config.yaml as read at open, or as last saved from the Settings page (`useConfig`). */
  get config(): WorkspaceConfig {
    return this.currentConfig;
  }
  private currentConfig: WorkspaceConfig;
  /** The sql/ model project. */
  readonly projectDir: string;
  readonly segmentsDir: string;
  readonly readOnly: boolean;
  /**
   * The segment engine, long-lived: its caches are fields. It has a connection of its own (its working tables
   * are temp tables of that connection) and runs one call at a time; previews, sizes and explanations stop at
   * the workspace's query deadline or when their signal aborts. It loads on its first call, so a workspace with
   * nothing built yet opens fine.
   */
  readonly segments: SegmentEngine;

  private readonly jobs = new JobQueue();
  /** Tasks running now (at most one per kind); closing waits for them before it closes the writer. */
  private readonly tasks = new Map<TaskKind, { info: TaskInfo; done: Promise<unknown> }>();
  /** Reads running now, so that closing waits for them before it closes their connections. */
  private readonly reading = new Set<Promise<unknown>>();
  private readonly closing = new AbortController();
  private closed = false;

  private constructor(
    private readonly workspace: Workspace,
    private readonly readers: ReaderPool,
    private readonly engineDb: Database,
    readOnly: boolean,
    /** The cross-process workspace lock of a writable open; released by the last close. */
    readonly lock: WorkspaceLock | undefined,
  ) {
    this.dir = workspace.dir;
    this.currentConfig = workspace.config;
    this.projectDir = workspace.projectDir;
    this.segmentsDir = join(workspace.dir, SEGMENTS_DIR);
    this.readOnly = readOnly;
    this.segments = SegmentEngine.deferred(engineDb, {
      segmentsDir: this.segmentsDir,
      projectDir: this.projectDir,
      queryTimeoutSeconds: this.config.query_timeout_seconds,
    });
  }

  /**
   * Opens the workspace in `dir` (default: $C360_WORKSPACE or ./workspace), or returns the service this process
   * already has for it. Opening for writing takes the workspace lock (core/workspace/lock.ts) and brings the c360
   * schema up to date (core/workspace/schema.ts). Throws WORKSPACE_LOCKED, naming the holder and what to do,
   * when another live process holds the workspace (a read-only open takes no lock but is refused too: DuckDB
   * keeps readers out while a writer has the file open).
   */
  static async open(dir?: string, options: ServiceOptions = {}): Promise<WorkspaceService> {
    const resolved = resolveWorkspaceDir(dir);
    const known = openServices.get(resolved);
    if (known) {
      known.opens += 1;
      const service = await known.service.catch((error: unknown) => {
        known.opens -= 1;
        throw error;
      });
      if (service.readOnly && !options.readOnly) {
        await service.close();
        throw new WorkspaceServiceError(
          'WORKSPACE_READ_ONLY',
          `The workspace ${resolved} is open read-only in this process, so it cannot be changed now. ` +
            'Finish the read-only work (or close the window that shows it) and try again.',
        );
      }
      return service;
    }
    const entry = { service: WorkspaceService.create(resolved, options), opens: 1 };
    openServices.set(resolved, entry);
    try {
      return await entry.service;
    } catch (error) {
      openServices.delete(resolved);
      throw error;
    }
  }

  private static async create(dir: string, options: ServiceOptions): Promise<WorkspaceService> {
    const readOnly = options.readOnly === true;
    const lock = await claimWorkspace(dir, {
      readOnly,
      create: options.create === true,
      ...(options.owner ? { owner: options.owner } : {}),
      ...(options.lock ? { lock: options.lock } : {}),
    });
    let workspace: Workspace;
    try {
      workspace = await openWorkspace(dir, { ...(options.create ? { create: true } : {}), readOnly });
    } catch (error) {
      await lock?.release();
      throw error;
    }
    const opened: Database[] = [];
    try {
      if (!readOnly) await migrateWorkspaceSchema(workspace.db);
      const count = Math.max(1, Math.floor(options.readers ?? DEFAULT_READERS));
      for (let i = 0; i < count; i++) opened.push(await workspace.db.connect());
      const engineDb = await workspace.db.connect();
      opened.push(engineDb);
      return new WorkspaceService(
        workspace,
        new ReaderPool(opened.slice(0, count)),
        engineDb,
        readOnly,
        lock,
      );
    } catch (error) {
      for (const db of opened) db.close();
      workspace.close();
      await lock?.release();
      throw error;
    }
  }

  /**
   * Read-only work on a pooled reader connection, interrupted when `signal` aborts or the deadline passes
   * (config `query_timeout_seconds`, default 10 s; `timeoutSeconds: 0` = none). Rejects with QueryCancelledError
   * (code QUERY_CANCELLED) or QueryTimeoutError (code QUERY_TIMEOUT). `work` gets the connection wrapped so that
   * each statement is interrupted, and the signal to pass on (e.g. to the segment engine).
   */
  async read<T>(
    work: (db: Database, signal: AbortSignal) => Promise<T>,
    options: ReadOptions = {},
  ): Promise<T> {
    this.assertOpen();
    // A signal of this read's own (never the long-lived closing signal itself): listeners the deadline and the
    // work add to it go away with it.
    const parent = AbortSignal.any([this.closing.signal, ...(options.signal ? [options.signal] : [])]);
    const seconds = options.timeoutSeconds ?? this.config.query_timeout_seconds;
    const signal = seconds > 0 ? deadline(seconds, parent) : parent;
    const running = this.readOn(work, signal);
    this.reading.add(running);
    try {
      return await running;
    } finally {
      this.reading.delete(running);
    }
  }

  private async readOn<T>(
    work: (db: Database, signal: AbortSignal) => Promise<T>,
    signal: AbortSignal,
  ): Promise<T> {
    const db = await this.readers.acquire(signal);
    try {
      return await work(interruptible(db, signal), signal);
    } catch (error) {
      // Work that caught the interrupt and threw something else still reports why it stopped.
      if (signal.aborted && !(error instanceof QueryCancelledError)) throw stoppedError(signal);
      throw error;
    } finally {
      this.readers.release(db);
    }
  }

  /** One write job at a time (build, load, snapshot, demo, sync), queued FIFO. */
  async write<T>(
    kind: JobKind,
    work: (job: WriteJob) => Promise<T>,
    options: { signal?: AbortSignal } = {},
  ): Promise<T> {
    this.assertOpen();
    // Closing aborts a running build or load at once (a task's own write jobs are not tied to it).
    const signal = AbortSignal.any([this.closing.signal, ...(options.signal ? [options.signal] : [])]);
    return this.enqueue(kind, (job) => work({ db: this.workspace.db, ...job }), signal);
  }

  private async enqueue<T>(
    kind: JobKind,
    work: (job: { id: string; signal: AbortSignal }) => Promise<T>,
    signal: AbortSignal | undefined,
  ): Promise<T> {
    this.assertWritable(kind);
    // The heartbeat found the lock taken over (the holder hung past the stale time): another process may write.
    if (this.lock?.compromised) throw this.lock.compromised;
    return this.jobs.add(
      kind,
      async (job) => {
        try {
          return await work(job);
        } finally {
          // A build (or load) may have replaced dim_customers: previews check at once, not within a second.
          this.segments.recheck();
        }
      },
      signal,
    );
  }

  /**
   * Long work that spends most of its time waiting on something else (a sync waits on Klaviyo's rate limits)
   * runs outside the write queue on a connection of its own, and takes the writer only for short write jobs
   * (`task.write`). One task per kind at a time: a second one is refused with `options.busy`'s error.
   * Closing the workspace aborts the task's signal and waits for the task (its write jobs still run) before it
   * closes the writer.
   */
  async task<T>(kind: TaskKind, work: (task: Task) => Promise<T>, options: TaskOptions): Promise<T> {
    this.assertOpen();
    this.assertWritable(kind);
    const running = this.tasks.get(kind);
    if (running) throw options.busy({ ...running.info });
    const info: TaskInfo = { id: randomUUID(), kind, startedAt: new Date().toISOString() };
    const signal = AbortSignal.any([this.closing.signal, ...(options.signal ? [options.signal] : [])]);
    const done = (async () => {
      const db = await this.workspace.db.connect();
      try {
        return await work({
          id: info.id,
          db,
          signal,
          write: (jobKind, jobWork, jobOptions = {}) =>
            this.enqueue(jobKind, () => jobWork(), jobOptions.signal),
        });
      } finally {
        db.close();
      }
    })();
    this.tasks.set(kind, { info, done });
    try {
      return await done;
    } finally {
      this.tasks.delete(kind);
    }
  }

  /**
   * The config was saved (Settings, inside a write job): later calls use it. What the open database and the
   * segment engine took at open (threads, memory limit, query deadline, models folder) applies from the next open.
   */
  useConfig(config: WorkspaceConfig): void {
    this.currentConfig = config;
  }

  /** The task of this kind running now, if any. */
  currentTask(kind: TaskKind): TaskInfo | undefined {
    const running = this.tasks.get(kind);
    return running ? { ...running.info } : undefined;
  }

  /** The write job holding the writer now, if any. */
  currentJob(): JobInfo | undefined {
    return this.jobs.current();
  }

  /**
   * Pairs with one `open`. The last close aborts the queued and running jobs and the running reads, waits for
   * them to stop, closes the connections and the database, and releases the workspace lock.
   */
  async close(): Promise<void> {
    const entry = openServices.get(this.dir);
    if (entry && (await entry.service) === this) {
      entry.opens -= 1;
      if (entry.opens > 0) return;
      openServices.delete(this.dir);
    }
    if (this.closed) return;
    this.closed = true;
    this.closing.abort(new Error('the workspace was closed'));
    this.engineDb.connection.interrupt();
    // A task (a sync) stops starting new work and records what it had sent: its write jobs still run.
    await Promise.allSettled([...this.tasks.values()].map((t) => t.done));
    await Promise.all([
      this.jobs.close('the workspace was closed'),
      Promise.allSettled([...this.reading]),
      this.segments.idle(),
    ]);
    this.readers.close();
    this.engineDb.close();
    this.workspace.close();
    // Only once DuckDB has let go of the file: the next holder opens it at once.
    await this.lock?.release();
  }

  private assertWritable(kind: JobKind | TaskKind): void {
    if (this.readOnly)
      throw new WorkspaceServiceError(
        'WORKSPACE_READ_ONLY',
        `The workspace ${this.dir} is open read-only, so the ${kind} cannot run. Open it for writing ` +
          '(close other c360 commands or the app that hold it) and try again.',
      );
  }

  private assertOpen(): void {
    if (this.closed)
      throw new WorkspaceServiceError(
        'WORKSPACE_CLOSED',
        `The workspace ${this.dir} was closed; open it again to continue.`,
      );
  }
}
