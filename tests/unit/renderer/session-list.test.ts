import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { mergeSession } from '../../../src/renderer/lib/session-list';

const session = (id: string, lastMessageAt: string | null, createdAt = '2026-12-01T08:00:00Z'): ChatSession => ({
  id,
  type: 'support',
  status: 'active',
  bookingId: null,
  lastMessageAt,
  createdAt,
  unreadCount: 0,
  lastReadAt: null,
  lastMessage: null,
  participants: [],
});

describe('merging a pushed session into the list', () => {
  const list = [session('c', '2026-12-01T10:00:03Z'), session('b', '2026-12-01T10:00:02.5Z'), session('a', null)];

  it('moves a session with new activity to its place, keeping the others in order', () => {
    const merged = mergeSession(list, 'a', session('a', '2026-12-01T10:00:02.75Z'));
    expect(merged.map((s) => s.id)).toEqual(['c', 'a', 'b']);
  });

  it('compares microseconds whatever number of digits Postgres printed', () => {
    const merged = mergeSession(list, 'a', session('a', '2026-12-01T10:00:02.500001Z'));
    expect(merged.map((s) => s.id)).toEqual(['c', 'a', 'b']);
  });

  it('adds a new session and removes one the user may no longer see', () => {
    expect(mergeSession(list, 'd', session('d', '2026-12-01T11:00:00Z')).map((s) => s.id)).toEqual(['d', 'c', 'b', 'a']);
    expect(mergeSession(list, 'b', null).map((s) => s.id)).toEqual(['c', 'a']);
  });

  it('replaces the row in place when the order does not change', () => {
    const fresh = { ...session('c', '2026-12-01T10:00:03Z'), unreadCount: 4 };
    const merged = mergeSession(list, 'c', fresh);
    expect(merged[0]).toBe(fresh);
    expect(merged).toHaveLength(3);
  });
});
