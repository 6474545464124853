/**
 * Why each item is in its story: the placement decision of the clustering core (the story compared, the
 * score, the threshold, the rule), story merges with their reason, and stories found related (same actors,
 * a different event). `explain` reads these instead of re-deriving a verdict.
 */
export const sql = `
CREATE TABLE decisions (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  item_id       TEXT,
  story_id      TEXT NOT NULL,
  compared_with TEXT,
  rule          TEXT NOT NULL,
  score         REAL,
  threshold     REAL,
  detail        TEXT NOT NULL,
  decided_at    TEXT NOT NULL
);
CREATE INDEX decisions_by_item ON decisions (item_id) WHERE item_id IS NOT NULL;
CREATE INDEX decisions_by_absorbed ON decisions (compared_with) WHERE item_id IS NULL;
CREATE TABLE related_stories (
  a      TEXT NOT NULL,
  b      TEXT NOT NULL,
  cosine REAL NOT NULL,
  PRIMARY KEY (a, b)
) WITHOUT ROWID;
`;
