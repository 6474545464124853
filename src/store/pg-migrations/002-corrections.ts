/** Corrections made by hand (SQLite's migration 004). */
export const sql = `
CREATE TABLE corrections (
  n         BIGSERIAL PRIMARY KEY,
  kind      TEXT NOT NULL CHECK (kind IN ('split', 'merge')),
  detail    TEXT NOT NULL,
  made_at   TEXT NOT NULL,
  undone_at TEXT
);
`;
