import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { countingBackend } from '../../support/counting-backend';
import { createConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';

// At sign-in the session loads its list and the renderer asks for it at once: one list_sessions, not two in a row
// (the costliest read at start-up, issue 15). A real core on a real embedded backend; the connection is wrapped
// only to count the calls it makes.
let backend: EmbeddedSupabase;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-list-load-'));
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
});

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('shares the list load in flight at sign-in, and loads again when asked later', async () => {
  const counted = countingBackend(backend, new Set(['listSessions']));
  const lists = () => [...counted.calls.values()].reduce((a, b) => a + b, 0);
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
  const first = await core.dispatch('auth.createFirstAccount', { email: 'owner@test.test', password: 'correct horse battery', displayName: 'Owner', preferredLanguage: 'en' }, { origin: 't' });
  expect(first).toMatchObject({ ok: true });
  const listed = await core.dispatch('sessions.list', {}, { origin: 't' });
  expect(listed).toMatchObject({ ok: true, value: { sessions: [] } });
  expect(lists()).toBe(1);
  await core.dispatch('sessions.list', {}, { origin: 't' });
  expect(lists()).toBe(2);
  await core.dispose();
});
