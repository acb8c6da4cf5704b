import type { ChatMessage, OutboxItem } from '../../shared/ipc/contract';

/** One row of a session's timeline: a server message, or an outbox entry not yet confirmed by the server. */
export type TimelineItem =
  | { kind: 'message'; key: string; message: ChatMessage }
  | { kind: 'pending'; key: string; entry: OutboxItem };

const byTime = (a: ChatMessage, b: ChatMessage) =>
  a.createdAt === b.createdAt ? (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) : a.createdAt < b.createdAt ? -1 : 1;

/** Merges server messages by id (the newer copy wins), oldest first. */
export function mergeMessages(current: readonly ChatMessage[], incoming: readonly ChatMessage[], sessionId: string): ChatMessage[] {
  if (incoming.length === 0) return current as ChatMessage[];
  const byId = new Map(current.map((m) => [m.id, m]));
  let changed = false;
  for (const m of incoming) {
    if (m.sessionId !== sessionId) continue;
    const previous = byId.get(m.id);
    if (previous && JSON.stringify(previous) === JSON.stringify(m)) continue;
    byId.set(m.id, m);
    changed = true;
  }
  if (!changed) return current as ChatMessage[];
  return [...byId.values()].sort(byTime);
}

/** Applies an outbox event to the pending list of a session (message jobs only). */
export function applyOutboxChange(
  pending: readonly OutboxItem[],
  change: { entry: OutboxItem | null; clientMessageId: string; state: string },
  sessionId: string,
): OutboxItem[] {
  const rest = pending.filter((p) => p.clientMessageId !== change.clientMessageId);
  if (change.state === 'cancelled' || !change.entry) return rest;
  if (change.entry.job !== 'message' || change.entry.sessionId !== sessionId) return rest.length === pending.length ? (pending as OutboxItem[]) : rest;
  return [...rest, change.entry].sort((a, b) => a.createdAt - b.createdAt);
}

/**
 * The rows to show: server messages first (oldest first), then what is still in the outbox. An outbox
 * entry disappears as soon as the server copy with its client message id is here, so nothing shows twice.
 */
export function buildTimeline(messages: readonly ChatMessage[], pending: readonly OutboxItem[]): TimelineItem[] {
  const confirmed = new Set<string>();
  for (const m of messages) if (m.clientMessageId) confirmed.add(m.clientMessageId);
  const rows: TimelineItem[] = messages.map((message) => ({ kind: 'message', key: message.id, message }));
  for (const entry of pending) {
    if (confirmed.has(entry.clientMessageId) || (entry.serverMessageId && messages.some((m) => m.id === entry.serverMessageId))) continue;
    rows.push({ kind: 'pending', key: `pending:${entry.clientMessageId}`, entry });
  }
  return rows;
}
