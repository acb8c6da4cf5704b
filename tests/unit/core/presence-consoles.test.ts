import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { createConsoleCore, type ConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import type { ActivitySignal, ActivitySource } from '../../../src/main/core/presence';
import type { EventName, EventPayload } from '../../../src/shared/ipc/contract';

// Presence end to end through real cores on one real embedded backend: the reader's console (the page as its
// activity source, as in the web shell, or an OS-like source, as Electron's powerMonitor) and the admin's, who
// sees it change through the presence broadcast.
let backend: EmbeddedSupabase;
let dataDir: string;
const password = 'correct horse battery';

type Recorded = { name: string; payload: unknown }[];

function console_(activity?: ActivitySource): { core: ConsoleCore; events: Recorded } {
  const events: Recorded = [];
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    ...(activity ? { createActivitySource: () => activity } : {}),
    log: () => {},
  });
  core.events.attach((name, payload) => events.push({ name, payload }));
  return { core, events };
}

async function call<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
  return result.value as T;
}

async function waitFor<K extends EventName>(events: Recorded, name: K, match: (payload: EventPayload<K>) => boolean): Promise<EventPayload<K>> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const found = events.find((e) => e.name === name && match(e.payload as EventPayload<K>));
    if (found) return found.payload as EventPayload<K>;
    if (Date.now() > deadline) throw new Error(`no ${name} event matched`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const presenceOf = (events: Recorded, userId: string) =>
  events.filter((e) => e.name === 'presence.changed' && (e.payload as { userId: string }).userId === userId).map((e) => (e.payload as { availability: string }).availability);

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-presence-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
}, 120_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('presence between consoles', () => {
  let readerId = '';
  let admin: ReturnType<typeof console_>;

  it('the reader signs in online, goes away on a long quiet in the page, back on input, offline when the page closes', async () => {
    admin = console_();
    await call(admin.core, 'auth.createFirstAccount', { email: 'owner@samia.test', password, displayName: 'Owner', preferredLanguage: 'en' });
    readerId = (await call<{ id: string }>(admin.core, 'accounts.create', { email: 'layla@samia.test', password, displayName: 'Layla', role: 'reader' })).id;
    const { id: sessionId } = await call<{ id: string }>(admin.core, 'sessions.openSupport', { userId: readerId });
    const before = await call<{ sessions: { id: string; participants: { userId: string; availability: string }[] }[] }>(admin.core, 'sessions.list', {});
    expect(before.sessions.find((s) => s.id === sessionId)?.participants.find((p) => p.userId === readerId)?.availability).toBe('offline');

    const reader = console_();
    const state = await call<{ profile: { availability: string } }>(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
    expect(state.profile.availability).toBe('online');
    await waitFor(admin.events, 'presence.changed', (p) => p.userId === readerId && p.availability === 'online');
    // The admin's own cached sessions follow too (a later list shows the same).
    const after = await call<{ sessions: { id: string; participants: { userId: string; availability: string }[] }[] }>(admin.core, 'sessions.list', {});
    expect(after.sessions.find((s) => s.id === sessionId)?.participants.find((p) => p.userId === readerId)?.availability).toBe('online');

    await call(reader.core, 'presence.activity', { idleSeconds: 301 });
    await waitFor(admin.events, 'presence.changed', (p) => p.userId === readerId && p.availability === 'away');
    await call(reader.core, 'presence.activity', { idleSeconds: 0 });
    await expect.poll(() => presenceOf(admin.events, readerId)).toEqual(['online', 'away', 'online']);

    // Busy is the reader's choice: idle still turns it away; appear offline stays offline whatever happens.
    await call(reader.core, 'profile.setAvailability', { availability: 'busy' });
    await call(reader.core, 'presence.activity', { idleSeconds: 4000 });
    await expect.poll(() => presenceOf(admin.events, readerId).slice(-2)).toEqual(['busy', 'away']);
    await call(reader.core, 'profile.setAvailability', { availability: 'online' });
    await call(reader.core, 'presence.activity', { idleSeconds: 0 });

    await reader.core.dispose();
    await expect.poll(() => presenceOf(admin.events, readerId).at(-1)).toBe('offline');
  });

  it('signs in with the kept choice; the OS source locks to away and unlocks back; sign-out shows offline', async () => {
    const listeners = new Set<(s: ActivitySignal) => void>();
    const os: ActivitySource = {
      idleSeconds: () => 0,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const reader = console_(os);
    await call(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
    await call(reader.core, 'profile.setAvailability', { availability: 'busy' });
    await call(reader.core, 'auth.signOut', {});
    await expect.poll(() => presenceOf(admin.events, readerId).at(-1)).toBe('offline');
    const marks = presenceOf(admin.events, readerId).length;

    const state = await call<{ profile: { availability: string } }>(reader.core, 'auth.signIn', { email: 'layla@samia.test', password });
    expect(state.profile.availability).toBe('busy');
    await expect.poll(() => presenceOf(admin.events, readerId).slice(marks)).toEqual(['busy']);
    // Page reports mean nothing where the shell has its own source.
    await call(reader.core, 'presence.activity', { idleSeconds: 4000 });
    for (const l of listeners) l('locked');
    await expect.poll(() => presenceOf(admin.events, readerId).slice(marks)).toEqual(['busy', 'away']);
    for (const l of listeners) l('unlocked');
    await expect.poll(() => presenceOf(admin.events, readerId).slice(marks)).toEqual(['busy', 'away', 'busy']);
    await call(reader.core, 'auth.signOut', {});
    await expect.poll(() => presenceOf(admin.events, readerId).slice(marks)).toEqual(['busy', 'away', 'busy', 'offline']);
    expect(listeners.size).toBe(0);
    await admin.core.dispose();
  });
});
