import type { ChatSession, SessionTriage } from '../../shared/ipc/contract';
import { comesBefore } from '../../shared/session-order';

/**
 * How a list was made from the one before it by a push (mergeSession) or a trim (keepMostRecent): the rows that came
 * or changed and the ids that left. What keeps state per session (the directory, the titles) looks at only these
 * instead of every row, so a message costs the same however many sessions are listed. Each record holds the list
 * before it; a chain is cut every MAX_CHAIN steps, so at most that many lists are kept alive, and a consumer that
 * fell further behind goes over the whole list once.
 */
interface Step {
  base: readonly ChatSession[] | null;
  depth: number;
  changed: readonly ChatSession[];
  removed: readonly string[];
  /** The list's rows by id, taken over by the next list made from it (then rebuilt if this list is used again). */
  byId: Map<string, ChatSession> | null;
}
const steps = new WeakMap<readonly ChatSession[], Step>();
const MAX_CHAIN = 32;

function rowsById(list: readonly ChatSession[]): Map<string, ChatSession> {
  const step = steps.get(list);
  if (step?.byId) return step.byId;
  const byId = new Map(list.map((s) => [s.id, s]));
  if (step) step.byId = byId;
  else steps.set(list, { base: null, depth: 0, changed: [], removed: [], byId });
  return byId;
}

/** Records `next` as made from `list`, handing it the rows by id (updated by the caller's `edit`). */
function record(list: readonly ChatSession[], next: readonly ChatSession[], changed: ChatSession[], removed: string[], edit: (byId: Map<string, ChatSession>) => void) {
  const byId = rowsById(list);
  const before = steps.get(list)!;
  before.byId = null;
  edit(byId);
  const chained = before.depth + 1 < MAX_CHAIN;
  steps.set(next, { base: chained ? list : null, depth: chained ? before.depth + 1 : 0, changed, removed, byId });
}

/**
 * What changed from `seen` to `list`, when `list` was made from it by pushes and trims (at most MAX_CHAIN steps):
 * the rows that came or changed (as `list` holds them) and the ids no longer listed. Null: look at every row.
 */
export function changesSince(list: readonly ChatSession[], seen: readonly ChatSession[] | null): { changed: ChatSession[]; removed: string[] } | null {
  if (seen === null) return null;
  if (list === seen) return { changed: [], removed: [] };
  const decided = new Set<string>();
  const changed: ChatSession[] = [];
  const removed: string[] = [];
  // Newest step first: the last word on each session is what the list holds now.
  for (let at: readonly ChatSession[] | null = list; at !== seen; ) {
    const step: Step | undefined = at ? steps.get(at) : undefined;
    if (!step?.base) return null;
    for (let i = step.changed.length - 1; i >= 0; i--) {
      const row = step.changed[i]!;
      if (decided.has(row.id)) continue;
      decided.add(row.id);
      changed.push(row);
    }
    for (const id of step.removed) {
      if (decided.has(id)) continue;
      decided.add(id);
      removed.push(id);
    }
    at = step.base;
  }
  return { changed, removed };
}

/** The first place in `list` (kept in comesBefore's order) whose row does not come before `row`, found by halving. */
function placeOf(list: readonly ChatSession[], row: ChatSession): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comesBefore(list[mid]!, row)) low = mid + 1;
    else high = mid;
  }
  return low;
}

/** Where `row` sits in `list`; -1 if it is not there. */
function indexOf(list: readonly ChatSession[], row: ChatSession): number {
  const at = placeOf(list, row);
  // A list in another order (none the backend gives) is searched row by row.
  return list[at] === row ? at : list.indexOf(row);
}

/**
 * Merges one pushed session into the list (null: the user may no longer see it) without re-sorting the rest or
 * looking at every row: the work per pushed change stays the same however many sessions a staff console follows.
 */
export function mergeSession(list: readonly ChatSession[], sessionId: string, pushed: ChatSession | null): ChatSession[] {
  const previous = rowsById(list).get(sessionId);
  const index = previous ? indexOf(list, previous) : -1;
  const next = list.slice();
  if (index >= 0) next.splice(index, 1);
  if (!pushed) {
    record(list, next, [], previous ? [sessionId] : [], (byId) => byId.delete(sessionId));
    return next;
  }
  // Who is in the session rarely changes with its row: the same participants stay the same array, so what depends
  // only on them (the directory, the titles) is not worked out again for every message.
  const session = previous && sameParticipants(previous.participants, pushed.participants) ? { ...pushed, participants: previous.participants } : pushed;
  next.splice(placeOf(next, session), 0, session);
  record(list, next, [session], [], (byId) => byId.set(sessionId, session));
  return next;
}

/**
 * The list after pushes, held to `max` sessions as the list at sign-in is (SESSION_LIST_MAX): a staff console hears of
 * every session of the platform, and a list that kept them all would make every message cost more as the day goes
 * on. The least recently active go first; open conversations and active emergencies stay whatever their age.
 */
export function keepMostRecent(list: ChatSession[], max: number, kept: ReadonlySet<string>): ChatSession[] {
  if (list.length <= max) return list;
  let over = list.length - max;
  let next: ChatSession[] | null = null;
  const removed: string[] = [];
  for (let i = list.length - 1; i >= 0 && over > 0; i--) {
    const s = list[i]!;
    if (kept.has(s.id) || (s.type === 'emergency' && s.status === 'active')) continue;
    next ??= list.slice();
    next.splice(i, 1); // from the end: the indices still to look at do not move
    removed.push(s.id);
    over--;
  }
  if (!next) return list;
  record(list, next, [], removed, (byId) => {
    for (const id of removed) byId.delete(id);
  });
  return next;
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

/** Emergencies first, the rest as the list holds them (mergeSession keeps it in list_sessions' order): no sort per message. */
export function emergenciesFirst(list: readonly ChatSession[]): ChatSession[] {
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
): { listed: ChatSession[]; snoozed: ChatSession[] } {
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
