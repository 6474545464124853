import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLI, REPO } from './helpers/cli.js';

/**
 * A fast CLI (issue #14: `--help` took 1.1 s with every module loaded eagerly): building the program loads
 * commander and the light command modules only; SQLite, pino, zod, yaml, node-cron, the clustering and the
 * publishing load when a command that needs them runs. Checked on the built files' static imports, so a
 * new eager import anywhere under program.js shows here, whatever the machine's speed.
 */
function staticImports(entry: string): { files: string[]; packages: Set<string> } {
  const files: string[] = [];
  const packages = new Set<string>();
  const walk = (file: string): void => {
    if (files.includes(file)) return;
    files.push(file);
    const source = readFileSync(file, 'utf8');
    // `import x from`, `export { x } from` (a re-export loads the module too) and bare `import 'x'`; not `import type`.
    for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^'";]*?from\s*['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]/gm)) {
      const specifier = (match[1] ?? match[2])!;
      if (specifier.startsWith('.')) walk(resolve(dirname(file), specifier));
      else if (!specifier.startsWith('node:')) packages.add(specifier);
    }
  };
  walk(entry);
  return { files, packages };
}

describe('CLI start-up', () => {
  it('building the program statically imports commander and nothing heavier', () => {
    const { files, packages } = staticImports(join(REPO, 'dist', 'cli.js'));
    expect([...packages]).toEqual(['commander']);
    const names = files.map((file) => file.slice(join(REPO, 'dist').length + 1));
    for (const heavy of ['pipeline.js', 'daemon.js', 'config.js', 'log.js', 'store/index.js', 'cluster/index.js', 'publish/server.js']) {
      expect(names).not.toContain(heavy);
    }
  });

  it('a worker reading feeds loads neither the other engine nor what only a terminal or its parse threads use', () => {
    // Issue 17: four workers start together on two cores; each module loaded before the first fetch delays it.
    const packagesOf = (...entries: string[]): string[] => [
      ...new Set(entries.flatMap((entry) => [...staticImports(join(REPO, 'dist', entry)).packages])),
    ];
    const postgresRun = packagesOf('commands/run.js', 'store/open.js', 'store/postgres.js', 'log.js', 'progress.js', 'pipeline.js');
    for (const unneeded of ['better-sqlite3', 'pino-pretty', 'cli-progress', 'rss-parser', 'undici'])
      expect(postgresRun).not.toContain(unneeded);
    expect(packagesOf('store/sqlite.js')).toContain('better-sqlite3');
    expect(packagesOf('store/open.js')).toEqual([]);
  });

  it('--help lists every command, backup included', () => {
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    expect(help.status).toBe(0);
    for (const command of ['run', 'serve', 'feeds', 'clusters', 'explain', 'opml', 'prune', 'backup']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
    }
  });
});
