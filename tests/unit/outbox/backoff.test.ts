import { describe, expect, it } from 'vitest';
import { backoffDelayMs, DEFAULT_BACKOFF } from '../../../src/main/outbox';

describe('backoffDelayMs (exponential, full jitter, capped)', () => {
  const justBelowOne = 1 - Number.EPSILON;

  it('draws uniformly below a ceiling that doubles per attempt', () => {
    const ceilings = [1, 2, 3, 4, 5, 6].map((attempt) => backoffDelayMs(attempt, DEFAULT_BACKOFF, () => justBelowOne) + 1);
    expect(ceilings).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000]);
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, () => 0)).toBe(0);
    expect(backoffDelayMs(3, DEFAULT_BACKOFF, () => 0.25)).toBe(1000);
  });

  it('never exceeds 5 minutes, however many attempts', () => {
    for (const attempt of [9, 10, 20, 64, 1000, Number.MAX_SAFE_INTEGER]) {
      expect(backoffDelayMs(attempt, DEFAULT_BACKOFF, () => justBelowOne)).toBeLessThan(300_000);
    }
    expect(backoffDelayMs(10, DEFAULT_BACKOFF, () => justBelowOne)).toBe(299_999);
  });

  it('stays within [0, ceiling) for random draws, and spreads them (full jitter, not a fixed delay)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(300_000, 1000 * 2 ** (attempt - 1));
      const draws = Array.from({ length: 2000 }, () => backoffDelayMs(attempt, DEFAULT_BACKOFF, random));
      expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...draws)).toBeLessThan(ceiling);
      const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
      expect(mean / ceiling).toBeGreaterThan(0.4);
      expect(mean / ceiling).toBeLessThan(0.6);
    }
  });

  it('treats a broken random source as no delay rather than a negative or endless one', () => {
    expect(backoffDelayMs(4, DEFAULT_BACKOFF, () => Number.NaN)).toBe(0);
    expect(backoffDelayMs(4, DEFAULT_BACKOFF, () => 1)).toBe(0);
    expect(backoffDelayMs(0, DEFAULT_BACKOFF, () => 0.5)).toBe(500);
  });
});
