import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIndexPage, renderSite, type SiteContent } from '../../src/publish/pages.js';
import { describeCluster } from '../../src/publish/story.js';
import { renderFeed } from '../../src/publish/feeds.js';
import { startServer, type RunningServer } from '../../src/publish/server.js';
import { writeFeeds, writeSite } from '../../src/publish/write.js';
import { SITE, loadClusters, outputFeed } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn('SKIPPED: index page browser test needs Debian chromium at /usr/bin/chromium; .ci/run installs it');

const clusters = loadClusters();
const feeds = [outputFeed()];

function content(from: readonly (typeof clusters)[number][]): SiteContent {
  return { site: SITE, feeds, stories: from.map((c) => describeCluster(c, SITE.baseUrl)), redirects: [] };
}

describe('renderSite', () => {
  it('escapes every story text and has no script, on every page', () => {
    const pages = renderSite(content(clusters));
    expect(pages.map((p) => p.path).sort()).toEqual(
      [
        'index.html',
        'latest.html',
        'stories/00000000000000aa.html',
        'stories/000000009e3779b1.html',
        'stories/000000062e2ac0ea.html',
        'stories/5999d533efebccf1.html',
      ].sort(),
    );
    for (const page of pages) expect(page.html, page.path).not.toMatch(/<script|<iframe|onerror=|javascript:/i);
    expect(pages[0]!.html).toContain('Breaking news &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;');
  });

  it('says so when there are no stories yet', () => {
    expect(renderIndexPage(content([]))).toContain('No stories yet');
  });

  it('ranks the index by outlets and age, and pages the latest list so every story is reachable', () => {
    const index = renderIndexPage(content(clusters));
    const order = [...index.matchAll(/<article id="story-([^"]+)"/g)].map((m) => m[1]);
    // Reference time: the newest story (2026-03-03 11:00). The 2014 stories are out of the top window; of the
    // two recent ones, 00..aa (2 outlets, age 0: score 2) beats 5999... (3 outlets, 25.5 h older: 3 x 0.5^(25.5/24)
    // = 1.44); on the same day, the 3 outlets would win.
    expect(order).toEqual(['00000000000000aa', '5999d533efebccf1']);
    const sameDay = clusters.map((c) => (c.id === '5999d533efebccf1' ? { ...c, updated: '2026-03-03T09:00:00.000Z' } : c));
    expect([...renderIndexPage(content(sameDay)).matchAll(/<article id="story-([^"]+)"/g)].map((m) => m[1])).toEqual([
      '5999d533efebccf1',
      '00000000000000aa',
    ]);
    const many = Array.from({ length: 65 }, (_, i) => ({
      ...clusters[0]!,
      id: `s${String(i).padStart(3, '0')}`,
      updated: new Date(Date.UTC(2026, 0, 1, 0, i)).toISOString(),
    }));
    const pages = renderSite(content(many));
    expect(pages.filter((p) => /^(latest|archive-\d+)\.html$/.test(p.path)).map((p) => p.path)).toEqual([
      'latest.html',
      'archive-2.html',
      'archive-3.html',
    ]);
    const listed = pages
      .filter((p) => /^(latest|archive-\d+)\.html$/.test(p.path))
      .flatMap((p) => [...p.html.matchAll(/href="(stories\/[^"]+)"/g)].map((m) => m[1]));
    expect(new Set(listed).size).toBe(65);
  });

  it('writes a forwarding page for an id merged into a published story', () => {
    const pages = renderSite({ ...content(clusters), redirects: [{ from: 'gone1', to: '5999d533efebccf1' }] });
    const stub = pages.find((p) => p.path === 'stories/gone1.html')!;
    expect(stub.html).toContain('<meta http-equiv="refresh" content="0; url=../stories/5999d533efebccf1.html">');
  });
});

describe.skipIf(!hasChromium)('index page in headless Chromium', () => {
  const shots = mkdtempSync(join(tmpdir(), 'feedmerge-shots-'));
  const dir = mkdtempSync(join(tmpdir(), 'feedmerge-index-'));
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    writeFeeds(
      dir,
      feeds.map((f) => renderFeed(clusters, f, SITE)),
    );
    writeSite(dir, renderSite(content(clusters)));
    server = await startServer(
      {
        outputDir: dir,
        site: SITE,
        feeds,
        listSources: () => [],
        latestClusters: (n) => clusters.slice(0, n),
        health: () => ({ ok: true, lastRun: null }),
      },
      { host: '127.0.0.1', port: 0 },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    if (process.env['FEEDMERGE_KEEP_SCREENSHOTS'] === '1') console.log(`screenshots kept in ${shots}`);
    else rmSync(shots, { recursive: true, force: true });
  });

  /** Horizontal overflow and the smallest computed font size of any element holding text, in CSS pixels. */
  const MEASURE = `(() => {
    const d = document.documentElement;
    let min = Infinity;
    for (const el of document.body.querySelectorAll('*')) {
      const text = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== '');
      if (text && el.getClientRects().length > 0) min = Math.min(min, parseFloat(getComputedStyle(el).fontSize));
    }
    return { overflow: d.scrollWidth - d.clientWidth, minFont: min };
  })()`;

  it.each([390, 1280])(
    'index, latest and every story page at %i px: every outlet shown, no overflow, no text under 12 px, no script',
    async (width) => {
      const context = await browser.newContext({ viewport: { width, height: 844 }, deviceScaleFactor: 2, javaScriptEnabled: false });
      const page = await context.newPage();
      const blocked: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith(server.url)) blocked.push(r.url());
      });
      const response = await page.goto(server.url);
      expect(response?.status()).toBe(200);
      expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
      await expect(page.title()).resolves.toBe('feedmerge test');
      await expect(
        page.getByRole('heading', { name: "Breaking news <script>alert('t')</script> & ]]> more ]]> end", exact: true }).isVisible(),
      ).resolves.toBe(true);
      await expect(page.locator('#story-5999d533efebccf1').getByText("Links (via People's Dispatch)").isVisible()).resolves.toBe(true);
      await expect(page.evaluate(MEASURE)).resolves.toMatchObject({ overflow: 0 });
      expect(((await page.evaluate(MEASURE)) as { minFont: number }).minFont).toBeGreaterThanOrEqual(12);
      if (width === 390) {
        const file = join(shots, 'index-phone.png');
        await page.screenshot({ path: file, fullPage: true });
        // A blank 390x844@2x PNG compresses to a few kB; a page of text is far larger.
        expect(statSync(file).size).toBeGreaterThan(30_000);
      }

      await page.goto(`${server.url}latest.html`);
      await expect(page.locator('article').count()).resolves.toBe(4);
      const storyLinks = await page.locator('article h2 a').evaluateAll((links: { href: string }[]) => links.map((l) => l.href));
      expect(storyLinks).toHaveLength(4);
      for (const link of storyLinks) {
        const reply = await page.goto(link);
        expect(reply?.status(), link).toBe(200);
        const measured = (await page.evaluate(MEASURE)) as { overflow: number; minFont: number };
        expect(measured.overflow, link).toBe(0);
        expect(measured.minFont, link).toBeGreaterThanOrEqual(12);
        await expect(page.locator('.timeline li').count()).resolves.toBeGreaterThan(0);
      }
      await page.goto(`${server.url}stories/000000009e3779b1`);
      for (const outlet of ['Los Angeles Times', 'Livemint', 'IFA Magazine']) {
        await expect(page.locator('.versions').getByText(outlet, { exact: true }).first().isVisible()).resolves.toBe(true);
      }
      if (width === 390) await page.screenshot({ path: join(shots, 'story-phone.png'), fullPage: true });
      expect(blocked).toEqual([]);
      await context.close();
    },
  );

  it('the autodiscovery links resolve to the served feeds', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const hrefs = await page.locator('link[rel="alternate"]').evaluateAll((links: { href: string }[]) => links.map((l) => l.href));
    // Relative to the site root, as `public/` holds them, so a static copy of the site finds them too.
    expect(hrefs).toEqual([`${server.url}all.atom`, `${server.url}all.rss`, `${server.url}all.json`]);
    for (const href of hrefs) expect((await page.request.get(href)).status()).toBe(200);
    await context.close();
  });
});
