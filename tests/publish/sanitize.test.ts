import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { renderFeed } from '../../src/publish/feeds.js';
import { absoluteUrl, sanitizeContentHtml } from '../../src/publish/sanitize.js';
import { toPlainText } from '../../src/text/plain-text.js';
import { cleanXmlText, escapeHtml, guardCdataHtml } from '../../src/text/xml-text.js';
import { SITE, makeCluster, makeItem, outputFeed } from './fixtures.js';

/** Characters XML 1.0 forbids (section 2.2) plus the C1 controls we drop as well. */
const FORBIDDEN = new RegExp(
  [
    String.raw`[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\uFFFE\uFFFF]`,
    // a lone surrogate: high without low, or low without high
    String.raw`[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]`,
  ].join('|'),
);

describe('sanitizeContentHtml', () => {
  it.each([
    ['script element and its text', '<p>a<script>alert(1)</script>b</p>', '<p>ab</p>'],
    ['style element', '<style>body{display:none}</style><p>x</p>', '<p>x</p>'],
    ['iframe', '<p>x</p><iframe src="https://evil.example/"></iframe>', '<p>x</p>'],
    ['object and embed', '<object data="x.swf"></object><embed src="y.swf">z', 'z'],
    ['event handlers', '<p onclick="x()" onmouseover="y()">t</p>', '<p>t</p>'],
    ['img onerror', '<img src="https://a.example/i.png" onerror="alert(1)">', '<img src="https://a.example/i.png" />'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>', '<a>x</a>'],
    ['JaVaScRiPt: with entities and spaces', '<a href=" &#106;avascript:alert(1)">x</a>', '<a>x</a>'],
    ['data: link', '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>', '<a>x</a>'],
    ['data: image dropped entirely', '<img src="data:image/png;base64,AAAA">', ''],
    ['vbscript: link', '<a href="vbscript:msgbox(1)">x</a>', '<a>x</a>'],
    ['style attribute', '<p style="position:fixed">x</p>', '<p>x</p>'],
    ['form controls', '<form action="https://evil.example/"><input name="q"><button>go</button></form>', 'go'],
    ['svg with onload', '<svg onload="alert(1)"><circle/></svg>ok', 'ok'],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">ok', 'ok'],
  ])('removes %s', (_, input, expected) => {
    const out = sanitizeContentHtml(input, 'https://base.example/');
    expect(out).toBe(expected);
    expect(out).not.toMatch(/script|onerror|onclick|javascript:|data:|iframe/i);
  });

  it('makes relative links and images absolute against the item link', () => {
    expect(sanitizeContentHtml('<a href="../b/c?d=1&amp;e=2">x</a><img src="i.png" alt="i">', 'https://news.example/a/story.html')).toBe(
      '<a href="https://news.example/b/c?d=1&amp;e=2" rel="noopener noreferrer">x</a><img src="https://news.example/a/i.png" alt="i" />',
    );
  });

  it('drops relative links when there is no http(s) base to resolve them against', () => {
    expect(sanitizeContentHtml('<a href="/x">x</a><img src="i.png">', null)).toBe('<a>x</a>');
    expect(sanitizeContentHtml('<a href="/x">x</a>', '/srv/seeds/a.txt')).toBe('<a>x</a>');
  });

  it('keeps ordinary structure, mailto and http(s) links', () => {
    const html =
      '<h2>T</h2><p><em>a</em> <strong>b</strong> <a href="mailto:x@y.example">m</a></p><ul><li>1</li></ul><blockquote>q</blockquote>';
    expect(sanitizeContentHtml(html, null)).toBe(
      html.replace('<a href="mailto:x@y.example">', '<a href="mailto:x@y.example" rel="noopener noreferrer">'),
    );
  });

  it('removes control characters and never lets "]]>" through unescaped', () => {
    const out = sanitizeContentHtml('<p>a\u0000b\u0007c\u001Fd ]]> e\uFFFF</p>', null);
    expect(out).toBe('<p>abcd ]]&gt; e</p>');
    expect(guardCdataHtml('x]]>y]]>z')).toBe('x]]&gt;y]]&gt;z');
  });
});

describe('text helpers', () => {
  it.each([
    ['C0 controls except tab, LF, CR', 'a\u0000\u0001\u0008\t\n\r\u000B\u000C\u001Fb', 'a\t\n\rb'],
    ['DEL and C1 controls', 'a\u007F\u0080\u009Fb', 'ab'],
    ['U+FFFE and U+FFFF', 'a\uFFFE\uFFFFb', 'ab'],
    ['lone high surrogate', 'a\uD800b', 'ab'],
    ['lone low surrogate', 'a\uDC00b', 'ab'],
    ['valid pair kept', 'a\uD83D\uDE00b', 'a😀b'],
    ['ordinary text untouched', 'Zoë & “quotes” – 東京', 'Zoë & “quotes” – 東京'],
  ])('cleanXmlText: %s', (_, input, expected) => {
    expect(cleanXmlText(input)).toBe(expected);
  });

  it('escapeHtml escapes markup and both quotes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });

  it('toPlainText keeps words apart and decodes entities', () => {
    expect(toPlainText('<p>Hello&nbsp;<b>world</b></p><p>A &amp; B &#8211; C</p><script>x()</script>')).toBe('Hello world A & B – C');
  });

  it('absoluteUrl refuses unsafe schemes', () => {
    expect(absoluteUrl('javascript:alert(1)', null)).toBeNull();
    expect(absoluteUrl('file:///etc/passwd', null)).toBeNull();
    expect(absoluteUrl('https://a.example/x y', null)).toBe('https://a.example/x%20y');
  });
});

describe('any text yields well-formed feeds', () => {
  // Arbitrary UTF-16 (lone surrogates, controls, markup, "]]>") in every text field of an item.
  const nasty = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom(']]>', '<script>alert(1)</script>', '&amp;', '"\'', '\uD800', '\u0000', '<![CDATA[x]]>', '</title>'),
  );
  const text = fc.array(nasty, { maxLength: 4 }).map((parts) => parts.join(''));

  it('Atom, RSS and JSON stay parseable and free of forbidden characters', () => {
    fc.assert(
      fc.property(
        text,
        text,
        fc.option(text),
        fc.array(text, { maxLength: 3 }),
        fc.option(text),
        (title, summary, author, categories, html) => {
          const cluster = makeCluster('p1', '2026-01-01T00:00:00.000Z', [
            makeItem({
              id: 'p1',
              title,
              summary,
              author,
              categories,
              contentHtml: html,
              sourceName: title,
              outlet: summary,
              link: 'https://a.example/x',
            }),
            makeItem({ id: 'p2', title: summary, summary: title, sourceName: 'Other' }),
          ]);
          const out = renderFeed([cluster], outputFeed({ title: title || 'x' }), SITE);
          for (const doc of [out.atom, out.rss]) {
            expect(XMLValidator.validate(doc)).toBe(true);
            expect(doc).not.toMatch(FORBIDDEN);
          }
          // Every HTML field is escaped or sanitised; only RSS titles are plain text, where "<script>" is just words.
          expect(out.atom).not.toMatch(/<script/i);
          expect(out.rss.replace(/<title><!\[CDATA\[[\s\S]*?\]\]><\/title>/g, '')).not.toMatch(/<script/i);
          expect(() => JSON.parse(out.json)).not.toThrow();
          expect(out.json).not.toMatch(/\\ud[89ab][0-9a-f]{2}(?!\\ud[c-f])/i);
        },
      ),
      { numRuns: Number(process.env['FEEDMERGE_FUZZ_RUNS'] ?? 300) },
    );
  });
});
