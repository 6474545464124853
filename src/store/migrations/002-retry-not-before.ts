/** When a server asked us to wait (Retry-After, backoff): a forced run still honours it, unlike the schedule. */
export const sql = `ALTER TABLE sources ADD COLUMN retry_not_before TEXT;`;
