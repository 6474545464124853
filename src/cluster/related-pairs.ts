import { doubled } from './compact-vectors.js';

/**
 * Stories found related while placing (same actors, a different event), by pair: the latest cosine of each. Held
 * as columns for the same reason as the decisions (a pair each few items on a long stream: 314,000 at 1M items).
 */
export class RelatedPairs {
  private readonly byKey = new Map<string, number>();
  private readonly first: string[] = [];
  private readonly second: string[] = [];
  private cosines = new Float64Array(256);

  set(a: string, b: string, cosine: number): void {
    const key = `${a}\u0000${b}`;
    let at = this.byKey.get(key);
    if (at === undefined) {
      at = this.first.length;
      this.byKey.set(key, at);
      this.first.push(a);
      this.second.push(b);
      if (at === this.cosines.length) this.cosines = doubled(this.cosines);
    }
    this.cosines[at] = cosine;
  }

  /** Every pair, in the order first recorded, with its latest cosine. */
  *pairs(): Generator<{ readonly a: string; readonly b: string; readonly cosine: number }> {
    for (let i = 0; i < this.first.length; i += 1) yield { a: this.first[i]!, b: this.second[i]!, cosine: this.cosines[i]! };
  }
}
