import { DAY_MS, HOUR_MS } from '../../model.js';

/** First retry after a failure: an hour keeps a broken origin from being hammered every half hour. */
const MIN_BACKOFF_MS = HOUR_MS;
/** Never wait more than a day: a feed that comes back is picked up the next day at the latest. */
const MAX_BACKOFF_MS = DAY_MS;
/** A Retry-After further out than a week is treated as a week, so one bad header cannot silence a feed forever. */
const MAX_RETRY_AFTER_MS = 7 * DAY_MS;

/**
 * Delay before retrying after `errorCount` consecutive failures (1-based): 1 h, 2 h, 4 h ... 24 h, each
 * spread by +-25% jitter (so feeds failing together do not retry together) and kept within [1 h, 24 h].
 */
export function backoffDelayMs(errorCount: number, random: () => number = Math.random): number {
  // 2^5 h already exceeds the 24 h cap; bounding the exponent keeps the arithmetic finite.
  const exponent = Math.max(0, Math.min(errorCount - 1, 6));
  const base = MIN_BACKOFF_MS * 2 ** exponent;
  const jittered = base * (0.75 + 0.5 * random());
  return Math.round(Math.min(MAX_BACKOFF_MS, Math.max(MIN_BACKOFF_MS, jittered)));
}

/** Parses a Retry-After header (delay in seconds or an HTTP date) into an absolute time, or null if absent/invalid. */
export function parseRetryAfter(header: string | null | undefined, now: Date): Date | null {
  const text = header?.trim();
  if (!text) return null;
  let at: number;
  if (/^\d+$/.test(text)) {
    at = now.getTime() + Number(text) * 1000;
  } else {
    at = Date.parse(text);
    if (Number.isNaN(at)) return null;
  }
  const capped = Math.min(at, now.getTime() + MAX_RETRY_AFTER_MS);
  return capped > now.getTime() ? new Date(capped) : null;
}
