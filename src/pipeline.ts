import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FeatureCache, ItemText } from './cluster/feature-cache.js';
import type { ClusterOptions } from './cluster/index.js';
import type { Config } from './config.js';
import { describeError, FetchError } from './errors.js';
import type { Logger } from './log.js';
import {
  DAY_MS,
  defaultFeedName,
  type ClusteredInput,
  type ClusteringResult,
  type ClusterInput,
  type RawItem,
  type RunReport,
  type SourceRunResult,
  type SourceSpec,
  type SourceState,
} from './model.js';
import { IdleWork } from './idle-work.js';
import { noProgress, type Progress } from './progress.js';
import type { ChangedFeed, PingOptions } from './publish/websub.js';
// The clustering and the publishing modules load when a run gets to them (issue 17): of several workers
// reading together, only the last to finish clusters and publishes, and the others start reading sooner.
import { segmentListing } from './sources/listing/segment.js';
import { redactUrl } from './redact.js';
import { feedParser, type FeedParser } from './sources/feed/parse-pool.js';
import { partlyReadWarning, readFeeds, type FeedReadOutcome } from './sources/read-feeds.js';
import { createLimiter } from './sources/http/limiter.js';
import { discoverListings, readListingFile } from './sources/listing/seeds.js';
import { preloadHttp, stillAsStamped, type BasicCredentials } from './sources/http/fetch.js';
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
  /**
   * Stops the run early (SIGTERM, SIGINT): no further source is read, a feed request in flight is abandoned
   * (nothing stored for it), each source already read is stored whole in its own transaction, and clustering
   * and publishing are left to the next run, which finds the unclustered items and the unread sources.
   */
  readonly signal?: AbortSignal;
  /** Told what each feed read took and how it ended (the metrics). */
  readonly onFeedRead?: (outcome: FeedReadOutcome) => void;
  /** How hard WebSub hubs are tried (tests shorten the backoff). */
  readonly websub?: PingOptions;
  /**
   * Parses the feed documents (parse-pool.ts): the `run` command starts one with its config, so that its threads
   * load while the run starts. The run closes it once reading ends. Default: one for the feeds read.
   */
  readonly parser?: FeedParser;
}

/**
 * Feed reads stored in one transaction: up to this many sources or items, or whatever arrived within
 * BATCH_DELAY_MS of the first. Measured on the 63,660-item bench (1,948 feeds): one commit per source spent
 * 4.2 s in commits, batches of 256 sources about 0.3 s; larger batches gain nothing and hold more in memory.
 */
const BATCH_SOURCES = 256;
const BATCH_ITEMS = 20_000;
/** A slow origin holds finished reads back at most this long (they are lost if the process dies meanwhile). */
const BATCH_DELAY_MS = 200;
/**
 * Where several workers share the database (PostgreSQL), a worker holds claims on at most its fetch slots
 * plus half as many again: a feed is waiting for each slot when a read ends, so no slot idles while the next
 * claim is made, and few claims are held when the feeds run out, so the workers end their reading together
 * (measured with 4 workers, 2,000 feeds and 200 ms answers: chunks of 64 read one after the other left slots
 * idle at the end of every chunk and ended the workers up to 0.9 s apart).
 */
const CLAIM_AHEAD = 0.5;

/** One run: ingest every declared source, cluster what is new, publish the output feeds. */
export async function runPipeline(config: Config, store: Store, options: RunOptions): Promise<RunReport> {
  // HTTP feeds: undici loads while the run's first statements go to the database.
  if (config.feeds.some((feed) => /^https?:/i.test(feed.url))) preloadHttp();
  const clock = options.now ?? (() => new Date());
  const startedAt = clock().toISOString();
  const runId = await store.runs.start(startedAt);
  const progress = options.progress ?? noProgress;
  const results: SourceRunResult[] = [];

  const sources = (await declareSources(config, store, startedAt, options.log)).filter((source) => options.only?.(source) ?? true);

  const { signal } = options;
  // One process reads and clusters (SQLite): while it waits for its parsing threads, this thread works out the
  // features of the items it stored, which clustering then takes instead of extracting them (issue 18). Where
  // several workers share the database another may cluster them, and idle time here is their parsing time.
  const ahead = store.engine === 'sqlite' ? await featuresAhead() : undefined;
  const { othersReading } = await store.reading(async () => {
    try {
      results.push(
        ...(await ingestListings(
          sources.filter((s) => s.kind === 'listing'),
          config.fetch,
          store,
          clock,
          progress,
          signal,
          ahead,
        )),
      );
      if (!signal?.aborted) {
        const feeds = sources.filter((s) => s.kind === 'feed');
        // Documents are parsed on other cores (parse-pool.ts) while this thread fetches and stores (issue 18).
        const parser = options.parser ?? feedParser(feeds.length);
        try {
          results.push(...(await ingestFeeds(feeds, config, store, clock, progress, { ...options, startedAt, parser, ahead })));
        } finally {
          await parser.close();
        }
      }
    } finally {
      ahead?.stop();
    }
  });
  for (const result of results) {
    // Feed URLs may carry credentials (userinfo, ?token=): logs show them redacted, as every message does.
    const source = redactUrl(result.url);
    if (result.outcome === 'error') options.log.warn({ source }, result.error ?? 'failed');
    else if (result.warning) options.log.warn({ source }, result.warning);
    else options.log.debug({ source, outcome: result.outcome, newItems: result.newItems }, `read ${result.name}`);
  }

  // Stopped: what is stored stays, the published files stay as they were; the next run clusters and publishes.
  const stopped = (): boolean => signal?.aborted === true;
  // One process at a time clusters and publishes (on PostgreSQL, under an advisory lock): story ids stay
  // stable and no story is made twice. A worker that had to wait for another clusters what was stored
  // meanwhile; when there was nothing and it changed no stored item, the holder has published its work already.
  // Where other workers are still reading (PostgreSQL), the last of them clusters what this one stored with its
  // own and publishes once: one clustering pass instead of one per worker finishing, and no worker waits.
  const updatedItems = sum(results.map((r) => r.updatedItems));
  if (othersReading) options.log.debug('cluster: other workers are still reading; the last to finish clusters and publishes');
  const skipped = { clustered: { newClusters: 0, merged: 0, placed: 0 }, filesWritten: [] };
  const { clustered, filesWritten } =
    stopped() || othersReading
      ? skipped
      : ((await store.exclusive(
          'cluster-publish',
          async (waited) => {
            const placed = await clusterNewItems(config, store, clock().toISOString(), options.log, signal, ahead?.features);
            // A stop during clustering left it unapplied: corrections and publishing are the next run's too.
            const corrected = stopped() ? 0 : await obeyCorrections(store, clock().toISOString());
            const skip = stopped() || (waited && placed.placed === 0 && updatedItems === 0 && corrected === 0);
            if (skip) return { clustered: placed, filesWritten: [] };
            const publishing = performance.now();
            const filesWritten = await publishFeeds(config, store, clock().getTime());
            options.log.debug(`publish: ${filesWritten.length} files changed in ${Math.round(performance.now() - publishing)} ms`);
            return { clustered: placed, filesWritten };
          },
          signal,
        )) ?? skipped);
  if (config.publish.websub.hubs.length > 0 && filesWritten.length > 0) {
    const { pingHubs } = await import('./publish/websub.js');
    await pingHubs(config.publish.websub.hubs, await changedFeeds(config, filesWritten), options.log, options.websub);
  }

  const report: RunReport = {
    startedAt,
    finishedAt: clock().toISOString(),
    sources: results,
    newItems: sum(results.map((r) => r.newItems)),
    updatedItems: sum(results.map((r) => r.updatedItems)),
    newClusters: clustered.newClusters,
    merges: clustered.merged,
    filesWritten,
    errors: results.filter((r) => r.outcome === 'error').length,
    ...(stopped() ? { interrupted: true, unread: sources.length - results.length } : {}),
  };
  await store.runs.finish(runId, report, stopped() ? 'interrupted' : 'ok');
  return report;
}

/** Features worked out while reading (see FeatureCache), for the items of each source that were all new. */
interface FeaturesAhead {
  readonly features: FeatureCache;
  /** The items a source's read stored, all of them new (a re-read's new few are left to clustering). */
  stored(sourceName: string, items: readonly RawItem[], inserted: number): void;
  stop(): void;
}

async function featuresAhead(): Promise<FeaturesAhead> {
  const { FeatureCache, KEPT_FEATURES_ITEMS } = await import('./cluster/feature-cache.js');
  const features = new FeatureCache();
  const work = new IdleWork<readonly [string, ItemText]>(([sourceName, text]) => features.add(sourceName, text));
  return {
    features,
    stored: (sourceName, items, inserted) => {
      if (inserted === 0 || inserted !== items.length) return;
      // Held and waiting items stay within the cache's bound, and the queue keeps only the text of each (not
      // its content HTML): a large run's reading never holds on to what it stored.
      if (features.items + work.pending + items.length > KEPT_FEATURES_ITEMS) return;
      work.add(items.map(({ title, summary, author, outlet }) => [sourceName, { title, summary, author, outlet }] as const));
    },
    stop: () => work.stop(),
  };
}

/** Records the sources the config and the seed folders declare; returns every source to read this run: those and
 * the ones the CLI subscribed to. */
async function declareSources(config: Config, store: Store, now: string, log: Logger): Promise<SourceState[]> {
  const { specs: listings, errors } = discoverListings(config.seeds, config.seedNames);
  for (const error of errors) log.warn({ source: error.path }, `seeds: ${error.path}: ${error.error}`);
  const feeds: SourceSpec[] = config.feeds.map((feed) => ({
    kind: 'feed',
    url: feed.url,
    // Never the URL itself: it may carry a token or be a local path, and the name is credited in public feeds.
    name: feed.name ?? defaultFeedName(feed.url),
    origin: 'config',
    schedule: feed.schedule,
  }));
  await store.sources.declare([...listings, ...feeds], now);
  const declared = new Set([...listings, ...feeds].map((spec) => spec.url));
  return (await store.sources.list()).filter((source) => source.origin === 'cli' || declared.has(source.url));
}

/**
 * Reads every listing file that changed since the last run; each file's items land in one transaction. Yields
 * to the event loop between files, so a stop signal is heard within one file's work.
 */
async function ingestListings(
  listings: readonly SourceState[],
  limits: ListingLimits,
  store: Store,
  clock: () => Date,
  progress: Progress,
  signal: AbortSignal | undefined,
  ahead: FeaturesAhead | undefined,
): Promise<SourceRunResult[]> {
  progress.start('listings', listings.length);
  const results: SourceRunResult[] = [];
  for (const source of listings) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) break;
    results.push(await ingestListing(source, limits, store, clock, progress, ahead));
  }
  progress.stop();
  return results;
}

/** What a listing file may hold: fetch.maxBodyBytes and fetch.maxItems, as a feed document. */
type ListingLimits = Pick<Config['fetch'], 'maxBodyBytes' | 'maxItems'>;

async function ingestListing(
  source: SourceState,
  limits: ListingLimits,
  store: Store,
  clock: () => Date,
  progress: Progress,
  ahead: FeaturesAhead | undefined,
): Promise<SourceRunResult> {
  const at = clock();
  const now = at.toISOString();
  const base = { url: source.url, name: source.name };
  const unchanged = async (stamp: string | null): Promise<SourceRunResult> => {
    await store.sources.update(source.url, { lastFetchedAt: now, etag: stamp });
    return { ...base, outcome: 'not-modified', newItems: 0, updatedItems: 0 };
  };
  try {
    // As a feed file: not read again while it keeps its stamp, not segmented again while it keeps its bytes.
    if (source.status === 'ok' && stillAsStamped(source.url, source.etag)) return await unchanged(source.etag);
    const { text, hash, stamp } = await readListingFile(source.url, limits.maxBodyBytes, at);
    if (hash === source.contentHash && source.status === 'ok') return await unchanged(stamp);
    const segmented = segmentListing(text, { name: source.name, url: source.url });
    // At most fetch.maxItems entries of one document, as for a feed, and not silently.
    const items = segmented.slice(0, limits.maxItems);
    const warning =
      segmented.length > items.length
        ? partlyReadWarning(`listing "${source.name}" (${source.url})`, segmented.length, items.length)
        : null;
    const state = { status: 'ok', lastError: null, lastFetchedAt: now, contentHash: hash, etag: stamp, errorCount: 0 } as const;
    const [stored] = await store.storeReads([{ url: source.url, items, state }], now);
    ahead?.stored(source.name, items, stored!.inserted);
    return { ...base, outcome: 'read', newItems: stored!.inserted, updatedItems: stored!.updated, ...(warning ? { warning } : {}) };
  } catch (error) {
    const message = `listing "${source.name}" (${source.url}): ${describeError(error)}`;
    await store.sources.update(source.url, { status: 'error', lastError: message, lastFetchedAt: now, errorCount: source.errorCount + 1 });
    return { ...base, outcome: 'error', newItems: 0, updatedItems: 0, error: message };
  } finally {
    progress.tick(source.name);
  }
}

/**
 * Fetches the due feeds politely; each feed's items and state land in one transaction soon after it is read.
 * Feeds are claimed a chunk at a time: on SQLite all at once, on PostgreSQL only those no other worker holds.
 */
async function ingestFeeds(
  feeds: readonly SourceState[],
  config: Config,
  store: Store,
  clock: () => Date,
  progress: Progress,
  options: Pick<RunOptions, 'force' | 'ignoreDefaultSchedule' | 'signal' | 'onFeedRead'> & {
    readonly startedAt: string;
    readonly parser: FeedParser;
    readonly ahead: FeaturesAhead | undefined;
  },
): Promise<SourceRunResult[]> {
  if (feeds.length === 0) return [];
  progress.start('feeds', feeds.length);
  const byUrl = new Map(feeds.map((feed) => [feed.url, feed]));
  const results: SourceRunResult[] = [];
  // Reads are stored in batches: one commit per source cost more than parsing it (issue 18). Each source still
  // lands whole (its items and state in the batch's one transaction); a batch is written once it is large, or
  // soon after its first read, so a slow origin never holds finished reads back for long. Batches are written
  // one after the other, in the order they were read.
  let pending: FeedReadOutcome[] = [];
  let pendingItems = 0;
  let timer: NodeJS.Timeout | undefined;
  let failed: { error: unknown } | undefined;
  let writing: Promise<void> = Promise.resolve();
  const write = async (batch: readonly FeedReadOutcome[]): Promise<void> => {
    if (failed) return;
    let stored;
    try {
      stored = await store.storeReads(batch, clock().toISOString());
    } catch (error) {
      failed = { error };
      return;
    }
    batch.forEach((outcome, i) => {
      const source = byUrl.get(outcome.url)!;
      options.ahead?.stored(source.name, outcome.items, stored[i]!.inserted);
      results.push({
        url: outcome.url,
        name: source.name,
        outcome: outcome.outcome,
        newItems: stored[i]!.inserted,
        updatedItems: stored[i]!.updated,
        error: outcome.error ?? undefined,
        ...(outcome.warning ? { warning: outcome.warning } : {}),
      });
      progress.tick(source.name);
    });
  };
  const flush = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = pending;
    pending = [];
    pendingItems = 0;
    if (batch.length > 0) writing = writing.then(() => write(batch));
  };
  const collect = (outcome: FeedReadOutcome): void => {
    options.onFeedRead?.(outcome);
    pending.push(outcome);
    pendingItems += outcome.items.length;
    if (pending.length >= BATCH_SOURCES || pendingItems >= BATCH_ITEMS) flush();
    else timer ??= setTimeout(flush, BATCH_DELAY_MS);
  };
  const fetchOptions = {
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
    credentialsFor: credentialsOf(config),
    signal: options.signal,
    parser: options.parser,
    // Shared by every chunk claimed: a chunk's reads start as soon as slots free up, not when the last chunk ended.
    limiter: createLimiter(config.fetch.concurrency, config.fetch.perHostConcurrency),
  };
  // A claim outlives the slowest read it covers (every redirect, the whole timeout) before another worker may
  // take the feed over.
  const leaseMs = (config.fetch.timeoutSeconds * (config.fetch.maxRedirects + 2) + 60) * 1000;
  const remaining = new Set(feeds.map((feed) => feed.url));
  const slots = config.fetch.concurrency;
  const ahead = Math.max(1, Math.ceil(slots * CLAIM_AHEAD));
  // Claimed and not yet fetched (a feed whose document the parser holds is fetched); a finished fetch (or the
  // stop signal) wakes the claiming loop.
  let open = 0;
  let wake: (() => void) | undefined;
  const woken = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  options.signal?.addEventListener('abort', woken, { once: true });
  const reading: Promise<unknown>[] = [];
  const unread = new Set<string>();
  while (remaining.size > 0 && !options.signal?.aborted && !failed) {
    if (open > slots) {
      await new Promise<void>((resolve) => (wake = resolve));
      continue;
    }
    const claimed = await store.sources.claim({
      urls: [...remaining],
      limit: slots + ahead - open,
      now: clock(),
      leaseMs,
      runStartedAt: options.startedAt,
      force: options.force ?? false,
    });
    if (claimed.length === 0) break;
    for (const source of claimed) {
      remaining.delete(source.url);
      unread.add(source.url);
    }
    open += claimed.length;
    const read = readFeeds(
      claimed,
      fetchOptions,
      clock(),
      (outcome) => {
        unread.delete(outcome.url);
        collect(outcome);
      },
      () => {
        open--;
        woken();
      },
    );
    reading.push(read);
    // A read that ends without an outcome (stopped) frees its claim's place too.
    read.then(woken, woken);
  }
  options.signal?.removeEventListener('abort', woken);
  await Promise.all(reading);
  flush();
  await writing;
  // Stopped: the feeds claimed and not read are given back now, not when their lease ends.
  if (unread.size > 0) await store.sources.release([...unread]);
  progress.stop();
  if (failed) throw failed.error;
  return results;
}

/**
 * Assigns every unclustered item (those a stopped run stored too); returns how many stories were made and
 * merged. A stop during the computation discards it: nothing is applied, the next run clusters these items.
 */
async function clusterNewItems(
  config: Config,
  store: Store,
  now: string,
  log: Logger,
  signal: AbortSignal | undefined,
  known: FeatureCache | undefined,
): Promise<{ newClusters: number; merged: number; placed: number }> {
  const builtWith = await store.meta.get('cluster.level');
  if (builtWith !== config.cluster.level) {
    // Reset first, level second: a crash in between resets again next time, never keeps stories of the old level.
    if (builtWith !== undefined) {
      log.warn(`cluster: level changed from ${builtWith} to ${config.cluster.level}: re-clustering every item`);
      await store.clusters.reset();
    }
    await store.meta.set('cluster.level', config.cluster.level);
  }
  const fresh = await store.items.unclustered();
  if (fresh.length === 0) return { newClusters: 0, merged: 0, placed: 0 };
  const windowMs = config.cluster.windowDays * DAY_MS;
  let earliest = Number.POSITIVE_INFINITY;
  let latest = Number.NEGATIVE_INFINITY;
  for (const item of fresh) {
    earliest = Math.min(earliest, item.time);
    latest = Math.max(latest, item.time);
  }
  // Only stories within the window of some new item can take one; later ones are as irrelevant as earlier.
  const existing = await store.items.clusteredBetween(earliest - windowMs, latest + windowMs);
  log.debug(
    { newItems: fresh.length, stored: existing.length },
    `cluster: placing ${fresh.length} new items among ${existing.length} stored`,
  );
  const started = performance.now();
  const knownBefore = known?.items ?? 0;
  const result = await assignInterruptibly(existing, fresh, config.cluster, signal, known);
  if (result === null) return { newClusters: 0, merged: 0, placed: 0 };
  const placedAt = performance.now();
  const applied = await store.clusters.apply(result, now);
  const placedMs = Math.round(placedAt - started);
  const storedMs = Math.round(performance.now() - placedAt);
  // Items whose features were worked out while reading (see FeatureCache).
  const featuresAhead = knownBefore - (known?.items ?? 0);
  log.debug(
    { placedMs, storedMs, featuresAhead },
    `cluster: placed in ${placedMs} ms, stored in ${storedMs} ms (${applied.newClusters} new stories, ${applied.merged} merged)`,
  );
  return { newClusters: applied.newClusters, merged: applied.merged, placed: fresh.length };
}

/**
 * How long clustering holds the thread before it lets the event loop run: a signal is heard (and a stop acted
 * on, README) within this, and a server in the same process answers meanwhile. Clustering once ran in a worker
 * thread for this; copying tens of thousands of items there and the result back cost more (issue 18: 63,660
 * items placed in 5.9 s in a worker, 5.1 s here).
 */
const CLUSTER_SLICE_MS = 50;

/** The clustering result, or null when the run was stopped while it was being computed. */
async function assignInterruptibly(
  existing: readonly ClusteredInput[],
  fresh: readonly ClusterInput[],
  options: ClusterOptions,
  signal: AbortSignal | undefined,
  known: FeatureCache | undefined,
): Promise<ClusteringResult | null> {
  const { assignStepwise } = await import('./cluster/index.js');
  const steps = assignStepwise(existing, fresh, options, known);
  let sliceStarted = performance.now();
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    if (performance.now() - sliceStarted >= CLUSTER_SLICE_MS) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (signal?.aborted) return null;
      sliceStarted = performance.now();
    }
  }
}

/**
 * Renders and writes every output feed and the site (index, latest and archive pages, a page per published
 * story); returns the files that changed. Published: every story an output feed shows, and the top stories.
 */
export async function publishFeeds(config: Config, store: Store, now: number): Promise<string[]> {
  const [
    { fillsEveryFeed, renderFeed, selectClusters },
    { PAGE_STORIES, renderSite },
    { rankTopStories, TOP_WINDOW_DAYS },
    story,
    { writeFeeds, writeSite },
  ] = await Promise.all([
    import('./publish/feeds.js'),
    import('./publish/pages.js'),
    import('./publish/ranking.js'),
    import('./publish/story.js'),
    import('./publish/write.js'),
  ]);
  const { clusterOutlets, describeCluster } = story;
  const clusters = await store.clusters.newest(
    (loaded) => fillsEveryFeed(loaded, config.publish.feeds, now) && coversTopWindow(loaded, TOP_WINDOW_DAYS),
  );
  const site = { title: config.title, baseUrl: config.baseUrl };
  const selections = config.publish.feeds.map((feed) => selectClusters(clusters, feed, now));
  const hubs = config.publish.websub.hubs;
  const rendered = config.publish.feeds.map((feed, index) => renderFeed(selections[index]!, feed, site, { hubs }));
  const written = writeFeeds(config.output, rendered);

  const published = new Set(selections.flat().map((cluster) => cluster.id));
  // Ranked on what ranking reads; only the stories published are described in full.
  const candidates = clusters.map((cluster) => ({
    id: cluster.id,
    updated: cluster.updated,
    outlets: clusterOutlets(cluster.items),
    versions: cluster.items,
  }));
  for (const story of rankTopStories(candidates).slice(0, PAGE_STORIES)) published.add(story.id);
  const shown = clusters
    .filter((cluster) => published.has(cluster.id))
    .map((cluster) => describeCluster(cluster, site.baseUrl))
    .sort(newestFirst);
  const redirects = await store.clusters.mergedInto([...published]);
  const pages = renderSite({ site, feeds: config.publish.feeds, stories: shown, redirects });
  return [...written, ...writeSite(config.output, pages)];
}

/**
 * Makes the stories obey the corrections made by hand (`split`, `merge`): after every clustering, and after a
 * re-clustering on a level change, whose new stories know nothing of them. Returns the steps taken (none when
 * the stories already obey, so a run without news changes nothing).
 */
export async function obeyCorrections(store: Store, now: string): Promise<number> {
  const corrections = (await store.corrections.list()).filter((c) => c.undoneAt === null);
  if (corrections.length === 0) return 0;
  const { applyCorrections, correctedItems } = await import('./cluster/corrections.js');
  const memberships = new Map<string, string>();
  for (const id of correctedItems(corrections)) {
    const item = await store.items.get(id);
    if (item?.clusterId) memberships.set(id, item.clusterId);
  }
  const steps = applyCorrections(memberships, corrections);
  if (steps.length > 0) await store.clusters.correct(steps, now);
  return steps.length;
}

/** The output feeds among the files a run wrote, each with the public URL of every format that changed. */
async function changedFeeds(config: Config, written: readonly string[]): Promise<ChangedFeed[]> {
  const { FEED_FORMATS, feedUrl } = await import('./publish/feeds.js');
  const site = { title: config.title, baseUrl: config.baseUrl };
  const paths = new Set(written);
  return config.publish.feeds.map((feed) => ({
    name: feed.name,
    urls: FEED_FORMATS.filter((format) => paths.has(join(config.output, `${feed.name}.${format}`))).map((format) =>
      feedUrl(site, feed.name, format),
    ),
  }));
}

/**
 * Top stories are chosen among about this many recently changed ones (newest loads pages of 256, 512...; the
 * stories of one run, all changed at once, come latest started first): a dense stream never loads its whole
 * window (the UCI bench: 6,366 items make about 1,800 stories within three days).
 */
const TOP_CANDIDATES = 1_000;

/** Whether the stories loaded reach back past the top-stories window (or are enough candidates). */
function coversTopWindow(loaded: readonly { readonly updated: string }[], windowDays: number): boolean {
  if (loaded.length >= TOP_CANDIDATES) return true;
  if (loaded.length === 0) return false;
  const times = loaded.map((cluster) => Date.parse(cluster.updated));
  return Math.min(...times) < Math.max(...times) - windowDays * DAY_MS;
}

function newestFirst(a: { updated: string; id: string }, b: { updated: string; id: string }): number {
  return Date.parse(b.updated) - Date.parse(a.updated) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The HTTP Basic credentials configured for a feed, the password file read now (so a rotated secret is used
 * at the next fetch); undefined leaves the URL's own userinfo, if any, to the fetcher.
 */
function credentialsOf(config: Config): (url: string) => BasicCredentials | undefined {
  // Looked up by URL, not searched for: a run asks once per feed, and 2,000 feeds made the search quadratic.
  const auths = new Map(config.feeds.flatMap((feed) => (feed.auth ? [[feed.url, feed.auth] as const] : [])));
  return (url) => credentialsFor(auths.get(url));
}

function credentialsFor(auth: Config['feeds'][number]['auth']): BasicCredentials | undefined {
  if (!auth) return undefined;
  if (auth.passwordFile === undefined) return { username: auth.username, password: auth.password ?? '' };
  let text: string;
  try {
    text = readFileSync(auth.passwordFile, 'utf8');
  } catch (error) {
    throw new FetchError(
      `fetch: cannot read passwordFile ${auth.passwordFile}: ${(error as NodeJS.ErrnoException).code ?? describeError(error)}`,
    );
  }
  // The first line: `echo secret > file` and systemd-creds both end the file with a newline.
  return { username: auth.username, password: text.split(/\r?\n/, 1)[0]! };
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
