/**
 * Server timestamps as the contract carries them (ISO 8601, UTC, `Z`): Postgres keeps microseconds and drops
 * trailing zeros (`.12Z`, `.123456Z`, none), so neither Date (milliseconds) nor plain text order compares them.
 * Padded to six fraction digits, their text order is time order.
 */
const sortKey = (iso: string): string => {
  const match = /^(.*?)(?:\.(\d+))?Z$/.exec(iso);
  if (!match) {
    // Another zone: Date's millisecond precision is the best available without the zone rules.
    const ms = Date.parse(iso);
    if (Number.isNaN(ms)) throw new TypeError(`Not an ISO 8601 timestamp: ${JSON.stringify(iso)}`);
    return sortKey(new Date(ms).toISOString());
  }
  return `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}Z`;
};

/** Negative when `a` is earlier than `b`, zero when they are the same instant, positive when later. */
export function compareTimestamps(a: string, b: string): number {
  // Two UTC stamps printed alike (as most are: the same number of fraction digits) compare as they are.
  if (a.length === b.length && a.endsWith('Z') && b.endsWith('Z') && a.indexOf('.') === b.indexOf('.')) return a < b ? -1 : a > b ? 1 : 0;
  const x = sortKey(a);
  const y = sortKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
