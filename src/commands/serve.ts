import type { Command } from 'commander';
import { startDaemon } from '../daemon.js';
import { createLogger } from '../log.js';
import { onShutdownSignal } from '../schedule.js';
import { positiveInteger } from './clusters.js';
import { configFrom, type GlobalOptions } from './context.js';

interface ServeOptions extends GlobalOptions {
  readonly port?: number;
  readonly host?: string;
}

/** `feedmerge serve`: the HTTP server and the scheduler in one long-lived process (systemd, Docker). */
export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve the merged feeds over HTTP and run the scheduler: each feed when due, seeds when they change, a daily prune')
    .option('--port <n>', 'port to listen on (default: server.port in the config; 0 picks a free one)', portNumber)
    .option('--host <address>', 'address to listen on (default: server.host in the config)')
    .action(async (_options: ServeOptions, command: Command) => {
      const options = command.optsWithGlobals<ServeOptions>();
      const config = configFrom(options);
      // A daemon's log is its only voice: info by default (journald and docker keep it), warnings only with --quiet.
      const log = createLogger(options.verbose ? 'verbose' : options.quiet ? 'quiet' : 'normal');
      const daemon = await startDaemon(config, {
        log,
        host: options.host ?? config.server.host,
        port: options.port ?? config.server.port,
      });
      await new Promise<void>((resolve) => {
        const remove = onShutdownSignal(async () => {
          await daemon.stop();
          remove();
          resolve();
        }, log);
      });
    });
}

function portNumber(value: string): number {
  if (value === '0') return 0;
  const port = positiveInteger(value, '--port');
  if (port > 65_535) throw new Error(`--port must be at most 65535, got "${value}"`);
  return port;
}
