/**
 * Page furniture in captured listings: navigation, appeals (donate, subscribe, newsletter boxes) and
 * legal notices. Detected by form and vocabulary, not by the exact strings of any one site.
 */

/**
 * Whole-paragraph navigation and chrome: the paragraph is nothing but one of these (case-insensitive,
 * trailing punctuation ignored). Each entry is what a CMS theme prints around a listing.
 */
const NAVIGATION: readonly RegExp[] = [
  /^skip to (?:the )?(?:main )?(?:content|navigation|menu|footer)$/, // accessibility skip links
  /^(?:main |toggle )?(?:menu|navigation)$/, // menu toggles
  /^(?:search|search for|home|print|share|tweet|email|advertisement|sponsored|loading)$/,
  /^share (?:this|on \p{L}+)(?: \p{L}+)?$/u, // share buttons
  /^(?:read|load|show|view) more(?: \p{L}+)?$/u, // pagination / teaser links
  /^continue reading(?: .{0,60})?$/,
  /^(?:older|newer|more|previous|next) (?:posts|stories|articles|entries|page)$/,
  /^(?:next|previous|prev)$/,
  /^back to top$/,
  /^page \d+ of \d+$/,
  /^(?:©|\(c\)|copyright)\s.{0,120}$/, // footer copyright lines
];

/**
 * Appeal vocabulary: fundraising, subscriptions, newsletters, consent banners. One of these in a short
 * paragraph, or together with first/second person ("our", "you"), marks a paragraph as an appeal.
 */
const APPEAL_TERMS: readonly RegExp[] = [
  /\bdonat(?:e|es|ed|ing|ion|ions)\b/,
  /\bfundrais/,
  /\brais(?:e|ing) (?:funds|money)\b/,
  /\bsubscri(?:be|bers?|ption)\b/,
  /\bsign(?:ing)? ?up\b/,
  /\bnewsletters?\b/,
  /\b(?:daily|weekly|email) (?:email )?(?:digest|updates|newsletter)\b/,
  /\bsupport (?:us|our|independent|this)\b/,
  /\byour (?:help|support|donation|contribution|gift)\b/,
  /\bkeep .{0,40}\balive\b/,
  /\bindependent (?:media|journalism)\b/,
  /\bfiscal sponsor\b/,
  /\bbecome a (?:member|patron|supporter|subscriber)\b/,
  /\b(?:patreon|paypal)\b/,
  /\bcookies?\b/,
  /\bprivacy policy\b/,
  /\bterms of (?:use|service)\b/,
  /\ball rights reserved\b/,
  /\bfollow us\b/,
];

/** All appeal terms in one pattern: most paragraphs have none, and one scan settles that. */
const ANY_APPEAL = new RegExp(APPEAL_TERMS.map((pattern) => pattern.source).join('|'));

/** The longest navigation paragraph (the copyright line); longer paragraphs skip the navigation table. */
const NAVIGATION_MAX_CHARS = 140;

/** Appeals talk to the reader about the outlet: "our", "you", "we", "us". News copy rarely does. */
const PERSON = /\b(?:we|us|our|ours|you|your|yours)\b/;

/** Appeal paragraphs are short; a long paragraph that mentions a newsletter is reporting, not an appeal. */
const APPEAL_MAX_WORDS = 80;
/** APPEAL_MAX_WORDS at a generous 25 characters a word. */
const APPEAL_MAX_CHARS = APPEAL_MAX_WORDS * 25;
/** A paragraph this short with one appeal term is an appeal heading ("Urgent Fundraising Campaign"). */
const APPEAL_HEADING_WORDS = 8;

/** How sure we are that a paragraph is furniture. */
type FurnitureVerdict = 'furniture' | 'maybe' | 'content';

/**
 * Judges one paragraph on its own: `furniture` (navigation, or an appeal that addresses the reader),
 * `maybe` (a short line with appeal vocabulary but no address, such as "Urgent End Of Year Fundraising
 * Campaign", which could also be a headline), or `content`.
 */
function judgeFurniture(paragraph: string): FurnitureVerdict {
  // Furniture is short: past this length a paragraph is content (and a huge one costs nothing to judge).
  if (paragraph.length > APPEAL_MAX_CHARS) return 'content';
  const lower = paragraph.toLowerCase();
  const bare = lower.replace(/[\s.:!?»›→…|>-]+$/u, '').replace(/^[\s«‹←<|-]+/u, '');
  if (bare.length <= NAVIGATION_MAX_CHARS && NAVIGATION.some((pattern) => pattern.test(bare))) return 'furniture';
  const words = bare.split(' ').length;
  if (words > APPEAL_MAX_WORDS || !ANY_APPEAL.test(lower)) return 'content';
  const appeals = APPEAL_TERMS.filter((pattern) => pattern.test(lower)).length;
  if (appeals === 0) return 'content';
  if (PERSON.test(lower) || appeals >= 2) return 'furniture';
  return words <= APPEAL_HEADING_WORDS ? 'maybe' : 'content';
}

/**
 * Marks furniture across a listing. `maybe` paragraphs are settled by their neighbours: an appeal heading
 * is furniture when the paragraph after it is furniture too, or when nothing follows it (footers).
 * Otherwise it is kept, being most likely a headline that happens to mention fundraising.
 */
export function markFurniture(paragraphs: readonly string[]): boolean[] {
  const verdicts = paragraphs.map(judgeFurniture);
  const furniture = verdicts.map((verdict) => verdict === 'furniture');
  for (let index = paragraphs.length - 1; index >= 0; index--) {
    if (verdicts[index] !== 'maybe') continue;
    const next = index + 1 < paragraphs.length ? furniture[index + 1] : true;
    furniture[index] = next === true;
  }
  return furniture;
}
