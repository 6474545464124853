import type { Command } from 'commander';
import { onStopSignal } from '../stop.js';
import { positiveInteger } from './clusters.js';
import { configFrom, loggerFor, type GlobalOptions } from './context.js';

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
      const config = await configFrom(options);
      // A daemon's log is its only voice: info by default (journald and docker keep it), warnings only with --quiet.
      const log = await loggerFor(options.verbose ? 'verbose' : options.quiet ? 'quiet' : 'normal');
      const { startDaemon } = await import('../daemon.js');
      const daemon = await startDaemon(config, {
        log,
        host: options.host ?? config.server.host,
        port: options.port ?? config.server.port,
      });
      // SIGTERM/SIGINT: the run in flight stops reading (the source in flight is stored whole or not at all),
      // the server closes, exit 0. Clustering and publishing of what was stored happen at the next start.
      await new Promise<void>((resolve) => {
        const stop = onStopSignal(
          (message) => log.info(`serve: ${message}`),
          () => {
            void daemon.stop().finally(() => {
              stop.dispose();
              resolve();
            });
          },
        );
      });
      // Everything is closed; a handle something left open (a keep-alive socket to a feed origin that never
      // closes it) must not keep a stopped daemon alive: systemd and Docker wait for the exit. Unref'd, so a
      // clean exit happens at once without it.
      setTimeout(() => process.exit(), 1000).unref();
    });
}

function portNumber(value: string): number {
  if (value === '0') return 0;
  const port = positiveInteger(value, '--port');
  if (port > 65_535) throw new Error(`--port must be at most 65535, got "${value}"`);
  return port;
}
