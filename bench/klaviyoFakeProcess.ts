/**
 * The Klaviyo contract server in a child process, for benchmarks. Real Klaviyo does not run on the user's
 * machine: in the benchmark's own process the fake would parse every 5 MB request and apply every import job on
 * the event loop and the CPU the sync is measured on. In a child it runs beside the sync (on a 2-core machine
 * it still takes its share of the CPU). The handle answers the few questions the benchmark asks.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FakeProcessRequest, FakeProcessStats, FakeProcessMessage } from './klaviyoFakeChild.ts';

export type { FakeProcessStats } from './klaviyoFakeChild.ts';

export interface KlaviyoFakeProcess {
  url: string;
  apiKey: string;
  /** What the fake has seen so far (import jobs in order, write requests, 429s, its CPU and memory). */
  stats(): Promise<FakeProcessStats>;
  close(): Promise<void>;
}

export async function startKlaviyoFakeProcess(options: {
  rateLimits: 'klaviyo' | 'off';
  jobDelayMs: number;
}): Promise<KlaviyoFakeProcess> {
  // The child inherits this process's execArgv, so it loads TypeScript the way the benchmark does (tsx).
  const child = fork(
    fileURLToPath(new URL('./klaviyoFakeChild.ts', import.meta.url)),
    [JSON.stringify(options)],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const waiting = new Map<number, (stats: FakeProcessStats) => void>();
  let next = 0;
  const [ready] = (await Promise.race([
    once(child, 'message'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`The Klaviyo fake's process exited (code ${code}) before it listened.`);
    }),
  ])) as [FakeProcessMessage];
  if (ready.kind !== 'listening') throw new Error('The Klaviyo fake process did not say where it listens.');
  child.on('message', (message: FakeProcessMessage) => {
    if (message.kind !== 'stats') return;
    waiting.get(message.id)?.(message.stats);
    waiting.delete(message.id);
  });
  return {
    url: ready.url,
    apiKey: ready.apiKey,
    stats: () =>
      new Promise((resolve) => {
        const id = next++;
        waiting.set(id, resolve);
        child.send({ kind: 'stats', id } satisfies FakeProcessRequest);
      }),
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = once(child, 'exit');
      child.send({ kind: 'close' } satisfies FakeProcessRequest);
      await exited;
    },
  };
}
