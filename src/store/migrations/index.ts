import { sql as initial } from './001-initial.js';
import { sql as retryNotBefore } from './002-retry-not-before.js';
import { sql as prunedItems } from './003-pruned-items.js';
import { sql as corrections } from './004-corrections.js';
import { sql as decisions } from './005-decisions.js';
import { sql as storyOrderIndex } from './006-story-order-index.js';

/**
 * Schema migrations. Order is important: add new migrations at the end of the list, never edit one
 * that has shipped. Migration N (1-based) brings PRAGMA user_version from N-1 to N.
 */
export const migrations: readonly string[] = [initial, retryNotBefore, prunedItems, corrections, decisions, storyOrderIndex];
