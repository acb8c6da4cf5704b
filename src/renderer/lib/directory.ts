import type { ChatSession, Profile } from '../../shared/ipc/contract';
import { MapView } from './map-view';
import { listChange } from './session-list';

/** Someone the console can name or pick: learned from session participants and from accounts created here. */
export interface Person {
  id: string;
  displayName: string;
  role: Profile['role'];
}

const key = (ownerId: string) => `samia.directory.${ownerId}`;

/**
 * Accounts created from this console (ids and names only, no credentials), remembered so a picker shows them
 * at once; accounts.list, the people met in sessions and this list are merged by PeopleDirectory.
 */
export function rememberedPeople(ownerId: string): Person[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(key(ownerId)) ?? '[]');
    return Array.isArray(parsed) ? (parsed as Person[]).filter((p) => typeof p?.id === 'string' && typeof p.displayName === 'string') : [];
  } catch {
    return [];
  }
}

export function rememberPerson(ownerId: string, person: Person) {
  const people = rememberedPeople(ownerId).filter((p) => p.id !== person.id);
  people.push(person);
  localStorage.setItem(key(ownerId), JSON.stringify(people));
}

/**
 * Everyone the console can name: remembered accounts, then what accounts.list gives, then the people met in sessions
 * (their names as the backend gives them now), then the user. Made once per user and accounts list; the sessions are
 * learned as they come (`learn`), each participants array once, and a list made by a batch of pushes only for the rows
 * that came (listChange), so a message costs nothing here unless it brings someone new or renamed, however long the
 * list. People met in a session stay known after it leaves the list.
 */
export class PeopleDirectory {
  private readonly people = new Map<string, Person>();
  private readonly learned = new WeakSet<ChatSession['participants']>();
  private view: ReadonlyMap<string, Person>;
  /** The list last learned: a list made from it by a push brings only the rows its change says came. */
  private lastList: readonly ChatSession[] | null = null;

  constructor(private readonly selfId: string, self: Person, remembered: readonly Person[], listed: readonly Person[]) {
    for (const p of remembered) this.people.set(p.id, p);
    // What the backend lists (accounts.list: readers for everyone, everyone for staff) wins over what was remembered.
    for (const p of listed) this.people.set(p.id, p);
    this.people.set(selfId, self);
    this.view = new MapView(this.people);
  }

  /** The directory once these sessions' participants are known: the same view unless someone was added or renamed. */
  learn(sessions: readonly ChatSession[]): ReadonlyMap<string, Person> {
    const change = listChange(sessions);
    const rows = change && change.from === this.lastList ? change.came.values() : sessions;
    this.lastList = sessions;
    let changed = false;
    for (const s of rows) {
      if (this.learned.has(s.participants)) continue;
      this.learned.add(s.participants);
      for (const p of s.participants) {
        if (p.userId === this.selfId) continue;
        const known = this.people.get(p.userId);
        // A participant whose profile the backend did not reveal comes with an empty name: keep what we know.
        if (known && (!p.displayName || (known.displayName === p.displayName && known.role === p.role))) continue;
        this.people.set(p.userId, { id: p.userId, displayName: p.displayName, role: p.role });
        changed = true;
      }
    }
    if (changed) this.view = new MapView(this.people);
    return this.view;
  }
}

export type RoleInSession = ChatSession['participants'][number]['roleInSession'];

/** The other participants' names; by their part in the session where the backend gives no name. */
export function sessionTitle(session: ChatSession, selfId: string, fallback: string, roleLabel?: (role: RoleInSession) => string): string {
  const others = session.participants
    .filter((p) => p.userId !== selfId)
    .map((p) => p.displayName || (roleLabel ? roleLabel(p.roleInSession) : ''))
    .filter(Boolean);
  return others.length > 0 ? [...new Set(others)].join(', ') : fallback;
}

export interface SessionLabel {
  /** The other participants' names (sessionTitle). */
  title: string;
  /** Only when another listed session has the same title: what tells them apart (booking, type, short id). */
  qualifier: string | null;
  /** The same without the type, for places that show the type next to it anyway (the session list). */
  shortQualifier: string | null;
}

export const shortId = (id: string) => id.replace(/-/g, '').slice(0, 6);

export interface LabelWords {
  untitled: string;
  role(role: RoleInSession): string;
  type(type: ChatSession['type']): string;
  booking(shortId: string): string;
}

/**
 * Titles that tell sessions apart: two conversations with "Sara Client" read "Sara Client · Booking 1a2b3c" and
 * "Sara Client · Support #9f8e7d". The qualifier is added only where titles collide among the sessions listed, so
 * most rows stay short. One labeler per user and language; `label` takes each new list and works out again only the
 * titles of the sessions that came, went, or changed who is in them (and of those sharing their title). A list made
 * by a batch of pushes from the one labelled last is read from its change (listChange), not walked, so a message
 * costs the same however many sessions are listed.
 */
export class SessionLabeler {
  /** What each listed session's label is made of (its id is the key), and the pass that last saw it. */
  private readonly listed = new Map<string, { participants: ChatSession['participants']; type: ChatSession['type']; bookingId: string | null; title: string; pass: number }>();
  private readonly byTitle = new Map<string, Set<string>>();
  private readonly labels = new Map<string, SessionLabel>();
  private view: ReadonlyMap<string, SessionLabel> = new MapView(this.labels);
  private pass = 0;
  /** The list last labelled: a list made from it by a push is labelled from its change alone. */
  private lastList: readonly ChatSession[] | null = null;

  constructor(
    private readonly selfId: string,
    private readonly words: LabelWords,
  ) {}

  /** The labels of exactly these sessions: the same view while none of them changed. */
  label(sessions: readonly ChatSession[]): ReadonlyMap<string, SessionLabel> {
    const change = listChange(sessions);
    const fromLast = change !== undefined && change.from === this.lastList;
    this.lastList = sessions;
    const touched = new Set<string>();
    if (fromLast) {
      // Only what the push changed: the rows that came, and the ids that left the list.
      for (const id of change.left) {
        const entry = this.listed.get(id);
        if (!entry) continue;
        this.listed.delete(id);
        this.leave(entry.title, id, touched);
      }
      for (const s of change.came.values()) this.place(s, this.pass, touched);
    } else {
      const pass = ++this.pass;
      let seen = 0;
      for (const s of sessions) {
        if (this.listed.get(s.id)?.pass === pass) continue; // listed twice: labelled once
        seen++;
        this.place(s, pass, touched);
      }
      if (this.listed.size > seen) {
        for (const [id, entry] of this.listed) {
          if (entry.pass === pass) continue;
          this.listed.delete(id);
          this.leave(entry.title, id, touched);
        }
      }
    }
    let changed = false;
    for (const title of touched) if (this.relabel(title)) changed = true;
    if (changed) this.view = new MapView(this.labels);
    return this.view;
  }

  /** Files a listed session under its title (worked out again only when who is in it, its type or its booking changed). */
  private place(s: ChatSession, pass: number, touched: Set<string>) {
    const entry = this.listed.get(s.id);
    if (entry && entry.participants === s.participants && entry.type === s.type && entry.bookingId === s.bookingId) {
      entry.pass = pass;
      return;
    }
    const title = sessionTitle(s, this.selfId, this.words.untitled, this.words.role);
    if (entry) this.leave(entry.title, s.id, touched);
    this.listed.set(s.id, { participants: s.participants, type: s.type, bookingId: s.bookingId, title, pass });
    let group = this.byTitle.get(title);
    if (!group) this.byTitle.set(title, (group = new Set()));
    group.add(s.id);
    touched.add(title);
  }

  private leave(title: string, id: string, touched: Set<string>) {
    const group = this.byTitle.get(title);
    group?.delete(id);
    if (group?.size === 0) this.byTitle.delete(title);
    touched.add(title);
    this.labels.delete(id);
  }

  /** Labels again the sessions with this title; whether any label changed (or was removed). */
  private relabel(title: string): boolean {
    const group = this.byTitle.get(title);
    if (!group) return true;
    const sessions = [...group].map((id) => ({ id, ...this.listed.get(id)! }));
    const typesDiffer = new Set(sessions.map((s) => s.type)).size > 1;
    let changed = false;
    for (const s of sessions) {
      let next: SessionLabel;
      if (sessions.length === 1) next = { title, qualifier: null, shortQualifier: null };
      else {
        const id = s.bookingId ? this.words.booking(shortId(s.bookingId)) : `#${shortId(s.id)}`;
        next = { title, qualifier: typesDiffer && !s.bookingId ? `${this.words.type(s.type)} ${id}` : id, shortQualifier: id };
      }
      const before = this.labels.get(s.id);
      if (before && before.title === next.title && before.qualifier === next.qualifier && before.shortQualifier === next.shortQualifier) continue;
      this.labels.set(s.id, next);
      changed = true;
    }
    return changed;
  }
}

/** The directory as seen from one session: unnamed participants are called by their part in it. */
export function withSessionRoles(people: ReadonlyMap<string, Person>, session: ChatSession | null, label: (role: RoleInSession) => string): ReadonlyMap<string, Person> {
  if (!session || session.participants.every((p) => p.displayName)) return people;
  const named = new Map(people);
  for (const p of session.participants) {
    if (!named.get(p.userId)?.displayName) named.set(p.userId, { id: p.userId, displayName: label(p.roleInSession), role: p.role });
  }
  return named;
}

export const isStaff = (role: Profile['role']) => role === 'monitor' || role === 'admin' || role === 'super_admin';
