/** Truncation marks at the end of a cut teaser, for listings and feeds alike. Pure. */

/** Enough of a text's end to hold any truncation mark with its spacing. */
export const TAIL_CHARS = 32;

/** Truncation marks a listing or feed puts at the end of a cut teaser: `[...]`, `[…]`, `(...)` or a bare ellipsis. */
const TRUNCATION_MARK = /\s*(?:[[(]\s*(?:\.\s*){3,}[\])]|[[(]\s*…\s*[\])]|\.{3,}|…)\s*$/u;

/** Removes a final truncation mark; says whether there was one. */
export function stripTruncation(text: string): { readonly text: string; readonly truncated: boolean } {
  // Only the tail can hold the mark; matching the whole text would try the pattern at every offset.
  const cut = Math.max(0, text.length - TAIL_CHARS);
  const tail = text.slice(cut);
  // A teaser can end in several marks ("[...] [...]"): strip until none is left.
  let stripped = tail;
  for (let previous = ''; stripped !== previous;) {
    previous = stripped;
    stripped = stripped.replace(TRUNCATION_MARK, '');
  }
  if (stripped.length === tail.length) return { text: text.trimEnd(), truncated: false };
  return { text: (text.slice(0, cut) + stripped).trimEnd(), truncated: true };
}
