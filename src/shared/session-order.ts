import { compareTimestamps } from './timestamps';

/** What orders the session list (list_sessions' order): latest activity first, then id, descending. */
export interface OrderedSession {
  id: string;
  lastMessageAt: string | null;
  createdAt: string;
}

const activity = (s: OrderedSession) => s.lastMessageAt ?? s.createdAt;

/** True when `a` is listed above `b`. */
export function sessionComesBefore(a: OrderedSession, b: OrderedSession): boolean {
  const order = compareTimestamps(activity(a), activity(b));
  return order !== 0 ? order > 0 : a.id > b.id;
}

/** A comparator for Array.prototype.sort giving the list's order. */
export const bySessionListOrder = (a: OrderedSession, b: OrderedSession): number =>
  sessionComesBefore(a, b) ? -1 : sessionComesBefore(b, a) ? 1 : 0;
