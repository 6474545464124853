import { constants } from 'node:os';

/** Shell convention for a process ended by a signal: 128 + its number (SIGINT 130, SIGTERM 143). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 15);
}

/** A stop requested by SIGTERM or SIGINT. */
interface StopSignal {
  /** Aborted on the first SIGTERM or SIGINT; its reason is the signal's name. */
  readonly signal: AbortSignal;
  /** The signal received, or null. */
  readonly received: NodeJS.Signals | null;
  /** Removes the handlers. */
  dispose(): void;
}

/**
 * Turns the first SIGTERM or SIGINT (systemd stop, docker stop, Ctrl-C) into an abort that the work in
 * progress honours: it reads nothing more, stores what it has whole, and returns. A second signal exits at
 * once with 128 + its number: every source is stored in its own transaction, so the database stays sound.
 */
export function onStopSignal(say: (message: string) => void, onStop?: (signal: NodeJS.Signals) => void): StopSignal {
  const controller = new AbortController();
  let received: NodeJS.Signals | null = null;
  const handler = (signal: NodeJS.Signals): void => {
    if (received) {
      say(`${signal} again: exiting without waiting for the work in flight`);
      process.exit(signalExitCode(signal));
    }
    received = signal;
    say(`${signal}: stopping (a second signal exits at once)`);
    controller.abort(signal);
    onStop?.(signal);
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      process.off('SIGTERM', handler);
      process.off('SIGINT', handler);
    },
  };
}
