import { once } from 'node:events';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { REPO, makeInstance } from '../helpers/cli.js';
import { xmlEscape } from './payloads.js';

/** Parses the UCI news sample (RFC 4180 CSV: quoted fields may hold commas and doubled quotes). */
function readUciRows(limit: number): { title: string; url: string; publisher: string; time: number }[] {
  const text = readFileSync(join(REPO, 'tests', 'fixtures', 'uci', 'uci-news-sample.csv'), 'utf8');
  const rows: { title: string; url: string; publisher: string; time: number }[] = [];
  for (const line of text.split('\n').slice(1)) {
    if (rows.length >= limit) break;
    const fields = [...line.matchAll(/("(?:[^"]|"")*"|[^,]*)(,|$)/g)].map((m) => m[1]!.replace(/^"|"$/g, '').replace(/""/g, '"'));
    if (fields.length < 8 || !fields[1]) continue;
    rows.push({ title: fields[1], url: fields[2]!, publisher: fields[3]!, time: Number(fields[7]) });
  }
  return rows;
}

/**
 * An instance big enough that a kill lands mid-way: the real seeds plus one listing file per UCI publisher
 * (`rows` news items in all, many stories carried by several outlets), one RSS feed from a local origin,
 * and `outputFeeds` output feeds so publishing writes many files.
 */
export function makeCrashInstance(dir: string, feedUrl: string, options: { rows: number; outputFeeds: number }): string {
  const byPublisher = new Map<string, { title: string; url: string; publisher: string; time: number }[]>();
  for (const row of readUciRows(options.rows)) byPublisher.set(row.publisher, [...(byPublisher.get(row.publisher) ?? []), row]);
  const outputs = Array.from({ length: options.outputFeeds }, (_, i) => `    - { name: out-${i}, limit: ${200 + i * 50} }`);
  const config = makeInstance(
    dir,
    `feeds:\n  - url: ${feedUrl}\n    name: Slow Origin\nfetch:\n  timeoutSeconds: 60\npublish:\n  ` +
      `feeds:\n    - { name: all, limit: 10000 }\n${outputs.join('\n')}\n`,
  );
  mkdirSync(join(dir, 'seeds'), { recursive: true });
  let n = 0;
  for (const [publisher, rows] of byPublisher) {
    const text = rows
      .map(
        (row) =>
          `${row.title}\n\n${publisher} reports that ` +
          `${row.title.charAt(0).toLowerCase()}${row.title.slice(1)}, with reaction from readers and analysts across the region.`,
      )
      .join('\n\n');
    writeFileSync(join(dir, 'seeds', `uci-${String(n++).padStart(3, '0')}.txt`), `${text}\n`);
  }
  return config;
}

/** The RSS document the slow origin serves: items from further down the UCI sample than the listings use. */
export function originFeed(items: number): Buffer {
  const rows = readUciRows(6000).slice(-items);
  const body = rows
    .map(
      (row, i) =>
        `<item><title>${xmlEscape(row.title)}</title><link>${xmlEscape(row.url)}</link><guid ` +
        `isPermaLink="false">origin-${i}</guid><description>` +
        `${xmlEscape(`${row.publisher}: ${row.title}`)}</description><pubDate>${new Date(row.time).toUTCString()}</pubDate></item>`,
    )
    .join('\n');
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Slow Origin</title>` +
      `<link>https://origin.example/</link><description>d</description>\n${body}\n</channel></rss>\n`,
  );
}

/**
 * A feed origin on 127.0.0.1. In `prompt` mode it answers at once; in `dribble` mode it sends half the
 * body, calls `onStalled` (the test kills the client there) and then dribbles the rest slowly.
 */
export class FeedOrigin {
  mode: 'prompt' | 'dribble' = 'prompt';
  onStalled: () => void = () => undefined;
  private readonly server: Server;

  constructor(private readonly body: Buffer) {
    this.server = createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
      if (this.mode === 'prompt') return void res.end(this.body);
      const half = Math.floor(this.body.length / 2);
      res.write(this.body.subarray(0, half), () => this.onStalled());
      let at = half;
      const timer = setInterval(() => {
        if (res.destroyed || at >= this.body.length) {
          clearInterval(timer);
          if (!res.destroyed) res.end();
          return;
        }
        res.write(this.body.subarray(at, at + 64));
        at += 64;
      }, 50);
      res.on('close', () => clearInterval(timer));
    });
  }

  /** Starts listening on an ephemeral port of 127.0.0.1; returns the feed URL. */
  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/feed.xml`;
  }

  close(): void {
    this.server.closeAllConnections();
    this.server.close();
  }
}
