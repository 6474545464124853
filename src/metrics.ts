import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RunReport, SourceState } from './model.js';
import type { FeedReadOutcome } from './sources/read-feeds.js';

/** What the metrics read from the store at scrape time (never per-source detail: only counts). */
interface MetricsSources {
  /** Every source (listing and feed), for the count by kind and status. */
  readonly sources: () => Promise<readonly SourceState[]> | readonly SourceState[];
  /** Items stored. */
  readonly items: () => Promise<number> | number;
}

/** The daemon's Prometheus metrics (`/metrics`), fed by each run and read at each scrape. */
interface Metrics {
  /** Counts one feed read: its outcome, duration and, on failure, the kind of error. */
  feedRead(outcome: FeedReadOutcome): void;
  /** Counts a finished run (completed or stopped early). */
  runFinished(report: RunReport, seconds: number): void;
  /** Counts a run that failed as a whole (storage, lock lost...). */
  runFailed(kind: string, seconds: number): void;
  /** The exposition: content type and body. */
  render(): Promise<{ readonly contentType: string; readonly body: string }>;
}

/**
 * Fetch durations: a 304 from a nearby server takes milliseconds, a large feed over a slow link seconds, and
 * fetch.timeoutSeconds (20 s by default, at most 600) caps the rest.
 */
const FETCH_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 60, 120];

/** Run durations: seconds for the seed listings, minutes for thousands of feeds. */
const RUN_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600];

/** Creates the registry with feedmerge's metrics and Node's process metrics. */
export function createMetrics(read: MetricsSources): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'feedmerge_' });
  // prom-client names these gauges *_total, which Prometheus reserves for counters (`promtool check metrics`
  // refuses them); the same counts are in nodejs_active_*_total's place nowhere else, and nobody alerts on them.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(`feedmerge_${name}`);
  }
  const runs = new Counter({
    name: 'feedmerge_runs_total',
    help: 'Runs by how they ended: ok, interrupted (stopped by a signal) or failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'feedmerge_run_duration_seconds',
    help: 'Duration of a run (read, store, cluster, publish).',
    labelNames: ['outcome'] as const,
    buckets: RUN_BUCKETS,
    registers: [registry],
  });
  const lastSuccess = new Gauge({
    name: 'feedmerge_last_success_timestamp_seconds',
    help: 'When the last run that completed finished (Unix time); 0 before the first.',
    registers: [registry],
  });
  const lastRun = new Gauge({
    name: 'feedmerge_last_run_timestamp_seconds',
    help: 'When the last run finished, however it ended (Unix time); 0 before the first.',
    registers: [registry],
  });
  const fetches = new Counter({
    name: 'feedmerge_fetches_total',
    help: 'Feed reads by outcome: read, not-modified, skipped (not due or held back), error.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const fetchDuration = new Histogram({
    name: 'feedmerge_fetch_duration_seconds',
    help: 'Duration of one feed read (request, body and parsing).',
    labelNames: ['outcome'] as const,
    buckets: FETCH_BUCKETS,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'feedmerge_errors_total',
    help:
      'Errors by kind: http (error status), fetch (network, size, timeout), parse, listing, other (a feed),' +
      ' storage or run (a whole run).',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const newItems = new Counter({
    name: 'feedmerge_items_stored_total',
    help: 'New items stored.',
    registers: [registry],
  });
  const updatedItems = new Counter({
    name: 'feedmerge_items_updated_total',
    help: 'Stored items whose text changed at the source.',
    registers: [registry],
  });
  const newStories = new Counter({
    name: 'feedmerge_stories_created_total',
    help: 'New stories (clusters) created.',
    registers: [registry],
  });
  const merges = new Counter({
    name: 'feedmerge_story_merges_total',
    help: 'Stories merged into an older one because an item bridged them.',
    registers: [registry],
  });
  new Gauge({
    name: 'feedmerge_items',
    help: 'Items in the database.',
    registers: [registry],
    async collect() {
      this.set(await read.items());
    },
  });
  new Gauge({
    name: 'feedmerge_sources',
    help: 'Sources by kind (feed, listing) and status (new, ok, not-modified, error, gone).',
    labelNames: ['kind', 'status'] as const,
    registers: [registry],
    async collect() {
      const sources = await read.sources();
      this.reset();
      for (const status of ['ok', 'not-modified', 'error', 'gone']) this.set({ kind: 'feed', status }, 0);
      const counts = new Map<string, number>();
      for (const source of sources) {
        const key = `${source.kind}\u0000${source.status}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      for (const [key, count] of counts) {
        const [kind, status] = key.split('\u0000') as [string, string];
        this.set({ kind, status }, count);
      }
    },
  });
  // Every outcome shows from the first scrape (0), so rate() and alerts work before the first failure.
  for (const outcome of ['ok', 'interrupted', 'failed']) runs.inc({ outcome }, 0);
  for (const outcome of ['read', 'not-modified', 'skipped', 'error']) fetches.inc({ outcome }, 0);
  for (const kind of ['http', 'fetch', 'parse', 'listing', 'other', 'storage', 'run']) errors.inc({ kind }, 0);
  lastSuccess.set(0);
  lastRun.set(0);

  return {
    feedRead(outcome) {
      fetches.inc({ outcome: outcome.outcome });
      if (outcome.durationMs !== undefined) fetchDuration.observe({ outcome: outcome.outcome }, outcome.durationMs / 1000);
      if (outcome.outcome === 'error') errors.inc({ kind: outcome.errorKind ?? 'other' });
    },
    runFinished(report, seconds) {
      const outcome = report.interrupted ? 'interrupted' : 'ok';
      runs.inc({ outcome });
      runDuration.observe({ outcome }, seconds);
      newItems.inc(report.newItems);
      updatedItems.inc(report.updatedItems);
      newStories.inc(report.newClusters);
      merges.inc(report.merges ?? 0);
      for (const source of report.sources) {
        // Feed errors were counted as they happened (feedRead); listings are read without a fetch.
        if (source.outcome === 'error' && !/^https?:\/\//i.test(source.url) && source.error?.startsWith('listing')) {
          errors.inc({ kind: 'listing' });
        }
      }
      const now = Date.now() / 1000;
      lastRun.set(now);
      if (!report.interrupted) lastSuccess.set(now);
    },
    runFailed(kind, seconds) {
      runs.inc({ outcome: 'failed' });
      runDuration.observe({ outcome: 'failed' }, seconds);
      errors.inc({ kind });
      lastRun.set(Date.now() / 1000);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
