/**
 * The one rule for showing a source's location where others may see it (public pages, logs, stored errors):
 * URL credentials and local paths never leave the machine. Miniflux and FreshRSS keep feed credentials in
 * their private database for the same reason; here the config file plays that part.
 */

/**
 * Query parameters that carry credentials in feed URLs (private feeds of Patreon, Substack, GitHub, Miniflux
 * shares, signed S3 links...). Matched case-insensitively, with `-` and `_` ignored, so `api-key`, `apiKey`
 * and `API_KEY` are one name.
 */
const SECRET_PARAMETERS = new Set(
  [
    'token',
    'key',
    'apikey',
    'api_key',
    'access_token',
    'auth',
    'secret',
    'password',
    'passwd',
    'pass',
    'pwd',
    'sig',
    'signature',
    'session',
    'sessionid',
    'private_token',
    'client_secret',
    'refresh_token',
    'auth_token',
    'x-amz-signature',
    'x-amz-credential',
    'x-amz-security-token',
  ].map(normaliseName),
);

/** What replaces a hidden value: short, clearly not a real value, and URL-safe. */
const REDACTED = 'REDACTED';

function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** True when a query parameter's name says it carries a credential. */
function isSecretParameter(name: string): boolean {
  const n = normaliseName(name);
  return SECRET_PARAMETERS.has(n) || n.endsWith('token') || n.endsWith('secret') || n.endsWith('apikey');
}

/** True when showing this URL as it is would reveal a credential (userinfo or a secret query parameter). */
export function hasCredentials(url: string): boolean {
  return redactUrl(url) !== url;
}

/**
 * How a source's location may be shown publicly: an http(s) URL redacted, a local path as "local file NAME"
 * without its folders.
 */
export function publicLocation(location: string): string {
  if (/^https?:\/\//i.test(location)) return redactUrl(location);
  return `local file ${location.split(/[\\/]/).filter(Boolean).pop() ?? location}`;
}

/**
 * An http(s) URL with its userinfo and secret query values replaced by REDACTED (for logs, stored errors and
 * anything public); anything else (a local path) is returned as it is. Idempotent.
 */
export function redactUrl(location: string): string {
  if (!/^https?:\/\//i.test(location)) return location;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    // Not parsable: keep the scheme and host-looking start only, never the rest.
    return location.replace(/^(https?:\/\/)([^/?#]*@)?([^/?#]*).*$/i, '$1$3/…');
  }
  let changed = false;
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
    changed = true;
  }
  for (const name of [...new Set(url.searchParams.keys())]) {
    if (isSecretParameter(name) && url.searchParams.getAll(name).some((value) => value !== REDACTED)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  return changed ? url.href : location;
}

/**
 * Replaces, inside free text (an error message, a log line), every http(s) URL by its redacted form and
 * each of the given local paths by its file name. Paths are passed in because text alone cannot tell a path.
 */
export function redactText(text: string, localPaths: readonly string[] = []): string {
  let out = text.replace(/https?:\/\/[^\s"'<>()]+/gi, (url) => {
    // A URL at the end of a sentence keeps its punctuation outside.
    const trail = /[.,;:!?)\]]+$/.exec(url)?.[0] ?? '';
    const bare = trail ? url.slice(0, -trail.length) : url;
    return redactUrl(bare) + trail;
  });
  for (const path of [...localPaths].sort((a, b) => b.length - a.length)) {
    if (path.length > 1 && !/^https?:\/\//i.test(path)) out = out.split(path).join(publicLocation(path));
  }
  return out;
}
