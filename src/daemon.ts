import type { Config } from './config.js';
import { isValidCron } from './cron.js';
import { describeError, LockedError, StorageError } from './errors.js';
import { acquireRunLock } from './lock.js';
import type { Logger } from './log.js';
import { summarise, summaryLine, type RunReport, type SourceState } from './model.js';
import { runPipeline } from './pipeline.js';
import { startServer, type RunningServer } from './publish/server.js';
import { createMetrics } from './metrics.js';
import { hasCredentials } from './redact.js';
import { pruneExpired, pruneSummary } from './retention.js';
import { createCronJobs, createRunQueue, type CronJob, type RunQueue } from './schedule.js';
import { seedFingerprint } from './sources/listing/seeds.js';
import { openStore } from './store/index.js';

/** How `serve` runs; tests shorten the seed check and prune schedules. */
interface DaemonOptions {
  readonly log: Logger;
  readonly host: string;
  readonly port: number;
  /** The clock passed to each run. */
  readonly now?: () => Date;
  /** How often the seed folders are checked for changed files (a few stat calls). Default: every minute. */
  readonly seedCheckSchedule?: string;
  /** When old stories are pruned. Default: daily at 04:17, off the hour so it never meets a `*\/30` run. */
  readonly pruneSchedule?: string;
}

/** A running `serve`: HTTP server and scheduler. */
export interface Daemon {
  /** Where the server listens, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  /** The run queue (tests wait on it). */
  readonly queue: RunQueue;
  /**
   * Stops the scheduler and the run in flight (it reads no more sources, stores the one in flight whole or
   * not at all, and skips clustering and publishing), closes the server and the database.
   */
  stop(): Promise<void>;
}

/** Tags a run request carries: which sources it reads and whether it prunes. */
const ALL = 'all';
const SEEDS = 'seeds';
const PRUNE = 'prune';
const scheduleTag = (expression: string): string => `schedule:${expression}`;

const EVERY_MINUTE = '* * * * *';
const DAILY_PRUNE = '17 4 * * *';

/**
 * Starts `serve`: the HTTP server, then an initial run, then one cron job per distinct schedule in use
 * (schedule.default and every feed's own), a seed-folder check and a daily prune. Every job only asks the
 * run queue for a run; the queue runs one at a time and each run takes the database's run lock, so a cron
 * `run` of the same instance and the daemon never overlap either.
 */
export async function startDaemon(config: Config, options: DaemonOptions): Promise<Daemon> {
  const { log } = options;
  const clock = options.now ?? (() => new Date());
  const store = await openStore(config.database);
  let lastFailure: string | null = null;
  let lastRunAt: string | null = null;
  // Aborted by stop(): the run in flight stops reading; what it stored is clustered by the next start.
  const stopping = new AbortController();
  const metrics = config.metrics ? createMetrics({ sources: () => store.sources.list(), items: () => store.items.count() }) : null;
  // Feeds with credentials (userinfo, a token in the query, configured username) are private: never in /opml.
  const privateFeeds = new Set(config.feeds.filter((feed) => feed.auth !== undefined).map((feed) => feed.url));
  const isPublic = (source: SourceState): boolean => !privateFeeds.has(source.url) && !hasCredentials(source.url);

  const jobs = createCronJobs(log);
  const queue = createRunQueue(async (tags) => {
    const lock = await acquireRunLock(config.database, {
      onCompromised: (error) => log.warn(`lock: ${error.message}; another run may now start`),
      onTakeover: (message) => log.info(message),
    }).catch((error: unknown) => {
      if (error instanceof LockedError) {
        log.warn(`scheduler: skipping this run (${[...tags].join(', ')}): ${error.message}`);
        return null;
      }
      throw error;
    });
    if (!lock) return;
    const started = performance.now();
    try {
      await execute(tags);
      lastFailure = null;
    } catch (error) {
      lastFailure = describeError(error);
      metrics?.runFailed(error instanceof StorageError ? 'storage' : 'run', (performance.now() - started) / 1000);
      throw error;
    } finally {
      lastRunAt = clock().toISOString();
      await lock.release();
      jobs.sync(await jobTable());
    }
  }, log);

  async function execute(tags: ReadonlySet<string>): Promise<void> {
    const only = sourceFilter(tags, config.schedule.default);
    if (only) {
      const started = performance.now();
      const report: RunReport = await runPipeline(config, store, {
        log,
        now: clock,
        only,
        signal: stopping.signal,
        onFeedRead: (outcome) => metrics?.feedRead(outcome),
      });
      metrics?.runFinished(report, (performance.now() - started) / 1000);
      log.info({ ...summarise(report), tags: [...tags] }, summaryLine(report));
      if (report.interrupted) return;
    }
    // Stopping: a prune (one transaction, a second or two on a large database) waits for the next start.
    if (tags.has(PRUNE) && !stopping.signal.aborted) {
      const report = await pruneExpired(config, store, clock());
      log.info(report, pruneSummary(report));
    }
  }

  let seedPrint = seedFingerprint(config.seeds);
  const checkSeeds = (): void => {
    const print = seedFingerprint(config.seeds);
    if (print === seedPrint) return;
    seedPrint = print;
    log.info('scheduler: seed listings changed; reading them');
    queue.request([SEEDS], 'seed listings changed');
  };

  /** The jobs the daemon needs now: the schedules in use may change as feeds are added from the CLI. */
  async function jobTable(): Promise<Map<string, CronJob>> {
    const table = new Map<string, CronJob>();
    for (const expression of schedulesInUse(config, await store.sources.list())) {
      table.set(scheduleTag(expression), {
        expression,
        fire: () => queue.request([scheduleTag(expression)], `schedule "${expression}"`),
      });
    }
    table.set(SEEDS, { expression: options.seedCheckSchedule ?? EVERY_MINUTE, fire: checkSeeds });
    table.set(PRUNE, { expression: options.pruneSchedule ?? DAILY_PRUNE, fire: () => queue.request([PRUNE], 'daily prune') });
    return table;
  }

  let server: RunningServer;
  try {
    server = await startServer(
      {
        outputDir: config.output,
        site: { title: config.title, baseUrl: config.baseUrl },
        feeds: config.publish.feeds,
        listSources: config.publish.opml ? async () => (await store.sources.list()).filter(isPublic) : null,
        latestClusters: (limit) => store.clusters.latest(limit),
        story: async (id) => {
          const live = await store.clusters.resolve(id);
          if (live === undefined) return undefined;
          if (live !== id) return { movedTo: live };
          const cluster = await store.clusters.get(live);
          return cluster === undefined || cluster.items.length === 0 ? undefined : { cluster };
        },
        health: async () =>
          healthReport(await store.runs.last(), await store.sources.list(), {
            failed: lastFailure !== null,
            lastRunAt,
            running: queue.busy,
            jobs: jobs.list(),
          }),
        metrics: metrics ? () => metrics.render() : undefined,
      },
      { host: options.host, port: options.port },
    );
  } catch (error) {
    await store.close();
    throw error;
  }
  log.info({ url: server.url }, `serve: listening on ${server.url}`);

  // The first run reads whatever is due now (nothing is fetched early: stored schedules and backoff hold).
  queue.request([ALL, PRUNE], 'start');
  jobs.sync(await jobTable());

  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    queue,
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        jobs.stop();
        await queue.close();
        await server.close();
        await store.close();
        log.info('serve: stopped');
      })();
      return stopped;
    },
  };
}

/**
 * The public health document: ok, degraded (some sources failing, feeds still served) or failing (the last
 * run failed as a whole: 503), with counts and times. No source is named: URLs may carry credentials and
 * listings are local paths; `feedmerge feeds --json` gives the per-source detail to the operator.
 */
function healthReport(
  lastRun: RunReport | null,
  sources: readonly SourceState[],
  daemon: { readonly failed: boolean; readonly lastRunAt: string | null; readonly running: boolean; readonly jobs: unknown },
): { readonly ok: boolean; readonly status: 'ok' | 'degraded' | 'failing'; readonly [key: string]: unknown } {
  const byStatus: Record<string, number> = {};
  for (const source of sources) byStatus[source.status] = (byStatus[source.status] ?? 0) + 1;
  const failing = (byStatus.error ?? 0) + (byStatus.gone ?? 0);
  const status = daemon.failed ? 'failing' : failing > 0 ? 'degraded' : 'ok';
  return {
    ok: status !== 'failing',
    status,
    lastRunAt: daemon.lastRunAt,
    lastRun: lastRun ? { startedAt: lastRun.startedAt, finishedAt: lastRun.finishedAt, ...summarise(lastRun) } : null,
    sources: {
      total: sources.length,
      feeds: sources.filter((source) => source.kind === 'feed').length,
      listings: sources.filter((source) => source.kind === 'listing').length,
      byStatus,
    },
    running: daemon.running,
    jobs: daemon.jobs,
  };
}

/** Which sources a run with these tags reads, or null when it reads none (a prune only). */
function sourceFilter(tags: ReadonlySet<string>, defaultSchedule: string): ((source: SourceState) => boolean) | null {
  if (tags.has(ALL)) return () => true;
  const schedules = new Set([...tags].filter((tag) => tag.startsWith('schedule:')).map((tag) => tag.slice('schedule:'.length)));
  const seeds = tags.has(SEEDS) || schedules.has(defaultSchedule);
  if (schedules.size === 0 && !seeds) return null;
  return (source) => (source.kind === 'listing' ? seeds : schedules.has(source.schedule ?? defaultSchedule));
}

/** The distinct cron expressions in use: the default and every feed's own. */
function schedulesInUse(config: Config, sources: readonly SourceState[]): Set<string> {
  const expressions = new Set([config.schedule.default]);
  for (const feed of config.feeds) if (feed.schedule) expressions.add(feed.schedule);
  for (const source of sources)
    if (source.kind === 'feed' && source.schedule && isValidCron(source.schedule)) expressions.add(source.schedule);
  return expressions;
}
