import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedBackend } from '../../../src/main/backend/embedded/embedded-backend';
import type { RealtimeEvent, UserConnection } from '../../../src/main/backend/backend-port';

// The embedded backend against the real migrations on a real (in-memory) PGlite.
let backend: EmbeddedBackend;
let admin: UserConnection;
let reader: UserConnection;
let client: UserConnection;
let monitor: UserConnection;
const password = 'correct horse battery';

const until = async <T>(probe: () => T | undefined, what: string, ms = 10_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

beforeAll(async () => {
  backend = new EmbeddedBackend({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  expect(await backend.needsFirstRun()).toBe(true);
  admin = await backend.createFirstAccount({ email: 'Owner@Samia.test', password, displayName: 'Owner' });
  expect(await backend.needsFirstRun()).toBe(false);
  await admin.createAccount({ email: 'reader@samia.test', password, displayName: 'Layla', role: 'reader' });
  await admin.createAccount({ email: 'client@samia.test', password, displayName: 'Omar', role: 'client' });
  await admin.createAccount({ email: 'monitor@samia.test', password, displayName: 'Mona', role: 'monitor' });
  reader = await backend.signIn('reader@samia.test', password);
  client = await backend.signIn('client@samia.test', password);
  monitor = await backend.signIn('monitor@samia.test', password);
}, 120_000);

afterAll(async () => {
  await backend?.stop();
});

describe('the embedded backend', () => {
  it('makes the first account a super admin and refuses a second first run', async () => {
    expect((await admin.profile()).role).toBe('super_admin');
    await expect(backend.createFirstAccount({ email: 'x@samia.test', password, displayName: 'X' })).rejects.toMatchObject({
      code: 'auth.first_run_done',
    });
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    await expect(backend.signIn('reader@samia.test', 'wrong password!')).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
    await expect(backend.signIn('nobody@samia.test', password)).rejects.toMatchObject({ code: 'auth.invalid_credentials' });
  });

  it('lets only admins create accounts', async () => {
    await expect(reader.createAccount({ email: 'r2@samia.test', password, displayName: 'R2', role: 'admin' })).rejects.toMatchObject({
      code: 'auth.forbidden',
    });
  });

  it('carries a text from reader to client, idempotently, with a realtime event under the client rights', async () => {
    const events: RealtimeEvent[] = [];
    const stop = client.subscribe((event) => events.push(event));
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
    stop();
  });

  it('keeps a reader voice note from the client until a monitor approves it, file included', async () => {
    const session = await client.openSupportSession();
    await monitor.assignReader(session.id, reader.userId);
    const clientMessageId = randomUUID();
    const storagePath = `${session.id}/${clientMessageId}/note.webm`;
    const bytes = new Uint8Array([26, 69, 223, 163, 1, 2, 3, 4]);
    await reader.uploadFile(storagePath, bytes, 'audio/webm');
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
    await expect(admin.reviewAudio(note.id, 'reject', 'too late')).rejects.toMatchObject({ permanent: true });
    expect((await client.listMessages(session.id)).map((m) => m.id)).toContain(note.id);
    expect(Array.from(await client.downloadFile(storagePath))).toEqual(Array.from(bytes));
  });
});
