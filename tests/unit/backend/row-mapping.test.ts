import { describe, expect, it } from 'vitest';
import { isoTimestamp } from '../../../src/main/backend/row-mapping';

describe('timestamps from Postgres', () => {
  it('keep their microseconds, in UTC', () => {
    expect(isoTimestamp('2026-11-24 16:50:30.123456+00')).toBe('2026-11-24T16:50:30.123456Z');
    expect(isoTimestamp('2026-11-24T16:50:30.123456+00:00')).toBe('2026-11-24T16:50:30.123456Z');
    expect(isoTimestamp('2026-11-24 19:50:30.123456+03')).toBe('2026-11-24T16:50:30.123456Z');
    expect(isoTimestamp('2026-11-24 16:50:30+00')).toBe('2026-11-24T16:50:30Z');
    expect(isoTimestamp(null)).toBeNull();
  });
});
