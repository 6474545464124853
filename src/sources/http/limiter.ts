/** Runs tasks with a global concurrency limit and a per-key (per-host) limit, first come first served. */
export interface Limiter {
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** Creates a limiter allowing `global` tasks at once overall and `perKey` at once for any one key. */
export function createLimiter(global: number, perKey: number): Limiter {
  let active = 0;
  const activeByKey = new Map<string, number>();
  const waiting: { key: string; start: () => void }[] = [];

  const canStart = (key: string): boolean => active < global && (activeByKey.get(key) ?? 0) < perKey;
  const pump = (): void => {
    // Scan the queue so a host at its limit does not block tasks for other hosts behind it.
    for (let index = 0; index < waiting.length && active < global;) {
      const entry = waiting[index]!;
      if (canStart(entry.key)) {
        waiting.splice(index, 1);
        entry.start();
      } else {
        index += 1;
      }
    }
  };

  return {
    run<T>(key: string, task: () => Promise<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const start = (): void => {
          active += 1;
          activeByKey.set(key, (activeByKey.get(key) ?? 0) + 1);
          Promise.resolve()
            .then(task)
            .then(resolve, reject)
            .finally(() => {
              active -= 1;
              const left = (activeByKey.get(key) ?? 1) - 1;
              if (left === 0) activeByKey.delete(key);
              else activeByKey.set(key, left);
              pump();
            });
        };
        waiting.push({ key, start });
        pump();
      });
    },
  };
}
