// Table maintenance on PGlite (src/main/backend/local-supabase/table-maintenance.ts): what autovacuum does on a
// server. Real PGlite with the migrations; the statistics it reads are PostgreSQL's own.
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';
import type { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { openDatabase, type Database } from './harness';

let db: Database | null = null;
let embedded: EmbeddedSupabase | null = null;
afterEach(async () => {
  await db?.close();
  await embedded?.stop();
  db = null;
  embedded = null;
});

/** A session of `messages` messages, each having moved the session's row as send_message does. */
async function conversation(database: Database, messages: number): Promise<string> {
  const [client] = await database.sql<{ id: string }>(`insert into auth.users (id, email) values (gen_random_uuid(), 'c@maintenance.test') returning id`);
  const [session] = await database.sql<{ id: string }>(
    `insert into public.chat_sessions (type, status, created_by) values ('support', 'active', $1) returning id`, [client!.id]);
  await database.sql(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client')`, [session!.id, client!.id]);
  for (let k = 0; k < messages; k++) {
    await database.sql(`insert into public.chat_messages (session_id, sender_id, type, body, status) values ($1, $2, 'text', 'hello', 'sent')`,
      [session!.id, client!.id]);
    await database.sql(`update public.chat_sessions set last_message_at = clock_timestamp() where id = $1`, [session!.id]);
  }
  return session!.id;
}

const tableState = (database: Database, table: string) =>
  database
    .sql<{ reltuples: number; dead: number; columns: number }>(
      `select c.reltuples, s.n_dead_tup as dead,
              (select count(*)::int from pg_catalog.pg_stats p where p.schemaname = s.schemaname and p.tablename = s.relname) as columns
         from pg_catalog.pg_stat_user_tables s join pg_catalog.pg_class c on c.oid = s.relid
        where format('%I.%I', s.schemaname, s.relname) = $1`,
      [table],
    )
    .then((rows) => rows[0]!);

describe('table maintenance on PGlite', () => {
  it('analyses a table never analysed, vacuums the dead rows of updates, then finds nothing due', async () => {
    db = await openDatabase('pglite');
    await conversation(db, 120);
    const before = await tableState(db, 'public.chat_messages');
    expect(before.reltuples, 'never analysed: the planner guesses its size').toBe(-1);
    expect(before.columns).toBe(0);

    const report = await (db.database as PgliteDatabase).maintain();
    // 120 inserts are under the insert threshold (1,000), so chat_messages is analysed only; its session's row
    // was updated 120 times, so chat_sessions holds dead versions of it and is vacuumed.
    expect(report.analysed).toContain('public.chat_messages');
    expect(report.vacuumed).toContain('public.chat_sessions');
    const after = await tableState(db, 'public.chat_messages');
    expect(after.reltuples).toBe(120);
    expect(after.columns, 'column statistics for the planner').toBeGreaterThan(5);
    expect((await tableState(db, 'public.chat_sessions')).dead).toBe(0);

    const again = await (db.database as PgliteDatabase).maintain();
    expect(again, 'nothing changed since: nothing due').toEqual({ vacuumed: [], analysed: [] });
  });

  it('runs on the embedded backend\'s own timer', async () => {
    embedded = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0, maintenanceMs: 100 });
    await embedded.start();
    const database = embedded.database as PgliteDatabase;
    const sql = <R>(text: string, params?: unknown[]) => database.db.query<R>(text, params).then((r) => r.rows);
    await sql(`insert into storage.buckets (id, name) values ('maintenance-test', 'maintenance-test')`);
    await sql(`insert into storage.objects (bucket_id, name) select 'maintenance-test', 'o' || g from generate_series(1, 80) g`);
    await expect
      .poll(async () => (await sql<{ reltuples: number }>(`select reltuples from pg_class where oid = 'storage.objects'::regclass`))[0]!.reltuples, {
        timeout: 20_000,
      })
      .toBe(80);
  });
});
