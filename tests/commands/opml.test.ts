import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { makeInstance } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp.js';
import { cli, feedsOf } from './run-cli.js';

const OPML = `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>My subscriptions</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="Andina &amp; Co" xmlUrl="https://andina.example/rss"/>
      <outline type="rss" title="Titled only" xmlurl="https://titled.example/feed.xml"/>
    </outline>
    <outline type="rss" text="In the config" xmlUrl="https://config.example/feed.xml"/>
    <outline type="rss" text="Not http" xmlUrl="ftp://files.example/feed"/>
    <outline type="rss" text="Broken" xmlUrl="http://"/>
    <outline text="A plain outline without a feed"/>
  </body>
</opml>
`;

describe('opml import / export', () => {
  it('imports nested feeds, skips known and invalid ones with one line each, and exports config + CLI feeds', async () => {
    const dir = tempDir();
    const config = makeInstance(dir, 'feeds:\n  - url: https://config.example/feed.xml\n    name: FromConfig\n');
    const file = join(dir, 'subs.opml');
    writeFileSync(file, OPML);

    const imported = await cli(['opml', 'import', file, '--config', config]);
    expect(imported.status).toBe(0);
    expect(imported.stdout).toBe(`Imported 2 feeds from ${file} (1 already subscribed, 2 skipped as invalid).\n`);
    const problems = imported.stderr.trim().split('\n');
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^feedmerge: opml import: skipped ftp:\/\/files\.example\/feed: only http and https/);
    expect(problems[1]).toMatch(/^feedmerge: opml import: skipped http:\/\/: not a valid URL/);

    const feeds = feedsOf((await cli(['feeds', '--json', '--config', config])).stdout);
    expect(feeds.map(({ url, name, origin }) => ({ url, name, origin }))).toEqual([
      { url: 'https://andina.example/rss', name: 'Andina & Co', origin: 'cli' },
      { url: 'https://titled.example/feed.xml', name: 'Titled only', origin: 'cli' },
    ]);

    // Importing again adds nothing.
    const again = await cli(['opml', 'import', file, '--config', config]);
    expect(again.stdout).toContain('Imported 0 feeds');

    const exported = await cli(['opml', 'export', '--config', config]);
    expect(exported.status).toBe(0);
    const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(exported.stdout) as {
      opml: { body: { outline: { text: string; xmlUrl: string }[] } };
    };
    expect(parsed.opml.body.outline.map((o) => [o.text, o.xmlUrl])).toEqual([
      ['Andina & Co', 'https://andina.example/rss'],
      ['FromConfig', 'https://config.example/feed.xml'],
      ['Titled only', 'https://titled.example/feed.xml'],
    ]);
  });

  it('refuses a missing file and a file that is not OPML, one line, exit 1', async () => {
    const dir = tempDir();
    const config = makeInstance(dir);
    const missing = await cli(['opml', 'import', join(dir, 'nope.opml'), '--config', config]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`feedmerge: opml import: cannot read ${join(dir, 'nope.opml')}: no such file\n`);
    const html = join(dir, 'page.html');
    writeFileSync(html, '<html><body><p>hello</p></body></html>');
    const notOpml = await cli(['opml', 'import', html, '--config', config]);
    expect(notOpml.status).toBe(1);
    expect(notOpml.stderr).toContain('not an OPML document');
    const broken = join(dir, 'broken.opml');
    writeFileSync(broken, '<opml><body><outline xmlUrl="x"></body>');
    const bad = await cli(['opml', 'import', broken, '--config', config]);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain('not well-formed XML');
  });
});
