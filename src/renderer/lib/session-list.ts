import type { ChatSession } from '../../shared/ipc/contract';

/** The list's order, as list_sessions gives it: latest activity first, then id (descending). */
const activity = (s: ChatSession) => s.lastMessageAt ?? s.createdAt;

function comesBefore(a: ChatSession, b: ChatSession): boolean {
  const x = activity(a);
  const y = activity(b);
  // ISO timestamps of one zone compare as text once their fractions have the same length.
  const fx = x.replace(/(\.\d+)?Z$/, (_, f: string | undefined) => `${(f ?? '.').padEnd(7, '0')}Z`);
  const fy = y.replace(/(\.\d+)?Z$/, (_, f: string | undefined) => `${(f ?? '.').padEnd(7, '0')}Z`);
  return fx !== fy ? fx > fy : a.id > b.id;
}

/**
 * Merges one pushed session into the list (null: the user may no longer see it) without re-sorting the rest:
 * the work per pushed change stays the same however many sessions a staff console follows.
 */
export function mergeSession(list: readonly ChatSession[], sessionId: string, session: ChatSession | null): ChatSession[] {
  const next = list.filter((s) => s.id !== sessionId);
  if (!session) return next;
  let low = 0;
  let high = next.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (comesBefore(next[mid]!, session)) low = mid + 1;
    else high = mid;
  }
  next.splice(low, 0, session);
  return next;
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
