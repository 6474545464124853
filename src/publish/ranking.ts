import { DAY_MS, HOUR_MS } from '../model.js';
import type { Story } from './story.js';

/**
 * Top stories: how many outlets carried a story, halved for every day of age.
 *
 *     score = outlets × 0.5 ^ (age in hours / TOP_HALF_LIFE_HOURS)
 *
 * A story three outlets carried yesterday (1.5) ranks above one a single outlet ran an hour ago (about 1), but
 * below one two outlets ran today. Age counts from the story's last change (`updated`: it gained an outlet or a
 * version changed) to the newest story's, not to the clock, so a run without news leaves the ranking, and the
 * index page's bytes, as they were.
 */
const TOP_HALF_LIFE_HOURS = 24;

/** Only stories changed within this many days of the newest one are candidates for the top list ("recent"). */
export const TOP_WINDOW_DAYS = 3;

/** What ranking reads of a story (a Story has it; so does a cluster with its outlets counted). */
export type Rankable = Pick<Story, 'id' | 'updated' | 'outlets'> & { readonly versions: { readonly length: number } };

/** The ranking score of one story at `reference` (epoch ms). */
function topScore(story: Rankable, reference: number): number {
  const ageHours = Math.max(0, reference - Date.parse(story.updated)) / HOUR_MS;
  return story.outlets.length * 0.5 ** (ageHours / TOP_HALF_LIFE_HOURS);
}

/**
 * The recent stories, best score first; ties go to more versions, then the newer, then the id, so the order
 * never depends on input order.
 */
export function rankTopStories<T extends Rankable>(stories: readonly T[]): T[] {
  const reference = Math.max(...stories.map((s) => Date.parse(s.updated)));
  const recent = stories.filter((s) => reference - Date.parse(s.updated) <= TOP_WINDOW_DAYS * DAY_MS);
  const scored = recent.map((story) => ({ story, score: topScore(story, reference) }));
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.story.versions.length - a.story.versions.length ||
      Date.parse(b.story.updated) - Date.parse(a.story.updated) ||
      (a.story.id < b.story.id ? -1 : a.story.id > b.story.id ? 1 : 0),
  );
  return scored.map((s) => s.story);
}
