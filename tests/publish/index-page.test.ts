import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderIndexPage } from '../../src/publish/index-page.js';
import { renderFeed } from '../../src/publish/feeds.js';
import { startServer, type RunningServer } from '../../src/publish/server.js';
import { writeFeeds } from '../../src/publish/write.js';
import { SITE, loadClusters, outputFeed } from './fixtures.js';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn('SKIPPED: index page browser test needs Debian chromium at /usr/bin/chromium; .ci/run installs it');

const clusters = loadClusters();
const feeds = [outputFeed()];

describe('renderIndexPage', () => {
  it('escapes every story text and has no script', () => {
    const html = renderIndexPage(SITE, feeds, clusters);
    expect(html).toContain('Breaking news &lt;script&gt;alert(&#39;t&#39;)&lt;/script&gt;');
    expect(html).not.toMatch(/<script|<iframe|onerror=|javascript:/i);
  });

  it('says so when there are no stories yet', () => {
    expect(renderIndexPage(SITE, feeds, [])).toContain('No stories yet');
  });
});

describe.skipIf(!hasChromium)('index page in headless Chromium', () => {
  const shots = mkdtempSync(join(tmpdir(), 'feedmerge-shots-'));
  const dir = mkdtempSync(join(tmpdir(), 'feedmerge-index-'));
  let server: RunningServer;
  let browser: Browser;

  beforeAll(async () => {
    writeFeeds(dir, feeds.map((f) => renderFeed(clusters, f, SITE)));
    server = await startServer(
      { outputDir: dir, site: SITE, feeds, listSources: () => [], latestClusters: (n) => clusters.slice(0, n), health: () => ({ ok: true, lastRun: null }) },
      { host: '127.0.0.1', port: 0 },
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
    if (process.env['FEEDMERGE_KEEP_SCREENSHOTS'] === '1') console.log(`screenshots kept in ${shots}`);
    else rmSync(shots, { recursive: true, force: true });
  });

  it('shows every story with every outlet on a phone, without JavaScript and without sideways scrolling', async () => {
    // A common phone viewport (CSS pixels of an iPhone 12-15 class device).
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, javaScriptEnabled: false });
    const page = await context.newPage();
    const blocked: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) blocked.push(r.url());
    });
    const response = await page.goto(server.url);
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe('feedmerge test');

    for (const title of [
      'Thousands of Peruvians took to the streets in Lima and other cities to defend Pedro Castillo\'s victory',
      'US open: Stocks fall after Fed official hints at accelerated tapering',
      "Breaking news <script>alert('t')</script> & ]]> more ]]> end",
    ]) {
      await expect(page.getByRole('heading', { name: title, exact: true }).isVisible()).resolves.toBe(true);
    }
    const story = page.locator('#story-000000009e3779b1');
    for (const outlet of ['Los Angeles Times', 'Livemint', 'IFA Magazine']) {
      await expect(story.getByText(outlet, { exact: true }).first().isVisible()).resolves.toBe(true);
    }
    await expect(page.locator('#story-5999d533efebccf1').getByText("Links (via People's Dispatch)").isVisible()).resolves.toBe(true);
    await expect(page.locator('article').count()).resolves.toBe(4);

    // Playwright evaluates page functions in its own utility world, so they run although the page has
    // JavaScript disabled. The test tsconfig has no DOM types: the few properties used are typed inline.
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBe(0);
    const fontSize = await page
      .locator('article p')
      .first()
      .evaluate((el: { ownerDocument: { defaultView: { getComputedStyle(e: unknown): { fontSize: string } } } }) =>
        Number.parseFloat(el.ownerDocument.defaultView.getComputedStyle(el).fontSize),
      );
    expect(fontSize).toBeGreaterThanOrEqual(14);

    const file = join(shots, 'index-phone.png');
    await page.screenshot({ path: file, fullPage: true });
    // A blank 390x844@2x PNG compresses to a few kB; a page of text is far larger.
    expect(statSync(file).size).toBeGreaterThan(30_000);
    expect(blocked).toEqual([]);
    await context.close();
  });

  it('the autodiscovery links resolve to the served feeds', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(server.url);
    const hrefs = await page.locator('link[rel="alternate"]').evaluateAll((links: { href: string }[]) => links.map((l) => l.href));
    expect(hrefs).toEqual([`${server.url}feeds/all.atom`, `${server.url}feeds/all.rss`, `${server.url}feeds/all.json`]);
    for (const href of hrefs) expect((await page.request.get(href)).status()).toBe(200);
    await context.close();
  });
});
