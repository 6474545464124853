/** The small error hierarchy: each message is one line prefixed by the module that raised it. */
export class FeedmergeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration file is missing, unreadable or invalid. */
export class ConfigError extends FeedmergeError {}

/** A source could not be fetched (network, HTTP status, size, timeout). */
export class FetchError extends FeedmergeError {}

/** A source was fetched but its content could not be read as a feed or listing. */
export class ParseError extends FeedmergeError {}

/**
 * The database could not be opened, migrated or written. Raised at the storage boundary with `database` (a
 * file's path, or a URL without its password), which the message then names: `store: <database>: <reason>`.
 * Raised deeper without it (a schema check, a backup's integrity check), the boundary names the database later.
 */
export class StorageError extends FeedmergeError {
  readonly database: string | undefined;

  constructor(reason: string, options: { readonly cause?: unknown; readonly database?: string } = {}) {
    super(options.database === undefined ? reason : `store: ${options.database}: ${reason}`, { cause: options.cause });
    this.database = options.database;
  }

  /** This error naming `database`: itself when it names one already, else a copy that does (caused by this one). */
  naming(database: string): StorageError {
    return this.database !== undefined ? this : new StorageError(this.message, { cause: this, database });
  }
}

/** A feed being subscribed is already declared (in the config file or the database). */
export class AlreadySubscribedError extends FeedmergeError {}

/** Another feedmerge run holds the lock. */
export class LockedError extends FeedmergeError {}

/** A one-line description of any thrown value, for logs and `lastError`. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s+/g, ' ').trim();
}

/** A command stopped early on SIGTERM or SIGINT; what it stored is whole, the next run continues. */
export class InterruptedError extends FeedmergeError {
  constructor(
    message: string,
    readonly signal: NodeJS.Signals,
  ) {
    super(message);
  }
}
