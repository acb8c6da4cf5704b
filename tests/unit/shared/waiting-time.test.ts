import { describe, expect, it } from 'vitest';
import { byLongestWaiting, closeAfterMs, countWaiting, waitState } from '../../../src/shared/waiting-time';

const T0 = Date.UTC(2026, 0, 5, 9, 0);
const since = new Date(T0).toISOString();
const at = (minutes: number, seconds = 0) => T0 + minutes * 60_000 + seconds * 1000;

describe('waiting time against the reply target', () => {
  it('counts whole seconds since the oldest unanswered message (never negative)', () => {
    expect(waitState(since, at(3, 25), 15)).toEqual({ seconds: 205, level: 'ok' });
    expect(waitState(since, T0 - 5_000, 15)).toEqual({ seconds: 0, level: 'ok' });
  });

  it('is close when less than a fifth of the target (at least a minute) is left, passed at the target', () => {
    expect(closeAfterMs(15)).toBe(12 * 60_000);
    expect(closeAfterMs(2)).toBe(60_000);
    expect(closeAfterMs(1)).toBe(0);
    expect(waitState(since, at(11, 59), 15).level).toBe('ok');
    expect(waitState(since, at(12), 15).level).toBe('close');
    expect(waitState(since, at(14, 59), 15).level).toBe('close');
    expect(waitState(since, at(15), 15).level).toBe('passed');
    expect(waitState(since, at(0, 30), 1).level).toBe('close');
    expect(waitState(since, at(1), 1).level).toBe('passed');
  });

  it('never warns without a target; refuses a bad timestamp or target', () => {
    expect(waitState(since, at(600), null).level).toBe('ok');
    expect(() => waitState('yesterday', at(1), 15)).toThrow(/ISO timestamp/);
    expect(() => waitState(since, at(1), 0)).toThrow(/positive whole number/);
    expect(() => waitState(since, at(1), 2.5)).toThrow(/positive whole number/);
  });

  it('counts the waits past and close to the target as waitState levels them, a clock behind the server\'s included', () => {
    for (const target of [1, 2, 15, 60]) {
      // Starts on and around each boundary, and a little in the future.
      const starts = [0, 1, 59_999, 60_000, 60_001, closeAfterMs(target), closeAfterMs(target) + 1, target * 60_000 - 1, target * 60_000, target * 60_000 + 1, -5_000]
        .map((ago) => at(100) - ago);
      const now = at(100);
      const levels = starts.map((s) => waitState(new Date(s).toISOString(), now, target).level);
      expect(countWaiting(starts, now, target)).toEqual({
        passed: levels.filter((l) => l === 'passed').length,
        close: levels.filter((l) => l === 'close').length,
      });
    }
  });

  it('sorts longest waiting first, then the sessions nobody waits in, in their given order', () => {
    const rows = [
      { id: 'recent-no-wait', waitingSince: null },
      { id: 'waits-5', waitingSince: new Date(at(-5)).toISOString() },
      { id: 'no-field' },
      { id: 'waits-30', waitingSince: new Date(at(-30)).toISOString() },
      { id: 'waits-5-too', waitingSince: new Date(at(-5)).toISOString() },
    ];
    expect(byLongestWaiting(rows).map((r) => r.id)).toEqual(['waits-30', 'waits-5', 'waits-5-too', 'recent-no-wait', 'no-field']);
    expect(rows[0]!.id).toBe('recent-no-wait');
  });
});
