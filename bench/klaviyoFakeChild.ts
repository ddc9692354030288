/**
 * The child process of bench/klaviyoFakeProcess.ts: runs the Klaviyo contract server and answers the parent's
 * questions over IPC. Started with the options as its one argument (JSON).
 */
import { startKlaviyoFake } from '../test/fakes/klaviyo/index.ts';

export interface FakeProcessStats {
  /** Profiles per import job, in the order the jobs were created. */
  importJobProfiles: number[];
  writeRequests: number;
  throttled: number;
  cpuSeconds: number;
  rssMb: number;
}

export type FakeProcessRequest = { kind: 'stats'; id: number } | { kind: 'close' };
export type FakeProcessMessage =
  { kind: 'listening'; url: string; apiKey: string } | { kind: 'stats'; id: number; stats: FakeProcessStats };

const options = JSON.parse(process.argv[2] ?? '{}') as { rateLimits: 'klaviyo' | 'off'; jobDelayMs: number };
const fake = await startKlaviyoFake(options);
const send = (message: FakeProcessMessage): void => void process.send?.(message);

process.on('message', (message: FakeProcessRequest) => {
  if (message.kind === 'close') {
    void fake.close().then(() => process.exit(0));
    return;
  }
  const cpu = process.cpuUsage();
  send({
    kind: 'stats',
    id: message.id,
    stats: {
      importJobProfiles: [...fake.state.importJobs.values()].map((j) => j.total_count),
      writeRequests: fake.writeRequests().length,
      throttled: fake.state.counters.throttled,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rssMb: Math.round(process.memoryUsage().rss / 1e6),
    },
  });
});
// The parent went away (killed benchmark): do not linger.
process.on('disconnect', () => void fake.close().then(() => process.exit(0)));
send({ kind: 'listening', url: fake.url, apiKey: fake.apiKey });
