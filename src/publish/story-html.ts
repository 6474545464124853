import { sanitizeContentHtml } from './sanitize.js';
import type { Story, StoryVersion } from './story.js';
import { escapeHtml } from './xml-text.js';

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
  parts.push(`<time datetime="${escapeHtml(version.date)}">${escapeHtml(formatUtc(version.date))}</time>`);
  return parts.join(' · ');
}

/** The entry content: every outlet's version with its headline, credit, link and summary, sanitised. */
export function renderStoryContentHtml(story: Story): string {
  const count = story.versions.length;
  const outlets = [...new Set(story.versions.map((v) => v.source))];
  const intro = `<p>Carried by ${count === 1 ? '1 version' : `${count} versions`} from ${outlets.length === 1 ? '1 outlet' : `${outlets.length} outlets`}.</p>`;
  const items = story.versions.map((version) => {
    const headline =
      version.link === null
        ? escapeHtml(version.title)
        : `<a href="${escapeHtml(version.link)}">${escapeHtml(version.title)}</a>`;
    const summary = version.summary === '' ? '' : `<p>${escapeHtml(version.summary)}</p>`;
    return `<li><p>${headline}</p><p>${versionCreditHtml(version)}</p>${summary}</li>`;
  });
  return sanitizeContentHtml(`${intro}<ul>${items.join('')}</ul>`, null);
}
