import { describe, expect, it } from 'vitest';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { PeopleDirectory, SessionLabeler, type LabelWords, type Person } from '../../../src/renderer/lib/directory';
import { applyPushes, listChange, mergeSession } from '../../../src/renderer/lib/session-list';
import { seededRandom } from '../../support/seeded-random';
import { sessionRow } from '../../support/session-rows';

const SELF = 'u-self';
const WORDS: LabelWords = { untitled: 'Untitled', role: (r) => `(${r})`, type: (t) => t, booking: (id) => `Booking ${id}` };
const person = (userId: string, displayName: string, role: Person['role'] = 'client'): ChatSession['participants'][number] => ({
  userId,
  displayName,
  role,
  roleInSession: role === 'client' ? 'client' : 'reader',
  availability: 'online',
  lastReadAt: null,
});
const session = (id: string, at: string, people: ChatSession['participants'], more: Partial<ChatSession> = {}): ChatSession => ({
  ...sessionRow(id, at),
  participants: [person(SELF, 'Me', 'monitor'), ...people],
  ...more,
});
const plain = (labels: ReadonlyMap<string, unknown>) => Object.fromEntries([...labels].sort(([a], [b]) => (a < b ? -1 : 1)));

describe('session labels, worked out as the list changes', () => {
  it('qualifies colliding titles by booking, type and short id, and leaves unique ones alone', () => {
    const labels = new SessionLabeler(SELF, WORDS).label([
      session('1a2b3c4d-0000-4000-8000-000000000001', 'T1', [person('sara', 'Sara')], { type: 'booking', bookingId: 'b00c1e55-0000-4000-8000-000000000000' }),
      session('9f8e7d6c-0000-4000-8000-000000000002', 'T2', [person('sara', 'Sara')]),
      session('77777777-0000-4000-8000-000000000003', 'T3', [person('omar', 'Omar')]),
    ]);
    expect(plain(labels)).toEqual({
      '1a2b3c4d-0000-4000-8000-000000000001': { title: 'Sara', qualifier: 'Booking b00c1e', shortQualifier: 'Booking b00c1e' },
      '77777777-0000-4000-8000-000000000003': { title: 'Omar', qualifier: null, shortQualifier: null },
      '9f8e7d6c-0000-4000-8000-000000000002': { title: 'Sara', qualifier: 'support #9f8e7d', shortQualifier: '#9f8e7d' },
    });
  });

  it('hands out the same view, with the same label objects, while a message changes nobody in the list', () => {
    const labeler = new SessionLabeler(SELF, WORDS);
    const list = [session('a', '2026-12-01T10:00:02Z', [person('sara', 'Sara')]), session('b', '2026-12-01T10:00:01Z', [person('omar', 'Omar')])];
    const before = labeler.label(list);
    const label = before.get('b');
    const after = labeler.label(mergeSession(list, 'b', structuredClone({ ...list[1]!, lastMessageAt: '2026-12-01T10:00:03Z', unreadCount: 2 })));
    expect(after).toBe(before);
    expect(after.get('b')).toBe(label);
  });

  it('labels a session that comes, drops one that goes, and qualifies again the titles they share', () => {
    const labeler = new SessionLabeler(SELF, WORDS);
    const first = labeler.label([session('aaaaaa01', 'T1', [person('sara', 'Sara')])]);
    expect(first.get('aaaaaa01')).toEqual({ title: 'Sara', qualifier: null, shortQualifier: null });
    const both = labeler.label([session('bbbbbb02', 'T2', [person('sara', 'Sara')]), session('aaaaaa01', 'T1', [person('sara', 'Sara')])]);
    expect(both).not.toBe(first);
    expect(both.get('aaaaaa01')?.qualifier).toBe('#aaaaaa');
    const alone = labeler.label([session('bbbbbb02', 'T2', [person('sara', 'Sara')])]);
    expect(alone.has('aaaaaa01')).toBe(false);
    expect(alone.get('bbbbbb02')).toEqual({ title: 'Sara', qualifier: null, shortQualifier: null });
  });

  it('gives after any run of changes the labels a new labeler gives for the same list', () => {
    // Random lists of sessions among a few names (so titles collide), types and bookings; each step one list.
    const random = seededRandom(7);
    const names = ['Sara', 'Omar', 'Huda', ''];
    const make = (i: number): ChatSession =>
      session(`s${String(i).padStart(5, '0')}`, `2026-12-01T10:00:${String(random(60)).padStart(2, '0')}Z`, random(4) === 0 ? [] : [person(`p${random(6)}`, names[random(4)]!)], {
        type: random(3) === 0 ? 'booking' : 'support',
        bookingId: random(3) === 0 ? `b${random(9)}00000-0000-4000-8000-000000000000` : null,
      });
    const labeler = new SessionLabeler(SELF, WORDS);
    let list: ChatSession[] = [];
    for (let step = 0; step < 300; step++) {
      const change = random(4);
      if (change === 0 && list.length > 0) list = list.filter((_, i) => i !== random(list.length));
      else if (change === 1 && list.length > 0) {
        const i = random(list.length);
        list = list.map((s, j) => (j === i ? make(Number(s.id.slice(1))) : s)); // someone else in it, or a new booking
      } else list = [...list, make(random(40))].filter((s, i, all) => all.findIndex((t) => t.id === s.id) === i);
      expect(plain(labeler.label(list))).toEqual(plain(new SessionLabeler(SELF, WORDS).label(list)));
    }
  });
});

describe('labels and people read from what each push changed', () => {
  it('give, after any run of pushes and trims, what labelling and learning every list whole gives', () => {
    // The lists as the workspace makes them: a batch of pushed rows (some removals) merged in, then held to a maximum.
    const random = seededRandom(11);
    // One name per person (two people share one, so titles collide), or none where the profile is not revealed.
    const names = ['Sara', 'Omar', 'Huda', 'Sara'];
    const someone = (k: number) => person(`p${k}`, random(4) === 0 ? '' : names[k % names.length]!);
    const make = (i: number, step: number): ChatSession =>
      session(`s${String(i).padStart(5, '0')}`, new Date(Date.UTC(2026, 11, 1, 10, 0, 0, step * 10 + random(10))).toISOString(),
        random(5) === 0 ? [] : [someone(random(8))], {
          type: random(3) === 0 ? 'booking' : 'support',
          bookingId: random(4) === 0 ? `b${random(9)}00000-0000-4000-8000-000000000000` : null,
        });
    const labeler = new SessionLabeler(SELF, WORDS);
    const directory = new PeopleDirectory(SELF, { id: SELF, displayName: 'Me', role: 'monitor' }, [], []);
    const wholeDirectory = new PeopleDirectory(SELF, { id: SELF, displayName: 'Me', role: 'monitor' }, [], []);
    let list: ChatSession[] = [];
    let readFromChange = 0;
    for (let step = 0; step < 400; step++) {
      const before = list;
      const batch: { sessionId: string; session: ChatSession | null }[] = [];
      for (let k = 1 + random(3); k > 0; k--) {
        const id = `s${String(random(60)).padStart(5, '0')}`;
        const known = list.find((s) => s.id === id);
        // the same people as before most of the time (the row only moved), sometimes someone else or a removal
        const row = random(6) === 0 ? null : known && random(3) > 0 ? { ...known, lastMessageAt: make(0, step).lastMessageAt } : make(Number(id.slice(1)), step);
        batch.push({ sessionId: id, session: row });
      }
      list = applyPushes(list, batch, 25, new Set(random(2) ? [list[list.length - 1]?.id ?? ''] : []));
      if (listChange(list)?.from === before) readFromChange++;
      expect(plain(labeler.label(list))).toEqual(plain(new SessionLabeler(SELF, WORDS).label(list)));
      expect(plain(directory.learn(list))).toEqual(plain(wholeDirectory.learn([...list])));
    }
    expect(readFromChange).toBeGreaterThan(350);
  });
});

describe('the people directory', () => {
  const self: Person = { id: SELF, displayName: 'Me', role: 'monitor' };

  it('prefers the session names to the accounts list, the accounts list to what was remembered, and the user to all', () => {
    const directory = new PeopleDirectory(SELF, self, [{ id: 'sara', displayName: 'Sara (remembered)', role: 'client' }, { id: 'huda', displayName: 'Huda', role: 'reader' }], [
      { id: 'sara', displayName: 'Sara (listed)', role: 'client' },
      { id: 'omar', displayName: 'Omar (listed)', role: 'client' },
    ]);
    const people = directory.learn([session('a', 'T', [person('omar', 'Omar'), person('x', ''), { ...person(SELF, 'Someone else') }])]);
    expect(people.get('sara')?.displayName).toBe('Sara (listed)');
    expect(people.get('omar')?.displayName).toBe('Omar');
    expect(people.get('huda')?.displayName).toBe('Huda');
    expect(people.get('x')?.displayName).toBe('');
    expect(people.get(SELF)).toBe(self);
  });

  it('keeps a name it knows when a session gives none, and takes a new name when one gives it', () => {
    const directory = new PeopleDirectory(SELF, self, [], []);
    directory.learn([session('a', 'T', [person('omar', 'Omar')])]);
    expect(directory.learn([session('b', 'T', [person('omar', '')])]).get('omar')?.displayName).toBe('Omar');
    expect(directory.learn([session('c', 'T', [person('omar', 'Omar K.')])]).get('omar')?.displayName).toBe('Omar K.');
  });

  it('hands out the same view while the sessions bring nobody new, and a new one (with the old entries kept) when they do', () => {
    const directory = new PeopleDirectory(SELF, self, [], []);
    const list = [session('a', 'T1', [person('sara', 'Sara')])];
    const first = directory.learn(list);
    const sara = first.get('sara');
    expect(directory.learn(mergeSession(list, 'a', structuredClone({ ...list[0]!, unreadCount: 3 })))).toBe(first);
    const next = directory.learn([session('b', 'T2', [person('sara', 'Sara'), person('omar', 'Omar')])]);
    expect(next).not.toBe(first);
    expect(next.get('sara')).toBe(sara);
    expect([...next.keys()].sort()).toEqual(['omar', 'sara', SELF].sort());
  });
});
