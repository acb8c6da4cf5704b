import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { applyPushes, column, defineColumn, emergenciesFirst, findSession, keepMostRecent, listChange, mergeSession } from '../../../src/renderer/lib/session-list';
import { seededRandom } from '../../support/seeded-random';
import { sessionRow as session } from '../../support/session-rows';

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
    expect(merged[0]).toEqual(fresh);
    expect(merged).toHaveLength(3);
  });
});

describe('holding the list to the most recent sessions', () => {
  const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, n)).toISOString();
  const list = [5, 4, 3, 2, 1, 0].map((n) => session(`s${n}`, at(n)));

  it('is the same list while it is within the limit', () => {
    expect(keepMostRecent(list, 6, new Set())).toBe(list);
  });

  it('drops the least recently active, but never an open conversation or an active emergency', () => {
    const emergency = { ...session('e', at(-1)), type: 'emergency' as const };
    const kept = keepMostRecent([...list, emergency], 4, new Set(['s0']));
    expect(kept.map((s) => s.id)).toEqual(['s5', 's4', 's0', 'e']);
  });
});

describe('what a batch of pushes changed in the list', () => {
  const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, n)).toISOString();
  const list = [3, 2, 1].map((n) => session(`s${n}`, at(n)));
  const push = (id: string, n: number | null) => ({ sessionId: id, session: n === null ? null : session(id, at(n)) });

  it('is one change from the list before: the pushes merged in order, then the list held to its maximum', () => {
    const next = applyPushes(list, [push('s1', 10), push('s4', 11)], 3, new Set());
    expect(next.map((s) => s.id)).toEqual(['s4', 's1', 's3']);
    const change = listChange(next)!;
    expect(change.from).toBe(list);
    expect([...change.came.keys()].sort()).toEqual(['s1', 's4']);
    expect(change.came.get('s1')).toBe(next[1]);
    expect([...change.left]).toEqual(['s2']);
  });

  it('forgets a row that came and then left, and takes back one that left and came again', () => {
    const gone = applyPushes(list, [push('s4', 4), push('s4', null)], 10, new Set());
    expect([...listChange(gone)!.came.keys()]).toEqual([]);
    expect([...listChange(gone)!.left]).toEqual(['s4']);
    const back = applyPushes(list, [push('s2', null), push('s2', 5)], 10, new Set());
    expect([...listChange(back)!.came.keys()]).toEqual(['s2']);
    expect([...listChange(back)!.left]).toEqual([]);
  });

  it('is not there for a list made another way, nor for one that did not change', () => {
    expect(listChange(mergeSession(list, 's1', session('s1', at(10))))).toBeUndefined();
    expect(applyPushes(list, [], 5, new Set())).toBe(list);
    expect(listChange(list)).toBeUndefined();
  });
});

describe('what is read from every row of the list', () => {
  it('agrees with the rows through a random run of pushes, removals and trims: ids, columns, emergencies first', () => {
    const activity = defineColumn((s) => `${s.id} ${s.lastMessageAt} ${s.type}`);
    const random = seededRandom(11);
    const id = (k: number) => `s${String(k).padStart(3, '0')}`;
    const at = (step: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0, step * 10 + random(10))).toISOString();
    let list: ChatSession[] = [0, 1, 2].map((k) => session(id(k), at(0)));
    for (let step = 1; step <= 300; step++) {
      const batch = Array.from({ length: 1 + random(3) }, () => {
        const k = random(40);
        const row = { ...session(id(k), at(step)), type: random(8) === 0 ? ('emergency' as const) : ('support' as const) };
        return { sessionId: id(k), session: random(6) === 0 ? null : row };
      });
      // The trim often has to keep the least recent (an open tab), so drops one before it; now and then a list
      // is made another way (a presence change, the list at sign-in), with no ids carried.
      const kept = new Set(random(2) ? [list.at(-1)?.id ?? ''] : []);
      list = random(10) === 0 ? [...list] : applyPushes(list, batch, 5, kept);
      for (let k = 0; k < 40; k++) expect(findSession(list, id(k))).toBe(list.find((s) => s.id === id(k)));
      expect(column(list, activity)).toEqual(list.map(activity.of));
      const first = [...list.filter((s) => s.type === 'emergency'), ...list.filter((s) => s.type !== 'emergency')];
      expect(emergenciesFirst(list)).toEqual(first);
    }
  });
});

describe('what only depends on who is in the sessions', () => {
  const person = (userId: string, displayName: string) =>
    ({ userId, displayName, role: 'client', roleInSession: 'client', availability: 'online', lastReadAt: null }) as const;
  const withPeople = (s: ChatSession, ...people: ReturnType<typeof person>[]): ChatSession => ({ ...s, participants: people });
  const list = [withPeople(session('c', '2026-12-01T10:00:03Z'), person('u1', 'Sara')), withPeople(session('b', '2026-12-01T10:00:02Z'), person('u2', 'Omar'))];

  it('keeps the participants array of a pushed row whose participants did not change', () => {
    // As after IPC: equal values, new objects.
    const pushed = structuredClone({ ...list[1]!, lastMessageAt: '2026-12-01T10:00:04Z', unreadCount: 1 });
    const merged = mergeSession(list, 'b', pushed);
    expect(merged.map((s) => s.id)).toEqual(['b', 'c']);
    expect(merged[0]!.participants).toBe(list[1]!.participants);
  });

  it('takes the pushed participants once someone is renamed', () => {
    const renamed = mergeSession(list, 'b', withPeople(list[1]!, person('u2', 'Omar K.')));
    expect(renamed[1]!.participants).not.toBe(list[1]!.participants);
    expect(renamed[1]!.participants[0]!.displayName).toBe('Omar K.');
  });

  it('puts emergencies first and keeps the list order otherwise', () => {
    const emergency = { ...session('e', null), type: 'emergency' as const };
    expect(emergenciesFirst([...list, emergency]).map((s) => s.id)).toEqual(['e', 'c', 'b']);
    expect(emergenciesFirst(list)).toBe(list);
  });
});
