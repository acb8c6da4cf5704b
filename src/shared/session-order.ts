import type { ChatSession } from './ipc/contract';
import { compareTimestamps } from './timestamps';

/** When a session was last active: its last message, else its creation. */
const activity = (s: Pick<ChatSession, 'lastMessageAt' | 'createdAt'>) => s.lastMessageAt ?? s.createdAt;

/** The list's order, as list_sessions gives it: latest activity first, then id (descending). True when a goes first. */
export function comesBefore(a: ChatSession, b: ChatSession): boolean {
  const order = compareTimestamps(activity(a), activity(b));
  return order !== 0 ? order > 0 : a.id > b.id;
}

/**
 * The ids of the least recently active sessions that must go for at most `max` to stay, never one `kept` says stays
 * (those count towards `max` all the same). In no particular order.
 */
export function leastRecentBeyond(sessions: Iterable<ChatSession>, max: number, kept: (session: ChatSession) => boolean): string[] {
  const all = [...sessions];
  if (all.length <= max) return [];
  const candidates = all.filter((s) => !kept(s)).sort((a, b) => (comesBefore(a, b) ? -1 : 1));
  const keepCandidates = Math.max(0, max - (all.length - candidates.length));
  return candidates.slice(keepCandidates).map((s) => s.id);
}
