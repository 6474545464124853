/**
 * Bylines in captured listings: "By Author, Outlet. -", "By Outlet. -", "By A and B, Outlet. -".
 * Aggregator listings credit the original outlet this way; it is what lets clustering credit it.
 */

/** Who a byline credits. */
export interface Byline {
  readonly author: string | null;
  readonly outlet: string | null;
}

/** Bylines are short: a few names and an outlet. Past this it is a sentence that starts with "By". */
const BYLINE_MAX_WORDS = 14;

/**
 * "By" + a capitalised credit + an optional final ". -" / " –" / " —" separator. The credit has no
 * sentence punctuation inside (a period would make it prose), except in initials ("J. Smith").
 */
const BYLINE = /^[Bb]y\s+(?<credit>\p{Lu}[^!?;:]*?)\s*(?<separator>\.?\s*[-–—])?\s*\.?$/u;

/** Without a separator or a comma, only a credit this short is taken as a byline ("By Jane Doe"). */
const BARE_CREDIT_MAX_WORDS = 3;

/** The same byline at the start of a teaser, glued to its text: "By Kawsachun News. - ALBA ...". */
const INLINE_BYLINE = /^[Bb]y\s+(?<credit>\p{Lu}[^!?;:.]{0,120}?)\.\s*[-–—]\s+(?<rest>\S.*)$/su;

/** Credits that name a role rather than an outlet: "By Staff" is an author. */
const ROLE_CREDITS = /^(?:staff|editors?|editorial(?: board| staff)?|newsroom|admin(?:istrator)?|guest author)$/iu;

/** Parses a paragraph that is only a byline, or returns null. */
export function parseByline(paragraph: string): Byline | null {
  if (paragraph.split(/\s+/u).length > BYLINE_MAX_WORDS + 1) return null;
  const groups = BYLINE.exec(paragraph)?.groups;
  const credit = groups?.['credit'];
  if (credit === undefined) return null;
  // "By Land And Sea Peru Fights Back" is a headline: demand a byline's form before trusting "By".
  const formed = groups?.['separator'] !== undefined || credit.includes(',');
  if (!formed && credit.split(/\s+/u).length > BARE_CREDIT_MAX_WORDS) return null;
  // A period inside the credit other than after an initial means this is prose ("By then. It was ...").
  if (/(?<!\b\p{Lu})\.\s/u.test(credit)) return null;
  return splitCredit(credit);
}

/** Splits a byline glued to the start of a teaser into the byline and the remaining text. */
export function splitInlineByline(paragraph: string): { readonly byline: Byline; readonly rest: string } | null {
  const match = INLINE_BYLINE.exec(paragraph);
  const credit = match?.groups?.['credit'];
  const rest = match?.groups?.['rest'];
  if (credit === undefined || rest === undefined) return null;
  if (credit.split(/\s+/u).length > BYLINE_MAX_WORDS) return null;
  return { byline: splitCredit(credit), rest };
}

/**
 * "Author, Outlet": the last comma separates the outlet, so "A, B and C, Outlet" keeps every author.
 * A credit without a comma is the outlet alone (listings credit an outlet when there is no author),
 * unless it names a role such as "Staff".
 */
function splitCredit(credit: string): Byline {
  const clean = credit.replace(/\s+/gu, ' ').trim();
  const comma = clean.lastIndexOf(',');
  if (comma < 0) {
    return ROLE_CREDITS.test(clean) ? { author: clean, outlet: null } : { author: null, outlet: clean };
  }
  const author = clean.slice(0, comma).trim();
  const outlet = clean.slice(comma + 1).trim();
  return { author: author.length > 0 ? author : null, outlet: outlet.length > 0 ? outlet : null };
}
