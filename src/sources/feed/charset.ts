/** The first bytes looked at for an XML declaration or a <meta charset> (declarations must come first). */
const SNIFF_BYTES = 1024;

/**
 * Decodes a document body to text. Precedence follows the XML spec and browsers: a BOM wins, then the
 * HTTP charset, then the XML declaration (or an HTML meta charset), then UTF-8. Unknown labels fall
 * back to UTF-8; invalid sequences become U+FFFD instead of failing the whole feed.
 */
export function decodeBody(body: Buffer, contentType?: string | null): string {
  const bom = bomEncoding(body);
  if (bom) return decode(body.subarray(bom.length), bom.encoding);
  const fromHeader = charsetFromContentType(contentType);
  if (fromHeader && isSupported(fromHeader) && !isUtf16(fromHeader)) return decode(body, fromHeader);
  const declared = declaredCharset(body);
  if (declared && isSupported(declared) && !isUtf16(declared)) return decode(body, declared);
  return decodeUndeclared(body);
}

/**
 * No BOM, header or declaration: UTF-8 if the bytes are valid UTF-8, else windows-1252, the encoding
 * undeclared legacy feeds (Latin-1 servers that forgot the charset) are written in.
 */
function decodeUndeclared(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    return decode(body, 'windows-1252');
  }
}

/** The charset parameter of a Content-Type header, lower-cased, or null. */
export function charsetFromContentType(contentType: string | null | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType ?? '');
  return match ? match[1]!.toLowerCase() : null;
}

function bomEncoding(body: Buffer): { encoding: string; length: number } | null {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (body[0] === 0xff && body[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (body[0] === 0xfe && body[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

function declaredCharset(body: Buffer): string | null {
  // Latin-1 maps bytes 1:1, so the ASCII declaration reads correctly whatever the real encoding.
  const head = body.subarray(0, SNIFF_BYTES).toString('latin1');
  const xml = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  if (xml) return xml[1]!.toLowerCase();
  const meta = /<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9._:-]+)/i.exec(head);
  return meta ? meta[1]!.toLowerCase() : null;
}

/** UTF-16 labels without a BOM are almost always wrong about an 8-bit body; trust the bytes instead. */
function isUtf16(label: string): boolean {
  return /^utf-?16/i.test(label);
}

function isSupported(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

/** windows-1252 characters for bytes 0x80-0x9F (undefined bytes keep their C1 code point, as WHATWG does). */
const CP1252_HIGH = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008DŽ\u008F\u0090‘’“”•–—˜™š›œ\u009DžŸ';

function decode(bytes: Buffer, label: string): string {
  const decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  // WHATWG maps iso-8859-1, ascii and latin1 to windows-1252, which is what publishers mean (curly quotes
  // in 0x80-0x9F). Node 20's TextDecoder decodes that label as plain Latin-1, so the table is applied here.
  if (decoder.encoding === 'windows-1252') {
    return bytes.toString('latin1').replace(/[\u0080-\u009F]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]!);
  }
  return decoder.decode(bytes);
}
