import type { ChatMessage, ChatSession } from '../../shared/ipc/contract';

/**
 * What the sender can know about one of their messages. The backend records read positions
 * (participants' lastReadAt), not per-device delivery, so between "sent" and "read" the only honest
 * middle state is "read by some of the others".
 */
export type Receipt =
  | { state: 'sent' }
  | { state: 'partial'; readers: number; of: number }
  | { state: 'read'; readAt: string };

const shownFor: ReadonlySet<ChatMessage['status']> = new Set(['sent', 'approved']);

/** null when a receipt makes no sense: someone else's message, one not visible to the others yet, or nobody else there. */
export function receiptFor(message: ChatMessage, session: ChatSession | null, selfId: string): Receipt | null {
  if (!session || message.senderId !== selfId || !shownFor.has(message.status)) return null;
  if (message.type === 'system' || message.type === 'emergency') return null;
  const others = session.participants.filter((p) => p.userId !== selfId);
  if (others.length === 0) return null;
  const sentAt = Date.parse(message.createdAt);
  const readTimes = others.map((p) => (p.lastReadAt ? Date.parse(p.lastReadAt) : Number.NaN)).filter((at) => at >= sentAt);
  if (readTimes.length === others.length) return { state: 'read', readAt: new Date(Math.max(...readTimes)).toISOString() };
  if (readTimes.length > 0) return { state: 'partial', readers: readTimes.length, of: others.length };
  return { state: 'sent' };
}
