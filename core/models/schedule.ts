/**
 * Runs the nodes of a DAG on a fixed number of workers: a node starts once every dependency it has in the
 * selection has finished, and of the ready nodes the one with the longest remaining path (by the previous
 * build's durations) goes first, so the long chain (orders → identity → metrics → dim_customers) never waits
 * behind short side branches. DuckDB already runs each query on every core, but parts of a query (window
 * sorts, the final write) use one; a second model fills that idle core.
 */
export interface ScheduleOptions {
  /** Nodes to run, in a dependency order. */
  order: string[];
  upstream: Map<string, string[]>;
  /** Expected seconds per node (e.g. the last build's); unknown nodes count 1. */
  expectedSeconds?: Map<string, number>;
  workers: number;
  /** Runs one node on worker `worker`; resolves true when it succeeded. */
  run(name: string, worker: number): Promise<boolean>;
  /** A node whose dependency failed: reported, never run. */
  skip(name: string, failedDependencies: string[]): void;
  /** Checked before each node starts; when true, nothing new starts. */
  stop?(): boolean;
}

export async function runScheduled(options: ScheduleOptions): Promise<{ stopped: boolean }> {
  const { order, upstream } = options;
  const position = new Map(order.map((name, i) => [name, i]));
  const deps = new Map(
    order.map((name) => [name, (upstream.get(name) ?? []).filter((d) => position.has(d))]),
  );
  const downstream = new Map<string, string[]>(order.map((name) => [name, []]));
  for (const [name, list] of deps) for (const dep of list) downstream.get(dep)!.push(name);
  const remainingPath = new Map<string, number>();
  for (const name of [...order].reverse()) {
    const own = options.expectedSeconds?.get(name) ?? 1;
    remainingPath.set(name, own + Math.max(0, ...downstream.get(name)!.map((d) => remainingPath.get(d)!)));
  }

  const waitingOn = new Map(order.map((name) => [name, deps.get(name)!.length]));
  const failed = new Set<string>();
  const ready: string[] = order.filter((name) => waitingOn.get(name) === 0);
  const idleWorkers = Array.from({ length: Math.max(1, options.workers) }, (_, i) => i);
  const running = new Map<string, Promise<void>>();
  let stopped = false;

  const finish = (name: string, ok: boolean): void => {
    if (!ok) failed.add(name);
    for (const next of downstream.get(name)!) {
      const left = waitingOn.get(next)! - 1;
      waitingOn.set(next, left);
      if (left > 0) continue;
      const blockedBy = deps.get(next)!.filter((d) => failed.has(d));
      if (blockedBy.length) {
        options.skip(next, blockedBy);
        finish(next, false);
      } else ready.push(next);
    }
  };

  while (ready.length || running.size) {
    while (ready.length && idleWorkers.length && !stopped) {
      if (options.stop?.()) {
        stopped = true;
        break;
      }
      ready.sort(
        (a, b) => remainingPath.get(b)! - remainingPath.get(a)! || position.get(a)! - position.get(b)!,
      );
      const name = ready.shift()!;
      const worker = idleWorkers.shift()!;
      running.set(
        name,
        options
          .run(name, worker)
          .catch(() => false)
          .then((ok) => {
            running.delete(name);
            idleWorkers.push(worker);
            finish(name, ok);
          }),
      );
    }
    if (!running.size) break;
    await Promise.race(running.values());
  }
  return { stopped: stopped || ready.length > 0 };
}
