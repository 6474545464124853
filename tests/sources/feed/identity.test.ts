import { describe, expect, it } from 'vitest';
import { distinguishRepeatedGuids, itemIdentity, normaliseLink, resolveLink } from '../../../src/sources/feed/identity.js';

describe('normaliseLink', () => {
  it.each([
    ['HTTPS://News.Example:443/a?b=1#top', 'https://news.example/a?b=1'],
    ['http://news.example:80/a', 'http://news.example/a'],
    ['https://news.example/a?utm_source=x&id=7&UTM_Medium=y&fbclid=z&pk_campaign=c', 'https://news.example/a?id=7'],
    ['https://news.example/a?gclid=1', 'https://news.example/a'],
    ['https://news.example:8443/a', 'https://news.example:8443/a'],
    ['mailto:desk@news.example', 'mailto:desk@news.example'],
    ['  not a url  ', 'not a url'],
  ])('%j becomes %j', (link, normalised) => {
    expect(normaliseLink(link)).toBe(normalised);
  });
});

describe('resolveLink', () => {
  it.each([
    ['/story/1', 'https://news.example/section/', 'https://news.example/story/1'],
    ['story/1', 'https://news.example/section/', 'https://news.example/section/story/1'],
    [' https://other.example/x ', null, 'https://other.example/x'],
    ['javascript:alert(1)', 'https://news.example/', null],
    ['data:text/html,hi', null, null],
    ['/relative-without-base', null, null],
    ['', 'https://news.example/', null],
    [null, 'https://news.example/', null],
  ])('%j against %j is %j', (link, base, resolved) => {
    expect(resolveLink(link, base)).toBe(resolved);
  });
});

describe('itemIdentity', () => {
  const source = 'https://news.example/feed';

  it('prefers the GUID, then the normalised link, then a hash of source and title', () => {
    expect(itemIdentity({ guid: ' tag:news.example,2026:1 ', link: 'https://news.example/a', title: 'A', sourceUrl: source })).toBe(
      'guid:tag:news.example,2026:1',
    );
    expect(itemIdentity({ guid: '  ', link: 'https://News.example/a?utm_source=rss', title: 'A', sourceUrl: source })).toBe(
      'link:https://news.example/a',
    );
    expect(itemIdentity({ guid: null, link: null, title: 'A', sourceUrl: source })).toMatch(/^title:[0-9a-f]{16}$/);
  });

  it('hashes a folded title: case, width and spacing do not matter, the source does', () => {
    const id = (title: string, sourceUrl = source): string => itemIdentity({ guid: null, link: null, title, sourceUrl });
    expect(id('  Budget  Passes\tSenate ')).toBe(id('budget passes senate'));
    expect(id('ＡＢＣ news')).toBe(id('abc news'));
    expect(id('Budget passes senate')).not.toBe(id('Budget passes house'));
    expect(id('Budget passes senate')).not.toBe(id('Budget passes senate', 'https://other.example/feed'));
  });
});

describe('distinguishRepeatedGuids', () => {
  const item = (guid: string | null, link: string | null) => ({
    guid,
    link,
    identity: itemIdentity({ guid, link, title: 't', sourceUrl: 'https://news.example/feed' }),
  });

  it('adds the link to a GUID that several items with different links share', () => {
    const [a, b] = distinguishRepeatedGuids([item('same', 'https://news.example/a'), item('same', 'https://news.example/b?utm_medium=x')]);
    expect(a!.identity).toBe('guid:same link:https://news.example/a');
    expect(b!.identity).toBe('guid:same link:https://news.example/b');
  });

  it('leaves unique GUIDs, repeats with one link and link identities as they are', () => {
    const items = [
      item('one', 'https://news.example/a'),
      item('two', 'https://news.example/b'),
      item('two', 'https://news.example/b#comments'),
      item(null, 'https://news.example/c'),
    ];
    expect(distinguishRepeatedGuids(items).map((i) => i.identity)).toEqual(items.map((i) => i.identity));
  });
});
