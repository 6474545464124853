import { describeDecision } from '../cluster/decision-text.js';
import type { PlacementDecision, StoredDecision } from '../model.js';
import type { Db } from './db.js';

export interface DecisionRow {
  readonly item_id: string | null;
  readonly story_id: string;
  readonly compared_with: string | null;
  readonly rule: PlacementDecision['rule'];
  readonly score: number | null;
  readonly threshold: number | null;
  readonly detail: string;
  readonly decided_at: string;
}

/** The record of clustering decisions (placements, merges) and of related stories. */
export class DecisionRepository {
  private readonly insert;
  private readonly insertRelated;
  private readonly selectPlacement;
  private readonly selectMergeOf;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT INTO decisions (item_id, story_id, compared_with, rule, score, threshold, detail, decided_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.insertRelated = db.prepare(`INSERT OR REPLACE INTO related_stories (a, b, cosine) VALUES (?, ?, ?)`);
    this.selectPlacement = db.prepare<[string], DecisionRow>(`SELECT * FROM decisions WHERE item_id = ? ORDER BY seq DESC LIMIT 1`);
    this.selectMergeOf = db.prepare<[string], DecisionRow>(
      `SELECT * FROM decisions WHERE item_id IS NULL AND compared_with = ? ORDER BY seq DESC LIMIT 1`,
    );
  }

  /** Records decisions and related pairs of one clustering pass. Call inside a transaction. */
  record(
    decisions: readonly PlacementDecision[],
    related: readonly { readonly a: string; readonly b: string; readonly cosine: number }[],
    now: string,
  ): void {
    for (const d of decisions) this.insert.run(d.itemId, d.storyId, d.comparedWith, d.rule, d.score, d.threshold, describeDecision(d), now);
    for (const r of related) this.insertRelated.run(r.a, r.b, r.cosine);
  }

  /** The latest placement of an item. */
  placementOf(itemId: string): StoredDecision | undefined {
    const row = this.selectPlacement.get(itemId);
    return row ? toDecision(row) : undefined;
  }

  /** The merge that absorbed a story, if any. */
  mergeOf(storyId: string): StoredDecision | undefined {
    const row = this.selectMergeOf.get(storyId);
    return row ? toDecision(row) : undefined;
  }

  /** Forgets every decision and relation (the clustering level changed: everything is placed again). */
  reset(): void {
    this.db.prepare(`DELETE FROM decisions`).run();
    this.db.prepare(`DELETE FROM related_stories`).run();
  }
}

export function toDecision(row: DecisionRow): StoredDecision {
  return {
    itemId: row.item_id,
    storyId: row.story_id,
    comparedWith: row.compared_with,
    rule: row.rule,
    score: row.score,
    threshold: row.threshold,
    detail: row.detail,
    decidedAt: row.decided_at,
  };
}
