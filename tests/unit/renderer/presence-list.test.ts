// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { applyPresence } from '../../../src/renderer/lib/session-list';
import { reportActivity } from '../../../src/renderer/lib/activity-reporter';

const person = (userId: string, availability: ChatSession['participants'][number]['availability']): ChatSession['participants'][number] => ({
  userId,
  displayName: userId,
  role: 'reader',
  roleInSession: 'reader',
  availability,
  lastReadAt: null,
});
const session = (id: string, participants: ChatSession['participants']): ChatSession => ({
  id,
  type: 'support',
  status: 'active',
  bookingId: null,
  lastMessageAt: null,
  createdAt: '2026-12-01T08:00:00Z',
  unreadCount: 0,
  lastReadAt: null,
  lastMessage: null,
  participants,
});

describe('a pushed presence in the session list', () => {
  const list = [session('a', [person('me', 'online'), person('rana', 'offline')]), session('b', [person('me', 'online')]), session('c', [person('rana', 'offline')])];

  it('updates every session showing that person, and only those', () => {
    const next = applyPresence(list, 'rana', 'online');
    expect(next.map((s) => s.participants.find((p) => p.userId === 'rana')?.availability)).toEqual(['online', undefined, 'online']);
    expect(next[1]).toBe(list[1]);
    expect(list[0]!.participants[1]!.availability).toBe('offline');
  });

  it('returns the same list when nothing changes (nobody re-renders)', () => {
    expect(applyPresence(list, 'rana', 'offline')).toBe(list);
    expect(applyPresence(list, 'stranger', 'online')).toBe(list);
  });
});

describe("the page's activity report", () => {
  afterEach(() => vi.useRealTimers());

  it('reports at once, after a quiet spell at once, at most every 5 s while input goes on, and every 30 s', () => {
    vi.useFakeTimers({ now: 0 });
    const sent: number[] = [];
    const stop = reportActivity((idle) => sent.push(idle));
    expect(sent).toEqual([0]);
    vi.advanceTimersByTime(30_000);
    expect(sent).toEqual([0, 30]);
    window.dispatchEvent(new Event('keydown'));
    expect(sent).toEqual([0, 30, 0]);
    vi.advanceTimersByTime(1_000);
    window.dispatchEvent(new Event('pointermove'));
    vi.advanceTimersByTime(1_000);
    window.dispatchEvent(new Event('pointermove'));
    expect(sent).toEqual([0, 30, 0]);
    vi.advanceTimersByTime(4_000);
    window.dispatchEvent(new Event('pointermove'));
    expect(sent).toEqual([0, 30, 0, 0]);
    // Input at 36 s, then quiet: the report at 420 s says 384 s.
    vi.advanceTimersByTime(400_000);
    expect(sent.at(-1)).toBe(384);
    const count = sent.length;
    stop();
    vi.advanceTimersByTime(60_000);
    window.dispatchEvent(new Event('keydown'));
    expect(sent).toHaveLength(count);
  });
});
