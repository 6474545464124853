import { fileURLToPath } from 'node:url';

/**
 * Where a feed is, by one rule whoever names it (the config file or the command line): http(s) URLs are parsed
 * and normalised (a host required), file: URLs and paths become absolute paths through `resolvePath`, any other
 * scheme is refused. Returns the location, or what is wrong in one line.
 */
export function resolveFeedLocation(
  input: string,
  resolvePath: (path: string) => string,
): { readonly location: string } | { readonly problem: string } {
  const text = input.trim();
  if (text === '') return { problem: 'the feed URL must not be empty' };
  if (/^https?:/i.test(text)) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return { problem: `not a valid URL: ${text}` };
    }
    return url.hostname === '' ? { problem: `not a valid URL (no host): ${text}` } : { location: url.href };
  }
  if (/^file:/i.test(text)) {
    try {
      return { location: fileURLToPath(text) };
    } catch {
      return { problem: `not a valid file: URL: ${text}` };
    }
  }
  // "C:\feeds\a.xml" is a Windows path, not a URL with the scheme "c".
  if (/^[a-z][a-z0-9+.-]*:/i.test(text) && !/^[a-z]:[\\/]/i.test(text)) {
    return { problem: `unsupported scheme in ${text} (use http, https, a file: URL or a path)` };
  }
  return { location: resolvePath(text) };
}
