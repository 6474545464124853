/**
 * Corrections made by hand (`feedmerge split` / `merge`), obeyed by every later run: numbered in the order
 * made, undone by marking (the record stays, `corrections` lists it as undone). `detail` is the correction's
 * JSON (the items it names), so re-clustering can apply it to stories that have new ids.
 */
export const sql = `
CREATE TABLE corrections (
  n         INTEGER PRIMARY KEY AUTOINCREMENT,
  kind      TEXT NOT NULL CHECK (kind IN ('split', 'merge')),
  detail    TEXT NOT NULL,
  made_at   TEXT NOT NULL,
  undone_at TEXT
);
`;
