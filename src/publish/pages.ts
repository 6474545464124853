import type { OutputFeedConfig } from '../config.js';
import type { SiteInfo } from './feeds.js';
import { rankTopStories } from './ranking.js';
import { counted, formatUtc, linked, timeHtml, versionCreditHtml, versionWho } from './story-html.js';
import { storyAnchor, storyPagePath, type Story } from './story.js';
import { cleanLine, cleanXmlText, escapeHtml, escapeText } from '../text/xml-text.js';

/** One HTML file of the site, its path relative to the output folder. */
export interface SitePage {
  readonly path: string;
  readonly html: string;
}

/** What the site shows: the published stories (newest first) and the ids merged away from them. */
export interface SiteContent {
  readonly site: SiteInfo;
  readonly feeds: readonly OutputFeedConfig[];
  /** Every published story, newest first (the archive's order). */
  readonly stories: readonly Story[];
  /** Story ids merged into another story: their old pages forward to the survivor. */
  readonly redirects: readonly { readonly from: string; readonly to: string }[];
}

/** Stories on the index (top stories) and on each page of the latest/archive list: a few phone screens. */
export const PAGE_STORIES = 30;

/** Versions listed with headline and credit per story on listing pages; the rest by outlet name. */
const LIST_VERSIONS = 6;

/** Summaries on listing pages are cut at a word boundary near this many characters (about three phone lines). */
const SUMMARY_CHARS = 280;

/**
 * The pages carry no script and load nothing: only their inline style applies. The server sends this as a
 * header (with frame-ancestors, which a meta element cannot carry); the static files carry it in a meta element
 * so any web server serving `public/` gets the same policy.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const META_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; base-uri 'none'; form-action 'none'";

/** The home page's line under the site title. */
const HOME_INTRO = 'Stories merged from every outlet that carried them; those most outlets carried first.';

const FORMAT_LABELS = [
  { ext: 'atom', type: 'application/atom+xml', label: 'Atom' },
  { ext: 'rss', type: 'application/rss+xml', label: 'RSS' },
  { ext: 'json', type: 'application/feed+json', label: 'JSON Feed' },
] as const;

/**
 * Readable on a 360 px phone and a desktop alike (no text under 12 px); follows the reader's light/dark
 * preference. No script and no external resource, so the pages work under a `default-src 'none'` CSP.
 */
const STYLE = `
:root{color-scheme:light dark;--fg:#1b1d21;--muted:#5b616b;--bg:#fbfbfa;--card:#fff;--line:#e3e4e6;--accent:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e9eb;--muted:#a3a8b1;--bg:#15171a;--card:#1d2024;--line:#30343a;--accent:#8ab4f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;\
-webkit-text-size-adjust:100%}
main,header{max-width:46rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.25rem}
h1{font-size:1.6rem;line-height:1.3;margin:0 0 .25rem;overflow-wrap:anywhere}
h1 a{color:inherit;text-decoration:none}
h2{font-size:1.15rem;margin:1.2rem 0 .4rem}
a{color:var(--accent);text-underline-offset:.15em}
.muted,time{color:var(--muted)}
time{white-space:nowrap}
nav{display:flex;flex-wrap:wrap;gap:.4rem 1rem;margin:.5rem 0 1rem}
nav a[aria-current]{color:inherit;font-weight:600;text-decoration:none}
.feeds{list-style:none;padding:0;margin:.75rem 0 1rem;display:flex;flex-wrap:wrap;gap:.5rem}
.feeds li{background:var(--card);border:1px solid var(--line);border-radius:.6rem;padding:.45rem .7rem}
.feeds a{margin-left:.4rem}
article{background:var(--card);border:1px solid var(--line);border-radius:.8rem;padding:.9rem 1rem;margin:0 0 1rem}
article h2{font-size:1.15rem;line-height:1.35;margin:0 0 .3rem;overflow-wrap:anywhere}
article h2 a{color:inherit;text-decoration:none}
article h2 a:hover{text-decoration:underline}
article p{margin:.35rem 0;overflow-wrap:anywhere}
.versions{list-style:none;padding:0;margin:.6rem 0 0;border-top:1px solid var(--line)}
.versions li{padding:.45rem 0;border-bottom:1px solid var(--line);font-size:.93rem;overflow-wrap:anywhere}
.versions li:last-child{border-bottom:0}
.versions h3{font-size:1rem;margin:0}
.count{display:inline-block;font-size:.8rem;background:var(--line);border-radius:1rem;padding:0 .5rem;margin-left:.3rem;\
vertical-align:middle}
.timeline{list-style:none;padding:0;margin:.4rem 0}
.timeline li{display:grid;grid-template-columns:minmax(0,38%) minmax(0,1fr);gap:.1rem .75rem;align-items:center;padding:.3rem 0;\
font-size:.9rem}
.timeline .who{overflow-wrap:anywhere}
.timeline .track{position:relative;height:.9rem;border-bottom:2px solid var(--line)}
.timeline .dot{position:absolute;bottom:-.4rem;width:.75rem;height:.75rem;margin-left:-.375rem;border-radius:50%;background:var(--accent)}
.timeline time{grid-column:2;font-size:.8rem}
.axis{display:flex;justify-content:space-between;gap:1rem;font-size:.8rem;margin-left:calc(38% + .75rem)}
.pager{display:flex;justify-content:space-between;gap:1rem;margin:0 0 1.5rem}
footer{max-width:46rem;margin:0 auto;padding:1rem;font-size:.85rem}
`;

/** Every page of the site: index (top stories), latest and archive pages, one page per story, redirects. */
export function renderSite(content: SiteContent): SitePage[] {
  const pages: SitePage[] = [{ path: 'index.html', html: renderIndexPage(content) }];
  const count = Math.max(1, Math.ceil(content.stories.length / PAGE_STORIES));
  for (let number = 1; number <= count; number++) {
    pages.push({ path: listPagePath(number), html: renderListPage(content, number, count) });
  }
  for (const story of content.stories) pages.push({ path: storyPagePath(story.id), html: renderStoryPage(content, story) });
  for (const { from, to } of content.redirects) pages.push({ path: storyPagePath(from), html: renderRedirectPage(content.site, to) });
  return pages;
}

/** Page `number` of the newest-first list: `latest.html`, then `archive-2.html`, `archive-3.html`, ... */
function listPagePath(number: number): string {
  return number === 1 ? 'latest.html' : `archive-${number}.html`;
}

/** The home page: the output feeds and the top stories (see ranking.ts), with links to the full lists. */
export function renderIndexPage(content: SiteContent): string {
  const top = rankTopStories(content.stories).slice(0, PAGE_STORIES);
  const body =
    top.length === 0
      ? '<p class="muted">No stories yet: they appear here after the first run has read some sources.</p>'
      : `${top.map((story) => renderStoryCard(story, '')).join('\n')}
<p class="pager"><span></span><a href="latest.html">Every story, newest first →</a></p>`;
  return layout(content, { title: cleanLine(content.site.title) || 'feedmerge', root: '', current: 'top', body });
}

/** One page of every published story, newest first, with links to its neighbours. */
function renderListPage(content: SiteContent, number: number, count: number): string {
  const stories = content.stories.slice((number - 1) * PAGE_STORIES, number * PAGE_STORIES);
  const newer = number > 1 ? `<a href="${listPagePath(number - 1)}">← Newer</a>` : '<span></span>';
  const older = number < count ? `<a href="${listPagePath(number + 1)}">Older →</a>` : '<span></span>';
  const pager = `<p class="pager">${newer}<span class="muted">Page ${number} of ${count}</span>${older}</p>`;
  const body =
    stories.length === 0
      ? '<p class="muted">No stories yet: they appear here after the first run has read some sources.</p>'
      : `${stories.map((story) => renderStoryCard(story, '')).join('\n')}\n${pager}`;
  const title = `${cleanLine(content.site.title) || 'feedmerge'}: latest${number > 1 ? `, page ${number}` : ''}`;
  return layout(content, { title, root: '', current: number === 1 ? 'latest' : 'archive', body });
}

/** A story's own page: every version, when each outlet carried it, and the feeds it appears in. */
export function renderStoryPage(content: SiteContent, story: Story): string {
  const root = '../';
  const versions = story.versions.map((version) => {
    const summary = version.summary === '' ? '' : `<p>${escapeText(version.summary)}</p>`;
    return `<li><h3>${linked(version, version.title || story.title)}</h3><p>${versionCreditHtml(version)}</p>${summary}</li>`;
  });
  const feeds = content.feeds.map((feed) => renderFeedLinks(feed, root));
  const body = `<article>
<h1>${escapeHtml(story.title)}</h1>
<p class="muted">First carried ${renderCoverage(story)}<span class="count">${counted(story.versions.length, 'version')}</span></p>
${story.summary === '' ? '' : `<p>${escapeText(story.summary)}</p>`}
<h2>Coverage</h2>
${renderTimeline(story)}
<h2>Every version</h2>
<ul class="versions">${versions.join('')}</ul>
${renderRelated(content, story, root)}
<h2>Feeds</h2>
<ul class="feeds">${feeds.join('')}</ul>
</article>`;
  return layout(content, { title: story.title, root, current: null, body });
}

const publishedById = new WeakMap<SiteContent, ReadonlyMap<string, Story>>();

/** Related stories (same actors, another event) that the site publishes, linked to their pages. */
function renderRelated(content: SiteContent, story: Story, root: string): string {
  if (story.relatedStories.length === 0) return '';
  let published = publishedById.get(content);
  if (published === undefined) {
    published = new Map(content.stories.map((s) => [s.id, s]));
    publishedById.set(content, published);
  }
  const links = story.relatedStories.flatMap((id) => {
    const other = published.get(id);
    return other === undefined ? [] : [`<li><a href="${root}${escapeHtml(storyPagePath(other.id))}">${escapeHtml(other.title)}</a></li>`];
  });
  return links.length === 0 ? '' : `<h2>Related stories</h2>\n<ul>${links.join('')}</ul>`;
}

/**
 * When each outlet carried the story: one row per version, a dot placed on a shared time axis (CSS only, no
 * script, no image), the axis labelled with the first and last times.
 */
function renderTimeline(story: Story): string {
  const times = story.versions.map((v) => Date.parse(v.date));
  const first = Math.min(...times);
  const last = Math.max(...times);
  // Times are shown to the minute: versions within one minute are drawn together.
  const span = last - first < 60_000 ? 0 : last - first;
  const rows = story.versions.map((version, index) => {
    const at = span === 0 ? 0 : ((times[index]! - first) / span) * 100;
    const track = `<span class="track"><span class="dot" style="left:${at.toFixed(1)}%"></span></span>`;
    return `<li><span class="who">${escapeHtml(versionWho(version))}</span>${track}${timeHtml(version.date)}</li>`;
  });
  const [firstText, lastText] = [first, last].map((t) => escapeHtml(formatUtc(new Date(t).toISOString())));
  const axis =
    span === 0
      ? `<p class="muted">Every version within a minute of ${firstText}.</p>`
      : `<p class="axis muted"><span>${firstText}</span><span>${lastText}</span></p>`;
  return `<ol class="timeline">${rows.join('')}</ol>\n${axis}`;
}

/** A static stand-in for the 301 the server answers: the old page forwards to the surviving story. */
function renderRedirectPage(site: SiteInfo, to: string): string {
  const target = `../${storyPagePath(to)}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${META_CSP}">
<meta http-equiv="refresh" content="0; url=${escapeHtml(target)}">
<link rel="canonical" href="${escapeHtml(`${site.baseUrl}${storyPagePath(to)}`)}">
<title>Moved</title>
</head>
<body><p>This story was merged into <a href="${escapeHtml(target)}">another one</a>.</p></body>
</html>
`;
}

/** A story on a listing page: headline linked to its page, coverage, summary and the first versions. */
function renderStoryCard(story: Story, root: string): string {
  const summary = story.summary === '' ? '' : `<p>${escapeHtml(clip(story.summary, SUMMARY_CHARS))}</p>`;
  const versions = story.versions
    .slice(0, LIST_VERSIONS)
    .map((version) => `<li>${versionCreditHtml(version)}<br>${linked(version, version.title)}</li>`);
  const rest = story.versions.slice(LIST_VERSIONS);
  if (rest.length > 0) {
    const names = rest.map((v) => linked(v, v.source)).join(', ');
    versions.push(`<li class="muted">and ${rest.length} more: ${names}</li>`);
  }
  return `<article id="${storyAnchor(story.id)}">
<h2><a href="${root}${escapeHtml(storyPagePath(story.id))}">${escapeHtml(story.title)}</a></h2>
<p class="muted">${renderCoverage(story)}</p>
${summary}
<ul class="versions">${versions.join('')}</ul>
</article>`;
}

interface Layout {
  readonly title: string;
  /** Path from this page to the site root: '' or '../'. */
  readonly root: string;
  readonly current: 'top' | 'latest' | 'archive' | null;
  readonly body: string;
}

function layout(content: SiteContent, page: Layout): string {
  const { root } = page;
  const siteTitle = escapeHtml(cleanLine(content.site.title) || 'feedmerge');
  // Relative hrefs: the pages work whatever host, port or folder they are served from.
  const alternates = content.feeds.flatMap((feed) =>
    FORMAT_LABELS.map((f) => {
      const title = escapeHtml(`${cleanLine(feed.title)} (${f.label})`);
      return `<link rel="alternate" type="${f.type}" title="${title}" href="${root}${escapeHtml(feed.name)}.${f.ext}">`;
    }),
  );
  const feedList = content.feeds.map((feed) => renderFeedLinks(feed, root));
  const nav = [
    ['top', 'index.html', 'Top stories'],
    ['latest', 'latest.html', 'Latest'],
  ]
    .map(([key, href, label]) => `<a href="${root}${href}"${page.current === key ? ' aria-current="page"' : ''}>${label}</a>`)
    .join('');
  const home = page.current === 'top';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${META_CSP}">
<title>${escapeHtml(cleanLine(page.title))}</title>
${alternates.join('\n')}
<style>${STYLE}</style>
</head>
<body>
<header>
${home ? `<h1>${siteTitle}</h1>\n<p class="muted">${HOME_INTRO}</p>` : `<p><a href="${root}index.html">${siteTitle}</a></p>`}
<nav>${nav}</nav>
${home ? `<ul class="feeds">${feedList.join('')}</ul>` : ''}
</header>
<main>
${page.body}
</main>
<footer class="muted">Generated by feedmerge</footer>
</body>
</html>
`;
}

/** A feed's name and a link to each of its formats, relative to `root`. */
function renderFeedLinks(feed: OutputFeedConfig, root: string): string {
  const links = FORMAT_LABELS.map((f) => `<a href="${root}${escapeHtml(feed.name)}.${f.ext}" type="${f.type}">${f.label}</a>`);
  return `<li><strong>${escapeHtml(cleanLine(feed.title))}</strong>${links.join('')}</li>`;
}

/** When a story was first carried and by how many outlets. */
function renderCoverage(story: Story): string {
  return `${timeHtml(story.published)}<span class="count">${counted(story.outlets.length, 'outlet')}</span>`;
}

/** Cuts plain text at the last word boundary before `max` characters, marking the cut. */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  // cleanXmlText drops the half of a surrogate pair the slice may have cut.
  const cut = cleanXmlText(text.slice(0, max));
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.]+$/, '')}…`;
}
