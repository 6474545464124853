/** Sources, items, clusters and runs. */
export const sql = `
CREATE TABLE sources (
  url             TEXT PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('listing', 'feed')),
  name            TEXT NOT NULL,
  origin          TEXT NOT NULL CHECK (origin IN ('config', 'cli', 'seed')),
  schedule        TEXT,
  status          TEXT NOT NULL DEFAULT 'new',
  last_error      TEXT,
  last_fetched_at TEXT,
  next_fetch_at   TEXT,
  error_count     INTEGER NOT NULL DEFAULT 0,
  etag            TEXT,
  last_modified   TEXT,
  content_hash    TEXT,
  title           TEXT,
  created_at      TEXT NOT NULL
);

CREATE TABLE clusters (
  id          TEXT PRIMARY KEY,
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL,
  merged_into TEXT REFERENCES clusters(id)
);
CREATE INDEX clusters_updated ON clusters(updated_at) WHERE merged_into IS NULL;

CREATE TABLE items (
  id            TEXT PRIMARY KEY,
  source_url    TEXT NOT NULL REFERENCES sources(url) ON UPDATE CASCADE ON DELETE CASCADE,
  identity      TEXT NOT NULL,
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
  first_seen_at TEXT NOT NULL,
  changed_at    TEXT NOT NULL,
  sort_time     INTEGER NOT NULL,
  cluster_id    TEXT REFERENCES clusters(id),
  UNIQUE (source_url, identity)
);
CREATE INDEX items_cluster ON items(cluster_id);
CREATE INDEX items_unclustered ON items(sort_time) WHERE cluster_id IS NULL;
CREATE INDEX items_sort_time ON items(sort_time);

CREATE TABLE runs (
  id          INTEGER PRIMARY KEY,
  started_at  TEXT NOT NULL,
  finished_at TEXT,
  status      TEXT NOT NULL,
  report      TEXT
);

CREATE TABLE meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
`;
