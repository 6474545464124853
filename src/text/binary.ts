/** Telling binary data from text, and describing it in an error line. */

const SNIFFED_CHARACTERS = 8000;

/** As git tells binary files: a NUL character among the first 8,000. No text format feedmerge reads has one, and
 * almost every binary format does (gzip, zip, PDF, images). */
export function looksBinary(text: string): boolean {
  return text.slice(0, SNIFFED_CHARACTERS).includes('\u0000');
}

/** Binary data for an error line: its size and first bytes, which name the format to whoever reads them
 * (1f 8b: gzip, served without Content-Encoding; 25 50 44 46: a PDF). */
export function describeBinary(body: Buffer): string {
  const bytes = [...body.subarray(0, 8)].map((byte) => byte.toString(16).padStart(2, '0')).join(' ');
  return `binary data, ${body.length} bytes, starting with ${bytes}`;
}
