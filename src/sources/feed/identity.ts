import { createHash } from 'node:crypto';

/** Query parameters that identify a campaign or a click, never the article (Miniflux and ClearURLs lists). */
const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'yclid',
  '_ga',
  '_gl',
  'ref_src',
  'ocid',
  'cmpid',
  'wt.mc_id',
  'ncid',
  'mkt_tok',
  'spm',
  '__twitter_impression',
  'sr_share',
  'soc_src',
  'soc_trk',
]);
const TRACKING_PREFIXES = ['utm_', 'pk_', 'mtm_', 'hsa_', 'oly_', 'vero_'];

/** Makes a link comparable: host lower-cased, default port, fragment and tracking parameters dropped. */
export function normaliseLink(link: string): string {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return link.trim();
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.href;
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => {
    const key = name.toLowerCase();
    return !TRACKING_PARAMS.has(key) && !TRACKING_PREFIXES.some((prefix) => key.startsWith(prefix));
  });
  url.search = new URLSearchParams(kept).toString();
  // URL already lower-cases the host and drops a default port.
  return url.href;
}

/** Resolves a possibly relative link against a base; null if it cannot be made an absolute http(s) URL. */
export function resolveLink(link: string | null | undefined, base: string | null | undefined): string | null {
  const text = link?.trim();
  if (!text) return null;
  try {
    const url = base ? new URL(text, base) : new URL(text);
    // Only web links are worth publishing; javascript:, data: and friends are dropped here.
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** An item's identity within its source: GUID, else normalised link, else a hash of source and normalised title. */
export function itemIdentity(input: {
  readonly guid: string | null;
  readonly link: string | null;
  readonly title: string;
  readonly sourceUrl: string;
}): string {
  const guid = input.guid?.trim();
  if (guid) return `guid:${guid}`;
  if (input.link) return `link:${normaliseLink(input.link)}`;
  const title = input.title.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
  const digest = createHash('sha256').update(`${input.sourceUrl}\n${title}`).digest('hex');
  // 16 hex chars = 64 bits: collisions within one source are negligible.
  return `title:${digest.slice(0, 16)}`;
}

/**
 * Items of one document that share a GUID but link to different articles are different items (feeds that give
 * every item the channel's GUID, or a constant one): each such item's identity becomes its GUID and normalised
 * link, so none is lost. Items sharing a GUID and a link (or having no link) keep the GUID alone; the caller
 * keeps the first of those.
 */
export function distinguishRepeatedGuids<
  T extends { readonly identity: string; readonly guid: string | null; readonly link: string | null },
>(items: readonly T[]): T[] {
  const linksByIdentity = new Map<string, Set<string>>();
  for (const item of items) {
    if (!item.guid || !item.link || !item.identity.startsWith('guid:')) continue;
    const links = linksByIdentity.get(item.identity) ?? new Set<string>();
    links.add(normaliseLink(item.link));
    linksByIdentity.set(item.identity, links);
  }
  return items.map((item) =>
    item.link && (linksByIdentity.get(item.identity)?.size ?? 0) > 1
      ? { ...item, identity: `${item.identity} link:${normaliseLink(item.link)}` }
      : item,
  );
}
