import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import type { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import type { ShellServices } from '../../../src/main/core/console-core';
import { startConsoleBackend } from '../../../src/main/core/console-startup';
import { callCore, startRecordedCore, waitForEvent } from '../../support/core-calls';
import { openLocalStore } from '../../../src/main/store';
import type { AuthState, ChatSession } from '../../../src/shared/ipc/contract';
import { compareTimestamps } from '../../../src/shared/timestamps';
import { countingBackend } from '../../support/counting-backend';

// Start-up (issue 15 item 3): the session list the console kept is drawn at once after sign-in, and the backend's
// list replaces it; a backend that refuses the user takes the cached list with it; the sign-in form is answered while
// the backend opens. Real cores on a real embedded backend, real local stores; the connection is wrapped only to count
// its list reads.
let backend: EmbeddedSupabase;
let dataDir: string;
const password = 'correct horse battery';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-startup-list-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
}, 120_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const start = (over: ShellServices['backend'] = backend) => startRecordedCore({ backend: over, dataDir });

const call = callCore;
const waitFor = waitForEvent;

const ids = (sessions: readonly ChatSession[]) => sessions.map((s) => s.id);
// list_sessions' order: latest activity first, then id, descending.
const bySessionListOrder = (a: ChatSession, b: ChatSession) =>
  compareTimestamps(b.lastMessageAt ?? b.createdAt, a.lastMessageAt ?? a.createdAt) || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
const storeOf = (userId: string) => openLocalStore({ directory: path.join(dataDir, 'users', userId) });
const pglite = () => (backend.database as PgliteDatabase).db;

let adminId = '';
const clients: string[] = [];

it('draws the list kept from the last run at once, then the backend’s list replaces it (new rows in, gone rows out)', async () => {
  // First run: the first account, three clients, two support sessions; the list is read, a third session is pushed.
  const first = start();
  adminId = (await call<AuthState>(first.core, 'auth.createFirstAccount', { email: 'owner@startup.test', password, displayName: 'Owner', preferredLanguage: 'en' })).profile!.id;
  for (const name of ['Amal', 'Badr', 'Dina', 'Ehab']) {
    clients.push((await call<{ id: string }>(first.core, 'accounts.create', { email: `${name.toLowerCase()}@startup.test`, password, displayName: name, role: 'client' })).id);
  }
  await call(first.core, 'sessions.openSupport', { userId: clients[0] });
  await call(first.core, 'sessions.openSupport', { userId: clients[1] });
  const firstList = await call<{ sessions: ChatSession[]; refreshing?: boolean }>(first.core, 'sessions.list', {});
  expect(firstList.refreshing).toBe(false);
  expect(firstList.sessions).toHaveLength(2);
  const third = await call<{ id: string }>(first.core, 'sessions.openSupport', { userId: clients[2] });
  // The new session reaches this console as a pushed row; signing out writes the rows held (not once per change).
  await waitFor(first.events, 'sessions.changed', (p) => p.sessionId === third.id && Boolean(p.session));
  await call(first.core, 'auth.signOut', {});
  await first.core.dispose();

  const kept = storeOf(adminId);
  const cachedAtExit = kept.sessionList.list();
  expect(cachedAtExit).toHaveLength(3);
  expect(ids(cachedAtExit)).toEqual(ids([...cachedAtExit].sort(bySessionListOrder)));
  // A row of a session the backend will no longer list (as an earlier run could have left it), newest of all.
  const gone: ChatSession = { ...cachedAtExit[0]!, id: randomUUID(), lastMessageAt: new Date(Date.now() + 60_000).toISOString() };
  kept.sessionList.replace([...cachedAtExit, gone]);
  kept.close();

  // Meanwhile a client opens a session of their own: only the backend knows it.
  const client = start();
  await call(client.core, 'auth.signIn', { email: 'ehab@startup.test', password });
  const fourth = await call<{ id: string }>(client.core, 'sessions.openSupport', {});
  await call(client.core, 'auth.signOut', {});
  await client.core.dispose();

  // Second start.
  const counted = countingBackend(backend, new Set(['listSessions']));
  const lists = () => counted.calls.get(adminId) ?? 0;
  const second = start(counted.backend);
  await call(second.core, 'auth.signIn', { email: 'owner@startup.test', password });
  // The backend's list (the costliest read, which holds the embedded backend's thread) waits for the cached answer.
  expect(lists()).toBe(0);
  const shown = await call<{ sessions: ChatSession[]; refreshing?: boolean }>(second.core, 'sessions.list', {});
  expect(shown.refreshing).toBe(true);
  expect(ids(shown.sessions)).toEqual([gone.id, ...ids(cachedAtExit)]);

  const listed = await waitFor(second.events, 'sessions.listed');
  expect(lists()).toBe(1);
  expect(ids(listed.sessions)).toContain(fourth.id);
  expect(ids(listed.sessions)).not.toContain(gone.id);
  expect(new Set(ids(listed.sessions)).size).toBe(listed.sessions.length);
  expect(ids(listed.sessions)).toEqual(ids([...listed.sessions].sort(bySessionListOrder)));
  // The first catch-up after sign-in does not ask for the whole list again: it was just read.
  await waitFor(second.events, 'connection.changed', (c) => c.realtime === 'joined');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(second.events.some((e) => e.name === 'sessions.changed' && (e.payload as { sessionId: string | null }).sessionId === null)).toBe(false);
  // What the renderer asks next is the backend's list again, no longer the cache.
  const again = await call<{ sessions: ChatSession[]; refreshing?: boolean }>(second.core, 'sessions.list', {});
  expect(again.refreshing).toBe(false);
  expect(ids(again.sessions)).toEqual(ids(listed.sessions));
  // The store keeps the backend's list for the next start.
  const reread = storeOf(adminId);
  expect(ids(reread.sessionList.list())).toEqual(ids(listed.sessions));
  reread.close();
  await call(second.core, 'auth.signOut', {});
  await second.core.dispose();
}, 120_000);

it('drops the cached list and returns to the sign-in screen, saying why, when the backend refuses the user', async () => {
  const admin = start();
  await call(admin.core, 'auth.signIn', { email: 'owner@startup.test', password });
  const readerId = (await call<{ id: string }>(admin.core, 'accounts.create', { email: 'rana@startup.test', password, displayName: 'Rana', role: 'reader' })).id;
  const adminCached = storeOf(adminId);
  const rows = adminCached.sessionList.list();
  adminCached.close();
  await call(admin.core, 'auth.signOut', {});
  await admin.core.dispose();
  // The reader's own store as an earlier run of theirs left it.
  const readerStore = storeOf(readerId);
  readerStore.sessionList.replace(rows.slice(0, 2));
  readerStore.close();

  const reader = start();
  await call(reader.core, 'auth.signIn', { email: 'rana@startup.test', password });
  // The account is removed on the server between the sign-in and the list: the token now names nobody.
  await pglite().query('delete from auth.users where id = $1', [readerId]);
  const shown = await call<{ sessions: ChatSession[]; refreshing?: boolean }>(reader.core, 'sessions.list', {});
  expect(shown.refreshing).toBe(true);
  expect(shown.sessions).toHaveLength(2);

  const signedOut = await waitFor(reader.events, 'auth.changed', (s) => s.profile === null);
  expect(signedOut.signedOutReason).toBe('expired');
  // The renderer is told the list is stale (it asks again and is refused), and no listed event ever brings rows.
  await waitFor(reader.events, 'sessions.changed', (p) => p.sessionId === null);
  expect(reader.events.some((e) => e.name === 'sessions.listed')).toBe(false);
  await expect(call(reader.core, 'sessions.list', {})).rejects.toMatchObject({ code: 'auth.required' });
  const after = storeOf(readerId);
  expect(after.sessionList.list()).toEqual([]);
  after.close();
  await reader.core.dispose();
}, 120_000);

it('refuses a disabled account at sign-in, before any cached list is shown', async () => {
  const admin = start();
  await call(admin.core, 'auth.signIn', { email: 'owner@startup.test', password });
  await call(admin.core, 'accounts.manage.setDisabled', { userId: clients[3], disabled: true });
  await call(admin.core, 'auth.signOut', {});
  await admin.core.dispose();
  const adminStore = storeOf(adminId);
  const disabledStore = storeOf(clients[3]!);
  disabledStore.sessionList.replace(adminStore.sessionList.list().slice(0, 1));
  disabledStore.close();
  adminStore.close();

  const disabled = start();
  await expect(call(disabled.core, 'auth.signIn', { email: 'ehab@startup.test', password })).rejects.toMatchObject({ code: expect.stringMatching(/^auth\./) });
  await expect(call(disabled.core, 'sessions.list', {})).rejects.toMatchObject({ code: 'auth.required' });
  expect(disabled.events.some((e) => e.name === 'sessions.listed' || (e.name === 'auth.changed' && (e.payload as AuthState).profile))).toBe(false);
  await disabled.core.dispose();
}, 120_000);

it('answers the sign-in form while the backend opens; signing in waits for it; a failed start is said plainly', async () => {
  // Someone has signed in on this computer (users/ holds their folder): no first run can be due, the form is drawn.
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const starting = startConsoleBackend({ kind: 'embedded', dataDir, open: async () => (await opened, backend) });
  expect(starting.firstRunHint).toBe(false);
  const early = start(starting);
  const before = await call<AuthState>(early.core, 'auth.getState', {});
  expect(before).toMatchObject({ profile: null, firstRun: false, starting: true });
  let signedIn = false;
  const signingIn = call<AuthState>(early.core, 'auth.signIn', { email: 'owner@startup.test', password }).then((state) => {
    signedIn = true;
    return state;
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(signedIn).toBe(false);
  open();
  expect((await signingIn).profile?.id).toBe(adminId);
  await call(early.core, 'auth.signOut', {});
  await early.core.dispose();

  // A data folder nobody has used: whether to show the first run is the backend's answer, so the state waits for it.
  const fresh = await mkdtemp(path.join(os.tmpdir(), 'samia-startup-fresh-'));
  try {
    expect(startConsoleBackend({ kind: 'embedded', dataDir: fresh, open: async () => backend }).firstRunHint).toBeNull();
    expect(startConsoleBackend({ kind: 'supabase', dataDir: fresh, open: async () => backend }).firstRunHint).toBe(false);
  } finally {
    await rm(fresh, { recursive: true, force: true });
  }

  // The backend cannot start: signing in says so (the shell reports the cause and ends).
  const failing = startConsoleBackend({ kind: 'embedded', dataDir, open: async () => Promise.reject(new Error('ENOTDIR: the data folder is a file')) });
  const failed = start(failing);
  await expect(call(failed.core, 'auth.signIn', { email: 'owner@startup.test', password })).rejects.toMatchObject({ code: 'app.start_failed' });
  await failed.core.dispose();
}, 120_000);
