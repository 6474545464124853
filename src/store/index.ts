export { itemId } from './items.js';
export { isPostgresUrl, openStore } from './open.js';
export { SqliteStore, SqliteBackend } from './sqlite.js';
export type * from './store.js';
