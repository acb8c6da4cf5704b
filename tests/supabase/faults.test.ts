import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HeadlessAlertPlatform } from '../../src/main/alerts';
import type { Backend } from '../../src/main/backend/backend-port';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { MemorySecretStore, memorySecretStores } from '../../src/main/backend/secret-stores';
import { SupabaseBackend } from '../../src/main/backend/supabase-connection';
import { createConsoleCore, type ConsoleCore } from '../../src/main/core/console-core';
import { KeptSignIns } from '../../src/main/core/kept-sign-in';
import type { ChatMessage, EventName, EventPayload } from '../../src/shared/ipc/contract';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { password, until } from './fixtures';

// Faults on the production path: real consoles (the main-process core) reaching the local Supabase through
// supabase-js, with a TCP proxy between the client's console and the server that drops and refuses
// connections as a network and a restarting server do. Nothing may be lost and nothing shown twice.

// auth-js refreshes on a 30-second tick, ahead of expiry by three ticks: a lifetime shorter than a tick would
// leave expired tokens between ticks. Just over two ticks keeps tokens fresh while awake and lets a sleep outlive one.
const TOKEN_TTL_S = 65;
let embedded: EmbeddedSupabase;
let proxy: TcpProxy;
let dataDir: string;

interface Console {
  core: ConsoleCore;
  events: { name: string; payload: unknown }[];
  backend: Backend;
  /** What the console asked of the OS (notifications, badge), as the web shell's headless platform records it. */
  alerts: HeadlessAlertPlatform[];
}

function openConsole(backend: Backend, keptSignIn?: KeptSignIns): Console {
  const events: { name: string; payload: unknown }[] = [];
  const alerts: HeadlessAlertPlatform[] = [];
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend,
    dataDir,
    ...(keptSignIn ? { keptSignIn } : {}),
    createAlertPlatform: (emitToRenderer) => {
      const platform = new HeadlessAlertPlatform({ emitToRenderer });
      alerts.push(platform);
      return platform;
    },
    openExternal: async () => false,
    log: () => {},
  });
  core.events.attach((name, payload) => events.push({ name, payload }));
  return { core, events, backend, alerts };
}

async function call<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
  return result.value as T;
}

const eventsNamed = <K extends EventName>(c: Console, name: K) => c.events.filter((e) => e.name === name).map((e) => e.payload as EventPayload<K>);

/** The messages a console has been shown (messages.changed), by id: the renderer merges by id, so once each. */
const shown = (c: Console, sessionId: string) => {
  const byId = new Map<string, ChatMessage>();
  for (const { messages } of eventsNamed(c, 'messages.changed')) for (const m of messages) if (m.sessionId === sessionId) byId.set(m.id, m);
  return byId;
};

let owner: Console;
let reader: Console;
let client: Console;
let clientBackend: SupabaseBackend;
let clientEmail: string;
let sessionId: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-faults-'));
  embedded = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0, accessTokenTtlSeconds: TOKEN_TTL_S });
  await embedded.start();
  proxy = await startTcpProxy(Number(new URL(embedded.api!.url).port));
  owner = openConsole(embedded);
  await call(owner.core, 'auth.createFirstAccount', { email: 'owner@samia.test', password, displayName: 'Owner', preferredLanguage: 'en' });
  const readerEmail = `reader-${randomUUID().slice(0, 6)}@samia.test`;
  clientEmail = `client-${randomUUID().slice(0, 6)}@samia.test`;
  const readerId = (await call<{ id: string }>(owner.core, 'accounts.create', { email: readerEmail, password, displayName: 'Layla', role: 'reader' })).id;
  await call(owner.core, 'accounts.create', { email: clientEmail, password, displayName: 'Omar', role: 'client' });
  reader = openConsole(embedded);
  await call(reader.core, 'auth.signIn', { email: readerEmail, password });
  // The client's console reaches the same server through the proxy.
  clientBackend = new SupabaseBackend({ kind: 'embedded', url: proxy.url, anonKey: embedded.api!.anonKey, secretStore: () => new MemorySecretStore() });
  client = openConsole(clientBackend);
  await call(client.core, 'auth.signIn', { email: clientEmail, password });
  sessionId = (await call<{ id: string }>(client.core, 'sessions.openSupport', {})).id;
  await call(owner.core, 'sessions.assignReader', { sessionId, readerId });
  await call(client.core, 'messages.page', { sessionId });
  await until(() => (eventsNamed(client, 'connection.changed').at(-1)?.realtime === 'joined' ? true : undefined), 'the client realtime join');
}, 300_000);

afterAll(async () => {
  for (const c of [client, reader, owner]) await c?.core.dispose();
  await clientBackend?.stop();
  await proxy?.close();
  await embedded?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function readerSends(count: number, tag: string, midway?: () => Promise<void> | void): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i === Math.floor(count / 2)) await midway?.();
    const entry = await call<{ clientMessageId: string }>(reader.core, 'messages.sendText', { sessionId, body: `${tag} ${i}` });
    ids.push(entry.clientMessageId);
  }
  // Sent means the server has it: the reader's outbox reports each row sent.
  await until(
    () => (ids.every((id) => eventsNamed(reader, 'outbox.changed').some((e) => e.clientMessageId === id && e.state === 'sent')) ? true : undefined),
    `${tag}: every message sent`,
  );
  return ids;
}

const expectEachShownOnce = async (clientMessageIds: string[], what: string) => {
  await until(() => {
    const byClientId = new Map([...shown(client, sessionId).values()].map((m) => [m.clientMessageId, m]));
    return clientMessageIds.every((id) => byClientId.has(id)) ? true : undefined;
  }, what, 60_000);
  // The client's local cache, which the session opens from, holds each message exactly once.
  const page = await call<{ messages: ChatMessage[] }>(client.core, 'messages.page', { sessionId, limit: 200 });
  for (const id of clientMessageIds) expect(page.messages.filter((m) => m.clientMessageId === id)).toHaveLength(1);
};

describe('faults between a console and the local Supabase', () => {
  it('catches up on what was broadcast while the socket was dropped mid-stream', async () => {
    const ids = await readerSends(10, 'dropped', () => proxy.cut());
    await expectEachShownOnce(ids, 'the dropped messages after the rejoin');
  });

  it('catches up after the server refused connections for a while (a restart)', async () => {
    const ids = await readerSends(8, 'restart', async () => {
      proxy.setDown(true);
      proxy.cut();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
    });
    proxy.setDown(false);
    await expectEachShownOnce(ids, 'the messages sent while the server was away');
  });

  it('a staff console catching up moves the rows of sessions it looks on, and neither keeps nor rings their messages', async () => {
    // A monitor, not in the session, whose console reaches the server through the proxy.
    const monitorEmail = `monitor-${randomUUID().slice(0, 6)}@samia.test`;
    await call(owner.core, 'accounts.create', { email: monitorEmail, password, displayName: 'Mona', role: 'monitor' });
    const monitorBackend = new SupabaseBackend({ kind: 'embedded', url: proxy.url, anonKey: embedded.api!.anonKey, secretStore: () => new MemorySecretStore() });
    const monitor = openConsole(monitorBackend);
    try {
      await call(monitor.core, 'auth.signIn', { email: monitorEmail, password });
      await until(() => (eventsNamed(monitor, 'connection.changed').at(-1)?.realtime === 'joined' ? true : undefined), 'the monitor realtime join');
      const { sessions } = await call<{ sessions: { id: string }[] }>(monitor.core, 'sessions.list', {});
      expect(sessions.map((s) => s.id)).toContain(sessionId);

      proxy.setDown(true);
      proxy.cut();
      await until(() => (eventsNamed(monitor, 'connection.changed').at(-1)?.realtime !== 'joined' ? true : undefined), 'the monitor losing its socket');
      const seen = monitor.events.length;
      const ids = await readerSends(4, 'while staff were away');
      proxy.setDown(false);
      // A rejoin's catch-up ends in a whole list read (the list may be stale): the renderer is asked to list again.
      await until(
        () => (monitor.events.slice(seen).some((e) => e.name === 'sessions.changed' && (e.payload as { sessionId: string | null }).sessionId === null) ? true : undefined),
        'the catch-up after the rejoin',
        60_000,
      );
      const after = monitor.events.slice(seen);
      const rows = after.filter((e) => e.name === 'sessions.changed').map((e) => e.payload as EventPayload<'sessions.changed'>);
      expect(rows.filter((r) => r.sessionId === sessionId).at(-1)?.session?.lastMessage?.preview, 'the held row moved to the last message').toBe('while staff were away 3');
      const kept = after
        .filter((e) => e.name === 'messages.changed')
        .flatMap((e) => (e.payload as EventPayload<'messages.changed'>).messages)
        .filter((m) => m.clientMessageId && ids.includes(m.clientMessageId));
      expect(kept, 'no conversation of the session is open on this console').toEqual([]);
      const rung = monitor.alerts.flatMap((a) => a.records).filter((r) => r.kind === 'notification.show');
      expect(rung, 'a monitor is not notified of every message of the platform').toEqual([]);
    } finally {
      await monitor.core.dispose();
      await monitorBackend.stop();
    }
  });

  it('renews an access token that expired while the machine slept, then catches up', async () => {
    clientBackend.setPowerState(false);
    await new Promise((resolve) => setTimeout(resolve, (TOKEN_TTL_S + 2) * 1000));
    const ids = await readerSends(4, 'asleep');
    clientBackend.setPowerState(true);
    await expectEachShownOnce(ids, 'the messages sent during the sleep');
    expect(eventsNamed(client, 'auth.changed').some((s) => s.signedOutReason === 'expired')).toBe(false);
  }, 240_000);

  it('starts a kept sign-in while the server is away: the workspace from the cache, the message queued, then taken up and sent once', async () => {
    const secrets = memorySecretStores();
    const kept = new KeptSignIns(secrets, 'embedded');
    const viaProxy = new SupabaseBackend({ kind: 'embedded', url: proxy.url, anonKey: embedded.api!.anonKey, secretStore: secrets });
    const first = openConsole(viaProxy, kept);
    await call(first.core, 'auth.signIn', { email: clientEmail, password });
    await call(first.core, 'sessions.list', {});
    await first.core.dispose();
    // The next start, with the server away (its access token, 65 s long, counts as expired: a refresh is needed too).
    proxy.setDown(true);
    proxy.cut();
    const next = openConsole(viaProxy, kept);
    const state = await call<{ profile: { displayName: string } | null }>(next.core, 'auth.getState', {});
    expect(state.profile?.displayName).toBe('Omar');
    const cached = await call<{ sessions: { id: string }[]; refreshing?: boolean }>(next.core, 'sessions.list', {});
    expect(cached.refreshing).toBe(true);
    expect(cached.sessions.map((s) => s.id)).toContain(sessionId);
    const queued = await call<{ clientMessageId: string }>(next.core, 'messages.sendText', { sessionId, body: 'written at a start while the server was away' });
    // What needs the server says it is unavailable, and is not signed out.
    await expect(call(next.core, 'accounts.list', {})).rejects.toMatchObject({ code: 'backend.unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(eventsNamed(next, 'auth.changed').some((s) => s.profile === null)).toBe(false);
    proxy.setDown(false);
    await until(
      () => (eventsNamed(next, 'outbox.changed').some((e) => e.clientMessageId === queued.clientMessageId && e.state === 'sent') ? true : undefined),
      'the queued message sent once the session was taken up',
      60_000,
    );
    await until(() => (eventsNamed(next, 'connection.changed').at(-1)?.realtime === 'joined' ? true : undefined), 'the kept console joining its channels', 60_000);
    const rows = (await call<{ messages: ChatMessage[] }>(reader.core, 'messages.page', { sessionId, limit: 200 })).messages;
    expect(rows.filter((m) => m.clientMessageId === queued.clientMessageId)).toHaveLength(1);
    await call(next.core, 'auth.signOut', {});
    await next.core.dispose();
    expect(kept.take()).toBeNull();
  }, 120_000);

  it('brings the sign-in screen back when the refresh is refused, and keeps the outbox for the next sign-in', async () => {
    // Signed out everywhere from another machine: this console's refresh token is revoked.
    const elsewhere = createClient(embedded.api!.url, embedded.api!.anonKey, { auth: { persistSession: false }, realtime: { transport: WebSocket as never } });
    const { error } = await elsewhere.auth.signInWithPassword({ email: clientEmail, password });
    expect(error).toBeNull();
    await elsewhere.auth.signOut({ scope: 'global' });
    // The client writes while its session is dying: the message is queued durably either way.
    proxy.setDown(true);
    proxy.cut();
    const queued = await call<{ clientMessageId: string; state: string }>(client.core, 'messages.sendText', { sessionId, body: 'written offline' });
    expect(['queued', 'sending', 'failed']).toContain(queued.state);
    proxy.setDown(false);
    // auth-js keeps a session whose refresh was refused while its access token is still valid (and waits a cooldown
    // of two ticks before asking again): the sign-in screen comes back once the access token itself has expired.
    await until(
      () => (eventsNamed(client, 'auth.changed').some((s) => s.profile === null && s.signedOutReason === 'expired') ? true : undefined),
      'the expired sign-in',
      (TOKEN_TTL_S + 120) * 1000,
    );
    await call(client.core, 'auth.signIn', { email: clientEmail, password });
    await until(
      () => (eventsNamed(client, 'outbox.changed').some((e) => e.clientMessageId === queued.clientMessageId && e.state === 'sent') ? true : undefined),
      'the queued message sent after signing in again',
      60_000,
    );
    await until(async () => {
      const rows = (await call<{ messages: ChatMessage[] }>(reader.core, 'messages.page', { sessionId, limit: 200 })).messages;
      return rows.some((m) => m.clientMessageId === queued.clientMessageId) ? rows : undefined;
    }, 'the reader receiving it');
    const rows = (await call<{ messages: ChatMessage[] }>(reader.core, 'messages.page', { sessionId, limit: 200 })).messages;
    expect(rows.filter((m) => m.clientMessageId === queued.clientMessageId)).toHaveLength(1);
  }, 360_000);
});
