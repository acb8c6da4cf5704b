/**
 * Server timestamps arrive as ISO 8601 text with varying precision and
 * offsets (`2024-05-01T10:00:00.123456+00:00`, `...Z`, no fraction). The cache
 * pages by (created_at, id) in SQL, so they are stored in one fixed shape,
 * `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC, whose text order is time order, without
 * losing Postgres's microseconds (a JS Date would drop them).
 */
const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}(?::?\d{2})?)$/;

export class TimestampError extends Error {
  readonly code = 'store.invalid_timestamp';
  constructor(value: unknown) {
    super(`Not an ISO 8601 timestamp with a time zone: ${JSON.stringify(value)}`);
    this.name = 'TimestampError';
  }
}

export function normalizeTimestamp(value: string): string {
  const m = ISO.exec(value);
  if (!m) throw new TimestampError(value);
  const [, y, mo, d, h, mi, s, frac = '', zone] = m;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    const digits = zone!.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const wholeSeconds = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  if (!Number.isFinite(wholeSeconds)) throw new TimestampError(value);
  const base = new Date(wholeSeconds).toISOString().slice(0, 19);
  return `${base}.${frac.padEnd(6, '0').slice(0, 6)}Z`;
}
