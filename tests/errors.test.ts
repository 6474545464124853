import { describe, expect, it } from 'vitest';
import { StorageError } from '../src/errors.js';
import { wrapStorageError } from '../src/store/db.js';

describe('StorageError', () => {
  it('names its database once, by field, whatever its reason says', () => {
    const deep = new StorageError('schema version 9 is newer than this feedmerge knows (5); upgrade feedmerge');
    expect(deep.database).toBeUndefined();
    const named = deep.naming('/data/feedmerge.db');
    expect(named.message).toBe('store: /data/feedmerge.db: schema version 9 is newer than this feedmerge knows (5); upgrade feedmerge');
    expect(named.database).toBe('/data/feedmerge.db');
    expect(named.cause).toBe(deep);
    expect(named.naming('/elsewhere.db')).toBe(named);
    // A reason that merely starts like a named one is still named: the field decides, not the text.
    expect(new StorageError('store: looks named').naming('/a.db').message).toBe('store: /a.db: store: looks named');
  });

  it('wraps a SQLite failure once, with the remedy for its code', () => {
    const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' });
    const wrapped = wrapStorageError(busy, '/data/feedmerge.db');
    expect(wrapped.message).toBe('store: /data/feedmerge.db: database is locked by another process (try again when it finishes)');
    expect(wrapStorageError(wrapped, '/other.db')).toBe(wrapped);
  });
});
