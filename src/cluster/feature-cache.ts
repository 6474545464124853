/**
 * Features of items worked out ahead of clustering: a run reads for seconds while this thread mostly waits for
 * the parsing threads, and extracting features is a fifth of clustering (issue 18). Keyed by what
 * extractFeatures reads of an item, so a cached entry is exactly what clustering would compute. Pure.
 */
import type { ClusterInput } from '../model.js';
import { extractFeatures, withInput, type ItemFeatures } from './normalize.js';
import { THRESHOLDS } from './thresholds.js';

/** What an item's features are made of, with the name of its source: extractFeatures reads nothing else of it. */
export interface ItemText {
  readonly title: string;
  readonly summary: string;
  readonly author: string | null;
  readonly outlet: string | null;
}

/** Fresh items whose features are held at once ahead of their placement (about 1 KiB each). */
export const KEPT_FEATURES_ITEMS = 100_000;

export class FeatureCache {
  /** Features by text, with how many items added carry that text and are not taken yet. */
  private readonly byText = new Map<string, { readonly features: ItemFeatures; count: number }>();

  /** `limit`: texts held at most; items beyond it are extracted when clustered, as without a cache. */
  constructor(private readonly limit = KEPT_FEATURES_ITEMS) {}

  /** Items added and not taken yet. */
  items = 0;

  /** Whether `add` would still take an item of a text not held. */
  get full(): boolean {
    return this.byText.size >= this.limit;
  }

  /** Works out an item's features now (once for all the items of one text: features are never modified). */
  add(sourceName: string, text: ItemText): void {
    const key = keyOf(sourceName, text);
    const held = this.byText.get(key);
    if (held !== undefined) {
      held.count += 1;
      this.items += 1;
      return;
    }
    if (this.full) return;
    this.items += 1;
    const { title, summary, author, outlet } = text;
    const input: ClusterInput = { id: '', sourceName, title, summary, author, outlet, time: 0, truncated: false };
    this.byText.set(key, { features: extractFeatures(input, THRESHOLDS.containmentWords), count: 1 });
  }

  /** The features of `input` if an item of its text was added and not taken yet: the same as extractFeatures' for it. */
  take(input: ClusterInput): ItemFeatures | undefined {
    if (this.byText.size === 0) return undefined;
    const key = keyOf(input.sourceName, input);
    const held = this.byText.get(key);
    if (held === undefined) return undefined;
    held.count -= 1;
    this.items -= 1;
    if (held.count === 0) this.byText.delete(key);
    return withInput(held.features, input);
  }
}

/** Null and empty author or outlet are kept apart, though extractFeatures reads both alike. */
function keyOf(sourceName: string, text: ItemText): string {
  return [sourceName, text.outlet ?? '\u0001', text.author ?? '\u0001', text.title, text.summary].join('\u0000');
}
