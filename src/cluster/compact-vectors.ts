/**
 * Compact tf-idf vectors for the assignment loop: tokens interned to integer ids, weights in typed arrays.
 * Every dot product here adds the same products in the same order as similarity.ts's `dot` on the Map
 * vectors (iterate the smaller vector in insertion order), so results are bit-identical, only cheaper:
 * no string hashing in the inner loop and a few bytes per entry instead of a Map entry. Pure.
 */
import type { SparseVector } from './similarity.js';

/** A tf-idf vector: token ids and weights, in the insertion order of the Map it was built from. */
export interface CompactVector {
  readonly ids: Int32Array;
  readonly weights: Float64Array;
}

/**
 * A centroid: token id -> summed weight, in first-insertion order (the order dot products add in matters for
 * exactness). Tokens and weights are plain arrays (unboxed doubles) with a map from token to position: a Map of
 * weights allocated a boxed number at every update, and garbage collection was an eighth of clustering.
 */
export class CompactCentroid {
  /** Tokens in first-insertion order. */
  readonly ids: number[] = [];
  /** Summed weight of each token, by position in `ids`. */
  readonly weights: number[] = [];
  /** Open addressing, linear probing: position + 1 in `ids` of the token hashed there (0: empty), at most
   * half full. A Map here cost a hash-table walk per lookup, and lookups are most of a placement. */
  private table = new Int32Array(16);
  private shift = 28;

  get size(): number {
    return this.ids.length;
  }

  has(token: number): boolean {
    return this.slotOf(token) >= 0;
  }

  /** The summed weight of a token, or undefined when no member carries it. */
  get(token: number): number | undefined {
    const slot = this.slotOf(token);
    return slot < 0 ? undefined : this.weights[slot];
  }

  /** Adds `weight` to the token's sum (a new token goes last); returns the sum before (0 for a new token). */
  add(token: number, weight: number): number {
    const mask = this.table.length - 1;
    for (let at = Math.imul(token, 0x9e3779b1) >>> this.shift; ; at = (at + 1) & mask) {
      const entry = this.table[at]!;
      if (entry === 0) break;
      if (this.ids[entry - 1] === token) {
        const before = this.weights[entry - 1]!;
        this.weights[entry - 1] = before + weight;
        return before;
      }
    }
    this.ids.push(token);
    this.weights.push(weight);
    if (this.ids.length * 2 > this.table.length) this.rehash(this.table.length * 2);
    else this.insert(token, this.ids.length);
    return 0;
  }

  private slotOf(token: number): number {
    const mask = this.table.length - 1;
    for (let at = Math.imul(token, 0x9e3779b1) >>> this.shift; ; at = (at + 1) & mask) {
      const entry = this.table[at]!;
      if (entry === 0) return -1;
      if (this.ids[entry - 1] === token) return entry - 1;
    }
  }

  private insert(token: number, entry: number): void {
    const mask = this.table.length - 1;
    let at = Math.imul(token, 0x9e3779b1) >>> this.shift;
    while (this.table[at] !== 0) at = (at + 1) & mask;
    this.table[at] = entry;
  }

  private rehash(capacity: number): void {
    this.table = new Int32Array(capacity);
    this.shift = 32 - Math.log2(capacity);
    for (let k = 0; k < this.ids.length; k += 1) this.insert(this.ids[k]!, k + 1);
  }
}

/** Interns token strings to dense integer ids (ids index the scratch arrays of ItemScratch). */
export class TokenTable {
  private readonly ids = new Map<string, number>();

  /** Number of distinct tokens seen so far. */
  get size(): number {
    return this.ids.size;
  }

  /** The id of a token, assigning the next one on first sight. */
  intern(token: string): number {
    let id = this.ids.get(token);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(token, id);
    }
    return id;
  }

  /** The compact form of a Map vector (same entries, same order). */
  compact(vector: SparseVector): CompactVector {
    const ids = new Int32Array(vector.size);
    const weights = new Float64Array(vector.size);
    let i = 0;
    for (const [token, weight] of vector) {
      ids[i] = this.intern(token);
      weights[i] = weight;
      i += 1;
    }
    return { ids, weights };
  }
}

/** Dense per-token scratch holding the vector of the item being placed, so each dot product against a
 * member or centroid is one pass over the other vector with array lookups. */
export class ItemScratch {
  private weight = new Float64Array(0);
  /** Position + 1 of the token in the loaded vector (0: absent). */
  private position = new Int32Array(0);
  /** Products at the loaded vector's positions, summed in its order when it is the smaller side. */
  private products = new Float64Array(0);
  private loaded: CompactVector = { ids: new Int32Array(0), weights: new Float64Array(0) };
  /** After dotCentroid: squared norm of the loaded vector restricted to the centroid's tokens. By
   * Cauchy-Schwarz its square root bounds the cosine with any unit vector made of those tokens (every
   * member of the cluster), which lets the caller skip member comparisons that cannot reach a threshold. */
  sharedSquares = 0;

  /** Makes `vector` the item side of the following dot products. `vocabulary` bounds its token ids. */
  load(vector: CompactVector, vocabulary: number): void {
    this.unload();
    if (this.weight.length < vocabulary) {
      // Grow geometrically: the vocabulary grows as items are interned.
      const size = Math.max(vocabulary, this.weight.length * 2, 1024);
      this.weight = new Float64Array(size);
      this.position = new Int32Array(size);
    }
    if (this.products.length < vector.ids.length) this.products = new Float64Array(Math.max(vector.ids.length, 64));
    for (let i = 0; i < vector.ids.length; i += 1) {
      this.weight[vector.ids[i]!] = vector.weights[i]!;
      this.position[vector.ids[i]!] = i + 1;
    }
    this.loaded = vector;
  }

  private unload(): void {
    for (const id of this.loaded.ids) {
      this.weight[id] = 0;
      this.position[id] = 0;
    }
  }

  /** Dot product of the loaded vector with `other`, bit-identical to `dot` on the Map forms. */
  dot(other: CompactVector): number {
    const mine = this.loaded;
    let sum = 0;
    if (mine.ids.length <= other.ids.length) {
      // `dot` iterates the loaded (smaller) vector: collect products at its positions, then sum in its order.
      for (let j = 0; j < other.ids.length; j += 1) {
        const at = this.position[other.ids[j]!]!;
        if (at > 0) this.products[at - 1] = mine.weights[at - 1]! * other.weights[j]!;
      }
      for (let i = 0; i < mine.ids.length; i += 1) {
        sum += this.products[i]!;
        this.products[i] = 0;
      }
    } else {
      // Absent tokens have weight 0 here and adding +0 leaves the sum unchanged, so no branch is needed.
      for (let j = 0; j < other.ids.length; j += 1) sum += other.weights[j]! * this.weight[other.ids[j]!]!;
    }
    return sum;
  }

  /** Dot product of the loaded vector with a centroid, bit-identical to `dot` on the Map forms. */
  dotCentroid(centroid: CompactCentroid): number {
    const mine = this.loaded;
    let sum = 0;
    let squares = 0;
    if (mine.ids.length <= centroid.size) {
      for (let i = 0; i < mine.ids.length; i += 1) {
        const other = centroid.get(mine.ids[i]!);
        if (other !== undefined) {
          const w = mine.weights[i]!;
          sum += w * other;
          squares += w * w;
        }
      }
    } else {
      const ids = centroid.ids;
      const weights = centroid.weights;
      for (let k = 0; k < ids.length; k += 1) {
        const w = weights[k]!;
        const own = this.weight[ids[k]!]!;
        sum += w * own;
        squares += own * own;
      }
    }
    this.sharedSquares = squares;
    return sum;
  }
}

/** Dot product of two compact vectors (rare path: cluster merges), bit-identical to `dot` on the Map forms. */
export function compactDot(a: CompactVector, b: CompactVector): number {
  const [small, large] = a.ids.length <= b.ids.length ? [a, b] : [b, a];
  const lookup = new Map<number, number>();
  for (let i = 0; i < large.ids.length; i += 1) lookup.set(large.ids[i]!, large.weights[i]!);
  let sum = 0;
  for (let i = 0; i < small.ids.length; i += 1) {
    const other = lookup.get(small.ids[i]!);
    if (other !== undefined) sum += small.weights[i]! * other;
  }
  return sum;
}

/** One centroid held dense, for its dot products with many others (consolidation compares each story that
 * changed with dozens): bit-identical to centroidDot, with array lookups instead of map lookups whenever the
 * other centroid is the smaller side. */
export class CentroidScratch {
  private weight = new Float64Array(1024);
  private loaded = new CompactCentroid();

  /** Makes `centroid` the fixed side of the following dot products. `vocabulary` bounds its token ids. */
  load(centroid: CompactCentroid, vocabulary: number): void {
    for (const id of this.loaded.ids) this.weight[id] = 0;
    while (this.weight.length < vocabulary) this.weight = doubled(this.weight);
    for (let k = 0; k < centroid.ids.length; k += 1) this.weight[centroid.ids[k]!] = centroid.weights[k]!;
    this.loaded = centroid;
  }

  /** centroidDot(loaded, other). */
  dot(other: CompactCentroid): number {
    if (this.loaded.size <= other.size) return centroidDot(this.loaded, other);
    // `other` is the side iterated; an absent token has weight 0 here and adding +0 leaves the sum unchanged.
    const ids = other.ids;
    const weights = other.weights;
    let sum = 0;
    for (let k = 0; k < ids.length; k += 1) sum += weights[k]! * this.weight[ids[k]!]!;
    return sum;
  }
}

/** Dot product of two centroids (iterates the smaller), as `dot` does on string-keyed Maps. */
export function centroidDot(a: CompactCentroid, b: CompactCentroid): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  const ids = small.ids;
  const weights = small.weights;
  let sum = 0;
  for (let k = 0; k < ids.length; k += 1) {
    const other = large.get(ids[k]!);
    if (other !== undefined) sum += weights[k]! * other;
  }
  return sum;
}

/** Adds a vector into a sum of vectors (a centroid, the stream's total) and returns how much |sum|^2 grew:
 * |s + v|^2 - |s|^2 = 2 s.v + |v|^2. */
export function addToSum(sum: { add(token: number, weight: number): number }, vector: CompactVector): number {
  let cross = 0;
  let own = 0;
  for (let i = 0; i < vector.ids.length; i += 1) {
    const weight = vector.weights[i]!;
    cross += sum.add(vector.ids[i]!, weight) * weight;
    own += weight * weight;
  }
  return 2 * cross + own;
}

/** A copy of a column of numbers with twice its length (the new half zero): the growable columns of the core. */
export function doubled(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer>;
export function doubled(array: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer>;
export function doubled(array: Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>): Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer> {
  const grown = array instanceof Int32Array ? new Int32Array(array.length * 2) : new Float64Array(array.length * 2);
  grown.set(array);
  return grown;
}
