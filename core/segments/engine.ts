import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Database, JsonRow } from '../db/duckdb.ts';
import { DEFAULT_QUERY_TIMEOUT_SECONDS, deadline } from '../db/deadline.ts';
import { interruptible, stoppedError } from '../db/interrupt.ts';
import { DEFAULT_PROJECT_DIR, loadVarDeclarations, type Vars } from '../models/index.ts';
import { hardCodedVarProblems } from './varRefs.ts';
import { readCatalogue, SEGMENT_TABLE, type Catalogue } from './catalogue.ts';
import { holdoutParameters, SqlParams } from './compiler.ts';
import {
  SegmentDefinitionError,
  type LoadedSegment,
  type SegmentDefinition,
  type SegmentProblem,
} from './definition.ts';
import { loadSegmentFolder, parseSegmentYaml, segmentFolderSignature } from './segmentFiles.ts';
import {
  BASE_TABLE,
  bitTest,
  dataKey,
  DEFAULT_BREAKDOWNS,
  ensureBase,
  invalidateProjection,
} from './projection.ts';
import { listMemberSql, memberQuery, sampleMembers } from './members.ts';
import { computeFigures, preparePreview, type PreviewFigures } from './preview.ts';
import {
  checkExpertRules,
  compileInSet,
  crossSegmentProblems,
  prepareSegmentSet,
  type SegmentSet,
} from './segmentSet.ts';
import { explainCustomer, type Explanation } from './explain.ts';
import { sensitivityWarnings } from './sensitivity.ts';
import {
  diffSinceSnapshot,
  latestSnapshots,
  listSnapshots,
  recordSnapshot,
  type RecordOptions,
  type SnapshotDiff,
  type SnapshotSummary,
} from './snapshots.ts';
import { WorkingTables } from './workingTables.ts';

/**
 * The segment engine of one workspace: the saved segments (the `segments/` folder), the catalogue of
 * dim_customers and the preview working tables. Long-lived callers (the app) keep one and call `reload()` when
 * segment files change; every call checks cheaply whether a build replaced dim_customers.
 */
export interface EngineOptions {
  /** The workspace's `segments/` folder; omit to work with `segments` only. */
  segmentsDir?: string;
  /** Saved segments given directly (tests, or a caller that loaded them). */
  segments?: LoadedSegment[];
  /** Model project, for column documentation in messages. */
  projectDir?: string;
  /** Largest share of the customers a preview cube may have to be used (tests force cubes with 1). */
  maxCubeRatio?: number;
  /** Table of customers in schema main (default dim_customers; the build's own table while it publishes). */
  table?: string;
  /** A build in progress: its as_of and variables instead of those of the last published build. */
  build?: { asOf: string; vars: Vars };
  /**
   * Deadline of the interactive calls (preview, sizes, explain), after which their queries are interrupted with
   * a QueryTimeoutError (default 10 s; the workspace's `query_timeout_seconds`).
   */
  queryTimeoutSeconds?: number;
}

/** Lets the caller stop an interactive call early, e.g. when a newer preview of the same editor starts. */
export interface InteractiveOptions {
  signal?: AbortSignal;
}

export interface PreviewRequest extends InteractiveOptions {
  breakdowns?: string[];
  /** Members to show (0 = none). */
  sample?: number;
  sampleColumns?: string[];
  /** Compare with the last snapshot (publish) of the segment. */
  changes?: boolean;
  useCube?: boolean;
  /** Force (true) or forbid (false) computing as a delta of the previous edit; default: on the base only. */
  delta?: boolean;
}

export interface PreviewResult extends PreviewFigures {
  warnings: string[];
  sample?: { columns: string[]; rows: JsonRow[] };
  /** Since the last snapshot; null when the segment was never published. */
  changes?: SnapshotDiff | null;
}

export interface SegmentSize {
  name: string;
  description: string;
  file?: string;
  count: number;
  eligible: number;
  lastSnapshot: SnapshotSummary | null;
  /** count − members of the last snapshot. */
  delta: number | null;
}

const REFRESH_INTERVAL_MS = 1000;

interface EngineState {
  catalogue: Catalogue;
  set: SegmentSet;
  problems: SegmentProblem[];
  key: string;
  /** The segment files as they were when loaded (segmentFolderSignature). */
  files: string;
}

export class SegmentEngine {
  /** What the engine knows about its working tables (projection.ts) on `db`'s connection. */
  private readonly working: WorkingTables;
  private loaded: EngineState | undefined;
  /** Calls run one at a time: they share the connection, its temp tables and the working-table state. */
  private tail: Promise<unknown> = Promise.resolve();
  private checkedAt = 0;

  private constructor(
    readonly db: Database,
    private readonly options: EngineOptions,
  ) {
    this.working = new WorkingTables(db.connection);
  }

  /** An engine loaded now: throws when dim_customers is missing or unreadable. */
  static async open(db: Database, options: EngineOptions = {}): Promise<SegmentEngine> {
    const engine = new SegmentEngine(db, options);
    engine.loaded = await engine.load();
    return engine;
  }

  /**
   * An engine that loads on its first call (the workspace service opens one before anything is built): every
   * call loads it when needed; the getters (`catalogue`, `segments`, `problems`, `set`) need a `refresh()` first.
   */
  static deferred(db: Database, options: EngineOptions = {}): SegmentEngine {
    return new SegmentEngine(db, options);
  }

  private get state(): EngineState {
    if (!this.loaded)
      throw new Error(
        'the segment engine is not loaded yet: call `await engine.refresh()` before reading it',
      );
    return this.loaded;
  }

  /** Resolves when the calls asked for so far have finished (closing the connection waits for it). */
  async idle(): Promise<void> {
    await this.tail;
  }

  /** Runs one call after the calls before it (see `tail`). */
  private serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<EngineState> {
    const { db, options } = this;
    const catalogue = await readCatalogue(db, {
      ...(options.projectDir ? { projectDir: options.projectDir } : {}),
      ...(options.table ? { table: options.table, documentedAs: SEGMENT_TABLE } : {}),
      ...(options.build ? { build: options.build } : {}),
    });
    // read before the files, so an edit during the load is noticed by the next refresh
    const files = options.segmentsDir ? await segmentFolderSignature(options.segmentsDir) : '';
    const folder = options.segmentsDir
      ? await loadSegmentFolder(options.segmentsDir)
      : { segments: [], problems: [] };
    const loaded = [...(options.segments ?? []), ...folder.segments];
    const problems = [...folder.problems, ...crossSegmentProblems(loaded)];
    const broken = new Set(problems.map((p) => p.segment ?? '').filter(Boolean));
    // Expert rules and columns are checked per segment; a broken segment is left out, the others still work.
    const expert = await prepareSegmentSet(db, catalogue, []);
    const usable: LoadedSegment[] = [];
    for (const segment of loaded) {
      const sqlProblems = await checkExpertRules(db, catalogue, [segment], expert.expertSql);
      if (sqlProblems.length) {
        problems.push(...sqlProblems);
        continue;
      }
      if (!broken.has(segment.definition.name)) usable.push(segment);
    }
    const key = await dataKey(db, catalogue.table);
    const set: SegmentSet = {
      catalogue,
      saved: new Map(usable.map((s) => [s.definition.name, s])),
      expertSql: expert.expertSql,
      dataKey: key,
      working: this.working,
    };
    // A segment left out breaks the segments that read it: compile again until nothing more is left out.
    for (let changed = true; changed;) {
      changed = false;
      for (const segment of [...set.saved.values()]) {
        try {
          compileInSet(set, segment, { params: new SqlParams(), holdoutBucketSql: 'holdout_bucket' });
        } catch (error) {
          if (!(error instanceof SegmentDefinitionError)) throw error;
          problems.push(...error.problems);
          (set.saved as Map<string, LoadedSegment>).delete(segment.definition.name);
          changed = true;
        }
      }
    }
    return { catalogue, set, problems, key, files };
  }

  get catalogue(): Catalogue {
    return this.state.catalogue;
  }
  get segments(): LoadedSegment[] {
    return [...this.state.set.saved.values()];
  }
  /** Problems of the saved segments (broken ones are left out of previews and overlaps). */
  get problems(): SegmentProblem[] {
    return this.state.problems;
  }

  /** Re-reads the segment files and the catalogue (after editing segment files, or a build in this process). */
  reload(): Promise<void> {
    return this.serial(() => this.reloadNow());
  }

  private async reloadNow(): Promise<void> {
    if (this.loaded && (await dataKey(this.db, this.loaded.catalogue.table)) !== this.loaded.key)
      await invalidateProjection(this.db, this.working);
    this.loaded = await this.load();
    this.checkedAt = Date.now();
  }

  /**
   * Loads the engine when it is not loaded yet, and reloads it when a build replaced dim_customers (a new table
   * object) or a segment file was saved, added or removed (the app and `c360 web` keep one engine for hours while
   * the user edits files). Checked at most once a second while previews run back to back; a caller that just ran
   * a build in this process calls `reload()`.
   */
  refresh(): Promise<void> {
    return this.serial(() => this.refreshNow());
  }

  private async refreshNow(): Promise<void> {
    if (!this.loaded) return this.reloadNow();
    const now = Date.now();
    if (now - this.checkedAt < REFRESH_INTERVAL_MS) return;
    this.checkedAt = now;
    if ((await dataKey(this.db, this.loaded.catalogue.table)) !== this.loaded.key) return this.reloadNow();
    if (
      this.options.segmentsDir &&
      (await segmentFolderSignature(this.options.segmentsDir)) !== this.loaded.files
    )
      await this.reloadNow();
  }

  /**
   * The data may have changed (a write job of this process finished): the next call checks whether
   * dim_customers was replaced instead of waiting for the once-a-second check.
   */
  recheck(): void {
    this.checkedAt = 0;
  }

  /** Drops the engine's working tables (an engine over a build's table, done with it). */
  release(): Promise<void> {
    return this.serial(() => invalidateProjection(this.db, this.working));
  }

  /** A saved segment by name, or a YAML file (an unsaved or edited segment). */
  async resolve(nameOrFile: string): Promise<LoadedSegment> {
    if (!this.loaded) await this.refresh();
    const saved = this.state.set.saved.get(nameOrFile);
    if (saved) return saved;
    const broken = this.state.problems.filter((p) => p.segment === nameOrFile);
    if (broken.length) throw new SegmentDefinitionError(broken);
    const path = resolve(nameOrFile);
    if (/\.ya?ml$/i.test(nameOrFile) && (await stat(path).catch(() => null))?.isFile())
      return parseSegmentYaml(await readFile(path, 'utf8'), path);
    const known = [...this.state.set.saved.keys()];
    throw new SegmentDefinitionError([
      {
        segment: nameOrFile,
        path: '',
        message: `no segment or YAML file '${nameOrFile}'; saved segments: ${known.join(', ') || 'none (run `c360 segments init`)'}`,
      },
    ]);
  }

  /** Checks a (possibly unsaved) definition fully: columns, values, expert rules, exclusions. */
  check(target: LoadedSegment): Promise<void> {
    return this.serial(() => this.checkNow(target));
  }

  private async checkNow(target: LoadedSegment): Promise<void> {
    const problems = await checkExpertRules(
      this.db,
      this.state.catalogue,
      [target],
      this.state.set.expertSql,
    );
    if (problems.length) throw new SegmentDefinitionError(problems);
    compileInSet(this.state.set, target, { params: new SqlParams(), holdoutBucketSql: 'holdout_bucket' });
  }

  private breakdowns(requested: string[] | undefined): string[] {
    if (!requested) return DEFAULT_BREAKDOWNS.filter((c) => this.state.catalogue.columns.has(c));
    const unknown = requested.filter((c) => !this.state.catalogue.columns.has(c));
    if (unknown.length)
      throw new SegmentDefinitionError(
        unknown.map((c) => ({
          path: 'breakdowns',
          message: `'${c}' is not a column of ${this.state.catalogue.table}`,
        })),
      );
    return requested;
  }

  preview(target: LoadedSegment, request: PreviewRequest = {}): Promise<PreviewResult> {
    return this.serial(() => this.previewNow(target, request));
  }

  private async previewNow(target: LoadedSegment, request: PreviewRequest): Promise<PreviewResult> {
    if (request.signal?.aborted) throw stoppedError(request.signal);
    await this.refreshNow();
    await this.checkNow(target);
    const { set } = this.state;
    const breakdowns = this.breakdowns(request.breakdowns);
    const options = {
      breakdowns,
      ...(request.useCube === false ? { useCube: false } : {}),
      ...(request.delta !== undefined ? { delta: request.delta } : {}),
      ...(this.options.maxCubeRatio !== undefined ? { maxCubeRatio: this.options.maxCubeRatio } : {}),
    };
    const db = this.interactive(request, `preview of segment '${target.definition.name}'`);
    const prepared = await preparePreview(db, set, target, options);
    const figures = await computeFigures(db, set, prepared, options);
    const result: PreviewResult = { ...figures, warnings: sensitivityWarnings(target, set) };
    if (request.sample) {
      const columns = request.sampleColumns ?? [
        'customer_id',
        'email',
        'first_name',
        'last_name',
        ...target.definition.properties,
        ...prepared.compiled.columns.filter((c) => c !== 'is_marketable'),
      ];
      result.sample = await sampleMembers(db, set, target, {
        size: request.sample,
        columns: [...new Set(columns)],
      });
    }
    if (request.changes) result.changes = await diffSinceSnapshot(db, set, target);
    return result;
  }

  /**
   * The connection for one interactive call: its queries are interrupted at the engine's deadline or when the
   * caller's signal aborts.
   */
  private interactive(options: InteractiveOptions, during: string): Database {
    const seconds = this.options.queryTimeoutSeconds ?? DEFAULT_QUERY_TIMEOUT_SECONDS;
    return interruptible(this.db, deadline(seconds, options.signal, during));
  }

  /** Size of every saved segment now, next to its last snapshot. */
  sizes(options: InteractiveOptions = {}): Promise<SegmentSize[]> {
    return this.serial(() => this.sizesNow(options));
  }

  private async sizesNow(options: InteractiveOptions): Promise<SegmentSize[]> {
    if (options.signal?.aborted) throw stoppedError(options.signal);
    await this.refreshNow();
    const { set } = this.state;
    const db = this.interactive(options, 'segment sizes');
    const segments = [...set.saved.values()].sort((a, b) =>
      a.definition.name.localeCompare(b.definition.name),
    );
    const base = await ensureBase(db, set, []);
    const counts = segments.map((s, i) => {
      const bit = base.segments.get(s.definition.name)!;
      const holdout = s.definition.holdout_percent > 0 ? holdoutParameters(s.definition) : undefined;
      // Offset and threshold are integers from holdoutParameters.
      const kept = holdout ? ` and (holdout_bucket + ${holdout.offset}) % 10000 >= ${holdout.threshold}` : '';
      return `count(*) filter (where ${bitTest(bit)}${kept}) as c${i}`;
    });
    const [row] = segments.length
      ? await db.queryJs(`select ${counts.join(', ')} from temp.${BASE_TABLE}`)
      : [{}];
    const snapshots = await latestSnapshots(db);
    return segments.map((s, i) => {
      const count = Number(row?.[`c${i}`] ?? 0);
      const last = snapshots.get(s.definition.name) ?? null;
      return {
        name: s.definition.name,
        description: s.definition.description,
        ...(s.file ? { file: s.file } : {}),
        count,
        eligible: base.segments.get(s.definition.name)!.size,
        lastSnapshot: last,
        delta: last ? count - last.memberCount : null,
      };
    });
  }

  get set(): SegmentSet {
    return this.state.set;
  }

  explain(target: LoadedSegment, customer: string, options: InteractiveOptions = {}): Promise<Explanation> {
    return this.serial(async () => {
      if (options.signal?.aborted) throw stoppedError(options.signal);
      await this.refreshNow();
      await this.checkNow(target);
      const db = this.interactive(options, `explanation of segment '${target.definition.name}'`);
      return explainCustomer(db, this.state.set, target, customer);
    });
  }

  /**
   * Records the current membership of a saved segment (the Klaviyo list sync calls this after a successful
   * publish; `c360 segments snapshot` until then).
   */
  snapshot(name: string, options: RecordOptions = {}): Promise<SnapshotSummary> {
    return this.serial(() => this.snapshotNow(name, options));
  }

  private async snapshotNow(name: string, options: RecordOptions): Promise<SnapshotSummary> {
    await this.refreshNow();
    const target = this.state.set.saved.get(name);
    if (!target) {
      await this.resolve(name); // throws with the problems of a broken or unknown segment
      throw new SegmentDefinitionError([
        {
          segment: name,
          path: '',
          message: 'only saved segments (files in segments/) are published and snapshotted',
        },
      ]);
    }
    return recordSnapshot(this.db, this.state.set, target, options);
  }

  /**
   * The current membership of a saved segment as SQL over temp tables of this connection (customer_id,
   * is_holdout): what the list sync publishes.
   */
  memberSql(name: string): Promise<{ sql: string; values: unknown[]; definition: SegmentDefinition }> {
    return this.serial(() => this.memberSqlNow(name));
  }

  private async memberSqlNow(
    name: string,
  ): Promise<{ sql: string; values: unknown[]; definition: SegmentDefinition }> {
    await this.refreshNow();
    const target = this.state.set.saved.get(name);
    if (!target) {
      await this.resolve(name);
      throw new SegmentDefinitionError([
        { segment: name, path: '', message: 'only saved segments (files in segments/) are published' },
      ]);
    }
    const query = await memberQuery(this.db, this.state.set, target);
    return { sql: query.sql, values: query.params.values, definition: target.definition };
  }

  /**
   * The members of a saved segment as they go to its Klaviyo list and its `seg_<name>` table: customer_id,
   * email (trimmed, lower-case), is_holdout and the segment's `properties:`. The one membership function of
   * the build (materialise.ts) and the list sync (listPlan.ts).
   */
  listMembers(name: string): Promise<{ sql: string; values: unknown[]; definition: SegmentDefinition }> {
    return this.serial(async () => {
      const members = await this.memberSqlNow(name);
      return { ...members, sql: listMemberSql(members.sql, this.state.catalogue, members.definition) };
    });
  }

  /**
   * Rules that repeat a model variable as a number (`days_since_last_order >= 60` where winback_early_days is
   * 60): warnings with the fix `value: {var: name}` (templates copied by older versions).
   */
  async hardCodedValues(): Promise<SegmentProblem[]> {
    const declarations = await loadVarDeclarations(this.options.projectDir ?? DEFAULT_PROJECT_DIR);
    if (!declarations) return [];
    return this.segments.flatMap((s) => hardCodedVarProblems(s, declarations, this.state.catalogue.vars));
  }

  history(name: string): Promise<SnapshotSummary[]> {
    return this.serial(() => listSnapshots(this.db, name));
  }

  /**
   * Runs one of the editor's insights (what-if diff, breakdown, priority simulation, member page; the
   * core/segments modules that compute them take the connection and the set) on a checked definition, like a
   * preview: after the calls before it, interrupted at the deadline or when the caller's signal aborts.
   */
  inspect<T>(
    target: LoadedSegment,
    during: string,
    options: InteractiveOptions,
    work: (db: Database, set: SegmentSet) => Promise<T>,
  ): Promise<T> {
    return this.serial(async () => {
      if (options.signal?.aborted) throw stoppedError(options.signal);
      await this.refreshNow();
      await this.checkNow(target);
      const db = this.interactive(options, `${during} of segment '${target.definition.name}'`);
      return work(db, this.state.set);
    });
  }

  /**
   * Loads the segments and builds the working tables (projection.ts) before the first call, with no time limit:
   * on 1M customers that takes seconds (more on a busy machine), and a first preview that paid for it could run
   * into the interactive limit. Calls made meanwhile wait for it (calls run one at a time) and then take their
   * usual time. A workspace whose models are not built yet fails here quietly: its first call says so.
   */
  warm(signal?: AbortSignal): Promise<void> {
    return this.serial(async () => {
      if (signal?.aborted) return;
      await this.refreshNow();
      await ensureBase(signal ? interruptible(this.db, signal) : this.db, this.state.set, []);
    }).catch(() => undefined);
  }
}
