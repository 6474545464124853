import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG_PATH, loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { tempDir } from './helpers/temp.js';

function writeConfig(dir: string, text: string): string {
  mkdirSync(join(dir, 'etc'), { recursive: true });
  const path = join(dir, 'etc', 'feedmerge.yaml');
  writeFileSync(path, text);
  return path;
}

describe('loadConfig', () => {
  it('reads the shipped default with paths relative to the checkout', () => {
    const config = loadConfig(DEFAULT_CONFIG_PATH);
    const checkout = join(DEFAULT_CONFIG_PATH, '..', '..');
    expect(config.database).toBe(join(checkout, 'data', 'feedmerge.db'));
    expect(config.output).toBe(join(checkout, 'public'));
    expect(config.seeds.at(-1)).toBe(join(checkout, 'seeds'));
    // Every shipped seed listing is credited under a readable outlet name, never its file name.
    const files = readdirSync(join(checkout, 'seeds')).filter((name) => name.endsWith('.txt'));
    for (const file of files) expect(config.seedNames.get(join(checkout, 'seeds', file)), file).toMatch(/^[A-Z][A-Za-z ]+$/);
    expect(config.publish.feeds.map((feed) => [feed.name, feed.limit])).toEqual([['all', 50]]);
    expect(Object.isFrozen(config.fetch)).toBe(true);
  });

  it('resolves relative paths against root, itself relative to the config file, never the working folder', () => {
    const dir = tempDir();
    const path = writeConfig(
      dir,
      'root: ..\ndatabase: db/x.db\nfeeds:\n  - url: feeds/a.xml\n  - url: file:///srv/b.xml\n  - url: https://Example.org/feed\n',
    );
    const config = loadConfig(path);
    expect(config.database).toBe(join(dir, 'db', 'x.db'));
    expect(config.feeds.map((feed) => feed.url)).toEqual([join(dir, 'feeds', 'a.xml'), '/srv/b.xml', 'https://example.org/feed']);
  });

  it('takes seed paths as strings or as {path, name} entries naming the outlet', () => {
    const dir = tempDir();
    const path = writeConfig(dir, 'root: ..\nseeds:\n  - seeds\n  - path: captures/ips\n    name: "  IPS News "\n');
    const config = loadConfig(path);
    expect(config.seeds).toEqual([join(dir, 'seeds'), join(dir, 'captures', 'ips')]);
    expect([...config.seedNames]).toEqual([[join(dir, 'captures', 'ips'), 'IPS News']]);
  });

  it.each([
    ['seeds:\n  - path: x\n    name: ""', /seeds\.0/],
    ['database: 5', /database: expected string/],
    ['feeds:\n  - name: x', /feeds\.0\.url: expected string/],
    ['feeds:\n  - url: ftp://x.org/f', /feeds\.0\.url: unsupported scheme/],
    ['cluster:\n  level: everything', /cluster\.level: /],
    ['fetch:\n  timeoutSecs: 3', /fetch: unknown key "timeoutSecs"/],
    ['publish:\n  feeds:\n    - name: "../etc"', /publish\.feeds\.0\.name: must be lower-case/],
    ['feeds:\n  - url: https://a.org/f\n  - url: https://a.org/f', /feeds\.1\.url: duplicate feed/],
    ['feeds: [unclosed', /invalid YAML/],
    ['schedule:\n  default: every hour', /schedule\.default: invalid cron expression "every hour"/],
    ['feeds:\n  - url: https://a.org/f\n    schedule: "0 25 * * *"', /feeds\.0\.schedule: invalid cron expression "0 25 \* \* \*"/],
  ])('rejects %j with one line naming the key', (text, pattern) => {
    const path = writeConfig(tempDir(), text);
    let error: unknown;
    try {
      loadConfig(path);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(pattern);
    expect(message).toContain(path);
    expect(message).not.toContain('\n');
  });

  it('names a missing file', () => {
    expect(() => loadConfig('/nonexistent/feedmerge.yaml')).toThrow('config: /nonexistent/feedmerge.yaml: file not found');
  });
});
