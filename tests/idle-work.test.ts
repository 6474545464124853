import { describe, expect, it } from 'vitest';
import { IdleWork } from '../src/idle-work.js';

/** Resolves once the event loop has gone round (after the I/O and immediates queued before it). */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('IdleWork', () => {
  it('does every task in order, a slice at a time, letting the event loop run between slices', async () => {
    const done: number[] = [];
    const events: string[] = [];
    // Each task takes a millisecond of this thread: a slice of 2 ms holds a few, never all of them.
    const work = new IdleWork<number>((task) => {
      const until = performance.now() + 1;
      while (performance.now() < until);
      done.push(task);
      events.push('task');
    }, 2);
    work.add([0, 1, 2, 3, 4, 5, 6, 7]);
    work.add(Array.from({ length: 40 }, (_, i) => 8 + i));
    setImmediate(() => events.push('other'));
    while (done.length < 48) await turn();
    expect(done).toEqual(Array.from({ length: 48 }, (_, i) => i));
    // Something else ran before the last task: the work never held the thread for all of it.
    expect(events.indexOf('other')).toBeGreaterThan(-1);
    expect(events.indexOf('other')).toBeLessThan(events.lastIndexOf('task'));
  });

  it('drops what is left when stopped, takes nothing more, and stops at a failing task', async () => {
    const done: number[] = [];
    const work = new IdleWork<number>((task) => {
      if (task === 99) throw new Error('bad task');
      done.push(task);
    });
    work.add([1, 2, 3]);
    expect(work.pending).toBe(3);
    work.stop();
    expect(work.pending).toBe(0);
    work.add([4]);
    for (let i = 0; i < 5; i++) await turn();
    expect(done).toEqual([]);

    const failing = new IdleWork<number>((task) => {
      if (task === 99) throw new Error('bad task');
      done.push(task);
    });
    failing.add([1, 99, 2]);
    for (let i = 0; i < 5; i++) await turn();
    expect(done).toEqual([1]);
  });
});
