import type { RunReport } from '../model.js';
import type { Db } from './db.js';

/** The runs table: one row a run, with its report (what `/healthz` and the logs show). */
export class RunRepository {
  private readonly insert;
  private readonly finishOne;
  private readonly selectLast;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT INTO runs (started_at, status) VALUES (?, 'running')`);
    this.finishOne = db.prepare(`UPDATE runs SET finished_at = ?, status = ?, report = ? WHERE id = ?`);
    this.selectLast = db.prepare<[], { report: string }>(`SELECT report FROM runs WHERE report IS NOT NULL ORDER BY id DESC LIMIT 1`);
  }

  /** Records the start of a run; returns its id. */
  start(startedAt: string): number {
    return Number(this.insert.run(startedAt).lastInsertRowid);
  }

  /** Records how a run ended. */
  finish(id: number, report: RunReport, status: 'ok' | 'failed' | 'interrupted'): void {
    this.finishOne.run(report.finishedAt, status, JSON.stringify(report), id);
  }

  /** The report of the last finished run, if any. */
  last(): RunReport | null {
    const row = this.selectLast.get();
    return row ? (JSON.parse(row.report) as RunReport) : null;
  }
}
