/**
 * Runs the Klaviyo contract server in the foreground for manual runs and benchmarks:
 *
 *   npx tsx test/fakes/klaviyo/serve.ts --port 4010 --rate-limits klaviyo|off|<scale> [--job-delay-ms 30]
 */
import { parseArgs } from 'node:util';
import { startKlaviyoFake } from './index.ts';
import type { RateLimitMode } from './types.ts';

function rateLimitMode(value: string): RateLimitMode {
  if (value === 'klaviyo' || value === 'off') return value;
  const scale = Number(value);
  if (!Number.isFinite(scale) || scale <= 0)
    throw new Error(`--rate-limits must be klaviyo, off or a positive scale, got ${value}`);
  return { scale };
}

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'rate-limits': { type: 'string', default: 'klaviyo' },
    'job-delay-ms': { type: 'string', default: '30' },
  },
});

const fake = await startKlaviyoFake({
  port: Number(values.port),
  host: values.host,
  rateLimits: rateLimitMode(values['rate-limits']),
  jobDelayMs: Number(values['job-delay-ms']),
});
console.log(`Klaviyo fake listening on ${fake.url}`);
console.log(`API key: ${fake.apiKey}`);
console.log('Stop with Ctrl-C.');

const stop = (): void => {
  const { profiles, lists, events, requests } = fake.state;
  console.log(
    `\n${requests.length} requests; ${profiles.size} profiles, ${lists.size} lists, ${events.length} events`,
  );
  void fake.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
