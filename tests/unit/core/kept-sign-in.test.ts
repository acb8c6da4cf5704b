import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import type { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { memorySecretStores, type SecretStores } from '../../../src/main/backend/secret-stores';
import type { ShellServices } from '../../../src/main/core/console-core';
import { startConsoleBackend } from '../../../src/main/core/console-startup';
import { KeptSignIns } from '../../../src/main/core/kept-sign-in';
import { callCore, startRecordedCore, waitForEvent } from '../../support/core-calls';
import type { AuthState, ChatMessage, ChatSession } from '../../../src/shared/ipc/contract';

// Staying signed in across restarts: the sign-in kept at the last run opens its workspace at once, from the local
// store, before the backend has started, and the backend takes the session up behind it; one window takes it, the
// next shows the sign-in form; signing out forgets it; a session the backend no longer takes goes back to the
// sign-in screen, saying so. Real cores on a real embedded backend, real local stores, real supabase-js, the token
// store in memory as the web shell keeps it on a Supabase project (the process stands for the next start).
let backend: EmbeddedSupabase;
let secrets: SecretStores;
let dataDir: string;
const password = 'correct horse battery';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-kept-sign-in-'));
  secrets = memorySecretStores();
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0, secretStore: secrets });
  await backend.start();
}, 120_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const start = (over: ShellServices['backend'], kept: KeptSignIns | undefined) => startRecordedCore({ backend: over, dataDir, ...(kept ? { keptSignIn: kept } : {}) });

const call = callCore;
const waitFor = waitForEvent;

/** A backend still opening, as the shells hand it over at start-up: ready when the test says. */
function openingLater() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { starting: startConsoleBackend({ kind: 'embedded', dataDir, open: async () => (await opened, backend) }), open };
}

const pglite = () => (backend.database as PgliteDatabase).db;
let ownerId = '';
let clientId = '';
let sessionId = '';

it('opens the kept sign-in’s workspace at the next start without the password, before the backend is up, and the backend takes it up', async () => {
  const kept = new KeptSignIns(secrets, 'embedded');
  // First run: the first account, a client and a support session with them; the list is read (and so kept).
  const first = start(backend, kept);
  ownerId = (await call<AuthState>(first.core, 'auth.createFirstAccount', { email: 'owner@kept.test', password, displayName: 'Owner', preferredLanguage: 'ar' })).profile!.id;
  clientId = (await call<{ id: string }>(first.core, 'accounts.create', { email: 'amal@kept.test', password, displayName: 'Amal', role: 'client' })).id;
  sessionId = (await call<{ id: string }>(first.core, 'sessions.openSupport', { userId: clientId })).id;
  await call(first.core, 'sessions.list', {});
  // The app quits: the session is closed, not signed out.
  await first.core.dispose();

  // Next start: the backend still opening.
  const { starting, open } = openingLater();
  const second = start(starting, kept);
  const state = await call<AuthState>(second.core, 'auth.getState', {});
  expect(state.profile).toMatchObject({ id: ownerId, displayName: 'Owner', role: 'super_admin', preferredLanguage: 'ar' });
  const shown = await call<{ sessions: ChatSession[]; refreshing?: boolean }>(second.core, 'sessions.list', {});
  expect(shown.refreshing).toBe(true);
  expect(shown.sessions.map((s) => s.id)).toEqual([sessionId]);
  // A message written before the backend is up waits in the outbox, durably, and is not lost.
  const queued = await call<{ clientMessageId: string }>(second.core, 'messages.sendText', { sessionId, body: 'written while the console started' });
  expect(queued.clientMessageId).toBeTruthy();

  // A second window meanwhile: the kept sign-in is taken, so it shows the sign-in form.
  const other = start(starting, kept);
  open();
  expect((await call<AuthState>(other.core, 'auth.getState', {})).profile).toBeNull();
  await other.core.dispose();

  // The backend up: its list replaces the kept one, the queued message is sent, and the channels join.
  const listed = await waitFor(second.events, 'sessions.listed');
  expect(listed.sessions.map((s) => s.id)).toEqual([sessionId]);
  await waitFor(second.events, 'connection.changed', (c) => c.realtime === 'joined');
  await expect
    .poll(async () => (await pglite().query('select 1 from public.chat_messages where session_id = $1 and sender_id = $2', [sessionId, ownerId])).rows.length, { timeout: 20_000 })
    .toBe(1);

  // What the client sends now reaches the restored console live.
  const client = start(backend, undefined);
  await call(client.core, 'auth.signIn', { email: 'amal@kept.test', password });
  await call(client.core, 'messages.sendText', { sessionId, body: 'hello from the client' });
  await waitFor(second.events, 'messages.changed', (p) => p.messages.some((m: ChatMessage) => m.body === 'hello from the client'));
  await call(client.core, 'auth.signOut', {});
  await client.core.dispose();

  // Signed out: nothing is kept, the token slot is empty, and the next start asks for the password.
  await call(second.core, 'auth.signOut', {});
  await second.core.dispose();
  const third = start(backend, kept);
  expect((await call<AuthState>(third.core, 'auth.getState', {})).profile).toBeNull();
  await third.core.dispose();
}, 120_000);

it('goes back to the sign-in screen, saying the session expired, when the backend no longer takes the kept session; and forgets it', async () => {
  const kept = new KeptSignIns(secrets, 'embedded');
  const first = start(backend, kept);
  await call(first.core, 'auth.signIn', { email: 'owner@kept.test', password });
  await first.core.dispose();
  // Meanwhile the session is ended on the server (signed out everywhere), and its access token has expired.
  await pglite().query('delete from auth.sessions where user_id = $1', [ownerId]);
  const slot = (JSON.parse(secrets('kept-sign-in').getItem('sign-in')!) as { slot: string }).slot;
  const key = `samia-console-${slot}`;
  const stored = JSON.parse(secrets(slot).getItem(key)!) as { expires_at: number };
  secrets(slot).setItem(key, JSON.stringify({ ...stored, expires_at: Math.floor(Date.now() / 1000) - 60 }));

  const second = start(backend, kept);
  // The kept workspace is shown at first ...
  expect((await call<AuthState>(second.core, 'auth.getState', {})).profile?.id).toBe(ownerId);
  // ... until the backend refuses the session.
  const signedOut = await waitFor(second.events, 'auth.changed', (s) => s.profile === null);
  expect(signedOut.signedOutReason).toBe('expired');
  await expect(call(second.core, 'sessions.list', {})).rejects.toMatchObject({ code: 'auth.required' });
  expect(kept.isKept(slot)).toBe(false);
  expect(secrets(slot).getItem(key)).toBeNull();
  await second.core.dispose();
  // Not taken up again.
  const third = start(backend, kept);
  expect((await call<AuthState>(third.core, 'auth.getState', {})).profile).toBeNull();
  await third.core.dispose();
}, 120_000);

it('keeps nothing from another backend, and shows the sign-in screen when the backend cannot start, keeping the sign-in', async () => {
  const kept = new KeptSignIns(secrets, 'embedded');
  const first = start(backend, kept);
  await call(first.core, 'auth.signIn', { email: 'owner@kept.test', password });
  await first.core.dispose();
  // The console pointed at a Supabase project since: the embedded backend's sign-in is not taken up there.
  expect(new KeptSignIns(secrets, 'supabase:https://project.supabase.co').take()).toBeNull();

  const failing = startConsoleBackend({ kind: 'embedded', dataDir, open: async () => Promise.reject(new Error('ENOTDIR: the data folder is a file')) });
  const failed = start(failing, kept);
  expect((await call<AuthState>(failed.core, 'auth.getState', {})).profile?.id).toBe(ownerId);
  await waitFor(failed.events, 'auth.changed', (s) => s.profile === null && !s.signedOutReason);
  await expect(call(failed.core, 'auth.signIn', { email: 'owner@kept.test', password })).rejects.toMatchObject({ code: 'app.start_failed' });
  await failed.core.dispose();
  // Kept for the next start, which can open the backend.
  const next = start(backend, kept);
  expect((await call<AuthState>(next.core, 'auth.getState', {})).profile?.id).toBe(ownerId);
  await waitFor(next.events, 'connection.changed', (c) => c.realtime === 'joined');
  await call(next.core, 'auth.signOut', {});
  await next.core.dispose();
}, 120_000);
