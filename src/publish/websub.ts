import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { redactUrl } from '../redact.js';

/** A published feed whose files changed this run, with the public URL of each changed format (its topics). */
export interface ChangedFeed {
  readonly name: string;
  readonly urls: readonly string[];
}

/** How hard to try a hub. */
export interface PingOptions {
  /** Attempts per hub and feed (the first and the retries). */
  readonly attempts: number;
  /** Wait before the first retry; doubled before each next one. */
  readonly backoffMs: number;
  /** Time allowed for one request. */
  readonly timeoutMs: number;
}

/**
 * Three tries, 2 s then 4 s apart, 10 s each: a hub that restarts is caught, and a dead one costs a run at most
 * about 36 s, spent in parallel with the other hubs.
 */
const DEFAULT_PING: PingOptions = { attempts: 3, backoffMs: 2_000, timeoutMs: 10_000 };

/**
 * Tells each WebSub hub that these feeds changed: one POST per hub and changed feed, form-encoded
 * `hub.mode=publish` with a `hub.url` per changed format (the feed's self URLs), as hubs implementing the
 * publish convention of PubSubHubbub 0.4 / WebSub expect. Failed requests (network errors, 5xx, 429) are retried
 * with exponential backoff; a hub that still fails is logged and never fails the run. Returns the pings that
 * were accepted (2xx) and those that failed.
 */
export async function pingHubs(
  hubs: readonly string[],
  changed: readonly ChangedFeed[],
  log: Logger,
  options: PingOptions = DEFAULT_PING,
): Promise<{ accepted: number; failed: number }> {
  const pings = hubs.flatMap((hub) => changed.filter((feed) => feed.urls.length > 0).map((feed) => ({ hub, feed })));
  const outcomes = await Promise.all(pings.map(({ hub, feed }) => pingOne(hub, feed, log, options)));
  const accepted = outcomes.filter(Boolean).length;
  return { accepted, failed: outcomes.length - accepted };
}

async function pingOne(hub: string, feed: ChangedFeed, log: Logger, options: PingOptions): Promise<boolean> {
  const body = new URLSearchParams([['hub.mode', 'publish'], ...feed.urls.map((url) => ['hub.url', url] as [string, string])]).toString();
  let lastError = '';
  for (let attempt = 1; attempt <= options.attempts; attempt++) {
    if (attempt > 1) await sleep(options.backoffMs * 2 ** (attempt - 2));
    try {
      const response = await fetch(hub, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) {
        log.debug({ hub: redactUrl(hub), feed: feed.name }, `websub: ${redactUrl(hub)} notified of ${feed.name}`);
        return true;
      }
      lastError = `HTTP ${response.status}`;
      // A 4xx other than 429 will not change on a retry: the hub refuses this request.
      if (response.status < 500 && response.status !== 429) break;
    } catch (error) {
      lastError = describeError(error);
    }
  }
  log.warn({ hub: redactUrl(hub), feed: feed.name }, `websub: hub ${redactUrl(hub)} was not notified of feed ${feed.name}: ${lastError}`);
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
