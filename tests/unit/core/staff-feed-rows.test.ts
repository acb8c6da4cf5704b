import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { applySchema } from '../../../src/main/schema/index';
import { createConsoleCore } from '../../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import type { ChatSession } from '../../../src/shared/ipc/contract';
import { countingBackend } from '../../support/counting-backend';
import { seedSessions, type SeededSession } from '../../support/scale-seed';

// A staff console follows more sessions than its list holds (it lists the 500 most recent). A message in one it has
// not read comes on staff:sessions with the session's row as staff who have not joined it read it: the console takes
// that row, with no read, and it must be the row the server gives (get_sessions). Real core, real embedded backend
// over PGlite with the migrations; the owner's connection is wrapped only to count its row reads.
let database: PgliteDatabase;
let backend: EmbeddedSupabase;
let dataDir: string;
let seeded: SeededSession[];
let ownerId: string;
const password = 'correct horse battery';

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-staff-feed-'));
  database = await PgliteDatabase.open(null);
  await applySchema({ exec: (sql) => database.db.exec(sql), query: (sql, params) => database.db.query(sql, params) }, { target: 'compat' });
  backend = new EmbeddedSupabase({ dataDir: null, database, emergencySweepMs: 0 });
  await backend.start();
  const owner = await backend.createFirstAccount({ email: 'owner@samia.test', password, displayName: 'Owner', preferredLanguage: 'en' });
  ownerId = owner.userId;
  seeded = await seedSessions(database.db, { staffId: owner.userId, sessions: 520, messages: 1040, joined: false });
}, 180_000);

afterAll(async () => {
  await backend.stop();
  await rm(dataDir, { recursive: true, force: true });
});

it('takes the row of a session it does not hold from the staff feed: no read, the server\'s row; one it joined keeps its own counts', async () => {
  const counted = countingBackend(backend, new Set(['getSession', 'getSessions']));
  // Layered on the first: its own count of the catch-ups the core makes after its channels join.
  const catchUps = countingBackend(counted.backend, new Set(['messagesChangedSince']));
  const rows = new Map<string, ChatSession | null>();
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    backend: catchUps.backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    log: () => {},
  });
  let joinedRealtime = false;
  core.events.attach((name, payload) => {
    const pushed = payload as { sessionId?: string | null; session?: ChatSession | null; realtime?: string };
    if (name === 'sessions.changed' && pushed.sessionId && pushed.session !== undefined) rows.set(pushed.sessionId, pushed.session);
    if (name === 'connection.changed' && pushed.realtime === 'joined') joinedRealtime = true;
  });
  const call = async <T>(name: string, input: unknown): Promise<T> => {
    const result = await core.dispatch(name, input, { origin: 'test' });
    if (!result.ok) throw Object.assign(new Error(result.error.code), result.error);
    return result.value as T;
  };
  try {
    await call('auth.signIn', { email: 'owner@samia.test', password });
    // The messages are to come live, on staff:sessions: sent before its join and the catch-up after it, they would
    // reach the console through that catch-up, which reads the rows.
    await expect.poll(() => joinedRealtime, { timeout: 15_000 }).toBe(true);
    await expect.poll(() => (catchUps.settled.get(ownerId) ?? 0) > 0 && catchUps.settled.get(ownerId) === catchUps.calls.get(ownerId), { timeout: 15_000 }).toBe(true);
    const { sessions } = await call<{ sessions: ChatSession[] }>('sessions.list', {});
    const listed = new Set(sessions.map((s) => s.id));
    // The seed's first sessions are its oldest: beyond the 500 the list holds.
    const unheld = seeded.slice(0, 6).filter((s) => !listed.has(s.sessionId));
    expect(unheld.length, 'sessions the console has not read').toBe(6);
    const send = (s: SeededSession, body: string) =>
      database.asRequest({ role: 'authenticated', sub: s.clientId }, (sql) =>
        sql.query(`select id from public.send_message($1::uuid, 'text', $2::uuid, $3)`, [s.sessionId, randomUUID(), body]),
      );

    const before = counted.calls.get(ownerId) ?? 0;
    for (const s of unheld.slice(0, 5)) await send(s, `first word from ${s.clientId}`);
    for (const s of unheld.slice(0, 5)) {
      await expect.poll(() => rows.get(s.sessionId)?.lastMessage?.preview, { timeout: 15_000 }).toBe(`first word from ${s.clientId}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((counted.calls.get(ownerId) ?? 0) - before, 'no read for the sessions the feed brought').toBe(0);
    const owner = await backend.signIn('owner@samia.test', password);
    const truth = new Map((await owner.getSessions(unheld.map((s) => s.sessionId))).map((row) => [row.id, row]));
    for (const s of unheld.slice(0, 5)) expect(rows.get(s.sessionId), 'the server\'s row').toEqual(truth.get(s.sessionId));

    // Joined: the unread count and last read are the owner's own, which the feed does not carry (the join is read).
    const joined = unheld[5]!;
    await database.db.query(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'staff')`, [joined.sessionId, ownerId]);
    await expect.poll(() => rows.get(joined.sessionId)?.participants.some((p) => p.userId === ownerId), { timeout: 15_000 }).toBe(true);
    await send(joined, 'to the staff member who joined');
    await expect.poll(() => rows.get(joined.sessionId)?.lastMessage?.preview, { timeout: 15_000 }).toBe('to the staff member who joined');
    const [row] = await owner.getSessions([joined.sessionId]);
    expect(rows.get(joined.sessionId)).toEqual(row);
    expect(row!.unreadCount, 'the owner\'s own unread count: the seeded two and the new one').toBe(3);
  } finally {
    await core.dispose();
  }
}, 120_000);
