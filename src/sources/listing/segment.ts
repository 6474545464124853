/**
 * Seed listings: plain-text captures of an outlet's listing page turned into clean stories.
 * Pipeline: normalise text -> paragraphs -> drop furniture -> lay out stories -> titles, bylines, identities.
 */
import { createHash } from 'node:crypto';
import type { RawItem } from '../../model.js';
import { markFurniture } from './furniture.js';
import { layoutStories, type StoryDraft } from './layout.js';
import { stripTruncation } from '../truncation.js';
import { collapseSpaces, foldTitle, normaliseListingText, splitParagraphs } from './text.js';
import { deriveTitle } from './title.js';

/** The source a listing belongs to (only its name is used: to tell a credited outlet from the source). */
interface ListingSource {
  readonly name: string;
  readonly url: string;
}

/** Hex digits kept from the SHA-256 of a folded title: 64 bits, collision-free for any real listing. */
const IDENTITY_HEX = 16;

/** Seed listing text -> clean stories, in listing order. Pure: no I/O. */
export function segmentListing(text: string, source: ListingSource): RawItem[] {
  const paragraphs = splitParagraphs(normaliseListingText(text));
  const furniture = markFurniture(paragraphs);
  const content = paragraphs.filter((_, index) => !furniture[index]);
  const items: RawItem[] = [];
  const seen = new Map<string, { count: number; summaries: Set<string> }>();
  for (const draft of layoutStories(content)) {
    const story = finishStory(draft, source);
    if (story === null) continue;
    const folded = foldTitle(story.title);
    const previous = seen.get(folded) ?? { count: 0, summaries: new Set<string>() };
    // A page that shows one story twice (a "featured" box and the list) still lists one story.
    if (previous.summaries.has(story.summary)) continue;
    previous.count++;
    previous.summaries.add(story.summary);
    seen.set(folded, previous);
    items.push({ ...story, identity: listingIdentity(folded, previous.count), position: items.length });
  }
  return items;
}

/**
 * Identity of a listing story: a hash of its folded title, so re-reading an unchanged or re-punctuated
 * file yields the same identities and an edited summary keeps its story. A second, different story with
 * the same title in one file gets its occurrence number folded in.
 */
function listingIdentity(foldedTitle: string, occurrence = 1): string {
  const key = occurrence === 1 ? foldedTitle : `${foldedTitle}\u0000${occurrence}`;
  return `title:${createHash('sha256').update(key).digest('hex').slice(0, IDENTITY_HEX)}`;
}

/** Turns a laid-out story into a RawItem (without identity and position), or null if it has no text. */
function finishStory(draft: StoryDraft, source: ListingSource): Omit<RawItem, 'identity' | 'position'> | null {
  const joined = collapseSpaces(draft.paragraphs.join(' '));
  const { text: summary, truncated } = stripTruncation(joined);
  const title = collapseSpaces(draft.title ?? deriveTitle(summary));
  if (title.length === 0 && summary.length === 0) return null;
  const outlet = draft.byline?.outlet ?? null;
  return {
    guid: null,
    link: null,
    title: title.length > 0 ? title : summary,
    summary,
    contentHtml: null,
    author: draft.byline?.author ?? null,
    outlet: outlet !== null && foldTitle(outlet) !== foldTitle(source.name) ? outlet : null,
    published: null,
    updated: null,
    categories: [],
    truncated,
  };
}
