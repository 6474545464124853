import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** How chatty a command is: `quiet` shows warnings and errors only (cron mails only problems). */
export type Verbosity = 'quiet' | 'normal' | 'verbose';

const LEVEL_OF: Record<Verbosity, pino.Level> = { quiet: 'warn', normal: 'info', verbose: 'debug' };

/**
 * A structured logger on stderr: JSON lines when stderr is not a terminal (cron, systemd, log shippers),
 * short readable lines when it is.
 */
export function createLogger(verbosity: Verbosity, stream: NodeJS.WritableStream = process.stderr): Logger {
  const level = LEVEL_OF[verbosity];
  const isTerminal = (stream as NodeJS.WriteStream).isTTY === true;
  if (!isTerminal) return pino({ level, base: { name: 'feedmerge' } }, stream as pino.DestinationStream);
  // Loaded only for a terminal: cron and the workers of issue 17 log JSON, and each of them starting together
  // on few cores paid for loading it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const prettyStream = pretty({
    destination: stream,
    colorize: true,
    sync: true,
    ignore: 'pid,hostname,name',
    translateTime: 'HH:MM:ss',
    singleLine: true,
    // Every message already says what its fields say; on a terminal the fields are noise.
    hideObject: true,
  });
  return pino({ level }, prettyStream);
}

/** A logger that drops everything (tests and library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
