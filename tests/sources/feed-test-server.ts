import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { newSourceState, type SourceState } from '../../src/model.js';

const FIXTURES = new URL('../fixtures/feeds/', import.meta.url);

/** A real HTTP server on 127.0.0.1 serving fixture feeds and hostile behaviours, recording every request. */
export interface FeedTestServer {
  readonly base: string;
  readonly requests: { path: string; headers: IncomingHttpHeaders }[];
  /** Most /hang requests held open at the same time (shows concurrency limits at work). */
  peakHanging(): number;
  resetPeak(): void;
  close(): Promise<void>;
}

/** Starts the server; each path names one behaviour (see the switch). */
export async function startFeedServer(): Promise<FeedTestServer> {
  const requests: FeedTestServer['requests'] = [];
  const hanging = new Set<ServerResponse>();
  let openHangs = 0;
  let peak = 0;
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    requests.push({ path, headers: request.headers });
    const send = (status: number, body: Buffer | string, headers: Record<string, string> = {}): void => {
      response.writeHead(status, headers);
      response.end(body);
    };
    const fixture = (name: string): Buffer => readFileSync(new URL(name, FIXTURES));
    if (path.startsWith('/real/') || path.startsWith('/own/') || path.startsWith('/hostile/')) {
      const body = fixture(path.slice(1));
      const etag = `"${body.length}-${path.length}"`;
      if (request.headers['if-none-match'] === etag) return send(304, '', { etag });
      const type = path.endsWith('.json')
        ? 'application/feed+json'
        : path.includes('latin1')
          ? 'application/rss+xml; charset=ISO-8859-1'
          : 'application/xml';
      return send(200, body, { 'content-type': type, etag, 'last-modified': 'Mon, 02 Jun 2025 10:00:00 GMT' });
    }
    const guardian = (): Buffer => fixture('real/guardian.rss');
    switch (path) {
      case '/gzip':
        return send(200, gzipSync(guardian()), { 'content-encoding': 'gzip', 'content-type': 'application/rss+xml' });
      case '/deflate':
        return send(200, deflateSync(guardian()), { 'content-encoding': 'deflate' });
      case '/deflate-raw':
        // Raw deflate without the zlib wrapper RFC 9110 asks for, as some servers send it.
        return send(200, deflateRawSync(guardian()), { 'content-encoding': 'deflate' });
      case '/deflate-raw-bomb':
        return send(200, deflateRawSync(Buffer.alloc(20 * 1024 * 1024)), { 'content-encoding': 'deflate' });
      case '/br':
        return send(200, brotliCompressSync(guardian()), { 'content-encoding': 'br' });
      case '/gzip-bomb':
        // 20 MB of zeros compress to ~20 kB: the cap must apply to the inflated size.
        return send(200, gzipSync(Buffer.alloc(20 * 1024 * 1024)), { 'content-encoding': 'gzip' });
      case '/moved':
        return send(301, '', { location: '/moved-again' });
      case '/moved-again':
        return send(308, '', { location: '/real/guardian.rss' });
      case '/temporary':
        return send(302, '', { location: '/real/guardian.rss' });
      case '/loop-a':
        return send(302, '', { location: '/loop-b' });
      case '/loop-b':
        return send(302, '', { location: '/loop-a' });
      case '/to-file':
        return send(302, '', { location: 'file:///etc/passwd' });
      case '/503':
        return send(503, 'busy', { 'retry-after': '7200' });
      case '/429':
        return send(429, 'slow down', { 'retry-after': 'Wed, 04 Jun 2025 00:00:00 GMT' });
      case '/410':
        return send(410, 'gone');
      case '/500':
        return send(500, 'oops');
      case '/404':
        return send(404, 'nope');
      case '/hang':
        hanging.add(response); // never answers
        openHangs += 1;
        peak = Math.max(peak, openHangs);
        response.on('close', () => (openHangs -= 1));
        return undefined;
      case '/trickle':
        response.writeHead(200, { 'content-type': 'application/rss+xml' });
        response.write('<rss version="2.0"><channel>');
        hanging.add(response); // headers and a first chunk, then silence
        return undefined;
      case '/huge': {
        // Streams 50 MB of valid-looking items; the client must stop reading at its cap.
        response.writeHead(200, { 'content-type': 'application/rss+xml' });
        const chunk = Buffer.from('<item><title>x</title></item>'.repeat(2000));
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 * 1024 * 1024) {
            sent += chunk.length;
            if (!response.write(chunk)) return void response.once('drain', pump);
          }
          response.end();
        };
        response.on('error', () => undefined);
        return pump();
      }
      case '/big-declared':
        response.writeHead(200, { 'content-length': String(50 * 1024 * 1024) });
        return void response.end();
      case '/empty':
        return send(200, '');
      case '/no-validators':
        return send(200, guardian(), { 'content-type': 'application/rss+xml' });
      default:
        return send(404, 'no such path');
    }
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    peakHanging: () => peak,
    resetPeak: () => {
      peak = openHangs;
    },
    close: async () => {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A fresh feed source as the store would hand it over. */
export function feedSource(url: string, overrides: Partial<SourceState> = {}): SourceState {
  const name = overrides.name ?? url.replace(/^.*\//, '');
  return { ...newSourceState({ url, kind: 'feed', name, origin: 'config' }), ...overrides };
}
