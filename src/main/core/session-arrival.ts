import type { ChatMessage, ChatSession } from '../../shared/ipc/contract';
import { compareTimestamps } from '../../shared/timestamps';

/** How much of a text the session row previews (private.session_views: `left(m.body, 160)`, in characters). */
export const PREVIEW_CHARACTERS = 160;

// What send_message writes as plainly sent; notes, system lines and emergency markers follow rules of their own.
const PLAIN_TYPES: ReadonlySet<ChatMessage['type']> = new Set(['text', 'audio', 'image', 'file']);

/**
 * A session's row after a new message arrived in it, worked out here instead of fetched (get_session): a console
 * following thousands of busy sessions then spends no round trip and no server time per message. It follows the
 * rules of private.session_views for the one case that is common and fully known from the message itself: a new,
 * plainly sent message (not a note, a system line or a voice note in review) from a known participant, newer than
 * the row's last message. Anything else returns null and the caller fetches the row.
 *   - last message and its time: the new message (sessions.last_message_at moves forward only);
 *   - unread: one more for a participant, when someone else wrote after their last read;
 *   - waiting since: a client's message starts a wait if none runs; a reader's or staff member's answers it
 *     (only active sessions wait).
 * tests/unit/core/session-arrival.test.ts checks every case against the server's own get_session.
 */
export function sessionAfterArrival(session: ChatSession, message: ChatMessage, viewerId: string): ChatSession | null {
  if (message.sessionId !== session.id || message.status !== 'sent') return null;
  if (!PLAIN_TYPES.has(message.type)) return null;
  const sender = session.participants.find((p) => p.userId === message.senderId);
  if (!sender) return null;
  const last = session.lastMessage;
  // Older than what the row shows (delivered out of order, or already counted): only the server knows.
  if (last === undefined || (last && compareTimestamps(message.createdAt, last.createdAt) <= 0)) return null;
  if (session.waitingSince === undefined) return null;

  const viewer = session.participants.find((p) => p.userId === viewerId);
  const unreadCount =
    viewer && message.senderId !== viewerId && (session.lastReadAt === null || compareTimestamps(message.createdAt, session.lastReadAt) > 0)
      ? session.unreadCount + 1
      : session.unreadCount;
  const waitingSince =
    session.status !== 'active' ? null : sender.roleInSession === 'client' ? (session.waitingSince ?? message.createdAt) : null;
  const lastMessageAt =
    session.lastMessageAt === null || compareTimestamps(message.createdAt, session.lastMessageAt) > 0 ? message.createdAt : session.lastMessageAt;
  return {
    ...session,
    lastMessageAt,
    unreadCount,
    waitingSince,
    lastMessage: {
      id: message.id,
      type: message.type,
      preview: message.type === 'text' && message.body !== null ? [...message.body].slice(0, PREVIEW_CHARACTERS).join('') : null,
      senderId: sender.userId,
      createdAt: message.createdAt,
    },
  };
}

/**
 * A session's row after another participant's read receipt (read_receipt {user_id, last_read_at}): only that
 * participant's last read moves, as get_session would show it. The viewer's own read changes their unread count,
 * which only the server can count: null, and the caller fetches the row.
 */
export function sessionAfterReceipt(session: ChatSession, userId: string, lastReadAt: string | null, viewerId: string): ChatSession | null {
  if (userId === viewerId) return null;
  const index = session.participants.findIndex((p) => p.userId === userId);
  if (index < 0) return null;
  const participants = [...session.participants];
  participants[index] = { ...participants[index]!, lastReadAt };
  return { ...session, participants };
}
