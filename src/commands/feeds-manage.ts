import { accessSync, constants, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { resolveFeedLocation } from '../feed-location.js';
import { AlreadySubscribedError, FeedmergeError } from '../errors.js';
import { acquireRunLock } from '../lock.js';
import { defaultFeedName, type SourceState } from '../model.js';
import type { Store } from '../store/index.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';

interface AddOptions extends GlobalOptions {
  readonly name?: string;
  readonly schedule?: string;
}

/** Attaches `add`, `remove` and `reset` to the `feeds` command: feeds added here live in the database. */
export function registerFeedsManage(feeds: Command): void {
  feeds
    .command('add')
    .description('subscribe to a feed (kept in the database; the config file stays authoritative for its own feeds)')
    .argument('<url>', 'http(s) URL of an RSS, Atom or JSON feed (or a file path)')
    .option('--name <name>', 'outlet name credited in merged entries (default: the host name)')
    .option('--schedule <cron>', 'cron expression for this feed, e.g. "0 * * * *" (default: schedule.default)')
    .action(async (url: string, _options: AddOptions, command: Command) => {
      const options = command.optsWithGlobals<AddOptions>();
      const config = await configFrom(options);
      const location = feedLocation(url, 'feeds add', { mustExist: true });
      const schedule = await checkSchedule(options.schedule, 'feeds add');
      const name = options.name === undefined ? defaultFeedName(location) : options.name.trim();
      if (name === '') throw new FeedmergeError('feeds add: --name must not be empty');
      const formerly = await withStore(config, async (store) => {
        const previous = await refuseDuplicate(location, config, store, 'feeds add');
        await store.sources.adopt([{ kind: 'feed', url: location, name, origin: 'cli', schedule }], new Date().toISOString());
        return previous;
      });
      const kept = formerly ? ` (it was in the config file before: its ${formerly.items} items and state are kept)` : '';
      process.stdout.write(
        `Added ${name} <${location}>${schedule ? ` on schedule "${schedule}"` : ''}${kept}; it is read on the next run.\n`,
      );
    });

  feeds
    .command('remove')
    .description('unsubscribe from a feed added with `feeds add` or `opml import`, deleting its items')
    .argument('<url>', 'the feed URL as `feedmerge feeds` shows it')
    .action(async (url: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const location = feedLocation(url, 'feeds remove', { mustExist: false });
      if (config.feeds.some((feed) => feed.url === location)) {
        throw new FeedmergeError(`feeds remove: ${location} is declared in the config file ${config.configPath}; remove it there`);
      }
      const removed = await withLock(config, async (store) => {
        const source = await store.sources.get(location);
        if (!source) throw new FeedmergeError(`feeds remove: no feed ${location} (\`feedmerge feeds\` lists them)`);
        if (source.kind === 'listing') {
          throw new FeedmergeError(`feeds remove: ${location} is a seed listing; delete or move the file out of the seeds folder`);
        }
        await store.sources.remove(location);
        return source;
      });
      process.stdout.write(`Removed ${removed.name} <${location}> and its ${removed.items} items.\n`);
    });

  feeds
    .command('reset')
    .description('clear a feed\'s error backoff or "gone" (HTTP 410) state so the next run reads it')
    .argument('<url>', 'the feed URL as `feedmerge feeds` shows it')
    .action(async (url: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const location = feedLocation(url, 'feeds reset', { mustExist: false });
      const source = await withLock(config, async (store) => {
        const found = await store.sources.get(location);
        if (!found || found.kind !== 'feed') throw new FeedmergeError(`feeds reset: no feed ${location} (\`feedmerge feeds\` lists them)`);
        await store.sources.update(location, { status: 'new', lastError: null, errorCount: 0, nextFetchAt: null, retryNotBefore: null });
        return found;
      });
      process.stdout.write(`Reset ${source.name} <${location}> (was ${source.status}); it is read on the next run.\n`);
    });
}

/**
 * Turns what an operator typed into a source location (resolveFeedLocation, paths relative to the working
 * folder), or fails with one line; when `mustExist`, a path must be a readable file.
 */
export function feedLocation(input: string, command: string, options: { readonly mustExist: boolean }): string {
  const resolved = resolveFeedLocation(input, (path) => resolve(path));
  if ('problem' in resolved) throw new FeedmergeError(`${command}: ${resolved.problem}`);
  const { location } = resolved;
  if (options.mustExist && !/^https?:/i.test(location)) {
    try {
      if (!statSync(location).isFile()) throw new Error('not a file');
      accessSync(location, constants.R_OK);
    } catch {
      throw new FeedmergeError(
        `${command}: cannot read ${location} (feed URLs start with http:// or https://; a path must be a readable file)`,
      );
    }
  }
  return location;
}

/** A cron expression checked with node-cron, or undefined when none was given. */
async function checkSchedule(expression: string | undefined, command: string): Promise<string | undefined> {
  if (expression === undefined) return undefined;
  const { cronProblem } = await import('../cron.js');
  const trimmed = expression.trim();
  const problem = cronProblem(trimmed);
  if (problem !== null) throw new FeedmergeError(`${command}: ${problem}`);
  return trimmed;
}

export { defaultFeedName };

/**
 * Fails when the feed is already declared, in the config file or in the database. A feed the config file
 * declared before but no longer does may be subscribed again: it is returned, to be taken over. Throws
 * AlreadySubscribedError, which `opml import` counts as known rather than invalid.
 */
export async function refuseDuplicate(location: string, config: Config, store: Store, command: string): Promise<SourceState | undefined> {
  if (config.feeds.some((feed) => feed.url === location)) {
    throw new AlreadySubscribedError(`${command}: ${location} is already in the config file ${config.configPath}`);
  }
  const existing: SourceState | undefined = await store.sources.get(location);
  if (existing?.kind === 'feed' && existing.origin === 'config') return existing;
  if (existing) throw new AlreadySubscribedError(`${command}: ${location} is already subscribed as "${existing.name}"`);
  return undefined;
}

/** Runs `work` holding the run lock (a run in flight would otherwise write items of a feed being removed). */
async function withLock<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const lock = await acquireRunLock(config.database);
  try {
    return await withStore(config, work);
  } finally {
    await lock.release();
  }
}
