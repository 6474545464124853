import { assignToClusters } from './cluster/index.js';
import type { Config } from './config.js';
import { describeError } from './errors.js';
import type { Logger } from './log.js';
import type { RunReport, SourceRunResult, SourceSpec, SourceState } from './model.js';
import { noProgress, type Progress } from './progress.js';
import { fillsEveryFeed, renderFeed, selectClusters } from './publish/feeds.js';
import { writeFeeds } from './publish/write.js';
import { segmentListing } from './sources/listing/segment.js';
import { readFeeds, type FeedReadOutcome } from './sources/read-feeds.js';
import { discoverListings, readListingFile } from './sources/listing/seeds.js';
import type { Store } from './store/index.js';

/** Options of one run. */
export interface RunOptions {
  readonly log: Logger;
  readonly progress?: Progress;
  /** The clock; tests pass a fixed one. */
  readonly now?: () => Date;
  /** Read every feed now, ignoring its schedule (still honouring backoff, Retry-After and 410 Gone). */
  readonly force?: boolean;
  /** Feeds without their own `schedule` are read every run (the cron one-shot: the crontab is their schedule). */
  readonly ignoreDefaultSchedule?: boolean;
  /** Read only these sources (URLs or paths); default: every declared source. */
  readonly only?: (source: SourceState) => boolean;
}

const DAY_MS = 86_400_000;

/** One run: ingest every declared source, cluster what is new, publish the output feeds. */
export async function runPipeline(config: Config, store: Store, options: RunOptions): Promise<RunReport> {
  const clock = options.now ?? (() => new Date());
  const startedAt = clock().toISOString();
  const runId = store.runs.start(startedAt);
  const progress = options.progress ?? noProgress;
  const results: SourceRunResult[] = [];

  const declared = declareSources(config, store, startedAt, options.log);
  const wanted = (source: SourceState): boolean => declared.has(source.url) && (options.only?.(source) ?? true);
  const sources = store.sources.list().filter(wanted);

  results.push(...ingestListings(sources.filter((s) => s.kind === 'listing'), store, clock, progress));
  results.push(...(await ingestFeeds(sources.filter((s) => s.kind === 'feed'), config, store, clock, progress, options)));
  for (const result of results) {
    if (result.outcome === 'error') options.log.warn({ source: result.url }, result.error ?? 'failed');
    else if (result.warning) options.log.warn({ source: result.url }, result.warning);
    else options.log.debug({ source: result.url, outcome: result.outcome, newItems: result.newItems }, `read ${result.name}`);
  }

  const newClusters = clusterNewItems(config, store, clock().toISOString(), options.log);
  const filesWritten = publishFeeds(config, store);

  const report: RunReport = {
    startedAt,
    finishedAt: clock().toISOString(),
    sources: results,
    newItems: sum(results.map((r) => r.newItems)),
    updatedItems: sum(results.map((r) => r.updatedItems)),
    newClusters,
    filesWritten,
    errors: results.filter((r) => r.outcome === 'error').length,
  };
  store.runs.finish(runId, report, 'ok');
  return report;
}

/** Records the sources the config and the seed folders declare; returns every source to read this run. */
function declareSources(config: Config, store: Store, now: string, log: Logger): Set<string> {
  const { specs: listings, errors } = discoverListings(config.seeds, config.seedNames);
  for (const error of errors) log.warn({ source: error.path }, `seeds: ${error.path}: ${error.error}`);
  const feeds: SourceSpec[] = config.feeds.map((feed) => ({
    kind: 'feed',
    url: feed.url,
    name: feed.name ?? feed.url,
    origin: 'config',
    schedule: feed.schedule,
  }));
  store.transaction(() => {
    for (const spec of [...listings, ...feeds]) store.sources.declare(spec, now);
  });
  const declared = new Set([...listings, ...feeds].map((spec) => spec.url));
  for (const source of store.sources.list()) if (source.origin === 'cli') declared.add(source.url);
  return declared;
}

/** Reads every listing file that changed since the last run; each file's items land in one transaction. */
function ingestListings(listings: readonly SourceState[], store: Store, clock: () => Date, progress: Progress): SourceRunResult[] {
  progress.start('listings', listings.length);
  const results = listings.map((source): SourceRunResult => {
    const now = clock().toISOString();
    const base = { url: source.url, name: source.name };
    try {
      const { text, hash } = readListingFile(source.url);
      if (hash === source.contentHash && source.status === 'ok') {
        store.sources.update(source.url, { lastFetchedAt: now });
        return { ...base, outcome: 'not-modified', newItems: 0, updatedItems: 0 };
      }
      const items = segmentListing(text, { name: source.name, url: source.url });
      const stored = store.transaction(() => {
        const result = store.items.upsert(source.url, items, now);
        store.clusters.touch(result.changedClusters, now);
        store.sources.update(source.url, { status: 'ok', lastError: null, lastFetchedAt: now, contentHash: hash, errorCount: 0 });
        return result;
      });
      return { ...base, outcome: 'read', newItems: stored.inserted, updatedItems: stored.updated };
    } catch (error) {
      const message = `listing "${source.name}" (${source.url}): ${describeError(error)}`;
      store.sources.update(source.url, { status: 'error', lastError: message, lastFetchedAt: now, errorCount: source.errorCount + 1 });
      return { ...base, outcome: 'error', newItems: 0, updatedItems: 0, error: message };
    } finally {
      progress.tick(source.name);
    }
  });
  progress.stop();
  return results;
}

/** Fetches the due feeds politely; each feed's items and state land in one transaction as soon as it is read. */
async function ingestFeeds(
  feeds: readonly SourceState[],
  config: Config,
  store: Store,
  clock: () => Date,
  progress: Progress,
  options: Pick<RunOptions, 'force' | 'ignoreDefaultSchedule'>,
): Promise<SourceRunResult[]> {
  if (feeds.length === 0) return [];
  progress.start('feeds', feeds.length);
  const byUrl = new Map(feeds.map((feed) => [feed.url, feed]));
  const results: SourceRunResult[] = [];
  const store1 = (outcome: FeedReadOutcome): void => {
    const source = byUrl.get(outcome.url)!;
    const now = clock().toISOString();
    const stored = store.transaction(() => {
      const result = store.items.upsert(outcome.url, outcome.items, now);
      store.clusters.touch(result.changedClusters, now);
      store.sources.update(outcome.url, outcome.state);
      return result;
    });
    results.push({
      url: outcome.url,
      name: source.name,
      outcome: outcome.outcome,
      newItems: stored.inserted,
      updatedItems: stored.updated,
      error: outcome.error ?? undefined,
      ...(outcome.warning ? { warning: outcome.warning } : {}),
    });
    progress.tick(source.name);
  };
  await readFeeds(
    feeds,
    {
      timeoutMs: config.fetch.timeoutSeconds * 1000,
      maxBodyBytes: config.fetch.maxBodyBytes,
      maxItems: config.fetch.maxItems,
      maxRedirects: config.fetch.maxRedirects,
      concurrency: config.fetch.concurrency,
      perHostConcurrency: config.fetch.perHostConcurrency,
      blockPrivateAddresses: config.fetch.blockPrivateAddresses,
      defaultSchedule: config.schedule.default,
      force: options.force ?? false,
      ignoreDefaultSchedule: options.ignoreDefaultSchedule ?? false,
    },
    clock(),
    store1,
  );
  progress.stop();
  return results;
}

/** Assigns every unclustered item; returns how many new clusters were made. */
function clusterNewItems(config: Config, store: Store, now: string, log: Logger): number {
  const builtWith = store.meta.get('cluster.level');
  if (builtWith !== config.cluster.level) {
    store.transaction(() => {
      if (builtWith !== undefined) {
        log.warn(`cluster: level changed from ${builtWith} to ${config.cluster.level}: re-clustering every item`);
        store.clusters.reset();
      }
      store.meta.set('cluster.level', config.cluster.level);
    });
  }
  const fresh = store.items.unclustered();
  if (fresh.length === 0) return 0;
  const windowMs = config.cluster.windowDays * DAY_MS;
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const item of fresh) {
    earliest = Math.min(earliest, item.time);
    latest = Math.max(latest, item.time);
  }
  // Only stories within the window of some new item can take one; later ones are as irrelevant as earlier.
  const existing = store.items.clusteredBetween(earliest - windowMs, latest + windowMs);
  const result = assignToClusters(existing, fresh, config.cluster);
  return store.transaction(() => store.clusters.apply(result, now)).newClusters;
}

/** Renders and writes every output feed; returns the files that changed. */
function publishFeeds(config: Config, store: Store): string[] {
  const clusters = store.clusters.newest((loaded) => fillsEveryFeed(loaded, config.publish.feeds));
  const site = { title: config.title, baseUrl: config.baseUrl };
  const rendered = config.publish.feeds.map((feed) => renderFeed(selectClusters(clusters, feed), feed, site));
  return writeFeeds(config.output, rendered);
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
