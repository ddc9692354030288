import { describe, expect, it } from 'vitest';
import { runScheduled } from '../../core/models/schedule.ts';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// a → b → c is the long chain; x and y are short side branches; d needs c and x
const upstream = new Map<string, string[]>([
  ['a', []],
  ['x', []],
  ['y', []],
  ['b', ['a']],
  ['c', ['b']],
  ['d', ['c', 'x']],
]);
const order = ['a', 'x', 'y', 'b', 'c', 'd'];

describe('model scheduler', () => {
  it('never runs a model before its inputs, uses every worker, and starts the longest chain first', async () => {
    const finished = new Set<string>();
    const started: string[] = [];
    let running = 0;
    let peak = 0;
    await runScheduled({
      order,
      upstream,
      expectedSeconds: new Map([
        ['a', 5],
        ['b', 5],
        ['c', 5],
      ]),
      workers: 2,
      skip: () => expect.fail('nothing fails'),
      run: async (name) => {
        for (const dep of upstream.get(name)!)
          expect(finished.has(dep), `${name} started before ${dep}`).toBe(true);
        started.push(name);
        peak = Math.max(peak, ++running);
        await sleep(5);
        running--;
        finished.add(name);
        return true;
      },
    });
    expect(finished.size).toBe(order.length);
    expect(peak).toBe(2);
    expect(started[0]).toBe('a');
  });

  it('skips what depends on a failed model and still runs the rest', async () => {
    const ran: string[] = [];
    const skipped: [string, string[]][] = [];
    const result = await runScheduled({
      order,
      upstream,
      workers: 2,
      skip: (name, blockedBy) => skipped.push([name, blockedBy]),
      run: async (name) => {
        ran.push(name);
        if (name === 'b') throw new Error('boom');
        return true;
      },
    });
    expect(result.stopped).toBe(false);
    expect(ran.sort()).toEqual(['a', 'b', 'x', 'y']);
    expect(skipped).toEqual([
      ['c', ['b']],
      ['d', ['c']],
    ]);
  });

  it('starts nothing new once stopped and waits for what runs', async () => {
    const ran: string[] = [];
    let stop = false;
    const result = await runScheduled({
      order,
      upstream,
      workers: 1,
      stop: () => stop,
      skip: () => undefined,
      run: async (name) => {
        ran.push(name);
        stop = true;
        await sleep(5);
        return true;
      },
    });
    expect(result.stopped).toBe(true);
    expect(ran).toHaveLength(1);
  });
});
