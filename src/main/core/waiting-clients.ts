import type { ChatMessage, ChatSession } from '../../shared/ipc/contract';
import type { WaitingClient } from '../alerts';

/** Cached messages looked at per session, newest first: a wait longer than this many messages is dated by the oldest of them. */
export const WAITING_SCAN_MESSAGES = 200;

// A reply the client will get (a voice note in review counts: the reader has answered, the monitor has not yet
// passed it); a refused or deleted one is no answer.
const ANSWER_STATUSES: ReadonlySet<ChatMessage['status']> = new Set(['sent', 'approved', 'pending_approval']);
// What the reader can read and so answer; a client's note still in review is not in front of them yet.
const QUESTION_STATUSES: ReadonlySet<ChatMessage['status']> = new Set(['sent', 'approved']);

/**
 * The clients waiting for this user's reply, from what the main process already has: the session rows. A client
 * waits from their oldest message that no reader or staff member of the session has answered since. The server
 * dates it (chat_session_view.waiting_since, right after a restart and whatever the cache holds); only a backend
 * whose rows lack the field is dated from the local message cache and the row's lastMessage, by the same rule.
 *
 * Only active sessions in which the user answers (reader or staff) count; clients are never reminded.
 */
export function waitingClients(
  userId: string,
  sessions: Iterable<ChatSession>,
  recentMessages: (sessionId: string, limit: number) => readonly ChatMessage[],
): WaitingClient[] {
  const waiting: WaitingClient[] = [];
  for (const session of sessions) {
    const client = waitingClientOf(userId, session, recentMessages);
    if (client) waiting.push(client);
  }
  return waiting;
}

/** The one session's waiting client, by the same rule (null: nobody waits for this user there). */
export function waitingClientOf(
  userId: string,
  session: ChatSession,
  recentMessages: (sessionId: string, limit: number) => readonly ChatMessage[],
): WaitingClient | null {
  if (session.status !== 'active') return null;
  const me = session.participants.find((p) => p.userId === userId);
  if (!me || me.roleInSession === 'client') return null;
  const clients = session.participants.filter((p) => p.roleInSession === 'client');
  if (clients.length === 0) return null;
  const clientIds = new Set(clients.map((p) => p.userId));
  const answererIds = new Set(session.participants.filter((p) => p.roleInSession !== 'client').map((p) => p.userId));

  const since =
    session.waitingSince !== undefined
      ? session.waitingSince
      : waitingSince(session, clientIds, answererIds, recentMessages(session.id, WAITING_SCAN_MESSAGES));
  if (since === null) return null;
  return { sessionId: session.id, clientName: clients[0]!.displayName, waitingSince: since };
}

function waitingSince(
  session: ChatSession,
  clientIds: ReadonlySet<string>,
  answererIds: ReadonlySet<string>,
  newestFirst: readonly ChatMessage[],
): string | null {
  let oldestUnanswered: string | null = null;
  const newestCachedAt = newestFirst.length > 0 ? Date.parse(newestFirst[0]!.createdAt) : Number.NEGATIVE_INFINITY;
  const last = session.lastMessage ?? null;
  // The session row knows of a message the cache has not got yet: it decides whether the client is waiting.
  if (last && last.type !== 'system' && Date.parse(last.createdAt) > newestCachedAt) {
    if (answererIds.has(last.senderId)) return null;
    if (!clientIds.has(last.senderId)) return null;
    oldestUnanswered = last.createdAt;
  }
  for (const message of newestFirst) {
    // An internal note is not an answer: the client never sees it.
    if (message.type === 'system' || message.type === 'note') continue;
    if (answererIds.has(message.senderId) && ANSWER_STATUSES.has(message.status)) break;
    if (clientIds.has(message.senderId) && QUESTION_STATUSES.has(message.status)) oldestUnanswered = message.createdAt;
  }
  return oldestUnanswered;
}
