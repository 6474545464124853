import Database from 'better-sqlite3';
import pg from 'pg';
import { StorageError } from '../errors.js';
import { openPostgres, redactUrl } from './postgres.js';
import { SqliteStore } from './sqlite.js';

/** Rows sent to PostgreSQL per statement (as one JSON array): few round trips, bounded memory. */
const ROWS_PER_BATCH = 2000;

/** Every table, parents before children (foreign keys); clusters' merge records are set once all exist. */
const TABLES = ['sources', 'clusters', 'items', 'pruned_items', 'runs', 'meta', 'corrections', 'decisions', 'related_stories'] as const;

/** How many rows of each table were copied (and found on both sides). */
export type CopyCounts = Record<(typeof TABLES)[number], number>;

/**
 * Copies a SQLite database (every table, row for row) into an empty PostgreSQL database, in one transaction,
 * then checks that each table has the same number of rows on both sides (issue 17, `migrate-to`).
 * Throws StorageError when the target is not empty or a count differs (then nothing is kept).
 */
export async function copySqliteToPostgres(sqlitePath: string, url: string): Promise<CopyCounts> {
  // Opening through the store migrates an older SQLite file first, so both sides have the same columns.
  SqliteStore.open(sqlitePath).close();
  const target = await openPostgres(url); // creates the schema (numbered PG migrations)
  await target.close();
  const name = redactUrl(url);
  const source = new Database(sqlitePath, { readonly: true, fileMustExist: true });
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('BEGIN');
    for (const table of TABLES) {
      const { rows } = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`);
      if (rows[0]!.n > 0)
        throw new StorageError(`not empty (${table} has ${rows[0]!.n} rows); migrate-to copies into an empty database only`, {
          database: name,
        });
    }
    const counts = {} as CopyCounts;
    for (const table of TABLES) {
      // Clusters first without their merge records: a record may point to a cluster copied later.
      const select = table === 'clusters' ? `SELECT id, created_at, updated_at FROM clusters` : `SELECT * FROM ${table}`;
      let batch: unknown[] = [];
      const send = async (): Promise<void> => {
        if (batch.length === 0) return;
        await client.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json)`, [JSON.stringify(batch)]);
        batch = [];
      };
      for (const row of source.prepare(select).iterate()) {
        batch.push(row);
        if (batch.length >= ROWS_PER_BATCH) await send();
      }
      await send();
      const check = await client.query<{ n: number }>(`SELECT COUNT(*)::int AS n FROM ${table}`);
      const expected = (source.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
      if (check.rows[0]!.n !== expected) {
        throw new StorageError(`${table}: copied ${check.rows[0]!.n} rows of ${expected}; nothing was kept`, { database: name });
      }
      counts[table] = expected;
    }
    let merges: unknown[] = [];
    const sendMerges = async (): Promise<void> => {
      if (merges.length === 0) return;
      await client.query(
        `UPDATE clusters c SET merged_into = v.merged_into
         FROM json_to_recordset($1::json) AS v(id text, merged_into text) WHERE c.id = v.id`,
        [JSON.stringify(merges)],
      );
      merges = [];
    };
    for (const row of source.prepare(`SELECT id, merged_into FROM clusters WHERE merged_into IS NOT NULL`).iterate()) {
      merges.push(row);
      if (merges.length >= ROWS_PER_BATCH) await sendMerges();
    }
    await sendMerges();
    // Run ids were copied as they were: the next run must number after them.
    await client.query(`SELECT setval(pg_get_serial_sequence('runs', 'id'), GREATEST((SELECT MAX(id) FROM runs), 1))`);
    await client.query(`SELECT setval(pg_get_serial_sequence('decisions', 'seq'), GREATEST((SELECT MAX(seq) FROM decisions), 1))`);
    await client.query(`SELECT setval(pg_get_serial_sequence('corrections', 'n'), GREATEST((SELECT MAX(n) FROM corrections), 1))`);
    await client.query('COMMIT');
    return counts;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (error instanceof StorageError) throw error.naming(name);
    throw new StorageError(error instanceof Error ? error.message.split('\n')[0]! : String(error), { cause: error, database: name });
  } finally {
    source.close();
    await client.end().catch(() => undefined);
  }
}
