import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { OutputFeedConfig } from '../config.js';
import type { Cluster, SourceState } from '../model.js';
import type { FeedFormat, SiteInfo } from './feeds.js';
import { renderOpml } from './opml.js';
import { PAGE_CSP, renderIndexPage, renderStoryPage, type SiteContent } from './pages.js';
import { describeCluster, storyPagePath } from './story.js';

/** The /healthz document: `ok` decides 200 or 503. */
interface HealthDocument {
  readonly ok: boolean;
  readonly [key: string]: unknown;
}

/** A story page request's answer from the store: the live story, the id it was merged into, or none. */
type StoryLookup = { readonly cluster: Cluster } | { readonly movedTo: string } | undefined;

/** What the server reads from the rest of feedmerge; it never touches the store itself. */
export interface ServerDeps {
  readonly outputDir: string;
  readonly site: SiteInfo;
  readonly feeds: readonly OutputFeedConfig[];
  /** The feeds /opml lists: only public ones (private feeds are left out by the caller), or null to turn /opml off. */
  readonly listSources: (() => Promise<readonly SourceState[]> | readonly SourceState[]) | null;
  readonly latestClusters: (limit: number) => Promise<readonly Cluster[]> | readonly Cluster[];
  /**
   * A story by id, for story pages `run` has not written (yet): the live cluster, or the id it was merged into
   * (answered with a 301), or undefined when there is no such story.
   */
  readonly story?: (id: string) => Promise<StoryLookup> | StoryLookup;
  /** The /healthz document: counts and times only, never per-source detail (that is `feeds --json`'s). */
  readonly health: () => Promise<HealthDocument> | HealthDocument;
  /** The /metrics exposition (Prometheus text format), or absent to turn /metrics off. */
  readonly metrics?: (() => Promise<{ readonly contentType: string; readonly body: string }>) | undefined;
}

/** A listening server. */
export interface RunningServer {
  /** Base URL it listens on, e.g. http://127.0.0.1:8080/ */
  readonly url: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Readonly<Record<FeedFormat, string>> = {
  atom: 'application/atom+xml; charset=utf-8',
  rss: 'application/rss+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
};

/** Stories on the home page: a screenful of scrolling on a phone, a few seconds to skim on a desktop. */
const INDEX_STORIES = 30;

/**
 * Feeds change at most once per scheduled run (every 30 minutes by default): five minutes of freshness keeps
 * a reader's view current while letting caches absorb bursts, and revalidation with ETag is cheap anyway.
 */
const FEED_CACHE_CONTROL = 'public, max-age=300';

/** Bodies smaller than this gain nothing from gzip (they fit in one TCP segment either way). */
const GZIP_MIN_BYTES = 1024;

/** Compressed feed bodies kept per ETag, so a poll storm compresses each version of a file once. */
const GZIP_CACHE_ENTRIES = 32;

/** Feeds at /feeds/<name>.<format>, and at /<name>.<format> as the static site (public/) has them. */
const FEED_PATH = /^\/(?:feeds\/)?([a-z0-9][a-z0-9_-]*)\.(atom|rss|json)$/;

/** Pages `run` writes beside the feeds: served from the output folder as they are. */
const PAGE_PATH = /^\/(index|latest|archive-[1-9][0-9]{0,5})\.html$/;
const STORY_PATH = /^\/stories\/([A-Za-z0-9_-]{1,128})(?:\.html)?$/;

interface Body {
  readonly data: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly lastModified?: Date | undefined;
  readonly cacheControl: string;
  readonly status?: number | undefined;
}

/** Serves the published feeds, the home page, OPML and health; resolves once listening. */
export function startServer(deps: ServerDeps, listen: { readonly host: string; readonly port: number }): Promise<RunningServer> {
  const gzipCache = new Map<string, Buffer>();
  const feedNames = new Set(deps.feeds.map((feed) => feed.name));
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendText(res, req, 500, 'Internal server error\n');
      else res.destroy(error instanceof Error ? error : undefined);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = requestPath(req.url ?? '/');
    if (path === null) return sendText(res, req, 400, 'Bad request path\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendText(res, req, 405, 'Method not allowed\n');
    }
    const content = (clusters: readonly Cluster[]): SiteContent => ({
      site: deps.site,
      feeds: deps.feeds,
      stories: clusters.map((cluster) => describeCluster(cluster, deps.site.baseUrl)),
      redirects: [],
    });
    const page = path === '/' ? 'index' : PAGE_PATH.exec(path)?.[1];
    if (page !== undefined) {
      res.setHeader('Content-Security-Policy', PAGE_CSP);
      const file = await readPublished(join(deps.outputDir, `${page}.html`));
      if (file !== null) return sendBody(req, res, fileBody(file, 'text/html; charset=utf-8', 'no-cache'));
      // Before the first run has written the site, the home page is rendered from the store.
      if (page !== 'index') return sendText(res, req, 404, 'Not found\n');
      const html = renderIndexPage(content(await deps.latestClusters(INDEX_STORIES)));
      return sendBody(req, res, dynamicBody(html, 'text/html; charset=utf-8'));
    }
    const story = STORY_PATH.exec(path)?.[1];
    if (story !== undefined) {
      res.setHeader('Content-Security-Policy', PAGE_CSP);
      const found = await deps.story?.(story);
      if (found !== undefined && 'movedTo' in found) {
        res.setHeader('Location', `/${storyPagePath(found.movedTo)}`);
        return sendText(res, req, 301, 'Moved permanently: this story was merged into another\n');
      }
      const file = await readPublished(join(deps.outputDir, storyPagePath(story)));
      if (file !== null) return sendBody(req, res, fileBody(file, 'text/html; charset=utf-8', 'no-cache'));
      if (found === undefined) return sendText(res, req, 404, 'No such story\n');
      const html = renderStoryPage(content([found.cluster]), describeCluster(found.cluster, deps.site.baseUrl));
      return sendBody(req, res, dynamicBody(html, 'text/html; charset=utf-8'));
    }
    if (path === '/opml' && deps.listSources) {
      const opml = renderOpml(await deps.listSources(), deps.site.title);
      return sendBody(req, res, dynamicBody(opml, 'text/x-opml; charset=utf-8'));
    }
    if (path === '/healthz') {
      let report: HealthDocument;
      try {
        report = await deps.health();
      } catch (error) {
        // The message may name the database file: it stays in the log, the public answer says only that it failed.
        report = { ok: false, status: 'failing', error: `health check failed (${error instanceof Error ? error.name : 'error'})` };
      }
      const json = `${JSON.stringify(report, null, 2)}\n`;
      return sendBody(req, res, {
        ...dynamicBody(json, 'application/json; charset=utf-8'),
        cacheControl: 'no-store',
        status: report.ok ? 200 : 503,
      });
    }
    if (path === '/metrics' && deps.metrics) {
      const { contentType, body } = await deps.metrics();
      return sendBody(req, res, { ...dynamicBody(body, contentType), cacheControl: 'no-store' });
    }
    const match = FEED_PATH.exec(path);
    if (match === null || !feedNames.has(match[1]!)) return sendText(res, req, 404, 'Not found\n');
    const format = match[2] as FeedFormat;
    // The name matched [a-z0-9_-]+ and is a configured feed: the joined path cannot leave the output folder.
    const file = await readPublished(join(deps.outputDir, `${match[1]!}.${format}`));
    if (file === null) return sendText(res, req, 404, 'Not published yet\n');
    return sendBody(req, res, fileBody(file, CONTENT_TYPES[format], FEED_CACHE_CONTROL));
  }

  function sendBody(req: IncomingMessage, res: ServerResponse, body: Body): void {
    const gzip = body.data.length >= GZIP_MIN_BYTES && acceptsGzip(req.headers['accept-encoding']);
    // A gzip-encoded response is a different representation, so it gets its own strong validator (RFC 9110 8.8.3).
    const etag = gzip ? `${body.etag.slice(0, -1)}-gzip"` : body.etag;
    res.setHeader('Content-Type', body.type);
    res.setHeader('Cache-Control', body.cacheControl);
    res.setHeader('Vary', 'Accept-Encoding');
    res.setHeader('ETag', etag);
    if (body.lastModified !== undefined) res.setHeader('Last-Modified', body.lastModified.toUTCString());
    const status = body.status ?? 200;
    if (status === 200 && notModified(req, body)) {
      res.statusCode = 304;
      res.end();
      return;
    }
    let data = body.data;
    if (gzip) {
      const cached = gzipCache.get(etag);
      data = cached ?? gzipSync(body.data);
      if (cached === undefined) {
        gzipCache.set(etag, data);
        if (gzipCache.size > GZIP_CACHE_ENTRIES) gzipCache.delete(gzipCache.keys().next().value!);
      }
      res.setHeader('Content-Encoding', 'gzip');
    }
    res.statusCode = status;
    res.setHeader('Content-Length', data.length);
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.host, () => {
      server.off('error', reject);
      const address = server.address() as AddressInfo;
      const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      resolve({
        url: `http://${host}:${address.port}/`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            // Idle keep-alive connections would otherwise hold close() open until they time out.
            server.closeAllConnections();
          }),
      });
    });
  });
}

/**
 * The decoded request path, or null when it is malformed or tries to escape: "..", "." or empty segments,
 * encoded slashes or backslashes, NUL or other control characters, in raw or percent-encoded form.
 */
export function requestPath(rawUrl: string): string | null {
  const raw = rawUrl.split('?', 1)[0]!.split('#', 1)[0]!;
  if (!raw.startsWith('/') || raw.startsWith('//')) return null;
  if (/%2f|%5c/i.test(raw)) return null;
  let path: string;
  try {
    path = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  if (/[\u0000-\u001f\u007f\\]/.test(path)) return null;
  const segments = path.split('/').slice(1);
  if (segments.some((s, i) => s === '..' || s === '.' || (s === '' && i < segments.length - 1))) return null;
  return path;
}

function notModified(req: IncomingMessage, body: Body): boolean {
  const inm = req.headers['if-none-match'];
  if (inm !== undefined) {
    // Weak comparison (RFC 9110 13.1.2) against either encoding's tag: both name the same content.
    const base = body.etag.slice(1, -1);
    return inm.split(',').some((candidate) => {
      const tag = candidate.trim().replace(/^W\//, '');
      return tag === '*' || tag === `"${base}"` || tag === `"${base}-gzip"`;
    });
  }
  const ims = req.headers['if-modified-since'];
  if (ims !== undefined && body.lastModified !== undefined) {
    const since = Date.parse(ims);
    // HTTP dates have whole seconds; the file's sub-second part must not make it look newer.
    return !Number.isNaN(since) && Math.floor(body.lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}

/** True when Accept-Encoding allows gzip (explicitly or through "*"), honouring q=0 refusals. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  const codings = new Map<string, number>();
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    codings.set(name.trim(), q ? Number.parseFloat(q[1]!) : 1);
  }
  const gzip = codings.get('gzip') ?? codings.get('x-gzip') ?? codings.get('*');
  return gzip !== undefined && gzip > 0;
}

function strongEtag(data: Buffer): string {
  // 128 bits of SHA-256 are plenty to tell versions of one file apart.
  return `"${createHash('sha256').update(data).digest('base64url').slice(0, 22)}"`;
}

/** A published file's bytes and modification time, or null when it does not exist (yet). */
async function readPublished(file: string): Promise<{ data: Buffer; mtime: Date } | null> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return null;
    return { data: await readFile(file), mtime: info.mtime };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function fileBody(file: { data: Buffer; mtime: Date }, type: string, cacheControl: string): Body {
  return { data: file.data, type, etag: strongEtag(file.data), lastModified: file.mtime, cacheControl };
}

function dynamicBody(text: string, type: string): Body {
  const data = Buffer.from(text, 'utf8');
  return { data, type, etag: strongEtag(data), cacheControl: 'no-cache' };
}

function sendText(res: ServerResponse, req: IncomingMessage, status: number, text: string): void {
  const data = Buffer.from(text, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Content-Length', data.length);
  res.setHeader('Cache-Control', 'no-store');
  res.end(req.method === 'HEAD' ? undefined : data);
}
