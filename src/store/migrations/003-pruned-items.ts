/**
 * Items deleted by retention, remembered by identity so a source that still lists one does not bring it
 * back as a new story. A tombstone lives while its source keeps listing the item (last_seen_at moves) and
 * is dropped once unseen for the retention period; it goes with its source.
 */
export const sql = `
CREATE TABLE pruned_items (
  source_url   TEXT NOT NULL REFERENCES sources(url) ON UPDATE CASCADE ON DELETE CASCADE,
  identity     TEXT NOT NULL,
  pruned_at    TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  PRIMARY KEY (source_url, identity)
) WITHOUT ROWID;
`;
