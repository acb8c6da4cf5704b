import type { ChatSession } from '../../src/shared/ipc/contract';

/** A support session's row as the contract carries it, nobody in it, with the activity times a list orders by. */
export const sessionRow = (id: string, lastMessageAt: string | null, createdAt = '2026-12-01T08:00:00Z'): ChatSession => ({
  id,
  type: 'support',
  status: 'active',
  bookingId: null,
  lastMessageAt,
  createdAt,
  unreadCount: 0,
  lastReadAt: null,
  lastMessage: null,
  participants: [],
});
