// How dates, amounts and money read to people. Uses the browser's locale.

const rtf = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const DAY = 86_400_000;

/** "5 min ago", "yesterday", "in 3 days". */
export function relativeTime(iso, now = Date.now()) {
  if (!iso) return '';
  const diff = new Date(iso).getTime() - now;
  const abs = Math.abs(diff);
  if (abs < 45_000) return 'just now';
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / 3_600_000), 'hour');
  if (abs < 30 * DAY) return rtf.format(Math.round(diff / DAY), 'day');
  return dateShort(iso);
}

/** The moment to show. A date given without a time (an expiry typed as `2026-12-07`) is stored
 * as midnight UTC; it means that calendar day wherever the reader is, not the day before west
 * of Greenwich. */
export function calendarDate(iso) {
  const d = new Date(iso);
  if (/T00:00(:00(\.0+)?)?(Z|[+-]00:?00)$/.test(String(iso))) return new Date(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  return d;
}

/** "Sun 7 Dec". */
export function dateShort(iso) {
  if (!iso) return '';
  return calendarDate(iso).toLocaleDateString(undefined, { weekday: 'short', day: 'numeric', month: 'short' });
}

/** Whole local days from today to the date (negative when past): 0 is today. */
export function daysUntil(iso, now = new Date()) {
  if (!iso) return null;
  const d = calendarDate(iso);
  const start = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  return Math.round((start(d) - start(now)) / DAY);
}

const UNIT_WORDS = { piece: ['', ''], gram: ['g', 'g'], kg: ['kg', 'kg'], ml: ['ml', 'ml'], liter: ['l', 'l'] };

/** "2 kg", "1.5 l", "3" (pieces), "1 bottle", "2 bottles". */
export function quantity(q, unit) {
  const n = Number(q ?? 0);
  const shown = Number.isInteger(n) ? String(n) : String(Math.round(n * 1000) / 1000);
  const short = UNIT_WORDS[unit];
  if (short) return short[0] ? `${shown} ${short[0]}` : shown;
  if (!unit) return shown;
  const plural = n === 1 ? unit : unit.endsWith('x') || unit.endsWith('ch') ? `${unit}es` : `${unit}s`;
  return `${shown} ${plural}`;
}

/** "$3.50" in the home's currency. */
export function money(amount, currency = 'USD') {
  if (amount === null || amount === undefined) return '';
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(amount);
  } catch {
    return `${Number(amount).toFixed(2)} ${currency}`;
  }
}
