import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';

/** Reports progress of a long stage; a no-op unless the output is a terminal. */
export interface Progress {
  start(label: string, total: number): void;
  tick(detail?: string): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal, nothing otherwise (cron output stays clean). */
export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return noProgress;
  // Loaded only for a terminal (cron and workers have none: they start sooner without it).
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  let bar: SingleBar | undefined;
  return {
    start(label, total) {
      bar?.stop();
      bar = new SingleBar(
        { stream, format: `${label.padEnd(10)} [{bar}] {value}/{total} {detail}`, hideCursor: true, clearOnComplete: true },
        Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
    },
    tick(detail = '') {
      bar?.increment(1, { detail: detail.length > 40 ? `${detail.slice(0, 39)}…` : detail });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}

/** Progress that reports nothing. */
export const noProgress: Progress = { start() {}, tick() {}, stop() {} };
