import type { ChatSession, SessionTriage } from '../../shared/ipc/contract';
import { comesBefore } from '../../shared/session-order';

/**
 * How a list made by applyPushes differs from the list it was made from (`from`): the rows that came or changed, by
 * id, and the ids of those that left. What is worked out from every session of the list (the directory's people, the
 * titles) is then worked out again for these only, by whoever still holds what it made of `from`: a message costs the
 * same there whether the list holds a hundred sessions or five hundred. A list made any other way has none: derive
 * from all of it.
 */
export interface ListChange {
  readonly from: readonly ChatSession[];
  readonly came: ReadonlyMap<string, ChatSession>;
  readonly left: ReadonlySet<string>;
}

const listChanges = new WeakMap<readonly ChatSession[], ListChange>();

/** The change applyPushes made `list` by, from the list before it. */
export function listChange(list: readonly ChatSession[]): ListChange | undefined {
  return listChanges.get(list);
}

/** What a batch has changed so far, as applyPushes passes it to mergeSession and keepMostRecent. */
interface Changing {
  came: Map<string, ChatSession>;
  left: Set<string>;
}

function cameIn(change: Changing | undefined, session: ChatSession) {
  change?.left.delete(session.id);
  change?.came.set(session.id, session);
}

function leftOut(change: Changing | undefined, id: string) {
  change?.came.delete(id);
  change?.left.add(id);
}

/** A value worked out from each row (its id, when its client's wait began), kept beside a list in the list's order. */
export interface RowColumn<T> {
  readonly of: (session: ChatSession) => T;
}

export const defineColumn = <T>(of: (session: ChatSession) => T): RowColumn<T> => ({ of });

/**
 * Each list's columns: made once for a list that came from elsewhere, then carried through its merges and trims, which
 * work out the rows that come only. What is read from every row for every message is then a pass over an array of
 * plain values: a pass over the rows themselves reads properties of objects of many shapes (rows differ in what they
 * carry), which in the page costs several times as much, in proportion to the list's length.
 */
const listColumns = new WeakMap<readonly ChatSession[], Map<RowColumn<unknown>, unknown[]>>();

/** The column's values for the list, one per row in the list's order. */
export function column<T>(list: readonly ChatSession[], c: RowColumn<T>): readonly T[] {
  let columns = listColumns.get(list);
  if (!columns) {
    columns = new Map();
    listColumns.set(list, columns);
  }
  let values = columns.get(c);
  if (!values) {
    values = list.map(c.of);
    columns.set(c, values);
  }
  return values as T[];
}

/** A copy of a list to splice, with copies of its columns (the ids among them) spliced alike: they stay its columns. */
interface ListCopy {
  readonly rows: ChatSession[];
  readonly columns: Map<RowColumn<unknown>, unknown[]>;
}

function copyList(list: readonly ChatSession[]): ListCopy {
  column(list, SESSION_ID);
  const columns = new Map<RowColumn<unknown>, unknown[]>();
  for (const [c, values] of listColumns.get(list)!) columns.set(c, values.slice());
  const rows = list.slice();
  listColumns.set(rows, columns);
  return { rows, columns };
}

function removeRow({ rows, columns }: ListCopy, index: number) {
  rows.splice(index, 1);
  for (const values of columns.values()) values.splice(index, 1);
}

function insertRow({ rows, columns }: ListCopy, index: number, session: ChatSession) {
  rows.splice(index, 0, session);
  for (const [c, values] of columns) values.splice(index, 0, c.of(session));
}

const SESSION_ID = defineColumn((s) => s.id);
const IS_EMERGENCY = defineColumn((s) => s.type === 'emergency');

/** The list's session with this id, if it holds one. */
export function findSession(list: readonly ChatSession[], sessionId: string): ChatSession | undefined {
  const index = column(list, SESSION_ID).indexOf(sessionId);
  return index < 0 ? undefined : list[index];
}

/**
 * The list after one batch of pushes (each merged by mergeSession, in order), held to `max` sessions (keepMostRecent):
 * one change from `list`, which listChange tells.
 */
export function applyPushes(
  list: ChatSession[],
  pushes: readonly { sessionId: string; session: ChatSession | null }[],
  max: number,
  kept: ReadonlySet<string>,
): ChatSession[] {
  const change: Changing = { came: new Map(), left: new Set() };
  const merged = pushes.reduce((next, p) => mergeSession(next, p.sessionId, p.session, change), list);
  const next = keepMostRecent(merged, max, kept, change);
  if (next !== list) listChanges.set(next, { from: list, ...change });
  return next;
}

/**
 * Merges one pushed session into the list (null: the user may no longer see it) without re-sorting the rest:
 * the work per pushed change stays the same however many sessions a staff console follows.
 */
export function mergeSession(list: readonly ChatSession[], sessionId: string, pushed: ChatSession | null, change?: Changing): ChatSession[] {
  const index = column(list, SESSION_ID).indexOf(sessionId);
  const previous = index < 0 ? undefined : list[index];
  const copy = copyList(list);
  const next = copy.rows;
  if (index >= 0) removeRow(copy, index);
  leftOut(change, sessionId);
  if (!pushed) return next;
  // Who is in the session rarely changes with its row: the same participants stay the same array, so what depends
  // only on them (the directory, the titles) is not worked out again for every message.
  const session = previous && sameParticipants(previous.participants, pushed.participants) ? { ...pushed, participants: previous.participants } : pushed;
  let low = 0;
  let high = next.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comesBefore(next[mid]!, session)) low = mid + 1;
    else high = mid;
  }
  insertRow(copy, low, session);
  cameIn(change, session);
  return next;
}

/**
 * The list after pushes, held to `max` sessions as the list at sign-in is (SESSION_LIST_MAX): a staff console hears of
 * every session of the platform, and a list that kept them all would make every message cost more as the day goes
 * on. The least recently active go first; open conversations and active emergencies stay whatever their age.
 */
export function keepMostRecent(list: ChatSession[], max: number, kept: ReadonlySet<string>, change?: Changing): ChatSession[] {
  if (list.length <= max) return list;
  let over = list.length - max;
  let copy: ListCopy | null = null;
  for (let i = list.length - 1; i >= 0 && over > 0; i--) {
    const s = list[i]!;
    if (kept.has(s.id) || (s.type === 'emergency' && s.status === 'active')) continue;
    copy ??= copyList(list);
    removeRow(copy, i); // from the end: the indices still to look at do not move
    leftOut(change, s.id);
    over--;
  }
  return copy?.rows ?? list;
}

function sameParticipants(a: ChatSession['participants'], b: ChatSession['participants']): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i]!;
      return (
        p.userId === q.userId &&
        p.displayName === q.displayName &&
        p.role === q.role &&
        p.roleInSession === q.roleInSession &&
        p.availability === q.availability &&
        p.lastReadAt === q.lastReadAt
      );
    })
  );
}

/**
 * Emergencies first, the rest as the list holds them (mergeSession keeps it in list_sessions' order): no sort per
 * message. A list without emergencies is its own order, with its columns.
 */
export function emergenciesFirst(list: readonly ChatSession[]): readonly ChatSession[] {
  if (!column(list, IS_EMERGENCY).includes(true)) return list;
  return [...list.filter((s) => s.type === 'emergency'), ...list.filter((s) => s.type !== 'emergency')];
}

/**
 * Someone's presence changed (presence.changed): every session listing them shows it. The list is returned as it was
 * when nobody in it changed, so nothing re-renders for a person the user does not see.
 */
export function applyPresence(list: ChatSession[], userId: string, availability: ChatSession['participants'][number]['availability']): ChatSession[] {
  let changed = false;
  const next = list.map((s) => {
    if (!s.participants.some((p) => p.userId === userId && p.availability !== availability)) return s;
    changed = true;
    return { ...s, participants: s.participants.map((p) => (p.userId === userId ? { ...p, availability } : p)) };
  });
  return changed ? next : list;
}

// ---- triage (the user's own: muted, snoozed, marked unread) ----

/** Snoozed now: until a time still to come, or until the client writes. */
export function isSnoozed(entry: SessionTriage | undefined, now: number): boolean {
  if (!entry) return false;
  return entry.snoozedUntilReply || (entry.snoozedUntil !== null && Date.parse(entry.snoozedUntil) > now);
}

/**
 * The list as the sidebar shows it: snoozed sessions leave the list for their own group (in the same order) until
 * their snooze ends; emergencies are never put away.
 */
export function splitByTriage(
  sessions: readonly ChatSession[],
  triage: ReadonlyMap<string, SessionTriage>,
  now: number,
): { listed: readonly ChatSession[]; snoozed: ChatSession[] } {
  // Most of the time nothing is snoozed: the list is then shown as it is (with its columns), and no row is read.
  if (![...triage.values()].some((entry) => isSnoozed(entry, now))) return { listed: sessions, snoozed: [] };
  const listed: ChatSession[] = [];
  const snoozed: ChatSession[] = [];
  for (const session of sessions) {
    if (session.type !== 'emergency' && isSnoozed(triage.get(session.id), now)) snoozed.push(session);
    else listed.push(session);
  }
  return { listed, snoozed };
}

/** When the snooze choices end, from `now` in the user's local time: in an hour, tomorrow at 09:00. */
export function snoozeChoices(now: Date): { hour: string; tomorrow: string } {
  const tomorrow = new Date(now);
  tomorrow.setDate(tomorrow.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  return { hour: new Date(now.getTime() + 3_600_000).toISOString(), tomorrow: tomorrow.toISOString() };
}
