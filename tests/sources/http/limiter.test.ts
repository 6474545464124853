import { describe, expect, it } from 'vitest';
import { createLimiter } from '../../../src/sources/http/limiter.js';

describe('createLimiter', () => {
  it('never exceeds the global or per-key limit and lets other keys pass a saturated one', async () => {
    const limiter = createLimiter(3, 2);
    let active = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    const peakPerKey = new Map<string, number>();
    const order: string[] = [];
    const releases: (() => void)[] = [];
    const task = (key: string, id: string) =>
      limiter.run(key, async () => {
        active += 1;
        perKey.set(key, (perKey.get(key) ?? 0) + 1);
        peak = Math.max(peak, active);
        peakPerKey.set(key, Math.max(peakPerKey.get(key) ?? 0, perKey.get(key)!));
        order.push(id);
        await new Promise<void>((resolve) => releases.push(resolve));
        active -= 1;
        perKey.set(key, perKey.get(key)! - 1);
        return id;
      });
    const results = Promise.all([task('a', 'a1'), task('a', 'a2'), task('a', 'a3'), task('b', 'b1'), task('b', 'b2'), task('c', 'c1')]);
    await Promise.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    // a3 waits for host a; b1 takes the third global slot ahead of it.
    expect(order).toEqual(['a1', 'a2', 'b1']);
    while (order.length < 6 || releases.length > 0) {
      releases.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(await results).toEqual(['a1', 'a2', 'a3', 'b1', 'b2', 'c1']);
    expect(peak).toBe(3);
    expect(peakPerKey.get('a')).toBe(2);
  });

  it('frees the slot when a task throws', async () => {
    const limiter = createLimiter(1, 1);
    await expect(limiter.run('x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limiter.run('x', async () => 'ok')).resolves.toBe('ok');
  });
});
