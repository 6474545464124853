import { sanitizeContentHtml } from './sanitize.js';
import type { Story, StoryVersion } from './story.js';
import { escapeHtml, escapeText } from '../text/xml-text.js';

/** A UTC time as readers expect to see it ("2026-03-01 14:05 UTC"); the raw value if it is not a date. */
export function formatUtc(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** One version's credit line: outlet (and the byline's outlet), author and date, as escaped HTML. */
export function versionCreditHtml(version: StoryVersion): string {
  const parts = [`<strong>${escapeHtml(version.source)}</strong>`];
  if (version.outlet !== null) parts[0] += ` (via ${escapeHtml(version.outlet)})`;
  if (version.author !== null) parts.push(`by ${escapeHtml(version.author)}`);
  parts.push(timeHtml(version.date));
  return parts.join(' · ');
}

/**
 * Versions shown in full (headline, credit, summary) in an entry; beyond this a reader scrolls past the story,
 * so the remaining ones are credited by outlet name and date only, each linked to its version.
 */
const FULL_VERSIONS = 20;

/**
 * The entry content: every outlet's version with its headline, credit, link and summary, then a link to the
 * story page (coverage timeline, every version), sanitised.
 */
export function renderStoryContentHtml(story: Story): string {
  const count = story.versions.length;
  const outlets = story.outlets.length;
  const intro = `<p>Carried by ${counted(count, 'version')} from ${counted(outlets, 'outlet')}.</p>`;
  const items = story.versions.slice(0, FULL_VERSIONS).map((version) => {
    const summary = version.summary === '' ? '' : `<p>${escapeText(version.summary)}</p>`;
    return `<li><p>${linked(version, version.title)}</p><p>${versionCreditHtml(version)}</p>${summary}</li>`;
  });
  const rest = story.versions.slice(FULL_VERSIONS);
  const credit = (v: StoryVersion): string => `${linked(v, versionWho(v))} (${escapeText(formatUtc(v.date))})`;
  const more = rest.length === 0 ? '' : `<p>Also carried by: ${rest.map(credit).join(', ')}.</p>`;
  const page = `<p><a href="${escapeHtml(story.page)}">The story page: every version and when each outlet carried it</a></p>`;
  return sanitizeContentHtml(`${intro}<ul>${items.join('')}</ul>${more}${page}`, null);
}

/** Who carried a version, as plain text: the source, and the outlet it credits when it is another. */
export function versionWho(version: StoryVersion): string {
  return version.outlet === null ? version.source : `${version.source} (via ${version.outlet})`;
}

/** A time as a `<time>` element: the machine-readable value, shown in UTC to the minute. */
export function timeHtml(iso: string): string {
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(formatUtc(iso))}</time>`;
}

/** A count and its noun, plural unless one: "1 outlet", "3 outlets". */
export function counted(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** Text, escaped, linked to the version when it has a link. */
export function linked(version: StoryVersion, text: string): string {
  return version.link === null ? escapeText(text) : `<a href="${escapeHtml(version.link)}">${escapeText(text)}</a>`;
}
