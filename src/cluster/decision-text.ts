/** The sentence a recorded clustering decision reads as (explain shows it). Pure. */
import type { PlacementDecision } from '../model.js';

/** The decision's own text when it has one (merges, corrections), else one written from its rule and scores. */
export function describeDecision(d: PlacementDecision): string {
  if (d.detail !== undefined) return d.detail;
  const f = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(2));
  switch (d.rule) {
    case 'duplicate':
      return `the same article as ${Math.round(((d.score ?? 1) - 1) * 100)}% of the compared members of story ${d.comparedWith}`;
    case 'story':
      return `centroid cosine ${f(d.score)} >= ${f(d.threshold)} with story ${d.comparedWith}`;
    case 'new-story':
      return d.comparedWith === null
        ? 'no story in the window was close enough to compare: a new story'
        : `closest story ${d.comparedWith}: centroid cosine ${f(d.score)} < ${f(d.threshold)} ` +
            '(after time-gap and same-source penalties), and not the same article as its members: a new story';
    default:
      return `${d.rule}: score ${f(d.score)}, threshold ${f(d.threshold)}`;
  }
}
