/** SQLite's migration 005 for PostgreSQL: recorded clustering decisions and related stories. */
export const sql = `
CREATE TABLE decisions (
  seq           BIGSERIAL PRIMARY KEY,
  item_id       TEXT COLLATE "C",
  story_id      TEXT COLLATE "C" NOT NULL,
  compared_with TEXT COLLATE "C",
  rule          TEXT NOT NULL,
  score         DOUBLE PRECISION,
  threshold     DOUBLE PRECISION,
  detail        TEXT NOT NULL,
  decided_at    TEXT NOT NULL
);
CREATE INDEX decisions_by_item ON decisions (item_id) WHERE item_id IS NOT NULL;
CREATE INDEX decisions_by_absorbed ON decisions (compared_with) WHERE item_id IS NULL;
CREATE TABLE related_stories (
  a      TEXT COLLATE "C" NOT NULL,
  b      TEXT COLLATE "C" NOT NULL,
  cosine DOUBLE PRECISION NOT NULL,
  PRIMARY KEY (a, b)
);
`;
