import { readFileSync } from 'node:fs';

/** package.json sits two folders up from both src/sources/ and dist/sources/. */
const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

function readVersion(): string {
  try {
    const data = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version?: unknown };
    return typeof data.version === 'string' ? data.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The User-Agent sent with every request: names feedmerge, its version and where to learn about it. */
export const USER_AGENT = `feedmerge/${readVersion()} (+https://github.com/feedmerge/feedmerge)`;
