import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { changesSince, emergenciesFirst, keepMostRecent, mergeSession } from '../../../src/renderer/lib/session-list';
import { PeopleDirectory, SessionLabeler } from '../../../src/renderer/lib/directory';
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
  });
});

describe('what changed between two lists (changesSince), for what keeps state per session', () => {
  const at = (n: number) => new Date(Date.UTC(2026, 11, 1, 10, 0, 0, n)).toISOString();
  const person = (userId: string, displayName: string): ChatSession['participants'][number] => ({
    userId, displayName, role: 'client', roleInSession: 'client', availability: 'online', lastReadAt: null,
  });
  const row = (id: string, n: number, name: string) => ({ ...session(id, at(n)), participants: [person(`u-${name}`, name)] });
  const byId = (list: readonly ChatSession[]) => new Map(list.map((s) => [s.id, s]));
  const words = { untitled: 'Untitled', role: (r: string) => r, type: (t: string) => t, booking: (id: string) => `Booking ${id}` };

  it('gives the rows that came or changed and the ids that left, as the latest list holds them, over pushes and trims', () => {
    // A deterministic random walk: pushes (new sessions, moves, renames), removals, trims, and a list used twice.
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
    let list: ChatSession[] = Array.from({ length: 40 }, (_, i) => row(`s${i}`, 1000 - i, `n${i % 25}`));
    const labeler = new SessionLabeler('self', words);
    const directory = new PeopleDirectory('self', { id: 'self', displayName: 'Me', role: 'monitor' }, [], []);
    labeler.label(list);
    directory.learn(list);
    let unanswered = 0;
    for (let step = 0, clock = 2000; step < 300; step++) {
      const before = list;
      const pushes = 1 + Math.floor(random() * 3);
      for (let p = 0; p < pushes; p++) {
        const id = `s${Math.floor(random() * 80)}`;
        list = random() < 0.1 ? mergeSession(list, id, null) : mergeSession(list, id, row(id, clock++, `n${Math.floor(random() * 30)}`));
      }
      list = keepMostRecent(list, 40, new Set(['s1']));
      if (step % 50 === 49) mergeSession(before, 's2', row('s2', clock++, 'again')); // an updater run again on an older list
      const delta = changesSince(list, before);
      if (delta) {
        const was = byId(before);
        const now = byId(list);
        expect(new Set(delta.removed)).toEqual(new Set([...was.keys()].filter((id) => !now.has(id))));
        expect(new Set(delta.changed)).toEqual(new Set([...now.values()].filter((s) => was.get(s.id) !== s)));
      } else unanswered++; // the chain is cut every so many steps
      // Fed only what changed, the titles and the names are those worked out from the whole list.
      expect(new Map(labeler.label(list))).toEqual(new Map(new SessionLabeler('self', words).label(list)));
      const people = directory.learn(list);
      for (const s of list) for (const p of s.participants) expect(people.get(p.userId)?.displayName).toBe(p.displayName);
    }
    expect(unanswered).toBeLessThan(300 / 8);
  });

  it('has no answer for a list made otherwise, or one too many steps behind: then every row is looked at', () => {
    const list = [row('a', 2, 'A'), row('b', 1, 'B')];
    expect(changesSince(list, null)).toBeNull();
    expect(changesSince([...list], list)).toBeNull();
    let next = list;
    for (let i = 0; i < 40; i++) next = mergeSession(next, 'a', row('a', 10 + i, 'A'));
    expect(changesSince(next, list)).toBeNull();
    expect(changesSince(next, next)).toEqual({ changed: [], removed: [] });
  });
});
