// Dates and numbers of the admin views, per language (the locale of the i18n context: ar-EG writes Arabic digits).

/** 'YYYY-MM-DD' of a date input: midnight there, in this computer's time zone, as ISO 8601 with its offset. */
export function localMidnightIso(day: string, addDays = 0): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) throw new Error(`not a date: ${JSON.stringify(day)}`);
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]) + addDays);
  const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? '+' : '-';
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T00:00:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** A date input's value for a day `daysAgo` before today (local). */
export function dayInputValue(daysAgo = 0, now = new Date()): string {
  const d = new Date(now.getFullYear(), now.getMonth(), now.getDate() - daysAgo);
  return `${String(d.getFullYear()).padStart(4, '0')}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * [from, to) for two date inputs, both days included: from the first day's midnight to the midnight after the
 * last. Null when a day is missing or the last is before the first.
 */
export function dayRange(fromDay: string, toDay: string): { from: string; to: string } | null {
  if (!fromDay || !toDay) return null;
  const from = localMidnightIso(fromDay);
  const to = localMidnightIso(toDay, 1);
  return Date.parse(from) < Date.parse(to) ? { from, to } : null;
}

/** A duration in the largest unit that keeps it readable: seconds, minutes or hours, one decimal at most. */
export function formatDuration(seconds: number, locale: string): string {
  const [value, unit] = seconds < 60 ? [seconds, 'second'] : seconds < 3600 ? [seconds / 60, 'minute'] : [seconds / 3600, 'hour'];
  return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: value < 10 ? 1 : 0 }).format(value);
}

export function formatPercent(fraction: number, locale: string): string {
  return new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(fraction);
}
