import { describe, expect, it } from 'vitest';
import { segmentListing } from '../../../src/sources/listing/segment.js';

const SOURCE = { name: 'Example Outlet', url: '/seeds/example.txt' };

/** Small hand-made listings, one per layout; `titles` is the exact expected story list. */
const LAYOUTS: readonly {
  readonly name: string;
  readonly text: string;
  readonly titles: readonly string[];
  readonly summaries?: readonly string[];
}[] = [
  {
    name: 'title, byline, cut teaser',
    text: 'Dockers Strike In Callao\n\nBy Ana Ruiz, Harbour News. -\n\nDock workers stopped work on Monday to demand [...]\n',
    titles: ['Dockers Strike In Callao'],
    summaries: ['Dock workers stopped work on Monday to demand'],
  },
  {
    name: 'title + one-line sentence-case summary without a final period',
    text:
      'Farmers block the southern highway\n\nThousands of farmers blocked the road to demand fair prices\n\n' +
      'Teachers win pay rise after long strike\n\nThe union accepted the offer on Friday night\n',
    titles: ['Farmers block the southern highway', 'Teachers win pay rise after long strike'],
    summaries: ['Thousands of farmers blocked the road to demand fair prices', 'The union accepted the offer on Friday night'],
  },
  {
    name: 'section heading glued to the first title without a blank line',
    text:
      'Latest news\nFarmers block the southern highway\n\nThousands of farmers blocked the road to demand fair prices.\n\n' +
      'Teachers win pay rise after long strike\n\nThe union accepted the offer on Friday night.\n',
    titles: ['Farmers block the southern highway', 'Teachers win pay rise after long strike'],
  },
  {
    name: 'teaser-only listing with a section heading',
    text:
      'Lima\n\nThe city council approved a new bus network on Tuesday after months of debate. Maria Soto reports.\n\n' +
      'Water workers walked out over pay, leaving several districts without service, writes Juan Pérez.\n',
    titles: [
      'The city council approved a new bus network on Tuesday after months of debate',
      'Water workers walked out over pay, leaving several districts without service',
    ],
  },
  {
    name: 'one teaser continued by a quote paragraph and a "Now ..." paragraph',
    text:
      'Nurses in Cusco marched through the city centre on Monday to protest against unpaid overtime.\n\n' +
      '“We have not been paid for three months,” said nurse Rosa Quispe, who leads the local union.\n\n' +
      'Now the regional government says it will review the accounts.\n\n' +
      'A landslide cut the main road between Huancayo and Lima for a second day.\n',
    titles: [
      'Nurses in Cusco marched through the city centre on Monday to protest against unpaid overtime',
      'A landslide cut the main road between Huancayo and Lima for a second day',
    ],
  },
  {
    name: 'quote paragraph introducing a second speaker, linked by a word found only in that story',
    text:
      'Contestants in the regional pageant replaced their measurements with statistics on violence against women.\n\n' +
      'Ana Flores, the winner, told the judges: “My measurements are 2,000 cases of violence reported this year.”\n\n' +
      'Fishermen in Paita say warmer water has driven the anchovy shoals south.\n',
    titles: [
      'Contestants in the regional pageant replaced their measurements with statistics on violence',
      'Fishermen in Paita say warmer water has driven the anchovy shoals south',
    ],
  },
  {
    name: 'two teasers run together with a single newline',
    text:
      'The city council approved a new bus network on Tuesday after months of debate.\n' +
      'Water workers walked out over pay on Wednesday, leaving several districts without service.',
    titles: [
      'The city council approved a new bus network on Tuesday after months of debate',
      'Water workers walked out over pay on Wednesday, leaving several districts without service',
    ],
  },
  {
    name: 'furniture: skip link, menu, appeals, repeated fundraising box, glued newsletter box',
    text:
      'Skip to content\n\nMenu\n\nNews\n\nDockers Strike In Callao\n\nDock workers stopped work on Monday ' +
      'to demand higher wages and safer cranes.\n' +
      'Donate Today To Support Our Reporting\n\nWe rely on readers like you. Your donation keeps us independent.\n\n' +
      'Dockers Return To Work\n\nThe strike ended on Thursday after the port authority agreed to talks.\n\n' +
      'Donate Today To Support Our Reporting\n\nWe rely on readers like you. Your donation keeps us independent.\n\n' +
      'Subscribe To Our Weekly Newsletter\nGet the week’s stories in your inbox every Friday. Sign up now.\n\nRead more\n\nPage 1 of 12\n',
    titles: ['Dockers Strike In Callao', 'Dockers Return To Work'],
  },
  {
    name: 'a headline that mentions fundraising is news when a story follows it',
    text:
      'Campaign Fundraising Breaks Records\n\nCandidates raised twice as much as in the last election, ' +
      'the electoral board said on Monday.\n',
    titles: ['Campaign Fundraising Breaks Records'],
  },
  {
    name: 'byline glued to the teaser',
    text: 'Port Strike Ends\n\nBy Harbour News. - The strike ended on Thursday after talks with the port authority [...]\n',
    titles: ['Port Strike Ends'],
    summaries: ['The strike ended on Thursday after talks with the port authority'],
  },
  {
    name: 'a headline starting with "By" is not a byline',
    text:
      'By Land And Sea The Migrants Keep Coming\n\nMore people crossed the border this year than in any year since records began.\n\n' +
      'Dockers Return To Work\n\nThe strike ended on Thursday after the port authority agreed to talks.\n',
    titles: ['By Land And Sea The Migrants Keep Coming', 'Dockers Return To Work'],
  },
  {
    name: 'hard-wrapped teaser paragraphs are one story each, even where a line starts upper-case',
    text:
      'The city council approved a new bus network for the districts of\n' +
      'Lima Norte on Tuesday. The mayor and the transport unions had opposed\n' +
      'the plan because it cut several popular routes in the north.\n\n' +
      'Water workers walked out over pay on Wednesday, leaving several\n' +
      'districts without service for most of the day, the company said.\n',
    titles: [
      'The city council approved a new bus network for the districts of Lima Norte on Tuesday',
      'Water workers walked out over pay on Wednesday, leaving several districts without service for most of the day',
    ],
  },
  {
    name: 'a long multi-paragraph summary in a title listing stays one story',
    text:
      'Dockers Strike In Callao\n\nDock workers stopped work on Monday to demand higher wages and safer cranes.\n\n' +
      '“We will not go back until the cranes are fixed,” said the union leader.\n\n' +
      'Dockers Return To Work\n\nThe strike ended on Thursday after the port authority agreed to talks.\n',
    titles: ['Dockers Strike In Callao', 'Dockers Return To Work'],
  },
];

describe('segmentListing layouts', () => {
  it.each(LAYOUTS)('$name', ({ text, titles, summaries }) => {
    const items = segmentListing(text, SOURCE);
    expect(items.map((item) => item.title)).toEqual(titles);
    if (summaries !== undefined) expect(items.map((item) => item.summary)).toEqual(summaries);
  });

  it.each([
    ['By Kawsachun News. -', null, 'Kawsachun News'],
    ['By\u00a0Kawsachun News. -', null, 'Kawsachun News'],
    ['By Staff, Kawsachun News. -', 'Staff', 'Kawsachun News'],
    ['By José Carlos Llerena Robles and Vijay Prashad, Green Left. -', 'José Carlos Llerena Robles and Vijay Prashad', 'Green Left'],
    ['By Matt Kirkegaard,\u00a0 Novara Media. -', 'Matt Kirkegaard', 'Novara Media'],
    ['By Ana Ruiz, Luis Soto and Eva Paz, Harbour News —', 'Ana Ruiz, Luis Soto and Eva Paz', 'Harbour News'],
    ['By Staff', 'Staff', null],
    ['By Example Outlet. -', null, null], // the source itself is not an "original outlet"
  ])('byline %j -> author %j, outlet %j', (byline, author, outlet) => {
    const [item] = segmentListing(`Port Strike Ends\n\n${byline}\n\nThe strike ended on Thursday after talks [...]`, SOURCE);
    expect(item).toMatchObject({ title: 'Port Strike Ends', author, outlet, truncated: true });
    expect(item!.summary).toBe('The strike ended on Thursday after talks');
  });

  it.each([
    ['[...]', true],
    ['[…]', true],
    ['(...)', true],
    ['…', true],
    ['.', false],
  ])('teaser ending %j is truncated: %j', (mark, truncated) => {
    const [item] = segmentListing(`Port Strike Ends\n\nThe strike ended on Thursday after talks with the port${mark}`, SOURCE);
    expect(item!.truncated).toBe(truncated);
    expect(item!.summary).toBe(`The strike ended on Thursday after talks with the port${truncated ? '' : mark}`);
  });

  it('keeps a story repeated on the page once, but two different stories sharing a title twice', () => {
    const story = 'Dockers Strike In Callao\n\nDock workers stopped work on Monday to demand higher wages.\n\n';
    const other = 'Dockers Strike In Callao\n\nA second strike began on Friday at the grain terminal.\n\n';
    const repeated = segmentListing(story + story, SOURCE);
    expect(repeated).toHaveLength(1);
    const twins = segmentListing(story + other, SOURCE);
    expect(twins).toHaveLength(2);
    expect(twins[0]!.identity).not.toBe(twins[1]!.identity);
    expect(twins.map((item) => item.position)).toEqual([0, 1]);
  });

  it('strips a leading photo caption from a derived title but keeps it in the summary', () => {
    const text =
      'Marchers in Puno demand new elections. Puno, March 3. Photo: EFE. Thousands marched in Puno on Friday to demand early elections.';
    const [item] = segmentListing(text, SOURCE);
    expect(item!.title).toBe('Thousands marched in Puno on Friday to demand early elections');
    expect(item!.summary).toBe(text);
  });
});
