/**
 * The PostgreSQL schema, the same tables and columns as SQLite's migrations 001 to 003 (so `migrate-to`
 * copies rows as they are), plus the claim columns several workers need (issue 17). Times are ISO-8601 text
 * as on SQLite; text that is sorted on is COLLATE "C", SQLite's binary order, whatever the database's locale.
 */
export const sql = `
CREATE TABLE sources (
  url              TEXT COLLATE "C" PRIMARY KEY,
  kind             TEXT NOT NULL CHECK (kind IN ('listing', 'feed')),
  name             TEXT COLLATE "C" NOT NULL,
  origin           TEXT NOT NULL CHECK (origin IN ('config', 'cli', 'seed')),
  schedule         TEXT,
  status           TEXT NOT NULL DEFAULT 'new',
  last_error       TEXT,
  last_fetched_at  TEXT,
  next_fetch_at    TEXT,
  error_count      INTEGER NOT NULL DEFAULT 0,
  etag             TEXT,
  last_modified    TEXT,
  content_hash     TEXT,
  title            TEXT,
  created_at       TEXT NOT NULL,
  retry_not_before TEXT,
  -- Which worker holds the feed and until when (a dead worker's claim expires).
  claimed_by       TEXT,
  claimed_until    TIMESTAMPTZ
);

CREATE TABLE clusters (
  id          TEXT COLLATE "C" PRIMARY KEY,
  created_at  TEXT COLLATE "C" NOT NULL,
  updated_at  TEXT COLLATE "C" NOT NULL,
  merged_into TEXT COLLATE "C" REFERENCES clusters(id)
);
CREATE INDEX clusters_updated ON clusters(updated_at) WHERE merged_into IS NULL;
CREATE INDEX clusters_merged_into ON clusters(merged_into);

CREATE TABLE items (
  id            TEXT COLLATE "C" PRIMARY KEY,
  source_url    TEXT COLLATE "C" NOT NULL REFERENCES sources(url) ON UPDATE CASCADE ON DELETE CASCADE,
  identity      TEXT COLLATE "C" NOT NULL,
  guid          TEXT,
  link          TEXT,
  title         TEXT NOT NULL,
  summary       TEXT NOT NULL,
  content_html  TEXT,
  author        TEXT,
  outlet        TEXT,
  published     TEXT,
  updated       TEXT,
  categories    TEXT NOT NULL DEFAULT '[]',
  position      INTEGER NOT NULL,
  truncated     INTEGER NOT NULL DEFAULT 0,
  content_hash  TEXT NOT NULL,
  first_seen_at TEXT COLLATE "C" NOT NULL,
  changed_at    TEXT NOT NULL,
  sort_time     BIGINT NOT NULL,
  cluster_id    TEXT COLLATE "C" REFERENCES clusters(id),
  UNIQUE (source_url, identity)
);
CREATE INDEX items_cluster ON items(cluster_id);
CREATE INDEX items_unclustered ON items(sort_time) WHERE cluster_id IS NULL;
CREATE INDEX items_sort_time ON items(sort_time);

CREATE TABLE runs (
  id          BIGSERIAL PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL,
  report      TEXT
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE pruned_items (
  source_url   TEXT COLLATE "C" NOT NULL REFERENCES sources(url) ON UPDATE CASCADE ON DELETE CASCADE,
  identity     TEXT COLLATE "C" NOT NULL,
  pruned_at    TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  PRIMARY KEY (source_url, identity)
);
`;
