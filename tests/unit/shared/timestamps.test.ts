import { describe, expect, it } from 'vitest';
import { compareTimestamps } from '../../../src/shared/timestamps';

/** Microseconds since the epoch, from a stamp with up to six fraction digits (the reference the order must follow). */
const micros = (iso: string) => {
  const [, whole, fraction = ''] = /^(.*?)(?:\.(\d+))?Z$/.exec(iso)!;
  return BigInt(Date.parse(`${whole}Z`)) * 1000n + BigInt(fraction.padEnd(6, '0'));
};
const sign = (n: number | bigint) => (n > 0 ? 1 : n < 0 ? -1 : 0);

describe('comparing server timestamps', () => {
  it('orders stamps by time whatever number of fraction digits Postgres printed', () => {
    const stamps = ['2026-12-01T10:00:02Z', '2026-12-01T10:00:02.5Z', '2026-12-01T10:00:02.50001Z', '2026-12-01T10:00:02.500001Z', '2026-12-01T10:00:02.499999Z',
      '2026-12-01T10:00:01.9Z', '2026-12-01T10:00:03Z', '2026-12-01T10:00:02.000001Z', '2026-12-01T09:59:59.999999Z', '2026-12-01T10:00:02.100Z', '2026-12-01T10:00:02.1Z'];
    for (const a of stamps) for (const b of stamps) expect([a, b, sign(compareTimestamps(a, b))]).toEqual([a, b, sign(micros(a) - micros(b))]);
  });

  it('compares a stamp in another zone by its instant, and refuses what is not a timestamp', () => {
    expect(compareTimestamps('2026-12-01T12:00:00+02:00', '2026-12-01T10:00:00Z')).toBe(0);
    expect(compareTimestamps('2026-12-01T12:00:01+02:00', '2026-12-01T10:00:00.5Z')).toBeGreaterThan(0);
    expect(() => compareTimestamps('yesterday', '2026-12-01T10:00:00Z')).toThrow(/Not an ISO 8601 timestamp/);
  });
});
