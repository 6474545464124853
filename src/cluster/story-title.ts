/**
 * The one rule for a story's display title, used by the store (clusters --json), the feeds and the pages. Pure.
 */

/** Titles ending like this were cut short by their source ("...", "…", "[...]", "[…]"). */
const TRUNCATED_TITLE = /(\.\.\.|…|\[\s*(\.\.\.|…)\s*\])\s*$/u;

/**
 * Which member's title a story shows: among titles not cut short (all of them when every one is), the one the
 * most members carry (compared case- and space-insensitively), then the longest, then the earliest member.
 * Returns -1 for a story without any non-empty title.
 */
export function storyTitleIndex(members: readonly { readonly title: string }[]): number {
  const keys = members.map((m) => m.title.trim().replace(/\s+/g, ' ').toLowerCase());
  const usable = members.map((m, i) => keys[i] !== '' && !TRUNCATED_TITLE.test(m.title.trim()));
  const pool = usable.some(Boolean) ? usable : keys.map((k) => k !== '');
  const votes = new Map<string, number>();
  keys.forEach((key, i) => {
    if (pool[i]) votes.set(key, (votes.get(key) ?? 0) + 1);
  });
  let best = -1;
  for (let i = 0; i < members.length; i += 1) {
    if (!pool[i]) continue;
    if (best === -1) {
      best = i;
      continue;
    }
    const byVotes = votes.get(keys[i]!)! - votes.get(keys[best]!)!;
    if (byVotes > 0 || (byVotes === 0 && keys[i]!.length > keys[best]!.length)) best = i;
  }
  return best;
}

/** The display title of a story (see storyTitleIndex); '' when no member has a title. */
export function storyTitle(members: readonly { readonly title: string }[]): string {
  const index = storyTitleIndex(members);
  return index === -1 ? '' : members[index]!.title;
}
