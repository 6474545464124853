import { describe, expect, it } from 'vitest';
import { silentLogger } from '../src/log.js';
import { isValidCron } from '../src/cron.js';
import { createCronJobs, createRunQueue } from '../src/schedule.js';

const log = silentLogger();

/** A promise with its resolver, to hold a run open until the test lets it finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

function waitFor(check: () => boolean, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = (): void => {
      if (check()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error('condition not met in time'));
      else setTimeout(poll, 10);
    };
    poll();
  });
}

describe('createRunQueue', () => {
  it('runs one at a time and merges requests that arrive meanwhile into one follow-up run', async () => {
    const runs: string[][] = [];
    const gates = [gate(), gate()];
    let active = 0;
    let maxActive = 0;
    const queue = createRunQueue(async (tags) => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs.push([...tags].sort());
      await gates[runs.length - 1]!.promise;
      active--;
    }, log);

    expect(queue.request(['schedule:a'], 'a')).toBe('started');
    expect(queue.busy).toBe(true);
    expect(queue.request(['schedule:b'], 'b')).toBe('queued');
    expect(queue.request(['seeds', 'schedule:b'], 'c')).toBe('merged');
    gates[0]!.open();
    await waitFor(() => runs.length === 2);
    expect(runs).toEqual([['schedule:a'], ['schedule:b', 'seeds']]);
    gates[1]!.open();
    await queue.idle();
    expect(queue.busy).toBe(false);
    expect(maxActive).toBe(1);
  });

  it('keeps going after a failing run', async () => {
    let calls = 0;
    const queue = createRunQueue(async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
    }, log);
    queue.request(['x'], 'x');
    await queue.idle();
    queue.request(['x'], 'x');
    await queue.idle();
    expect(calls).toBe(2);
  });

  it('close() waits for the run in flight, drops the waiting one and refuses new ones', async () => {
    const held = gate();
    const events: string[] = [];
    const queue = createRunQueue(async (tags) => {
      events.push(`start ${[...tags].join()}`);
      await held.promise;
      events.push(`end ${[...tags].join()}`);
    }, log);
    queue.request(['first'], 'first');
    queue.request(['second'], 'second');
    let closed = false;
    const closing = queue.close().then(() => {
      closed = true;
      events.push('closed');
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false); // still waiting for the run in flight
    expect(queue.request(['third'], 'third')).toBe('closed');
    held.open();
    await closing;
    expect(events).toEqual(['start first', 'end first', 'closed']);
  });
});

describe('createCronJobs with a real node-cron clock', () => {
  it('fires every second, never overlaps slow runs, and stops firing once stopped', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let ticks = 0;
    const queue = createRunQueue(async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      // Each run outlasts the one-second tick, so ticks arrive while a run is in flight.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      runs++;
      active--;
    }, log);
    const jobs = createCronJobs(log);
    jobs.sync(new Map([['every-second', { expression: '*/1 * * * * *', fire: () => (ticks++, queue.request(['tick'], 'tick')) }]]));
    expect(jobs.list().map((job) => job.name)).toEqual(['every-second']);

    await waitFor(() => runs >= 2);
    jobs.stop();
    await queue.close();
    expect(maxActive).toBe(1);
    expect(ticks).toBeGreaterThan(runs); // ticks during a run were merged, not stacked
    const ticksAtStop = ticks;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(ticks).toBe(ticksAtStop);
    expect(jobs.list()).toEqual([]);
  });

  it('sync() adds new schedules, restarts changed ones and removes vanished ones', () => {
    const jobs = createCronJobs(log);
    const noop = (): void => undefined;
    jobs.sync(
      new Map([
        ['a', { expression: '0 * * * *', fire: noop }],
        ['b', { expression: '*/30 * * * *', fire: noop }],
      ]),
    );
    jobs.sync(
      new Map([
        ['a', { expression: '15 * * * *', fire: noop }],
        ['c', { expression: 'not cron', fire: noop }],
      ]),
    );
    expect(jobs.list().map(({ name, expression }) => ({ name, expression }))).toEqual([{ name: 'a', expression: '15 * * * *' }]);
    jobs.stop();
  });

  it('validates expressions with node-cron', () => {
    expect(isValidCron('*/30 * * * *')).toBe(true);
    expect(isValidCron('*/1 * * * * *')).toBe(true);
    expect(isValidCron('61 * * * *')).toBe(false);
    expect(isValidCron('every hour')).toBe(false);
  });
});
