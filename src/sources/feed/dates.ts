/**
 * Dates before the Unix epoch are placeholders (0, 1900-01-01) rather than real publication times,
 * and dates more than a year ahead are typos or deliberate "sticky" tricks; both become null.
 */
const EARLIEST_MS = Date.UTC(1970, 0, 1);
/** One year (366 days, leap-safe) of tolerance for clock skew and time-zone mistakes in the future. */
const FUTURE_TOLERANCE_MS = 366 * 24 * 3600 * 1000;

/** Parses a feed date (RFC 822, RFC 3339, ISO 8601 and what Date accepts) to ISO UTC, or null if absent or absurd. */
export function toIsoDate(value: unknown, now: Date): string | null {
  if (typeof value !== 'string' && typeof value !== 'number') return null;
  const text = String(value).trim();
  if (text === '') return null;
  let ms = Date.parse(text);
  if (Number.isNaN(ms)) ms = Date.parse(repairRfc822(text));
  if (Number.isNaN(ms)) return null;
  if (ms < EARLIEST_MS || ms > now.getTime() + FUTURE_TOLERANCE_MS) return null;
  if (!yearAgrees(text, ms)) return null;
  return new Date(ms).toISOString();
}

/**
 * Date.parse reads "01 Jan 0000" as 2000 (two-digit year rules); when the text spells a four-digit
 * year that differs from the parsed one (a day of slack for time zones), the date is a placeholder.
 */
function yearAgrees(text: string, ms: number): boolean {
  const years = [...text.matchAll(/(?<![+\-\d])(\d{4,})(?!\d)/g)].map((match) => Number(match[1]));
  if (years.length === 0) return true;
  const parsed = new Date(ms).getUTCFullYear();
  return years.some((year) => Math.abs(year - parsed) <= 1);
}

/** Month abbreviations of publishers that localise RFC 822 dates (pt, es, fr, de, it, nl), to English. */
const LOCAL_MONTHS: Record<string, string> = {
  fev: 'Feb',
  abr: 'Apr',
  mai: 'May',
  ago: 'Aug',
  set: 'Sep',
  out: 'Oct',
  dez: 'Dec',
  ene: 'Jan',
  dic: 'Dec',
  janv: 'Jan',
  févr: 'Feb',
  fevr: 'Feb',
  mars: 'Mar',
  avr: 'Apr',
  juin: 'Jun',
  juil: 'Jul',
  août: 'Aug',
  aout: 'Aug',
  sept: 'Sep',
  déc: 'Dec',
  mrz: 'Mar',
  mär: 'Mar',
  okt: 'Oct',
  gen: 'Jan',
  mag: 'May',
  giu: 'Jun',
  lug: 'Jul',
  ott: 'Oct',
  mei: 'May',
  maa: 'Mar',
};

const ZONES: Record<string, string> = {
  CET: '+0100',
  CEST: '+0200',
  BST: '+0100',
  IST: '+0530',
  JST: '+0900',
  AEST: '+1000',
  AEDT: '+1100',
  EEST: '+0300',
  EET: '+0200',
  WET: '+0000',
  WEST: '+0100',
  MSK: '+0300',
  HKT: '+0800',
  SGT: '+0800',
};

/** Common RFC 822 slips that Date.parse rejects: localised day/month names, named zones like "CEST". */
function repairRfc822(text: string): string {
  return text
    .replace(/^[^\d,]{2,12},\s*/u, '') // the weekday adds nothing and may be localised ("Seg,")
    .replace(/(\d)\s+([^\d\s.]{3,5})\.?\s+(\d)/u, (whole, day: string, month: string, year: string) => {
      const english = LOCAL_MONTHS[month.toLowerCase()];
      return english ? `${day} ${english} ${year}` : whole;
    })
    .replace(/\b([A-Z]{3,4})$/, (zone) => ZONES[zone] ?? zone);
}
