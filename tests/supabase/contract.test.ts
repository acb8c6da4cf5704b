import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RealtimeEvent, UserConnection } from '../../src/main/backend/backend-port';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { fixtures, password, until, type Fixture } from './fixtures';

// One contract for every backend, through the console's one supabase-js adapter (see fixtures.ts).

/** Collects the realtime events of a connection; resolves once its fixed topics are joined. */
async function listen(connection: UserConnection) {
  const events: RealtimeEvent[] = [];
  let joined = false;
  const subscription = connection.subscribe({
    onEvent: (event) => events.push(event),
    onStatus: (status) => {
      joined = status === 'joined';
    },
  });
  await until(() => (joined ? true : undefined), 'the realtime join');
  return { events, subscription, stop: () => subscription.close() };
}

describe.each(fixtures)('the %s backend', (_name, makeFixture) => {
  let fx: Fixture;
  let admin: UserConnection;
  let reader: UserConnection;
  let client: UserConnection;
  let monitor: UserConnection;

  beforeAll(async () => {
    fx = await makeFixture();
    admin = await fx.user('super_admin', 'Owner');
    reader = await fx.user('reader', 'Layla');
    client = await fx.user('client', 'Omar');
    monitor = await fx.user('monitor', 'Mona');
  }, 120_000);

  afterAll(async () => {
    await fx?.close();
  });

  it('reads roles from profiles', async () => {
    expect((await admin.profile()).role).toBe('super_admin');
    expect((await reader.profile()).role).toBe('reader');
  });

  it('keeps the profile the sign-in read, as my_profile answers it (the console starts from it)', async () => {
    for (const user of [admin, reader, client, monitor]) expect(user.signedInProfile).toEqual(await user.profile());
  });

  it('keeps the change cursor of the sign-in: what is sent afterwards comes from it, what was sent before does not', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const before = await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'before the sign-in' });
    const lookingOn = await fx.user('monitor', 'Mina');
    const after = await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'after the sign-in' });
    const ids = (await lookingOn.messagesChangedSince(lookingOn.signedInCursor)).messages.map((m) => m.id);
    expect(ids).toContain(after.id);
    expect(ids).not.toContain(before.id);
    await lookingOn.signOut();
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    await expect(fx.backend.signIn('nobody@samia.test', password)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
  });

  it('carries a text from reader to client, idempotently, with a realtime event under the client rights', async () => {
    const { events, stop } = await listen(client);
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const clientMessageId = randomUUID();
    const sent = await reader.sendMessage({ sessionId: session.id, clientMessageId, type: 'text', body: 'مرحبا Omar' });
    const again = await reader.sendMessage({ sessionId: session.id, clientMessageId, type: 'text', body: 'مرحبا Omar' });
    expect(again.id).toBe(sent.id);
    const seen = await client.listMessages(session.id);
    expect(seen.filter((m) => m.clientMessageId === clientMessageId)).toHaveLength(1);
    await until(() => events.find((e) => JSON.stringify(e.payload).includes(sent.id)), 'the client realtime event');
    const sessions = await client.listSessions();
    expect(sessions.find((s) => s.id === session.id)?.unreadCount).toBeGreaterThan(0);
    // Every participant sees the others' names (through profile_cards; profiles itself stays private).
    expect(sessions.find((s) => s.id === session.id)?.participants.map((p) => p.displayName)).toEqual(expect.arrayContaining(['Omar', 'Layla']));
    expect((await reader.listSessions()).find((s) => s.id === session.id)?.participants.map((p) => p.displayName)).toContain('Omar');
    await client.markRead(session.id);
    expect((await client.listSessions()).find((s) => s.id === session.id)?.unreadCount).toBe(0);
    stop();
  });

  it('dates a waiting client from the server: waitingSince on the session rows, for the reader and for staff, cleared by an answer', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const question = await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'Is anyone there?' });
    await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'Hello?' });
    expect((await reader.getSession(session.id))?.waitingSince).toBe(question.createdAt);
    expect((await monitor.listSessions()).find((s) => s.id === session.id)?.waitingSince).toBe(question.createdAt);
    await reader.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: 'Yes, here.' });
    expect((await reader.getSession(session.id))?.waitingSince).toBeNull();
  });

  it('tells staff at once when a client opens a conversation', async () => {
    const { events, stop } = await listen(monitor);
    const newcomer = await fx.user('client', 'Nour');
    const session = await newcomer.openSupportSession();
    await until(() => events.find((e) => e.topic === 'staff:sessions' && e.payload.session_id === session.id), 'the staff feed event');
    const { events: quiet, stop: stopClient } = await listen(client);
    await (await fx.user('client', 'Rim')).openSupportSession();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(quiet.filter((e) => e.topic === 'staff:sessions')).toEqual([]);
    stop();
    stopClient();
  });

  it('pages history by keyset without gaps or repeats', async () => {
    const session = await client.openSupportSession();
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) ids.push((await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: `m${i}` })).id);
    const seen: string[] = [];
    let before: { createdAt: string; id: string } | undefined;
    for (;;) {
      const page = await client.listMessages(session.id, { ...(before ? { before } : {}), limit: 5 });
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.id));
      const last = page.at(-1)!;
      before = { createdAt: last.createdAt, id: last.id };
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => ids.includes(id)).reverse()).toEqual(ids);
  });

  it('keeps a reader voice note from the client until a monitor approves it, file included', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const clientMessageId = randomUUID();
    const storagePath = `${session.id}/${clientMessageId}/note.webm`;
    const bytes = new Uint8Array([26, 69, 223, 163, 1, 2, 3, 4]);
    await reader.uploadFile(storagePath, bytes, 'audio/webm');
    await expect(reader.uploadFile(storagePath, bytes, 'audio/webm')).rejects.toMatchObject({ code: 'storage.already_exists' });
    const note = await reader.sendMessage({
      sessionId: session.id,
      clientMessageId,
      type: 'audio',
      file: { storagePath, mimeType: 'audio/webm', sizeBytes: bytes.byteLength, durationMs: 1200, waveform: [0.1, 0.5, 0.2] },
    });
    expect(note.status).toBe('pending_approval');
    expect((await client.listMessages(session.id)).map((m) => m.id)).not.toContain(note.id);
    await expect(client.downloadFile(storagePath)).rejects.toMatchObject({ code: 'storage.not_found' });
    expect((await monitor.pendingAudio()).map((m) => m.id)).toContain(note.id);

    const approved = await monitor.reviewAudio(note.id, 'approve');
    expect(approved.status).toBe('approved');
    await expect(admin.reviewAudio(note.id, 'reject', 'too late')).rejects.toMatchObject({ messageKey: 'review.already_decided', permanent: true });
    expect((await client.listMessages(session.id)).map((m) => m.id)).toContain(note.id);
    expect(Array.from(await client.downloadFile(storagePath))).toEqual(Array.from(bytes));
  });

  it('refuses a file over the bucket limit or of a type the bucket does not take', async () => {
    const session = await client.openSupportSession();
    await expect(client.uploadFile(`${session.id}/${randomUUID()}/x.exe`, new Uint8Array([77, 90]), 'application/x-msdownload')).rejects.toMatchObject({
      code: 'storage.mime_not_allowed',
    });
  });

  it('runs the emergency flow: request, first reader to accept wins, resolve with a note', async () => {
    await reader.setAvailability('online', true);
    const other = await fx.user('reader', 'Sara');
    await other.setAvailability('online', true);
    const emergency = await client.requestEmergency();
    expect(emergency.state).toBe('ringing');
    expect((await client.requestEmergency()).id).toBe(emergency.id);
    const accepted = await reader.acceptEmergency(emergency.id);
    expect(accepted.state).toBe('accepted');
    await expect(other.acceptEmergency(emergency.id)).rejects.toMatchObject({ messageKey: 'emergency.already_taken' });
    await expect(reader.resolveEmergency(emergency.id, ' ')).rejects.toMatchObject({ permanent: true });
    expect((await reader.resolveEmergency(emergency.id, 'Client calmed, follow-up booked')).state).toBe('resolved');
  });

  it('lists the people a user may see and the console limits', async () => {
    const readers = await client.listPeople('reader');
    expect(readers.map((p) => p.id)).toContain(reader.userId);
    expect(readers.every((p) => p.role === 'reader')).toBe(true);
    expect((await client.listPeople()).map((p) => p.id)).not.toContain(monitor.userId);
    expect((await monitor.listPeople()).map((p) => p.id)).toEqual(expect.arrayContaining([client.userId, reader.userId]));
    const settings = await reader.consoleSettings();
    expect(Number(settings['console.rate_limit.messages_per_minute'])).toBeGreaterThan(0);
  });

  it('hands back what changed after a server cursor, page by page, each message once', async () => {
    const session = await client.openSupportSession();
    const start = await client.messagesChangedSince(null);
    expect(start.messages).toEqual([]);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) sent.push((await client.sendMessage({ sessionId: session.id, clientMessageId: randomUUID(), type: 'text', body: `c${i}` })).id);
    let cursor = start.cursor;
    const seen: string[] = [];
    for (;;) {
      const page = await client.messagesChangedSince(cursor);
      seen.push(...page.messages.map((m) => m.id));
      cursor = page.cursor;
      if (page.complete) break;
    }
    expect(sent.every((id) => seen.includes(id))).toBe(true);
    const after = await client.messagesChangedSince(cursor);
    expect(after.messages.filter((m) => sent.includes(m.id) && !seen.includes(m.id))).toEqual([]);
  });

  it('returns one session as the list shows it', async () => {
    // A client of their own: a client's support session is reused, and the reader was assigned to Omar's.
    const newcomer = await fx.user('client', 'Hala');
    const session = await newcomer.openSupportSession();
    const one = await newcomer.getSession(session.id);
    expect(one?.id).toBe(session.id);
    expect(one?.participants.map((p) => p.userId)).toContain(newcomer.userId);
    expect(await reader.getSession(session.id)).toBeNull();
  });

  it('carries the earlier decision in a refusal, and a forbidden upload as permanent', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const clientMessageId = randomUUID();
    const storagePath = `${session.id}/${clientMessageId}/n.webm`;
    const bytes = new Uint8Array([26, 69, 223, 163, 9, 9]);
    await reader.uploadFile(storagePath, bytes, 'audio/webm');
    const note = await reader.sendMessage({
      sessionId: session.id,
      clientMessageId,
      type: 'audio',
      file: { storagePath, mimeType: 'audio/webm', sizeBytes: bytes.byteLength, durationMs: 900, waveform: [0.2, 0.4] },
    });
    await monitor.reviewAudio(note.id, 'approve');
    await expect(admin.reviewAudio(note.id, 'approve')).rejects.toMatchObject({
      messageKey: 'review.already_decided',
      params: expect.objectContaining({ reviewed_by: monitor.userId, status: 'approved' }),
    });
    const other = await admin.openSupportSession(client.userId);
    await expect(reader.uploadFile(`${other.id}/${randomUUID()}/x.webm`, bytes, 'audio/webm')).rejects.toMatchObject({ permanent: true });
  });

  it('signs out this console only: the same user elsewhere stays signed in', async () => {
    const email = `twice-${randomUUID().slice(0, 8)}@samia.test`;
    if (!fx.embedded) return;
    await admin.createAccount({ email, password, displayName: 'Twice', role: 'client' });
    const here = await fx.backend.signIn(email, password);
    const there = await fx.backend.signIn(email, password);
    await here.signOut();
    expect((await there.profile()).displayName).toBe('Twice');
    await expect(here.profile()).rejects.toMatchObject({ code: 'auth.required' });
    await there.signOut();
  });

  it('carries typing between the participants of an open session', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const clientFeed = await listen(client);
    const readerFeed = await listen(reader);
    clientFeed.subscription.setOpenSessions([session.id]);
    readerFeed.subscription.setOpenSessions([session.id]);
    await until(async () => {
      await reader.broadcastTyping(session.id);
      return clientFeed.events.find((e) => e.event === 'typing' && e.payload.session_id === session.id) ? true : undefined;
    }, 'the typing broadcast');
    expect(readerFeed.events.filter((e) => e.event === 'typing' && e.payload.user_id === reader.userId)).toEqual([]);
    // The client closed the tab: its session topic is left, and typing no longer reaches it.
    clientFeed.subscription.setOpenSessions([]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const before = clientFeed.events.length;
    await reader.broadcastTyping(session.id);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(clientFeed.events.slice(before).filter((e) => e.event === 'typing')).toEqual([]);
    clientFeed.stop();
    readerFeed.stop();
  });

  it('lists every open emergency before closed ones', async () => {
    const list = await admin.listEmergencies();
    const open = (e: { state: string }) => ['ringing', 'escalated', 'accepted', 'acknowledged'].includes(e.state);
    const firstClosed = list.findIndex((e) => !open(e));
    expect(firstClosed === -1 || list.slice(firstClosed).every((e) => !open(e))).toBe(true);
  });

  it('lets only super admins change roles and console settings', async () => {
    await expect(reader.setRole(client.userId, 'admin')).rejects.toMatchObject({ permanent: true });
    await expect(monitor.setConsoleSetting('console.rate_limit.messages_per_minute', '1000')).rejects.toBeTruthy();
    await admin.setConsoleSetting('console.rate_limit.messages_per_minute', '30');
  });
});

describe('the embedded backend accounts', () => {
  it('makes the first account a super admin, refuses a second first run, and lets only admins create accounts', async () => {
    const backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
    await backend.start();
    try {
      expect(await backend.needsFirstRun()).toBe(true);
      const owner = await backend.createFirstAccount({ email: 'Owner@Samia.test', password, displayName: 'Owner' });
      expect((await owner.profile()).role).toBe('super_admin');
      expect(await backend.needsFirstRun()).toBe(false);
      await expect(backend.createFirstAccount({ email: 'x@samia.test', password, displayName: 'X' })).rejects.toMatchObject({ code: 'auth.first_run_done' });
      await expect(backend.signIn('owner@samia.test', 'wrong password!')).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
      await expect(owner.createAccount({ email: 'weak@samia.test', password: 'short', displayName: 'W', role: 'client' })).rejects.toMatchObject({
        code: 'auth.weak_password',
      });
      await owner.createAccount({ email: 'r@samia.test', password, displayName: 'R', role: 'reader' });
      await expect(owner.createAccount({ email: 'R@samia.test', password, displayName: 'R2', role: 'reader' })).rejects.toMatchObject({ code: 'auth.email_taken' });
      const reader = await backend.signIn('r@samia.test', password);
      await expect(reader.createAccount({ email: 'r2@samia.test', password, displayName: 'R2', role: 'admin' })).rejects.toMatchObject({ code: 'auth.forbidden' });
    } finally {
      await backend.stop();
    }
  });
});
