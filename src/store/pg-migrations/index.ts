import { sql as initial } from './001-initial.js';
import { sql as corrections } from './002-corrections.js';
import { sql as decisions } from './003-decisions.js';

/**
 * PostgreSQL schema migrations, numbered like SQLite's but their own list (the first one is SQLite's 001 to
 * 003 at once). Order is important: add new migrations at the end, never edit one that has shipped.
 * Migration N brings schema_version from N-1 to N.
 */
export const pgMigrations: readonly string[] = [initial, corrections, decisions];
