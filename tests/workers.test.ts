import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runWorkers, startFeedOrigin, writeWorkerConfig, type FeedOrigin } from '../bench/workers.js';
import { runCli } from './helpers/cli.js';
import { startPostgres, type TestPostgres } from './helpers/postgres.js';
import { tempDir } from './helpers/temp.js';

/**
 * Many workers, one result (issue 17): four `feedmerge run` processes started together on one PostgreSQL
 * database read 2,000 feeds from a 127.0.0.1 origin. Each feed is fetched once, the stored items are those of
 * a single SQLite run, and every item is in exactly one story.
 */
const FEEDS = 2000;

interface ClustersJson {
  clusters: { id: string; items: { id: string; source: string; title: string; link: string }[] }[];
}

let postgres: TestPostgres;
let origin: FeedOrigin;
beforeAll(async () => {
  postgres = await startPostgres();
  origin = await startFeedOrigin(FEEDS, 20);
});
afterAll(async () => {
  await origin?.close();
  postgres?.stop();
});

function clusters(config: string): ClustersJson['clusters'] {
  const listed = runCli(['clusters', '--json', '--config', config]);
  expect(listed.status, listed.stderr).toBe(0);
  return (JSON.parse(listed.stdout) as ClustersJson).clusters;
}

const itemsOf = (list: ClustersJson['clusters']): string[] =>
  list.flatMap((c) => c.items.map((i) => `${i.source}\t${i.id}\t${i.title}\t${i.link}`)).sort();

describe('four workers on one PostgreSQL database', () => {
  it('fetch each feed once, store the items of a single SQLite run, and put every item in exactly one story', async () => {
    origin.hits.clear();
    const single = writeWorkerConfig(tempDir(), origin, FEEDS, 'data/feedmerge.db');
    await runWorkers(single, 1);
    const reference = itemsOf(clusters(single));
    expect(reference).toHaveLength(origin.items);

    origin.hits.clear();
    const shared = writeWorkerConfig(tempDir(), origin, FEEDS, await postgres.createDatabase());
    await runWorkers(shared, 4);
    const fetches = [...origin.hits.values()];
    expect(fetches).toHaveLength(FEEDS);
    expect(fetches.filter((n) => n !== 1)).toEqual([]);

    const stories = clusters(shared);
    expect(itemsOf(stories)).toEqual(reference);
    const ids = stories.map((c) => c.id);
    expect(new Set(ids).size).toBe(ids.length);
    const memberships = stories.flatMap((c) => c.items.map((i) => i.id));
    expect(new Set(memberships).size).toBe(memberships.length);

    // Run again at once: nothing is due, nothing is fetched, nothing changes.
    origin.hits.clear();
    await runWorkers(shared, 2);
    expect([...origin.hits.values()]).toEqual([]);
    expect(itemsOf(clusters(shared))).toEqual(reference);
  });
});
