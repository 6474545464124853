import type { Correction } from '../cluster/corrections.js';
import type { Db } from './db.js';

/** A correction as stored: the clustering core's record, plus when (if ever) it was undone. */
export type StoredCorrection = Correction & { readonly undoneAt: string | null };

/** A correction before it is numbered. */
export type NewCorrection = Correction extends infer C ? (C extends Correction ? Omit<C, 'n'> : never) : never;

interface CorrectionRow {
  n: number;
  kind: string;
  detail: string;
  made_at: string;
  undone_at: string | null;
}

/** Turns a stored row into the record the clustering core reads (shared with the PostgreSQL engine). */
export function toCorrection(row: CorrectionRow): StoredCorrection {
  return {
    ...(JSON.parse(row.detail) as Omit<Correction, 'n' | 'at'>),
    n: Number(row.n),
    at: row.made_at,
    undoneAt: row.undone_at,
  } as StoredCorrection;
}

/** The detail column: the correction as JSON (its number, kind and time also have their own columns). */
export function correctionDetail(correction: NewCorrection): string {
  return JSON.stringify(correction);
}

/** The corrections table: splits and merges made by hand, in the order made. */
export class CorrectionRepository {
  private readonly insert;
  private readonly selectAll;
  private readonly markUndone;

  constructor(db: Db) {
    this.insert = db.prepare<[string, string, string]>(`INSERT INTO corrections (kind, detail, made_at) VALUES (?, ?, ?)`);
    this.selectAll = db.prepare<[], CorrectionRow>(`SELECT n, kind, detail, made_at, undone_at FROM corrections ORDER BY n`);
    this.markUndone = db.prepare<[string, number]>(`UPDATE corrections SET undone_at = ? WHERE n = ? AND undone_at IS NULL`);
  }

  /** Records a correction; returns its number. */
  add(correction: NewCorrection): number {
    return Number(this.insert.run(correction.kind, correctionDetail(correction), correction.at).lastInsertRowid);
  }

  /** Every correction, undone ones included, oldest first. */
  list(): StoredCorrection[] {
    return this.selectAll.all().map(toCorrection);
  }

  /** Marks correction `n` undone; false when there is no such active correction. */
  undo(n: number, at: string): boolean {
    return this.markUndone.run(at, n).changes > 0;
  }
}
