import type { ChatSession, Profile } from '../../shared/ipc/contract';

/** Someone the console can name or pick: learned from session participants and from accounts created here. */
export interface Person {
  id: string;
  displayName: string;
  role: Profile['role'];
}

const key = (ownerId: string) => `samia.directory.${ownerId}`;

/**
 * Accounts created from this console (ids and names only, no credentials), remembered so a picker shows them
 * at once; accounts.list, the people met in sessions and this list are merged by buildDirectory.
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

export function buildDirectory(ownerId: string, sessions: readonly ChatSession[], self: Profile, listed: readonly Person[] = []): Map<string, Person> {
  const people = new Map<string, Person>();
  for (const p of rememberedPeople(ownerId)) people.set(p.id, p);
  // What the backend lists (accounts.list: readers for everyone, everyone for staff) wins over what was remembered.
  for (const p of listed) people.set(p.id, p);
  for (const s of sessions)
    for (const p of s.participants) {
      // A participant whose profile the backend did not reveal comes with an empty name: keep what we know.
      if (p.displayName || !people.has(p.userId)) people.set(p.userId, { id: p.userId, displayName: p.displayName, role: p.role });
    }
  people.set(self.id, { id: self.id, displayName: self.displayName, role: self.role });
  return people;
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

/**
 * Titles that tell sessions apart: two conversations with "Sara Client" read "Sara Client · Booking 1a2b3c" and
 * "Sara Client · Support #9f8e7d". The qualifier is added only where titles collide, so most rows stay short.
 */
export function sessionLabels(
  sessions: readonly ChatSession[],
  selfId: string,
  words: { untitled: string; role(role: RoleInSession): string; type(type: ChatSession['type']): string; booking(shortId: string): string },
  /** Titles already made for these participants (the same array while nobody joined or was renamed), by the caller
   *  that keeps them for one user and one language. */
  titled?: WeakMap<ChatSession['participants'], string>,
): Map<string, SessionLabel> {
  const titleOf = (s: ChatSession) => {
    let title = titled?.get(s.participants);
    if (title === undefined) {
      title = sessionTitle(s, selfId, words.untitled, words.role);
      titled?.set(s.participants, title);
    }
    return title;
  };
  const groups = new Map<string, ChatSession[]>();
  for (const s of sessions) {
    const title = titleOf(s);
    const group = groups.get(title);
    if (group) group.push(s);
    else groups.set(title, [s]);
  }
  const labels = new Map<string, SessionLabel>();
  for (const [title, group] of groups) {
    const typesDiffer = new Set(group.map((s) => s.type)).size > 1;
    for (const s of group) {
      if (group.length === 1) {
        labels.set(s.id, { title, qualifier: null, shortQualifier: null });
        continue;
      }
      const id = s.bookingId ? words.booking(shortId(s.bookingId)) : `#${shortId(s.id)}`;
      labels.set(s.id, { title, qualifier: typesDiffer && !s.bookingId ? `${words.type(s.type)} ${id}` : id, shortQualifier: id });
    }
  }
  return labels;
}

/** The directory as seen from one session: unnamed participants are called by their part in it. */
export function withSessionRoles(people: Map<string, Person>, session: ChatSession | null, label: (role: RoleInSession) => string): Map<string, Person> {
  if (!session || session.participants.every((p) => p.displayName)) return people;
  const named = new Map(people);
  for (const p of session.participants) {
    if (!named.get(p.userId)?.displayName) named.set(p.userId, { id: p.userId, displayName: label(p.roleInSession), role: p.role });
  }
  return named;
}

export const isStaff = (role: Profile['role']) => role === 'monitor' || role === 'admin' || role === 'super_admin';
