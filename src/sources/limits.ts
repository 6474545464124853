/** Reading limits shared by the config defaults and the feed reader's own default. */

/** Entries read from one document (fetch.maxItems): real feeds carry at most a few thousand (long podcast
 * archives); the body cap bounds the rest, and a document with more is cut, with a warning. */
export const DEFAULT_MAX_ITEMS = 100_000;
