// Dates and numbers of the admin views: local days to an ISO range with the computer's offset, per-language numbers.
import { describe, expect, it } from 'vitest';
import { dayInputValue, dayRange, formatDuration, formatPercent, localMidnightIso } from '../../../src/renderer/admin/figures-format';

describe('figures-format', () => {
  it('turns a local day into its midnight with the local offset, and a range of days into [first, day after last)', () => {
    const iso = localMidnightIso('2026-03-29');
    expect(iso).toMatch(/^2026-03-29T00:00:00[+-]\d{2}:\d{2}$/);
    expect(new Date(iso).getDate()).toBe(29);
    expect(new Date(iso).getHours()).toBe(0);
    const range = dayRange('2026-11-01', '2026-11-30')!;
    expect(range.from.slice(0, 10)).toBe('2026-11-01');
    expect(range.to.slice(0, 10)).toBe('2026-12-01');
    expect(dayRange('2026-11-02', '2026-11-01')).toBeNull();
    expect(dayRange('', '2026-11-01')).toBeNull();
    expect(dayRange('2026-11-01', '2026-11-01')!.to.slice(0, 10)).toBe('2026-11-02');
    expect(() => localMidnightIso('1/11/2026')).toThrow(/not a date/);
    expect(dayInputValue(1, new Date(2026, 0, 1, 12))).toBe('2025-12-31');
  });

  it('formats durations and shares per language, Arabic digits included', () => {
    // Unit words differ between ICU versions (Node 20, 22, 24): the number and the unit's stem are what is stable.
    expect(formatDuration(42, 'en-GB')).toMatch(/^42 sec/);
    expect(formatDuration(90, 'en-GB')).toMatch(/^1\.5 min/);
    expect(formatDuration(7200, 'en-GB')).toMatch(/^2 h/);
    expect(formatPercent(2 / 3, 'en-GB')).toBe('66.7%');
    expect(formatDuration(42, 'ar-EG')).toMatch(/٤٢/);
    expect(formatPercent(0.5, 'ar-EG')).toMatch(/٥٠/);
  });
});
