import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttp } from '../../../src/sources/http/fetch.js';

/** HTTP Basic for private feeds (issue #14): from the URL's userinfo or given credentials, to the feed's origin only. */

const seen: { server: string; url: string; authorization: string | undefined }[] = [];
let main: Server;
let other: Server;
let mainBase: string;
let otherBase: string;

type Reply = { status: number; headers?: Record<string, string> };

async function listen(name: string, handle: (req: IncomingMessage) => Reply): Promise<[Server, string]> {
  const server = createServer((req, res) => {
    seen.push({ server: name, url: req.url ?? '', authorization: req.headers.authorization });
    const { status, headers } = handle(req);
    res.writeHead(status, headers).end(status === 200 ? '<rss version="2.0"><channel><title>t</title></channel></rss>' : undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return [server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`];
}

beforeAll(async () => {
  [other, otherBase] = await listen('other', () => ({ status: 200 }));
  [main, mainBase] = await listen('main', (req): Reply => {
    if (req.url === '/moved') return { status: 302, headers: { location: `${otherBase}/feed` } };
    if (req.url === '/here') return { status: 302, headers: { location: '/feed' } };
    const ok = req.headers.authorization === `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}`;
    return ok ? { status: 200 } : { status: 401, headers: { 'www-authenticate': 'Basic' } };
  });
});

afterAll(() => {
  main.close();
  other.close();
});

const request = { timeoutMs: 10_000, maxBodyBytes: 1_000_000, maxRedirects: 5, blockPrivateAddresses: false };
const withUserinfo = (base: string, path: string): string => base.replace('http://', 'http://alice:p%40ss%3Aword@') + path;

describe('HTTP Basic', () => {
  it("sends the URL's userinfo as Basic credentials, percent-decoded, never in the request line", async () => {
    seen.length = 0;
    const result = await fetchHttp({ ...request, url: withUserinfo(mainBase, '/feed') });
    expect(result.kind).toBe('ok');
    expect(seen).toEqual([{ server: 'main', url: '/feed', authorization: `Basic ${Buffer.from('alice:p@ss:word').toString('base64')}` }]);
  });

  it('sends configured credentials, and fails with 401 without any', async () => {
    expect((await fetchHttp({ ...request, url: `${mainBase}/feed`, credentials: { username: 'alice', password: 'p@ss:word' } })).kind).toBe(
      'ok',
    );
    await expect(fetchHttp({ ...request, url: `${mainBase}/feed` })).rejects.toThrow('HTTP 401');
  });

  it('keeps the credentials on a same-origin redirect and drops them on a redirect to another origin', async () => {
    seen.length = 0;
    await fetchHttp({ ...request, url: withUserinfo(mainBase, '/here') });
    expect(seen.map((s) => [s.url, s.authorization !== undefined])).toEqual([
      ['/here', true],
      ['/feed', true],
    ]);
    seen.length = 0;
    await fetchHttp({ ...request, url: withUserinfo(mainBase, '/moved') });
    expect(seen).toEqual([
      expect.objectContaining({ server: 'main', url: '/moved' }),
      { server: 'other', url: '/feed', authorization: undefined },
    ]);
  });
});
