import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type BigIntStats } from 'node:fs';
import { isIP, type Socket } from 'node:net';
import { Transform, Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { STATUS_CODES } from 'node:http';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import type { Agent, buildConnector } from 'undici';
import { FetchError } from '../../errors.js';
import { BlockedAddressError, guardedLookup, isBlockedAddress } from './address-guard.js';
import { USER_AGENT } from './user-agent.js';

/** What the HTTP reader needs to know for one request. */
export interface HttpRequest {
  readonly url: string;
  readonly etag?: string | null;
  readonly lastModified?: string | null;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
  readonly maxRedirects: number;
  readonly blockPrivateAddresses: boolean;
  /** HTTP Basic credentials; default: the URL's userinfo (which is never sent as part of the URL). */
  readonly credentials?: BasicCredentials | undefined;
  /** Aborts the request when the run is stopped (SIGTERM); the error is then FetchAbortedError. */
  readonly signal?: AbortSignal | undefined;
}

/** A user name and password for HTTP Basic authentication (RFC 7617). */
export interface BasicCredentials {
  readonly username: string;
  readonly password: string;
}

/** The request was abandoned because the run is stopping, not because the feed failed. */
export class FetchAbortedError extends FetchError {}

/** A fetched body (200) or "not modified" (304), with the validators to store and where a permanent redirect led. */
type HttpResult =
  | {
      readonly kind: 'ok';
      readonly body: Buffer;
      readonly contentType: string | null;
      readonly etag: string | null;
      readonly lastModified: string | null;
      /** URL the body was finally read from (after redirects). */
      readonly finalUrl: string;
      /** Set when every redirect followed was permanent (301/308): the source moved for good. */
      readonly permanentUrl: string | null;
    }
  | {
      readonly kind: 'not-modified';
      readonly etag: string | null;
      readonly lastModified: string | null;
      readonly permanentUrl: string | null;
    };

/** An HTTP error status, with its Retry-After header (429/503) kept for politeness. */
export class HttpStatusError extends FetchError {
  constructor(
    readonly status: number,
    readonly retryAfter: string | null,
    readonly permanentUrl: string | null,
  ) {
    super(`fetch: HTTP ${status} ${STATUS_CODES[status] ?? 'Unknown Status'}`);
  }
}

/** A document read from disk, with the hash that tells whether it changed. */
interface FileResult {
  readonly body: Buffer;
  readonly contentHash: string;
  /** The file's stamp as read (see fileStamp), or null when it changed too recently to vouch for it. */
  readonly stamp: string | null;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
const PERMANENT_REDIRECTS = new Set([301, 308]);
/** What feedmerge reads, most specific first; the trailing wildcard keeps misconfigured servers answering. */
const ACCEPT = [
  ...['application/atom+xml', 'application/rss+xml', 'application/feed+json', 'application/rdf+xml'],
  ...['application/json;q=0.9', 'application/xml;q=0.9', 'text/xml;q=0.9', '*/*;q=0.8'],
].join(', ');

/** undici, loaded at the first HTTP request: a run of local feed files never needs it (0.07 s to load: issue 18). */
type Undici = typeof import('undici');
let undici: Promise<Undici> | undefined;

/**
 * Starts loading undici now, without waiting: a run calls this before its first database round trips, so the
 * load overlaps them instead of delaying the first request (issue 17).
 */
export function preloadHttp(): void {
  undici ??= import('undici');
  // A failed load fails the first request, as without the preload; it must not end the process meanwhile.
  undici.catch(() => undefined);
}

let plainAgent: Agent | undefined;
let guardedAgent: Agent | undefined;

function agentFor({ Agent, buildConnector }: Undici, blockPrivateAddresses: boolean): Agent {
  if (!blockPrivateAddresses) return (plainAgent ??= new Agent({ connections: 16 }));
  if (guardedAgent) return guardedAgent;
  // The lookup refuses before connecting; the remoteAddress check catches IP literals (which skip DNS)
  // and proves the address actually connected to is allowed (DNS rebinding between check and connect).
  const base = buildConnector({ lookup: guardedLookup } as buildConnector.BuildOptions);
  const connect: buildConnector.connector = (options, callback) => {
    const host = options.hostname.replace(/^\[|\]$/g, '');
    if (isIP(host) && isBlockedAddress(host)) return callback(new BlockedAddressError(host, host), null);
    return base(options, (error, socket) => {
      if (error) return callback(error, null);
      const remote = (socket as Socket | null)?.remoteAddress;
      if (!remote || isBlockedAddress(remote)) {
        socket?.destroy();
        return callback(new BlockedAddressError(options.hostname, remote ?? 'unknown address'), null);
      }
      return callback(null, socket!);
    });
  };
  guardedAgent = new Agent({ connections: 16, connect });
  return guardedAgent;
}

/**
 * GETs a feed: conditional headers, manual redirects (loop and count checks, SSRF guard on every hop),
 * gzip/deflate/br, a total timeout over the whole exchange and a streamed body cap. Throws FetchError.
 */
export async function fetchHttp(input: HttpRequest): Promise<HttpResult> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = input.signal ? AbortSignal.any([timeout, input.signal]) : timeout;
  const visited = new Set<string>();
  const { url: start, credentials: fromUrl } = splitCredentials(input.url);
  const credentials = input.credentials ?? fromUrl;
  // Credentials go to the origin they were given for only, never to another host a redirect names (as curl and
  // browsers do): a feed moved to a CDN must not receive the password.
  const authOrigin = new URL(start).origin;
  let url = start;
  let allPermanent = true;
  let redirects = 0;
  try {
    for (;;) {
      const parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        throw new FetchError(`fetch: redirected to an unsupported scheme ${parsed.protocol} (${url})`);
      }
      visited.add(url);
      const headers: Record<string, string> = {
        'user-agent': USER_AGENT,
        accept: ACCEPT,
        'accept-encoding': 'gzip, deflate, br',
      };
      // Validators belong to the stored URL; after a redirect they still identify the same document.
      if (input.etag) headers['if-none-match'] = input.etag;
      if (input.lastModified) headers['if-modified-since'] = input.lastModified;
      if (credentials && parsed.origin === authOrigin) headers.authorization = basicAuthorization(credentials);
      const http = await (undici ??= import('undici'));
      const response = await http.request(url, {
        method: 'GET',
        headers,
        signal,
        dispatcher: agentFor(http, input.blockPrivateAddresses),
        headersTimeout: input.timeoutMs,
        bodyTimeout: input.timeoutMs,
      });
      const status = response.statusCode;
      const header = (name: string): string | null => {
        const value = response.headers[name];
        return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
      };
      const permanentUrl = allPermanent && url !== start ? url : null;
      if (REDIRECT_STATUSES.has(status)) {
        discard(response.body);
        const location = header('location');
        if (!location) throw new FetchError(`fetch: HTTP ${status} redirect without a Location header`);
        if (redirects >= input.maxRedirects) throw new FetchError(`fetch: too many redirects (more than ${input.maxRedirects})`);
        const next = new URL(location, url).href;
        if (visited.has(next)) throw new FetchError(`fetch: redirect loop (${next})`);
        redirects += 1;
        allPermanent &&= PERMANENT_REDIRECTS.has(status);
        url = next;
        continue;
      }
      if (status === 304) {
        discard(response.body);
        return {
          kind: 'not-modified',
          etag: header('etag') ?? input.etag ?? null,
          lastModified: header('last-modified') ?? input.lastModified ?? null,
          permanentUrl,
        };
      }
      if (status < 200 || status >= 300) {
        discard(response.body);
        throw new HttpStatusError(status, header('retry-after'), permanentUrl);
      }
      const declaredLength = Number(header('content-length'));
      if (Number.isFinite(declaredLength) && declaredLength > input.maxBodyBytes && !header('content-encoding')) {
        discard(response.body);
        throw new FetchError(`fetch: body too large (${declaredLength} bytes, limit ${input.maxBodyBytes})`);
      }
      const body = await readBody(response.body, header('content-encoding'), input.maxBodyBytes);
      return {
        kind: 'ok',
        body,
        contentType: header('content-type'),
        etag: header('etag'),
        lastModified: header('last-modified'),
        finalUrl: url,
        permanentUrl,
      };
    }
  } catch (error) {
    if (input.signal?.aborted) throw new FetchAbortedError('fetch: stopped (shutting down)', { cause: error });
    throw toFetchError(error, timeout, input.timeoutMs);
  }
}

/** The URL without its userinfo, and the userinfo as credentials (percent-decoded), if any. */
function splitCredentials(location: string): { url: string; credentials: BasicCredentials | undefined } {
  let parsed: URL;
  try {
    parsed = new URL(location);
  } catch {
    return { url: location, credentials: undefined };
  }
  if (!parsed.username && !parsed.password) return { url: location, credentials: undefined };
  const credentials = { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) };
  parsed.username = '';
  parsed.password = '';
  return { url: parsed.href, credentials };
}

/** The Authorization header value for HTTP Basic (RFC 7617: user-id ":" password, UTF-8, base64). */
function basicAuthorization(credentials: BasicCredentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`, 'utf8').toString('base64')}`;
}

/**
 * Reads a local feed file, refusing files over the body cap before reading them. Synchronously: four calls of
 * microseconds each, where the promise API cost a thread-pool round trip per call (about 0.3 s over 1,948 feed
 * files: issue 18). Opened non-blocking, so a FIFO named as a feed is refused as not a regular file instead of
 * waiting for a writer. `now`: the time of the read, which tells whether the file has been still long enough for
 * its stamp to be kept.
 */
export async function readFileSource(path: string, maxBodyBytes: number, now: Date = new Date()): Promise<FileResult> {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(fd, { bigint: true });
    if (!info.isFile()) throw new FetchError(`fetch: ${path} is not a regular file`);
    const size = Number(info.size);
    if (size > maxBodyBytes) throw new FetchError(`fetch: file too large (${size} bytes, limit ${maxBodyBytes})`);
    // One read of the size just stat-ed (readFile would stat again and read in chunks): the file as it was
    // at the stat, which also keeps a file growing meanwhile under the cap.
    const body = readWhole(fd, size);
    return { body, contentHash: hashBody(body), stamp: settled(info, now) ? stampOf(info) : null };
  } catch (error) {
    if (error instanceof FetchError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : String(code ?? error);
    throw new FetchError(`fetch: ${path}: ${why}`, { cause: error });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Whether a local source still has the stamp it was read with (see readFileSource): then it was not written since,
 * and a run need not read it again to learn it is unchanged (what a validator does for HTTP; git and make trust
 * the same).
 */
export function stillAsStamped(path: string, stamp: string | null): boolean {
  return stamp !== null && fileStamp(path) === stamp;
}

/**
 * A file's stamp: device, inode, size and change times to the nanosecond. null for a file that is not a regular
 * file or cannot be stat-ed: it is read, and fails there.
 */
export function fileStamp(path: string): string | null {
  try {
    const info = statSync(path, { bigint: true });
    return info.isFile() ? stampOf(info) : null;
  } catch {
    return null;
  }
}

/**
 * A stamp is only vouched for once its file has been still for this long: a write within the timestamps'
 * granularity (a coarse clock tick, or whole seconds on some file systems) would otherwise keep the stamp of the
 * version read just before it. Such a file is read and hashed on the next run, as it would be without stamps.
 */
const STAMP_SETTLED_NS = 2_000_000_000n;

function settled(info: BigIntStats, now: Date): boolean {
  const latest = info.mtimeNs > info.ctimeNs ? info.mtimeNs : info.ctimeNs;
  return BigInt(now.getTime()) * 1_000_000n - latest >= STAMP_SETTLED_NS;
}

function stampOf(info: BigIntStats): string {
  return `file:${info.dev}:${info.ino}:${info.size}:${info.mtimeNs}:${info.ctimeNs}`;
}

function readWhole(fd: number, size: number): Buffer {
  const buffer = Buffer.allocUnsafe(size);
  let filled = 0;
  while (filled < size) {
    const bytesRead = readSync(fd, buffer, filled, size - filled, filled);
    if (bytesRead === 0) return buffer.subarray(0, filled);
    filled += bytesRead;
  }
  return buffer;
}

/** SHA-256 of a body, hex: tells an unchanged file (or body) from a changed one. */
export function hashBody(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Drops a body we will not read; the listener keeps undici's abort error from surfacing as unhandled. */
function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

async function readBody(body: Readable, contentEncoding: string | null, maxBytes: number): Promise<Buffer> {
  const decoders = decodersFor(contentEncoding);
  const chunks: Buffer[] = [];
  let total = 0;
  const collect = new Writable({
    write(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      // Counting decoded bytes also defuses compression bombs: a tiny gzip body cannot inflate past the cap.
      if (total > maxBytes) return done(new FetchError(`fetch: body too large (more than ${maxBytes} bytes)`));
      chunks.push(chunk);
      return done();
    },
  });
  await pipeline([body, ...decoders, collect] as unknown as NodeJS.ReadWriteStream[]);
  return Buffer.concat(chunks, total);
}

function decodersFor(contentEncoding: string | null): Transform[] {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  // Codings are listed in the order they were applied, so they are undone in reverse.
  return codings.reverse().map((coding) => {
    if (coding === 'gzip' || coding === 'x-gzip') return createGunzip();
    if (coding === 'deflate') return createDeflateDecoder();
    if (coding === 'br') return createBrotliDecompress();
    throw new FetchError(`fetch: unsupported Content-Encoding "${coding}"`);
  });
}

/**
 * HTTP "deflate" is zlib-wrapped by RFC 9110, but some servers (old IIS among them) send raw deflate; browsers
 * accept both by looking at the first two bytes, and so does this: a zlib header (compression method 8, window
 * size up to 32 KiB, header checksum a multiple of 31) means zlib, anything else raw deflate.
 */
function createDeflateDecoder(): Transform {
  let inflater: Transform | null = null;
  let head = Buffer.alloc(0);
  const start = (bytes: Buffer): Transform => {
    const zlib = bytes.length >= 2 && (bytes[0]! & 0x0f) === 8 && bytes[0]! >> 4 <= 7 && ((bytes[0]! << 8) | bytes[1]!) % 31 === 0;
    const chosen = zlib ? createInflate() : createInflateRaw();
    chosen.on('data', (chunk: Buffer) => decoder.push(chunk));
    chosen.on('error', (error) => decoder.destroy(error));
    return chosen;
  };
  const decoder = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!inflater) {
        head = Buffer.concat([head, chunk]);
        if (head.length < 2) return done();
        inflater = start(head);
        chunk = head;
      }
      if (inflater.write(chunk)) done();
      else inflater.once('drain', () => done());
    },
    flush(done) {
      if (!inflater && head.length === 0) return done(); // an empty body stays empty
      inflater ??= start(head).end(head) as Transform;
      inflater.once('end', () => done());
      if (!inflater.writableEnded) inflater.end();
    },
    destroy(error, done) {
      // The decoded-size cap downstream destroys this stream; the inflater must stop with it.
      inflater?.destroy();
      done(error);
    },
  });
  return decoder;
}

function toFetchError(error: unknown, signal: AbortSignal, timeoutMs: number): FetchError {
  if (signal.aborted) return new FetchError(`fetch: timed out after ${timeoutMs / 1000} s`, { cause: error });
  if (error instanceof FetchError) return error;
  const blocked = findCause(error, (e): e is BlockedAddressError => e instanceof BlockedAddressError);
  if (blocked) return new FetchError(`fetch: ${blocked.message}`, { cause: error });
  const code = (
    findCause(error, (e): e is NodeJS.ErrnoException => typeof (e as NodeJS.ErrnoException).code === 'string') as
      NodeJS.ErrnoException | undefined
  )?.code;
  const known: Record<string, string> = {
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'DNS lookup failed (temporary)',
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset by the server',
    ETIMEDOUT: 'connection timed out',
    EHOSTUNREACH: 'host unreachable',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_HEADERS_TIMEOUT: `no response headers within ${timeoutMs / 1000} s`,
    UND_ERR_BODY_TIMEOUT: `body stalled for ${timeoutMs / 1000} s`,
    Z_DATA_ERROR: 'corrupt compressed body',
    Z_BUF_ERROR: 'truncated compressed body',
    ERR_INVALID_URL: 'invalid URL',
  };
  const text = code && known[code] ? known[code] : error instanceof Error ? error.message : String(error);
  return new FetchError(`fetch: ${text}`.replace(/\s+/g, ' '), { cause: error });
}

function findCause<T>(error: unknown, test: (e: unknown) => e is T): T | undefined {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (test(current)) return current;
  }
  return undefined;
}
