/**
 * Plain records exchanged by the pipeline stages (sources -> store -> cluster -> publish).
 * No stage passes a library's own types across its boundary; everything crosses as these.
 */

/** What kind of reader a source needs. */
type SourceKind = 'listing' | 'feed';

/** Where a source was declared: the config file is authoritative for its own entries. */
type SourceOrigin = 'config' | 'cli' | 'seed';

/** A source to read, as declared by the operator (config, CLI or a seeds folder). */
export interface SourceSpec {
  /** `listing` for a seed text capture, `feed` for RSS/Atom/JSON Feed. */
  readonly kind: SourceKind;
  /** Canonical location: an http(s) URL or an absolute file path (file: URLs are turned into paths). */
  readonly url: string;
  /** Display name of the outlet; a listing defaults to its file name without `.txt`. */
  readonly name: string;
  /** Where the operator declared it. */
  readonly origin: SourceOrigin;
  /** Optional cron expression overriding the default schedule (feeds only). */
  readonly schedule?: string | undefined;
}

/** Persistent per-source state: HTTP validators, health and politeness (what `feeds --json` shows). */
export interface SourceState {
  /** Same as SourceSpec.url; the primary key. */
  readonly url: string;
  readonly kind: SourceKind;
  readonly name: string;
  readonly origin: SourceOrigin;
  readonly schedule: string | null;
  /** `ok`, `error`, `not-modified`, `gone` (410: polling stopped until reset) or `new` (never read). */
  readonly status: SourceStatus;
  /** One-line description of the last failure, or null after a success. */
  readonly lastError: string | null;
  /** ISO time of the last attempt (successful or not). */
  readonly lastFetchedAt: string | null;
  /** ISO time before which the source must not be fetched again (backoff, Retry-After). */
  readonly nextFetchAt: string | null;
  /** Consecutive failures, drives exponential backoff. */
  readonly errorCount: number;
  /** HTTP validators from the last 200 response. */
  readonly etag: string | null;
  readonly lastModified: string | null;
  /** Hash of the last body read (listings and file feeds: skip unchanged files cheaply). */
  readonly contentHash: string | null;
  /** Title the feed gives itself, if any. */
  readonly title: string | null;
  /**
   * ISO time before which even a forced run must not fetch (error backoff or the origin's Retry-After);
   * nextFetchAt also includes the schedule, which a forced run ignores. Null: no such hold.
   */
  readonly retryNotBefore: string | null;
  /** Number of items stored for this source. */
  readonly items: number;
}

export type SourceStatus = 'new' | 'ok' | 'not-modified' | 'error' | 'gone';

/** Fields of a source's state a read changes, plus `newUrl` when the feed moved permanently (301/308). */
export type SourceStateChange = Partial<
  Pick<
    SourceState,
    | 'status'
    | 'lastError'
    | 'lastFetchedAt'
    | 'nextFetchAt'
    | 'retryNotBefore'
    | 'errorCount'
    | 'etag'
    | 'lastModified'
    | 'contentHash'
    | 'title'
  >
> & { readonly newUrl?: string | undefined };

/** The state of a declared source that has never been read (what the store holds for a new row). */
export function newSourceState(spec: SourceSpec): SourceState {
  return {
    url: spec.url,
    kind: spec.kind,
    name: spec.name,
    origin: spec.origin,
    schedule: spec.schedule ?? null,
    status: 'new',
    lastError: null,
    lastFetchedAt: null,
    nextFetchAt: null,
    retryNotBefore: null,
    errorCount: 0,
    etag: null,
    lastModified: null,
    contentHash: null,
    title: null,
    items: 0,
  };
}

/** One story as read from a source, before storage. Text fields are plain text unless named *Html. */
export interface RawItem {
  /** Identity within its source: GUID, else normalised link, else hash of source + normalised title. */
  readonly identity: string;
  /** The feed's GUID / Atom id / JSON Feed id, as given. */
  readonly guid: string | null;
  /** Absolute link to the article. */
  readonly link: string | null;
  /** Headline, plain text, whitespace collapsed. */
  readonly title: string;
  /** Teaser or description, plain text, without truncation marks such as "[...]". */
  readonly summary: string;
  /** Full content as HTML when the source offers it (sanitised at publish time). */
  readonly contentHtml: string | null;
  /** Author(s) as one display string. */
  readonly author: string | null;
  /** Original outlet credited in a byline ("By X, Outlet. -") when it is not the source itself. */
  readonly outlet: string | null;
  /** ISO 8601 UTC publication time, or null when the source gives none (or an absurd one). */
  readonly published: string | null;
  /** ISO 8601 UTC last-modified time from the source, or null. */
  readonly updated: string | null;
  /** Category / tag labels. */
  readonly categories: readonly string[];
  /** 0-based position in the source document (listing order). */
  readonly position: number;
  /** True when the source cut the text short (e.g. "[...]"). */
  readonly truncated: boolean;
}

/** A stored item: a RawItem plus what the store knows about it. */
export interface Item extends RawItem {
  /** Stable id: a hash of the source URL and the identity (16 hex chars). */
  readonly id: string;
  /** URL or path of the source it came from. */
  readonly sourceUrl: string;
  /** Display name of that source. */
  readonly sourceName: string;
  /** ISO time the item was first stored. */
  readonly firstSeenAt: string;
  /** ISO time the stored content last changed. */
  readonly changedAt: string;
  /** Cluster it belongs to, null until clustered. */
  readonly clusterId: string | null;
}

/** A story: the items from every outlet that carried it. */
export interface Cluster {
  /** Stable id, never changes once published (the id of its founding item). */
  readonly id: string;
  /** Display title: the fullest member title. */
  readonly title: string;
  /** ISO time of the earliest member (published, else first seen). */
  readonly published: string;
  /** ISO time the cluster last gained a member or a member's text changed. */
  readonly updated: string;
  /** Members, earliest first. */
  readonly items: readonly Item[];
  /** Other stories on the same actors that are different events (a follow-up, an earlier wave). */
  readonly related: readonly string[];
}

/** Text of an item as the clustering core needs it (no I/O, no storage detail). */
export interface ClusterInput {
  readonly id: string;
  readonly sourceName: string;
  readonly title: string;
  readonly summary: string;
  readonly author: string | null;
  readonly outlet: string | null;
  /** Epoch milliseconds of publication (else first seen), used for the time window. */
  readonly time: number;
  readonly truncated: boolean;
}

/** An already clustered item with its cluster. */
export interface ClusteredInput extends ClusterInput {
  readonly clusterId: string;
}

/** What the clustering core decided for a batch of new items. */
export interface ClusteringResult {
  /** Every new item with the cluster it joins (an existing id, or a new one equal to a member's item id). */
  readonly assignments: readonly { readonly itemId: string; readonly clusterId: string }[];
  /** Existing clusters absorbed into another: `from` is recorded as merged into `into` (the older). */
  readonly merges: readonly { readonly from: string; readonly into: string }[];
  /** Why each new item went where it went, and why stories merged: the record `explain` reads. */
  readonly decisions?: readonly PlacementDecision[];
  /** Stories that share their main actors but are different events (each pair once, older id first). */
  readonly related?: readonly { readonly a: string; readonly b: string; readonly cosine: number }[];
}

/** How a clustering decision was reached. */
type DecisionRule = 'new-story' | 'duplicate' | 'story' | 'story-merge' | 'split-by-hand' | 'merge-by-hand';

/** One recorded clustering decision: an item placed (itemId set) or a story merged into another (itemId null). */
export interface PlacementDecision {
  /** The item placed, or null for a story merge. */
  readonly itemId: string | null;
  /** The story the item joined or started; for a merge, the surviving story. */
  readonly storyId: string;
  /** For a merge, the story absorbed; for a placement, the best story compared (null when none was close). */
  readonly comparedWith: string | null;
  readonly rule: DecisionRule;
  /** The deciding score (centroid cosine, or 1 + share of duplicate votes) and the threshold it met or missed. */
  readonly score: number | null;
  readonly threshold: number | null;
  /** One sentence a user can read; placements leave it out and the store writes it (describeDecision), so a
   * million placements do not hold a million sentences. */
  readonly detail?: string;
}

/** A recorded decision with when it was taken. */
export interface StoredDecision extends PlacementDecision {
  readonly detail: string;
  readonly decidedAt: string;
}

/** Clustering granularity: the same article re-published, or different articles about one event. */
export type ClusterLevel = 'duplicates' | 'stories';

/** One hour in milliseconds. */
export const HOUR_MS = 3_600_000;

/** One day in milliseconds, for the windows and ages the config gives in days (UTC days: no daylight saving). */
export const DAY_MS = 24 * HOUR_MS;

/** How one source fared in a run. */
export interface SourceRunResult {
  readonly url: string;
  readonly name: string;
  readonly outcome: 'read' | 'not-modified' | 'skipped' | 'error';
  readonly newItems: number;
  readonly updatedItems: number;
  readonly error?: string | undefined;
  /** Read, but only in part (one line naming the source). */
  readonly warning?: string | undefined;
}

/** Summary of one run, logged and stored. */
export interface RunReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly sources: readonly SourceRunResult[];
  readonly newItems: number;
  readonly updatedItems: number;
  readonly newClusters: number;
  /** Stories merged into older ones (an item bridged them). */
  readonly merges?: number;
  readonly filesWritten: readonly string[];
  readonly errors: number;
  /** Set when the run was stopped (SIGTERM, SIGINT) before reading every source; clustering and publishing were left to the next run. */
  readonly interrupted?: boolean;
  /** Sources left unread by a stopped run. */
  readonly unread?: number;
}

/** The outlet name for a feed declared without one: its host without "www.", or its file name. */
export function defaultFeedName(location: string): string {
  if (/^https?:\/\//i.test(location)) {
    try {
      return new URL(location).hostname.replace(/^www\./i, '');
    } catch {
      return location;
    }
  }
  return (
    location
      .split(/[\\/]/)
      .pop()!
      .replace(/\.(xml|rss|atom|json)$/i, '') || location
  );
}

/** The per-run summary as structured log fields. */
export function summarise(report: RunReport): Record<string, unknown> {
  return {
    sources: report.sources.length,
    read: report.sources.filter((s) => s.outcome === 'read').length,
    notModified: report.sources.filter((s) => s.outcome === 'not-modified').length,
    skipped: report.sources.filter((s) => s.outcome === 'skipped').length,
    newItems: report.newItems,
    updatedItems: report.updatedItems,
    newClusters: report.newClusters,
    errors: report.errors,
    filesWritten: report.filesWritten.length,
    ms: Date.parse(report.finishedAt) - Date.parse(report.startedAt),
    ...(report.interrupted ? { interrupted: true, unread: report.unread ?? 0 } : {}),
  };
}

/** The per-run summary as one readable line. */
export function summaryLine(report: RunReport): string {
  const s = summarise(report);
  const sources = `${s.sources} sources (${s.read} read, ${s.notModified} unchanged, ${s.skipped} not due, ${s.errors} failed)`;
  const stopped = report.interrupted ? `; stopped early, ${report.unread ?? 0} sources left for the next run` : '';
  return `run: ${sources}, ${s.newItems} new items, ${s.newClusters} new stories, ${s.filesWritten} files written in ${s.ms} ms${stopped}`;
}
