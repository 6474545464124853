import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../config.js';
import { AlreadySubscribedError, describeError, FeedmergeError } from '../errors.js';
import { newSourceState, type SourceSpec, type SourceState } from '../model.js';
import type { Store } from '../store/index.js';
import { configFrom, withStore, type GlobalOptions } from './context.js';
import { defaultFeedName, feedLocation, refuseDuplicate } from './feeds-manage.js';

/** One feed an OPML document lists. */
interface OpmlFeed {
  readonly url: string;
  readonly name: string | null;
}

/** `feedmerge opml import FILE` and `feedmerge opml export`: move subscriptions in and out. */
export function registerOpml(program: Command): void {
  const opml = program.command('opml').description('import or export the subscribed feeds as OPML');
  opml
    .command('import')
    .description('subscribe to every feed of an OPML file (feeds already known are skipped)')
    .argument('<file>', 'OPML file, e.g. exported from another feed reader')
    .action(async (file: string, _options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const feeds = await readOpmlFeeds(file);
      const result = await withStore(config, (store) => importFeeds(feeds, config, store));
      for (const line of result.problems) process.stderr.write(`feedmerge: opml import: ${line}\n`);
      process.stdout.write(
        `Imported ${result.added} feed${result.added === 1 ? '' : 's'} from ${resolve(file)}` +
          ` (${result.known} already subscribed, ${result.problems.length} skipped as invalid).\n`,
      );
    });
  opml
    .command('export')
    .description('print the subscribed http(s) feeds (config and command line) as OPML 2.0 on stdout')
    .action(async (_options: GlobalOptions, command: Command) => {
      const config = await configFrom(command.optsWithGlobals<GlobalOptions>());
      const sources = await withStore(config, async (store) => subscribedFeeds(config, await store.sources.list()));
      const { renderOpml } = await import('../publish/opml.js');
      process.stdout.write(renderOpml(sources, config.title));
    });
}

/** Reads the feeds of an OPML file (outlines with an xmlUrl, at any depth), or fails with one line. */
async function readOpmlFeeds(file: string): Promise<OpmlFeed[]> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new FeedmergeError(
      `opml import: cannot read ${resolve(file)}: ${code === 'ENOENT' ? 'no such file' : String(code ?? describeError(error))}`,
    );
  }
  const { XMLParser, XMLValidator } = await import('fast-xml-parser');
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw new FeedmergeError(`opml import: ${resolve(file)}: not well-formed XML (line ${valid.err.line}: ${valid.err.msg})`);
  }
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'outline',
    processEntities: true,
    htmlEntities: true,
  });
  const document = parser.parse(text) as { opml?: { body?: { outline?: unknown[] } } };
  if (!document.opml || typeof document.opml !== 'object') {
    throw new FeedmergeError(`opml import: ${resolve(file)}: not an OPML document (no <opml> root)`);
  }
  const feeds: OpmlFeed[] = [];
  const walk = (outlines: unknown): void => {
    if (!Array.isArray(outlines)) return;
    for (const outline of outlines as Record<string, unknown>[]) {
      if (!outline || typeof outline !== 'object') continue;
      // Readers disagree on the case of xmlUrl (OPML 2.0 says xmlUrl; some write xmlurl or XMLURL).
      const key = Object.keys(outline).find((k) => k.toLowerCase() === 'xmlurl');
      const url = key ? outline[key] : undefined;
      if (typeof url === 'string' && url.trim() !== '') {
        const name = [outline.text, outline.title].find((v): v is string => typeof v === 'string' && v.trim() !== '');
        feeds.push({ url: url.trim(), name: name?.trim() ?? null });
      }
      walk(outline.outline); // categories nest outlines
    }
  };
  walk(document.opml.body?.outline);
  return feeds;
}

/** Declares every new http(s) feed as added from the command line; duplicates and bad entries are counted, not fatal. */
async function importFeeds(
  feeds: readonly OpmlFeed[],
  config: Config,
  store: Store,
): Promise<{ added: number; known: number; problems: string[] }> {
  let added = 0;
  let known = 0;
  const problems: string[] = [];
  const now = new Date().toISOString();
  const adopted: SourceSpec[] = [];
  const taken = new Set<string>();
  {
    for (const feed of feeds) {
      if (!/^https?:/i.test(feed.url)) {
        problems.push(`skipped ${feed.url}: only http and https feeds are imported`);
        continue;
      }
      let location: string;
      try {
        location = feedLocation(feed.url, 'opml import', { mustExist: false });
        await refuseDuplicate(location, config, store, 'opml import');
        if (taken.has(location)) throw new AlreadySubscribedError(`opml import: ${location} is listed twice`);
      } catch (error) {
        if (error instanceof AlreadySubscribedError) known++;
        else problems.push(`skipped ${feed.url}: ${describeError(error).replace(/^opml import: /, '')}`);
        continue;
      }
      adopted.push({ kind: 'feed', url: location, name: feed.name ?? defaultFeedName(location), origin: 'cli' });
      taken.add(location);
      added++;
    }
  }
  // All of them or none, as before: one statement list in one transaction.
  await store.sources.adopt(adopted, now);
  return { added, known, problems };
}

/** The feeds a run reads: the config's (stored or not yet) and those added from the command line. */
function subscribedFeeds(config: Config, stored: readonly SourceState[]): SourceState[] {
  const byUrl = new Map(stored.map((source) => [source.url, source]));
  const fromConfig = config.feeds.map(
    (feed): SourceState =>
      byUrl.get(feed.url) ??
      newSourceState({ url: feed.url, kind: 'feed', name: feed.name ?? feed.url, origin: 'config', schedule: feed.schedule }),
  );
  return [...fromConfig, ...stored.filter((source) => source.kind === 'feed' && source.origin === 'cli')];
}
