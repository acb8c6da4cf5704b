import { describe, expect, it } from 'vitest';
import { comesBefore, leastRecentBeyond } from '../../../src/shared/session-order';
import { sessionRow as session } from '../../support/session-rows';

describe('the order of sessions', () => {
  it('puts the latest activity first (microseconds count), then the larger id; no message: the creation', () => {
    expect(comesBefore(session('a', '2026-12-01T10:00:00.000002Z'), session('b', '2026-12-01T10:00:00.000001Z'))).toBe(true);
    expect(comesBefore(session('a', '2026-12-01T10:00:00Z'), session('b', '2026-12-01T10:00:00.000000Z'))).toBe(false);
    expect(comesBefore(session('b', '2026-12-01T10:00:00Z'), session('a', '2026-12-01T10:00:00Z'))).toBe(true);
    expect(comesBefore(session('a', null, '2026-12-01T11:00:00Z'), session('b', '2026-12-01T10:00:00Z'))).toBe(true);
  });
});

describe('the least recently active beyond a maximum', () => {
  const rows = Array.from({ length: 10 }, (_, i) => session(`s${i}`, `2026-12-01T10:00:0${i}Z`));

  it('names the oldest for at most max to stay, and nothing at or under max', () => {
    expect(leastRecentBeyond(rows, 10, () => false)).toEqual([]);
    expect(leastRecentBeyond(rows, 7, () => false).sort()).toEqual(['s0', 's1', 's2']);
  });

  it('never names a kept one, and counts the kept towards max', () => {
    const kept = new Set(['s0', 's9']);
    expect(leastRecentBeyond(rows, 4, (s) => kept.has(s.id)).sort()).toEqual(['s1', 's2', 's3', 's4', 's5', 's6']);
  });

  it('names every other one when the kept alone reach max', () => {
    const kept = new Set(['s1', 's2', 's3']);
    expect(leastRecentBeyond(rows, 2, (s) => kept.has(s.id)).sort()).toEqual(['s0', 's4', 's5', 's6', 's7', 's8', 's9']);
  });
});
