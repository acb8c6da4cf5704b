import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { createConsoleCore, type ConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import type { EventName, EventPayload } from '../../../src/shared/ipc/contract';
import { sample } from '../../support/media-samples';

// Two consoles (reader and monitor) and a client, each a real core, on one real embedded backend.
let backend: EmbeddedSupabase;
let dataDir: string;
const platforms: HeadlessAlertPlatform[] = [];
const password = 'correct horse battery';

function console_(): { core: ConsoleCore; events: { name: string; payload: unknown }[]; alerts: HeadlessAlertPlatform } {
  const events: { name: string; payload: unknown }[] = [];
  let alerts!: HeadlessAlertPlatform;
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => {
      alerts = new HeadlessAlertPlatform({ emitToRenderer });
      platforms.push(alerts);
      return alerts;
    },
    openExternal: async () => false,
    log: () => {},
  });
  core.events.attach((name, payload) => events.push({ name, payload }));
  return { core, events, alerts };
}

async function call<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
  return result.value as T;
}

async function waitFor<K extends EventName>(
  events: { name: string; payload: unknown }[],
  name: K,
  match: (payload: EventPayload<K>) => boolean,
): Promise<EventPayload<K>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = events.find((e) => e.name === name && match(e.payload as EventPayload<K>));
    if (found) return found.payload as EventPayload<K>;
    if (Date.now() > deadline) throw new Error(`no ${name} event matched`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-core-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
}, 120_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('two consoles on one embedded backend', () => {
  it('delivers a queued message once, reports its states, and alerts the unfocused reader', async () => {
    const admin = console_();
    const state = await call<{ firstRun: boolean; profile: { role: string } }>(admin.core, 'auth.createFirstAccount', {
      email: 'owner@samia.test',
      password,
      displayName: 'Owner',
      preferredLanguage: 'en',
    });
    expect(state.profile.role).toBe('super_admin');
    const readerId = (await call<{ id: string }>(admin.core, 'accounts.create', { email: 'layla@samia.test', password, displayName: 'Layla', role: 'reader' })).id;
    await call(admin.core, 'accounts.create', { email: 'omar@samia.test', password, displayName: 'Omar', role: 'client' });

    const client = console_();
    await call(client.core, 'auth.signIn', { email: 'omar@samia.test', password });
    const { id: sessionId } = await call<{ id: string }>(client.core, 'sessions.openSupport', {});
    await call(admin.core, 'sessions.assignReader', { sessionId, readerId });

    const reader = console_();
    await call(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
    await call(reader.core, 'sessions.list', {});
    await call(reader.core, 'app.setViewState', { focused: false, visibleSessionId: null });

    const queued = await call<{ clientMessageId: string; state: string }>(client.core, 'messages.sendText', { sessionId, body: 'Hello Layla' });
    expect(queued.state).toBe('queued');
    await waitFor(client.events, 'outbox.changed', (p) => p.clientMessageId === queued.clientMessageId && p.state === 'sent');
    const arrived = await waitFor(reader.events, 'messages.changed', (p) => p.messages.some((m) => m.clientMessageId === queued.clientMessageId));
    expect(arrived.messages[0]?.body).toBe('Hello Layla');

    const page = await call<{ messages: { clientMessageId: string | null }[] }>(reader.core, 'messages.page', { sessionId });
    expect(page.messages.filter((m) => m.clientMessageId === queued.clientMessageId).length).toBeLessThanOrEqual(1);
    const sessions = await call<{ sessions: { id: string; unreadCount: number }[] }>(reader.core, 'sessions.list', {});
    expect(sessions.sessions.find((s) => s.id === sessionId)?.unreadCount).toBe(1);
    await expect.poll(() => reader.alerts.visibleNotifications().length, { timeout: 10_000 }).toBeGreaterThan(0);

    for (const c of [admin, client, reader]) await c.core.dispose();
  });

  it('reviews voice notes online (first decision wins) and offline from a review pack through the outbox', async () => {
    const admin = console_();
    await call(admin.core, 'auth.signIn', { email: 'owner@samia.test', password });
    await call(admin.core, 'accounts.create', { email: 'mona@samia.test', password, displayName: 'Mona', role: 'monitor' });
    const reader = console_();
    await call(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
    const { sessions } = await call<{ sessions: { id: string }[] }>(reader.core, 'sessions.list', {});
    const sessionId = sessions[0]!.id;
    const voice = async () => {
      const entry = await call<{ clientMessageId: string }>(reader.core, 'messages.sendFile', {
        sessionId,
        kind: 'audio',
        fileName: 'note.webm',
        mimeType: 'audio/webm',
        bytesBase64: Buffer.from(sample('voice.webm')).toString('base64'),
        durationMs: 1500,
        waveform: [0.1, 0.8, 0.3],
      });
      await waitFor(reader.events, 'outbox.changed', (p) => p.clientMessageId === entry.clientMessageId && p.state === 'sent');
      return entry.clientMessageId;
    };
    const first = await voice();
    const second = await voice();

    const monitor = console_();
    await call(monitor.core, 'auth.signIn', { email: 'mona@samia.test', password });
    const pending = await call<{ messages: { id: string }[] }>(monitor.core, 'reviews.pending', {});
    expect(pending.messages.map((m) => m.id)).toEqual(expect.arrayContaining([first, second]));

    // Online: the monitor approves; the admin's later rejection is refused with a specific error.
    const decided = await call<{ via: string; message: { status: string } }>(monitor.core, 'reviews.decide', { messageId: first, decision: 'approve' });
    expect(decided).toMatchObject({ via: 'server', message: { status: 'approved' } });
    const late = await admin.core.dispatch('reviews.decide', { messageId: first, decision: 'reject', reason: 'no' }, { origin: 'test' });
    expect(late).toMatchObject({ ok: false, error: { messageKey: 'review.already_decided' } });
    const noReason = await monitor.core.dispatch('reviews.decide', { messageId: second, decision: 'reject' }, { origin: 'test' });
    expect(noReason).toMatchObject({ ok: false, error: { messageKey: 'review.reason_required' } });

    // Offline: the admin takes a pack, decides while offline; the monitor decides first on the server.
    const pack = await call<{ packId: string; imported: number }>(admin.core, 'reviews.downloadPack', { label: 'night shift' });
    expect(pack.imported).toBe(1);
    admin.core.setOnline(false);
    const queued = await call<{ via: string; entry: { state: string; clientMessageId: string } }>(admin.core, 'reviews.decide', {
      messageId: second,
      decision: 'reject',
      reason: 'background noise',
    });
    expect(queued).toMatchObject({ via: 'outbox', entry: { state: 'queued' } });
    await call(monitor.core, 'reviews.decide', { messageId: second, decision: 'approve' });
    admin.core.setOnline(true);
    await waitFor(admin.events, 'outbox.changed', (p) => p.clientMessageId === queued.entry.clientMessageId && p.state === 'sent');
    const items = await call<{ items: { messageId: string; state: string }[] }>(admin.core, 'reviews.packItems', { packId: pack.packId });
    expect(items.items.find((i) => i.messageId === second)?.state).toBe('superseded');

    for (const c of [admin, reader, monitor]) await c.core.dispose();
  });

  it('refuses a malformed send without queuing anything', async () => {
    const c = console_();
    await call(c.core, 'auth.signIn', { email: 'omar@samia.test', password });
    const result = await c.core.dispatch('messages.sendText', { sessionId: 'not-a-uuid', body: '' }, { origin: 'test' });
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.invalid_input' } });
    await c.core.dispose();
  });
});
