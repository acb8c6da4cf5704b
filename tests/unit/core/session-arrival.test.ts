import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import type { UserConnection } from '../../../src/main/backend/backend-port';
import { countingBackend } from '../../support/counting-backend';
import { createConsoleCore, type ConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { sample } from '../../support/media-samples';

// A new message moves its session's row in the console without a fetch (sessionAfterArrival, issue 15: the work per
// message does not grow with the sessions followed). Each row a console pushes to its renderer must be the row the
// server itself gives that user (get_session), after every kind of message: the reader's and the staff member's
// consoles are real cores on a real embedded backend; their connections are wrapped only to count the row fetches.
let backend: EmbeddedSupabase;
let dataDir: string;
const password = 'correct horse battery';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-arrival-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  counted = countingBackend(backend, new Set(['getSession', 'getSessions']));
}, 120_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

let counted: ReturnType<typeof countingBackend>;

function console_(): { core: ConsoleCore; rows: Map<string, ChatSession | null> } {
  const rows = new Map<string, ChatSession | null>();
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend: counted.backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    log: () => {},
  });
  core.events.attach((name, payload) => {
    const pushed = payload as { sessionId?: string | null; session?: ChatSession | null };
    if (name === 'sessions.changed' && pushed.sessionId && pushed.session !== undefined) rows.set(pushed.sessionId, pushed.session);
  });
  return { core, rows };
}

async function call<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
  return result.value as T;
}

it('pushes, after every kind of message, the row the server gives each user, fetching it only when it must', async () => {
  const owner = console_();
  await call(owner.core, 'auth.createFirstAccount', { email: 'owner@samia.test', password, displayName: 'Owner', preferredLanguage: 'en' });
  const readerId = (await call<{ id: string }>(owner.core, 'accounts.create', { email: 'layla@samia.test', password, displayName: 'Layla', role: 'reader' })).id;
  await call(owner.core, 'accounts.create', { email: 'omar@samia.test', password, displayName: 'عمر', role: 'client' });

  const client = await backend.signIn('omar@samia.test', password);
  const { id: sessionId } = await client.openSupportSession();
  await call(owner.core, 'sessions.assignReader', { sessionId, readerId });
  await call(owner.core, 'sessions.join', { sessionId });

  const reader = console_();
  await call(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
  // The truth, asked as each user on a connection of their own.
  const truth = { owner: await backend.signIn('owner@samia.test', password), reader: await backend.signIn('layla@samia.test', password) };
  const observers = [
    { name: 'owner', view: owner, truth: truth.owner },
    { name: 'reader', view: reader, truth: truth.reader },
  ] as const;
  for (const o of observers) await call(o.view.core, 'sessions.list', {});

  /** Every observer's last pushed row for the session equals what the server gives it now (once the push arrived). */
  const agree = async (step: string, lastMessageId: string) => {
    for (const o of observers) {
      await expect
        .poll(() => o.view.rows.get(sessionId)?.lastMessage?.id ?? o.view.rows.get(sessionId)?.lastReadAt, { timeout: 15_000, message: `${step}: ${o.name} got the push` })
        .toBe(lastMessageId);
      // Pushes that follow (a fetch the arrival scheduled) settle before the comparison.
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(o.view.rows.get(sessionId), `${step}: ${o.name}'s row is the server's`).toEqual(await o.truth.getSession(sessionId));
    }
  };
  const fetched = () => [counted.calls.get(truth.owner.userId) ?? 0, counted.calls.get(readerId) ?? 0];

  const text = async (from: UserConnection | ConsoleCore, body: string) => {
    if ('dispatch' in from) {
      const queued = await call<{ clientMessageId: string }>(from, 'messages.sendText', { sessionId, body });
      await expect.poll(async () => (await truth.reader.getSession(sessionId))?.lastMessage?.id === queued.clientMessageId, { timeout: 15_000 }).toBe(true);
      return queued.clientMessageId;
    }
    return (await from.sendMessage({ sessionId, clientMessageId: randomUUID(), type: 'text', body })).id;
  };

  // Plain messages: the row moves from the message itself, for both observers, with no fetch.
  let before = fetched();
  await agree('client asks', await text(client, 'Is the tower card bad?'));
  await agree('client asks again', await text(client, 'And the moon?'));
  await agree('reader answers', await text(reader.core, 'Not at all.'));
  const long = `${'🌙'.repeat(150)} ${'ق'.repeat(40)}`;
  await agree('a long text with characters outside the BMP (preview by characters)', await text(client, long));
  await agree('staff writes', await text(owner.core, 'Staff here.'));
  await agree('client after staff', await text(client, 'Thanks'));
  // The client reads: another participant's receipt moves only their last read, also without a fetch.
  await client.markRead(sessionId);
  for (const o of observers) {
    const want = await o.truth.getSession(sessionId);
    await expect.poll(() => o.view.rows.get(sessionId), { timeout: 15_000, message: `the client's read reached ${o.name}` }).toEqual(want);
  }
  expect(fetched(), 'plain messages and others\' reads moved the rows without a fetch').toEqual(before);

  // A read, a note and a voice note in review follow their own rules: the row is fetched.
  await call(reader.core, 'sessions.markRead', { sessionId });
  await expect.poll(() => reader.rows.get(sessionId)?.unreadCount, { timeout: 15_000 }).toBe(0);
  expect(reader.rows.get(sessionId)).toEqual(await truth.reader.getSession(sessionId));
  await agree('client after the read', await text(client, 'Still there?'));

  before = fetched();
  await call(reader.core, 'notes.add', { sessionId, body: 'Client is anxious' });
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const o of observers) expect(o.view.rows.get(sessionId), `after a note: ${o.name}`).toEqual(await o.truth.getSession(sessionId));
  const voice = await call<{ clientMessageId: string }>(reader.core, 'messages.sendFile', {
    sessionId,
    kind: 'audio',
    fileName: 'note.webm',
    mimeType: 'audio/webm',
    bytesBase64: Buffer.from(sample('voice.webm')).toString('base64'),
    durationMs: 1500,
    waveform: [0.1, 0.8, 0.3],
  });
  await agree('a voice note in review (staff see it; the reader sent it)', voice.clientMessageId);
  expect(fetched().some((n, i) => n > before[i]!), 'the voice note in review was fetched').toBe(true);

  await agree('client after the voice note', await text(client, 'I hear nothing yet'));
  for (const o of observers) await o.view.core.dispose();
}, 120_000);

it('looks on: fetches the rows of sessions it has not seen together, then moves them from the staff feed; each row the server\'s', async () => {
  const monitor = console_();
  await call(monitor.core, 'auth.signIn', { email: 'owner@samia.test', password });
  await call(monitor.core, 'sessions.list', {});
  const owner = await backend.signIn('owner@samia.test', password);
  const clients: UserConnection[] = [];
  const sessionIds: string[] = [];
  for (let i = 0; i < 12; i++) {
    await owner.createAccount({ email: `client${i}@samia.test`, password, displayName: `Client ${i}`, role: 'client', preferredLanguage: 'en' });
    const client = await backend.signIn(`client${i}@samia.test`, password);
    clients.push(client);
    sessionIds.push((await client.openSupportSession()).id);
  }
  // The owner looks on (no participant): staff:sessions tells it of each new session (its participants), and it reads
  // the rows of those together. (A session it has not read at all comes with its row: tests/unit/core/staff-feed-rows.test.ts.)
  const before = counted.calls.get(owner.userId) ?? 0;
  await Promise.all(clients.flatMap((client, i) => [0, 1].map((k) => client.sendMessage({ sessionId: sessionIds[i]!, clientMessageId: randomUUID(), type: 'text', body: `burst ${k}` }))));
  for (const id of sessionIds) {
    await expect.poll(() => monitor.rows.get(id)?.lastMessage?.preview, { timeout: 15_000 }).toBe('burst 1');
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  const calls = (counted.calls.get(owner.userId) ?? 0) - before;
  expect(calls, 'the 24 changes of 12 sessions took fewer calls than sessions').toBeLessThan(12);
  let truth = new Map((await owner.getSessions(sessionIds)).map((row) => [row.id, row]));
  for (const id of sessionIds) expect(monitor.rows.get(id)).toEqual(truth.get(id));

  // Now that it holds their rows, the messages staff:sessions brings (as staff read them) move the rows: no read.
  const held = counted.calls.get(owner.userId) ?? 0;
  await Promise.all(clients.map((client, i) => client.sendMessage({ sessionId: sessionIds[i]!, clientMessageId: randomUUID(), type: 'text', body: 'again' })));
  for (const id of sessionIds) await expect.poll(() => monitor.rows.get(id)?.lastMessage?.preview, { timeout: 15_000 }).toBe('again');
  truth = new Map((await owner.getSessions(sessionIds)).map((row) => [row.id, row]));
  for (const id of sessionIds) expect(monitor.rows.get(id)).toEqual(truth.get(id));
  expect(counted.calls.get(owner.userId) ?? 0, 'no read for sessions whose rows it holds').toBe(held);
  await monitor.core.dispose();
}, 120_000);
