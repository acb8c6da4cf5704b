import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, LocalDatabase, migrate, openLocalStore, SessionListCache } from '../../../src/main/store';
import { MIGRATIONS } from '../../../src/main/store/migrations';
import type { ChatSession } from '../../../src/shared/ipc/contract';

// The cached session list on a real better-sqlite3 file: order, cap, replacement, per user, and an older database
// brought to the new schema by the appended migration.
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-session-cache-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const session = (minutesAgo: number, over: Partial<ChatSession> = {}): ChatSession => ({
  id: randomUUID(),
  type: 'support',
  status: 'active',
  bookingId: null,
  lastMessageAt: new Date(Date.UTC(2026, 11, 1, 12, 0) - minutesAgo * 60_000).toISOString(),
  createdAt: '2026-11-01T00:00:00.000Z',
  unreadCount: minutesAgo % 3,
  lastReadAt: null,
  lastMessage: null,
  waitingSince: null,
  participants: [{ userId: randomUUID(), displayName: 'عميل', role: 'client', roleInSession: 'client', availability: 'online', lastReadAt: null }],
  ...over,
});

it('keeps the rows in the list’s order, the newest within its cap, and replaces what was cached before', () => {
  const store = openLocalStore({ directory: path.join(dir, 'users', 'a'), cachedSessions: 3 });
  const rows = [session(30), session(5), session(60), session(1), session(10)];
  store.sessionList.replace(rows);
  expect(store.sessionList.list().map((s) => s.lastMessageAt)).toEqual([rows[3]!, rows[1]!, rows[4]!].map((s) => s.lastMessageAt));
  expect(store.sessionList.list()[0]).toEqual(rows[3]);
  // The next list replaces it: a session no longer listed is gone, none is kept twice.
  const next = [rows[1]!, { ...rows[1]!, unreadCount: 7 }, session(2)];
  store.sessionList.replace(next);
  const listed = store.sessionList.list();
  expect(listed.map((s) => s.id)).toEqual([next[2]!.id, rows[1]!.id]);
  expect(listed[1]!.unreadCount).toBe(7);
  store.sessionList.clear();
  expect(store.sessionList.list()).toEqual([]);
  store.close();
});

it('orders sessions without messages by creation, and equal times by id', () => {
  const store = openLocalStore({ directory: path.join(dir, 'users', 'a') });
  const quiet = session(0, { lastMessageAt: null, createdAt: '2026-12-01T13:00:00.000Z' });
  const a = session(5, { id: '00000000-0000-4000-8000-000000000001' });
  const b = { ...a, id: '00000000-0000-4000-8000-000000000002' };
  store.sessionList.replace([a, quiet, b]);
  expect(store.sessionList.list().map((s) => s.id)).toEqual([quiet.id, b.id, a.id]);
  store.close();
});

it('survives a restart, and each user reads only their own', () => {
  const mine = openLocalStore({ directory: path.join(dir, 'users', 'a') });
  const rows = [session(1), session(2)];
  mine.sessionList.replace(rows);
  mine.close();
  const theirs = openLocalStore({ directory: path.join(dir, 'users', 'b') });
  expect(theirs.sessionList.list()).toEqual([]);
  theirs.close();
  const again = openLocalStore({ directory: path.join(dir, 'users', 'a') });
  expect(again.sessionList.list()).toEqual(rows);
  again.close();
});

it('drops the whole cached list when a row no longer reads as a session row', () => {
  const store = openLocalStore({ directory: path.join(dir, 'users', 'a') });
  store.sessionList.replace([session(1), session(2)]);
  store.database.db.prepare("UPDATE cached_sessions SET row = json_set(row, '$.status', 'archived') WHERE position = 1").run();
  expect(store.sessionList.list()).toEqual([]);
  expect(store.database.db.prepare('SELECT count(*) AS n FROM cached_sessions').get()).toEqual({ n: 0 });
  store.close();
});

it('refuses a cap below one row', () => {
  const database = LocalDatabase.open(':memory:');
  expect(() => new SessionListCache(database, 0)).toThrow(/at least one row/);
  database.close();
});

it('brings a database of the previous version to the new schema, its data kept', () => {
  const file = path.join(dir, 'local.db');
  const raw = new Database(file);
  migrate(raw, MIGRATIONS.slice(0, LATEST_SCHEMA_VERSION - 1));
  raw.prepare("INSERT INTO drafts (session_id, body, reply_to, updated_at) VALUES ('s', 'kept', NULL, 1)").run();
  raw.close();
  const database = LocalDatabase.open(file);
  expect(database.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
  expect(database.db.prepare('SELECT body FROM drafts').get()).toEqual({ body: 'kept' });
  const cache = new SessionListCache(database);
  expect(cache.list()).toEqual([]);
  cache.replace([session(1)]);
  expect(cache.list()).toHaveLength(1);
  database.close();
});
