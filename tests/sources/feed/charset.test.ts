import { describe, expect, it } from 'vitest';
import { charsetFromContentType, decodeBody } from '../../../src/sources/feed/charset.js';

const CAFE_LATIN1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]); // "café" in ISO-8859-1 / windows-1252
const xml = (declaration: string, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from(`<?xml version="1.0"${declaration}?><t>`), body, Buffer.from('</t>')]);

describe('charsetFromContentType', () => {
  it.each([
    ['application/rss+xml; charset=UTF-8', 'utf-8'],
    ['text/xml;charset="ISO-8859-1"', 'iso-8859-1'],
    ['text/xml; format=flowed; Charset = windows-1252', 'windows-1252'],
    ['application/atom+xml', null],
    ['', null],
    [null, null],
    [undefined, null],
  ])('%j gives %j', (header, charset) => {
    expect(charsetFromContentType(header)).toBe(charset);
  });
});

describe('decodeBody', () => {
  it('decodes UTF-8 without any declaration', () => {
    expect(decodeBody(Buffer.from('<t>café – “quoted”</t>', 'utf8'))).toBe('<t>café – “quoted”</t>');
  });

  it('reads undeclared bytes that are not valid UTF-8 as windows-1252, curly quotes included', () => {
    const bytes = Buffer.from([0x93, 0x68, 0x69, 0x94, 0x20, 0x63, 0x61, 0x66, 0xe9, 0x20, 0x80]);
    expect(decodeBody(bytes)).toBe('“hi” café €');
  });

  it('follows the XML declaration when there is no HTTP charset', () => {
    expect(decodeBody(xml(' encoding="ISO-8859-1"', CAFE_LATIN1))).toContain('<t>café</t>');
  });

  it('maps ISO-8859-1 to windows-1252 as browsers do (0x80-0x9F are curly quotes, not C1 controls)', () => {
    expect(decodeBody(Buffer.from([0x93, 0x61, 0x94]), 'text/xml; charset=iso-8859-1')).toBe('“a”');
  });

  it('lets the HTTP charset win over the XML declaration', () => {
    const body = xml(' encoding="UTF-8"', CAFE_LATIN1);
    expect(decodeBody(body, 'text/xml; charset=windows-1252')).toContain('<t>café</t>');
  });

  it('lets a BOM win over the HTTP charset and the declaration, and drops it', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('<t>é</t>', 'utf8')]);
    expect(decodeBody(utf8, 'text/xml; charset=iso-8859-1')).toBe('<t>é</t>');
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<t>é</t>', 'utf16le')]);
    expect(decodeBody(utf16)).toBe('<t>é</t>');
  });

  it('ignores a UTF-16 label on an 8-bit body without a BOM, and an unknown label', () => {
    expect(decodeBody(Buffer.from('<t>é</t>', 'utf8'), 'text/xml; charset=utf-16')).toBe('<t>é</t>');
    expect(decodeBody(Buffer.from('<t>é</t>', 'utf8'), 'text/xml; charset=x-no-such-charset')).toBe('<t>é</t>');
  });

  it('reads an HTML meta charset', () => {
    const page = Buffer.concat([Buffer.from('<html><head><meta charset="windows-1252"></head><p>'), CAFE_LATIN1]);
    expect(decodeBody(page)).toContain('<p>café');
  });

  it('turns invalid sequences in a declared UTF-8 body into U+FFFD instead of failing', () => {
    expect(decodeBody(Buffer.from([0x61, 0xff, 0x62]), 'text/plain; charset=utf-8')).toBe('a\uFFFDb');
  });
});
