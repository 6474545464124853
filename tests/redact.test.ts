import { describe, expect, it } from 'vitest';
import { hasCredentials, publicLocation, redactText, redactUrl } from '../src/redact.js';

describe('redaction', () => {
  it.each([
    ['https://alice:secret@example.org/feed.xml', 'https://REDACTED@example.org/feed.xml'],
    ['https://alice@example.org/feed.xml', 'https://REDACTED@example.org/feed.xml'],
    ['https://example.org/feed?token=abc&page=2', 'https://example.org/feed?token=REDACTED&page=2'],
    ['https://example.org/f?api_key=1&apiKey=2&API-KEY=3', 'https://example.org/f?api_key=REDACTED&apiKey=REDACTED&API-KEY=REDACTED'],
    [
      'https://example.org/f?access_token=1&auth=2&secret=3&password=4&sig=5&signature=6&key=7',
      'https://example.org/f?access_token=REDACTED&auth=REDACTED&secret=REDACTED&password=REDACTED' +
        '&sig=REDACTED&signature=REDACTED&key=REDACTED',
    ],
    ['https://example.org/f?X-Amz-Signature=abc&id=1', 'https://example.org/f?X-Amz-Signature=REDACTED&id=1'],
    ['https://example.org/f?session_token=x', 'https://example.org/f?session_token=REDACTED'],
    ['https://example.org/feed.xml?page=2&sort=new', 'https://example.org/feed.xml?page=2&sort=new'],
    ['https://example.org/monkey/feed.xml', 'https://example.org/monkey/feed.xml'],
  ])('%s -> %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
    expect(redactUrl(expected)).toBe(expected); // idempotent
    expect(hasCredentials(url)).toBe(url !== expected);
  });

  it('repeated secret parameters are all hidden', () => {
    expect(redactUrl('https://e.org/f?token=a&token=b')).not.toMatch(/token=[ab]/);
  });

  it('shows a local path publicly as its file name only', () => {
    expect(publicLocation('/srv/feedmerge/seeds/guardian.txt')).toBe('local file guardian.txt');
    expect(publicLocation('https://u:p@e.org/x')).toBe('https://REDACTED@e.org/x');
    expect(redactUrl('/srv/feedmerge/seeds/guardian.txt')).toBe('/srv/feedmerge/seeds/guardian.txt');
  });

  it('redacts URLs inside messages, keeping the punctuation after them, and the given local paths', () => {
    expect(redactText('redirect loop (https://e.org/f?token=abc).')).toBe('redirect loop (https://e.org/f?token=REDACTED).');
    expect(redactText('cannot read /srv/x/seeds/a.txt: EACCES', ['/srv/x/seeds/a.txt'])).toBe('cannot read local file a.txt: EACCES');
  });
});
