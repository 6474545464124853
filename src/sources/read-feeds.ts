import { nextCronTime } from '../cron.js';
import { describeError, FetchError, ParseError } from '../errors.js';
import type { RawItem, SourceState, SourceStateChange } from '../model.js';
import { redactText, redactUrl } from '../redact.js';
import { backoffDelayMs, parseRetryAfter } from './http/backoff.js';
import type { ParsedFeed } from './feed/parse.js';
import { inProcessParser, type FeedParser } from './feed/parse-pool.js';
import {
  fetchHttp,
  FetchAbortedError,
  hashBody,
  HttpStatusError,
  readFileSource,
  stillAsStamped,
  type BasicCredentials,
} from './http/fetch.js';
import { createLimiter, type Limiter } from './http/limiter.js';

/** How feeds are fetched: limits from config.fetch, the default schedule, and whether this is a forced run. */
export interface FeedFetchOptions {
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  /** Entries read from one document (fetch.maxItems). */
  readonly maxItems: number;
  readonly maxRedirects: number;
  readonly concurrency: number;
  readonly perHostConcurrency: number;
  readonly blockPrivateAddresses: boolean;
  /** Cron expression; a source's own `schedule` overrides it. */
  readonly defaultSchedule: string;
  /** Ignore the schedule part of nextFetchAt (one-shot `run`); backoff, Retry-After and 410 Gone still hold. */
  readonly force?: boolean;
  /** Feeds without a `schedule` of their own are always due: under cron, the crontab is their schedule. */
  readonly ignoreDefaultSchedule?: boolean;
  /** HTTP Basic credentials configured for a feed (username/password keys); the URL's userinfo otherwise. */
  readonly credentialsFor?: (url: string) => BasicCredentials | undefined;
  /** Stops the reading (SIGTERM): no feed starts once aborted, and requests in flight are abandoned. */
  readonly signal?: AbortSignal | undefined;
  /**
   * The fetch slots, shared by several calls (a worker claiming feeds a few at a time keeps every slot busy);
   * default: slots of this call's own, from `concurrency` and `perHostConcurrency`.
   */
  readonly limiter?: Limiter;
  /** Parses documents (parse-pool.ts: on other threads for a run of many feeds); on this thread by default. */
  readonly parser?: FeedParser;
}

/** What happened to one feed in a run, and what to store for it. */
export interface FeedReadOutcome {
  /** The source's url as passed in. */
  readonly url: string;
  readonly outcome: 'read' | 'not-modified' | 'skipped' | 'error';
  /** Items read; empty unless outcome is 'read'. */
  readonly items: readonly RawItem[];
  /** One line naming the feed and the failure, or null. */
  readonly error: string | null;
  /** One line naming the feed and something read only in part (entries beyond fetch.maxItems), or null. */
  readonly warning?: string | null;
  /** What to store for this source. */
  readonly state: SourceStateChange;
  /** What kind of failure, for the metrics: http (an error status), fetch (network, size, timeout), parse, other. */
  readonly errorKind?: 'http' | 'fetch' | 'parse' | 'other';
  /** How long the read took (fetch and parse), for the metrics; 0 when skipped. */
  readonly durationMs?: number;
  /** Not read because the run was stopped: nothing is to be stored for it, its state stays as it was. */
  readonly interrupted?: boolean;
}

/**
 * Cron fires a scheduler tick a few milliseconds before a stored nextFetchAt computed from the same
 * expression at the previous tick; a minute of slack keeps such a feed due instead of skipping a whole period.
 */
const DUE_SLACK_MS = 60_000;

/** Reads every due feed with global and per-host concurrency limits; never throws for one bad feed. */
export async function readFeeds(
  sources: readonly SourceState[],
  options: FeedFetchOptions,
  now: Date,
  onOutcome?: (outcome: FeedReadOutcome) => void,
  /** Told when a feed no longer needs a fetch slot (skipped, or its document handed to the parser), before its outcome. */
  onFetched?: (url: string) => void,
): Promise<FeedReadOutcome[]> {
  const limiter = options.limiter ?? createLimiter(options.concurrency, options.perHostConcurrency);
  // Every feed of a run shares `now` and most share one schedule: each expression is worked out once (issue 18).
  const schedules = new Map<string, Date | null>();
  const scheduledAfterNow = (expression: string): Date | null => {
    if (!schedules.has(expression)) schedules.set(expression, nextScheduled(expression, now));
    return schedules.get(expression)!;
  };
  return Promise.all(
    sources.map(async (source) => {
      const skip = skipReason(source, options, now);
      // A feed's slot is held while it is fetched and until its document is handed to the parser, not while it
      // is parsed: parsing on other threads then overlaps the next fetches (issue 18).
      const fetched = skip
        ? { done: Promise.resolve(skipped(source)) }
        : await limiter.run(hostKey(source.url), async () => {
            // A feed waiting for a slot when the run is stopped is left for the next run, untouched.
            if (options.signal?.aborted) return { done: Promise.resolve(interrupted(source)) };
            const started = performance.now();
            const { done } = await readOne(source, options, now, scheduledAfterNow);
            return { done: done.then((read) => ({ ...read, durationMs: performance.now() - started })) };
          });
      onFetched?.(source.url);
      const outcome = await fetched.done;
      if (!outcome.interrupted) onOutcome?.(outcome);
      return outcome;
    }),
  );
}

/** Why a source is not read now, or null when it is due. */
function skipReason(source: SourceState, options: FeedFetchOptions, now: Date): string | null {
  if (source.status === 'gone') return 'gone';
  // Backoff and Retry-After are honoured to the millisecond; only the schedule gets the slack.
  if (source.retryNotBefore && Date.parse(source.retryNotBefore) > now.getTime()) return 'backoff';
  if (source.nextFetchAt) {
    const next = Date.parse(source.nextFetchAt);
    const scheduleApplies = !options.force && !(options.ignoreDefaultSchedule && !source.schedule);
    if (scheduleApplies && next > now.getTime() + DUE_SLACK_MS) return 'schedule';
  }
  return null;
}

function skipped(source: SourceState): FeedReadOutcome {
  return { url: source.url, outcome: 'skipped', items: [], error: null, state: {} };
}

function interrupted(source: SourceState): FeedReadOutcome {
  return { ...skipped(source), interrupted: true };
}

/**
 * Fetches one feed and hands its document to the parser; resolves once the parser has taken it, with the
 * outcome to wait for (which never rejects).
 */
async function readOne(
  source: SourceState,
  options: FeedFetchOptions,
  now: Date,
  scheduledAfterNow: (expression: string) => Date | null,
): Promise<{ readonly done: Promise<FeedReadOutcome> }> {
  const settled = (outcome: FeedReadOutcome): { readonly done: Promise<FeedReadOutcome> } => ({ done: Promise.resolve(outcome) });
  const scheduled = scheduledAfterNow(source.schedule ?? options.defaultSchedule);
  const isHttp = /^https?:\/\//i.test(source.url);
  let newUrl: string | null = null;
  try {
    let body: Buffer;
    let contentType: string | null = null;
    let documentUrl = source.url;
    let fileHash: string | undefined;
    const validators: { etag?: string | null; lastModified?: string | null } = {};
    if (isHttp) {
      const response = await fetchHttp({
        url: source.url,
        etag: source.etag,
        lastModified: source.lastModified,
        timeoutMs: options.timeoutMs,
        maxBodyBytes: options.maxBodyBytes,
        maxRedirects: options.maxRedirects,
        blockPrivateAddresses: options.blockPrivateAddresses,
        credentials: options.credentialsFor?.(source.url),
        signal: options.signal,
      });
      newUrl = response.permanentUrl;
      validators.etag = response.etag;
      validators.lastModified = response.lastModified;
      if (response.kind === 'not-modified') {
        return settled(notModified(source, now, scheduled, validators, newUrl));
      }
      body = response.body;
      contentType = response.contentType;
      documentUrl = response.finalUrl;
    } else {
      // A file still as it was read last time is not read again: its stamp is its validator (kept as the etag).
      if (source.status !== 'error' && stillAsStamped(source.url, source.etag)) {
        return settled(notModified(source, now, scheduled, validators, newUrl));
      }
      const file = await readFileSource(source.url, options.maxBodyBytes, now);
      body = file.body;
      fileHash = file.contentHash;
      validators.etag = file.stamp;
    }
    const contentHash = fileHash ?? hashBody(body);
    // Same bytes as last time (a file, or a server without validators): nothing to parse.
    if (source.contentHash === contentHash && source.status !== 'error') {
      return settled(notModified(source, now, scheduled, validators, newUrl));
    }
    const parsing = await (options.parser ?? inProcessParser).submit(body, {
      url: documentUrl,
      contentType,
      now,
      maxItems: options.maxItems,
    });
    const parsed = (feed: ParsedFeed): FeedReadOutcome => {
      const read = feed.items.length;
      return {
        url: source.url,
        outcome: 'read',
        items: feed.items,
        error: null,
        warning: feed.skippedItems > 0 ? partlyReadWarning(feedLabel(source), feed.skippedItems + read, options.maxItems) : null,
        state: {
          ...success(now, scheduled),
          status: 'ok',
          ...validators,
          contentHash,
          title: feed.title,
          ...(newUrl ? { newUrl } : {}),
        },
      };
    };
    const failed = (error: unknown): FeedReadOutcome =>
      failure(source, error, now, scheduled, newUrl ?? (error instanceof HttpStatusError ? error.permanentUrl : null));
    return { done: parsing.result.then(parsed, failed) };
  } catch (error) {
    // Abandoned because the run stops: not the feed's fault, so no error and no backoff; the next run reads it.
    if (error instanceof FetchAbortedError) return settled(interrupted(source));
    return settled(failure(source, error, now, scheduled, newUrl ?? (error instanceof HttpStatusError ? error.permanentUrl : null)));
  }
}

function success(now: Date, scheduled: Date | null): SourceStateChange {
  return {
    lastError: null,
    lastFetchedAt: now.toISOString(),
    nextFetchAt: scheduled?.toISOString() ?? null,
    retryNotBefore: null,
    errorCount: 0,
  };
}

function notModified(
  source: SourceState,
  now: Date,
  scheduled: Date | null,
  validators: { etag?: string | null; lastModified?: string | null },
  newUrl: string | null,
): FeedReadOutcome {
  return {
    url: source.url,
    outcome: 'not-modified',
    items: [],
    error: null,
    state: { ...success(now, scheduled), status: 'not-modified', ...validators, ...(newUrl ? { newUrl } : {}) },
  };
}

function failure(source: SourceState, error: unknown, now: Date, scheduled: Date | null, newUrl: string | null): FeedReadOutcome {
  const errorCount = source.errorCount + 1;
  // Messages are stored, logged and counted: a URL in one (a redirect's target) is shown redacted.
  const reason = redactText(describeError(error).replace(/^(fetch|parse): /, ''), [source.url]);
  const label = feedLabel(source);
  if (error instanceof HttpStatusError && error.status === 410) {
    return {
      url: source.url,
      outcome: 'error',
      errorKind: 'http',
      items: [],
      error: `${label}: ${reason}: polling stopped until the feed is reset`,
      state: { status: 'gone', lastError: reason, lastFetchedAt: now.toISOString(), nextFetchAt: null, retryNotBefore: null, errorCount },
    };
  }
  const backoffUntil = new Date(now.getTime() + backoffDelayMs(errorCount));
  const retryAfter = error instanceof HttpStatusError ? parseRetryAfter(error.retryAfter, now) : null;
  const hold = retryAfter && retryAfter > backoffUntil ? retryAfter : backoffUntil;
  const next = scheduled && scheduled > hold ? scheduled : hold;
  const message = `${reason}, retry after ${hold.toISOString()}`;
  return {
    url: source.url,
    outcome: 'error',
    errorKind: errorKindOf(error),
    items: [],
    error: `${label}: ${message}`,
    state: {
      status: 'error',
      lastError: message,
      lastFetchedAt: now.toISOString(),
      nextFetchAt: next.toISOString(),
      retryNotBefore: hold.toISOString(),
      errorCount,
      ...(newUrl ? { newUrl } : {}),
    },
  };
}

/** The kind of a feed's failure, as the metrics count it. */
function errorKindOf(error: unknown): NonNullable<FeedReadOutcome['errorKind']> {
  if (error instanceof HttpStatusError) return 'http';
  if (error instanceof ParseError) return 'parse';
  if (error instanceof FetchError) return 'fetch';
  return 'other';
}

function nextScheduled(expression: string, now: Date): Date | null {
  try {
    return nextCronTime(expression, now);
  } catch {
    return null; // config validates schedules; an unparsable one just means "every run"
  }
}

/** Per-host limit key: the host of an URL (port included), or one key per local file. */
function hostKey(url: string): string {
  try {
    return /^https?:\/\//i.test(url) ? new URL(url).host : `file:${url}`;
  } catch {
    return url;
  }
}

/** The warning for a document (feed or listing) with more entries than fetch.maxItems: only the first were read. */
export function partlyReadWarning(label: string, entries: number, read: number): string {
  return `${label}: ${entries} entries in one document; read the first ${read} (fetch.maxItems)`;
}

/** How a feed is named in messages: its name and URL, without the URL's credentials. */
function feedLabel(source: SourceState): string {
  const url = redactUrl(source.url);
  return source.name && source.name !== source.url ? `feed "${source.name}" (${url})` : `feed ${url}`;
}
