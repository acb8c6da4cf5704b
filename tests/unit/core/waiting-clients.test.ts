import { describe, expect, it } from 'vitest';
import type { ChatMessage, ChatSession } from '../../../src/shared/ipc/contract';
import { waitingClients } from '../../../src/main/core/waiting-clients';
import { replyTargetFrom } from '../../../src/main/core/user-session';

const READER = '00000000-0000-4000-8000-00000000000a';
const CLIENT = '00000000-0000-4000-8000-00000000000c';
const STAFF = '00000000-0000-4000-8000-00000000000s';
const SESSION = '00000000-0000-4000-8000-000000000001';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 5, 9, minute)).toISOString();

function session(overrides: Partial<ChatSession> = {}): ChatSession {
  return {
    id: SESSION,
    type: 'booking',
    status: 'active',
    bookingId: null,
    lastMessageAt: null,
    createdAt: at(0),
    unreadCount: 0,
    lastReadAt: null,
    lastMessage: null,
    participants: [
      { userId: READER, displayName: 'Rana Reader', role: 'reader', roleInSession: 'reader', availability: 'online', lastReadAt: null },
      { userId: CLIENT, displayName: 'Karim Client', role: 'client', roleInSession: 'client', availability: 'online', lastReadAt: null },
    ],
    ...overrides,
  };
}

let seq = 0;
function msg(senderId: string, minute: number, overrides: Partial<ChatMessage> = {}): ChatMessage {
  seq += 1;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    sessionId: SESSION,
    senderId,
    type: 'text',
    body: 'hello',
    storagePath: null,
    mimeType: null,
    sizeBytes: null,
    durationMs: null,
    waveform: null,
    replyTo: null,
    status: 'sent',
    clientMessageId: null,
    createdAt: at(minute),
    editedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    reviewReason: null,
    ...overrides,
  };
}

/** The cache as the store pages it: newest first. */
const cache = (...messages: ChatMessage[]) => () => [...messages].sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));

describe('waitingClients: who waits for this user, from the cache and the session rows', () => {
  it('dates the wait from the oldest client message since the last answer', () => {
    const result = waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2), msg(CLIENT, 3), msg(CLIENT, 5)));
    expect(result).toEqual([{ sessionId: SESSION, clientName: 'Karim Client', waitingSince: at(3) }]);
  });

  it('nobody waits once the reader (or staff of the session) has answered, or before the client wrote', () => {
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2)))).toEqual([]);
    expect(waitingClients(READER, [session()], cache())).toEqual([]);
    const withStaff = session({
      participants: [
        ...session().participants,
        { userId: STAFF, displayName: 'Mona Monitor', role: 'monitor', roleInSession: 'staff', availability: 'online', lastReadAt: null },
      ],
    });
    expect(waitingClients(READER, [withStaff], cache(msg(CLIENT, 1), msg(STAFF, 2)))).toEqual([]);
  });

  it('a refused or deleted reply is no answer; a voice note in review is; system messages count for nobody', () => {
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2, { status: 'rejected', type: 'audio' })))[0]?.waitingSince).toBe(at(1));
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2, { status: 'deleted' })))[0]?.waitingSince).toBe(at(1));
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2, { status: 'pending_approval', type: 'audio' })))).toEqual([]);
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1), msg(READER, 2, { type: 'system' })))[0]?.waitingSince).toBe(at(1));
    // A client's note still in review is not in front of the reader yet.
    expect(waitingClients(READER, [session()], cache(msg(CLIENT, 1, { status: 'pending_approval', type: 'audio' })))).toEqual([]);
  });

  it("trusts the session row's last message where the cache has not got it yet", () => {
    const lastFromClient = session({ lastMessage: { id: msg(CLIENT, 9).id, type: 'text', preview: 'hi', senderId: CLIENT, createdAt: at(9) } });
    // Nothing cached (a fresh sign-in): waiting at least since that message.
    expect(waitingClients(READER, [lastFromClient], cache())[0]?.waitingSince).toBe(at(9));
    // The cache refines it: the client's earlier unanswered messages date the wait.
    expect(waitingClients(READER, [lastFromClient], cache(msg(READER, 1), msg(CLIENT, 4)))[0]?.waitingSince).toBe(at(4));
    const lastFromReader = session({ lastMessage: { id: msg(READER, 9).id, type: 'text', preview: 'ok', senderId: READER, createdAt: at(9) } });
    expect(waitingClients(READER, [lastFromReader], cache(msg(CLIENT, 4)))).toEqual([]);
  });

  it("dates the wait from the server's waitingSince where the row carries it, whatever the cache holds (right after a restart)", () => {
    const fromServer = session({ waitingSince: at(2) });
    expect(waitingClients(READER, [fromServer], cache())).toEqual([{ sessionId: SESSION, clientName: 'Karim Client', waitingSince: at(2) }]);
    // The cache disagrees (it saw an answer the server has since lost to a rejection): the server wins.
    expect(waitingClients(READER, [fromServer], cache(msg(CLIENT, 1), msg(READER, 3)))[0]?.waitingSince).toBe(at(2));
    // The server says nobody waits: nobody does, even if the cache lacks the answer.
    expect(waitingClients(READER, [session({ waitingSince: null })], cache(msg(CLIENT, 1)))).toEqual([]);
    expect(waitingClients(READER, [session({ waitingSince: at(2), status: 'ended' })], cache())).toEqual([]);
  });

  it('only active sessions in which the user answers; a client is never reminded', () => {
    const cached = cache(msg(CLIENT, 1));
    expect(waitingClients(READER, [session({ status: 'ended' })], cached)).toEqual([]);
    expect(waitingClients(READER, [session({ status: 'locked' })], cached)).toEqual([]);
    expect(waitingClients(CLIENT, [session()], cached)).toEqual([]);
    expect(waitingClients('someone-else', [session()], cached)).toEqual([]);
  });

  it('reads the reply target from the console settings, refusing a malformed one', () => {
    expect(replyTargetFrom({ 'console.reply.target_minutes': 15 })).toBe(15);
    expect(replyTargetFrom({})).toBeNull();
    expect(() => replyTargetFrom({ 'console.reply.target_minutes': 0 })).toThrow(/positive whole number of minutes, got 0/);
  });
});
