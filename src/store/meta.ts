import type { Db } from './db.js';

/** Small key/value facts about the database itself (e.g. which clustering level built the clusters). */
export class MetaRepository {
  private readonly selectOne;
  private readonly upsert;

  constructor(db: Db) {
    this.selectOne = db.prepare<[string], { value: string }>(`SELECT value FROM meta WHERE key = ?`);
    this.upsert = db.prepare(`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
  }

  get(key: string): string | undefined {
    return this.selectOne.get(key)?.value;
  }

  set(key: string, value: string): void {
    this.upsert.run(key, value);
  }
}
