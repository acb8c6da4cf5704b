// A PostgreSQL 15 database at platform scale, for the SQL plan check (tests/sql/plans.ts) and the read benchmark
// (bench/sql/reads.bench.ts): the migrations, one staff member (admin) following every session, the seeded
// sessions and messages, and voice notes waiting for review. Calls run as PostgREST runs them: one transaction,
// `request.jwt.claims` and the `authenticated` role set locally.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applySchema, fromPg } from '../../src/main/schema/index';
import { startPostgres, type PostgresServer } from './postgres-server';
import { seedPendingAudio, seedSessions, type SeededSession } from './scale-seed';

export interface ScaleDatabase {
  server: PostgresServer;
  admin: pg.Client;
  staffId: string;
  seeded: SeededSession[];
  /** A connection that runs each call as the staff member, in its own transaction. */
  connectAsStaff(): Promise<StaffConnection>;
  stop(): Promise<void>;
}

export interface StaffConnection {
  client: pg.Client;
  /** One request: begin, claims and role, the statement, commit. */
  call<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  end(): Promise<void>;
}

export async function startScaleDatabase(options: { sessions: number; messages: number; pendingAudio: number }): Promise<ScaleDatabase> {
  const server = await startPostgres({ settings: { shared_buffers: '256MB' } });
  const admin = new pg.Client({ connectionString: server.url });
  admin.on('notice', () => undefined);
  try {
    await admin.connect();
    await applySchema(fromPg(admin));
    const staffId = randomUUID();
    await admin.query(`insert into auth.users (id, email) values ($1, 'staff@bench.test')`, [staffId]);
    await admin.query(`update public.profiles set role = 'admin', display_name = 'Staff' where id = $1`, [staffId]);
    const sql = { exec: (text: string) => admin.query(text), query: async <R>(text: string, params?: unknown[]) => (await admin.query(text, params)) as unknown as { rows: R[] } };
    const seeded = await seedSessions(sql, { staffId, sessions: options.sessions, messages: options.messages });
    await seedPendingAudio(sql, options.pendingAudio);
    await admin.query('vacuum analyze');
    return {
      server,
      admin,
      staffId,
      seeded,
      async connectAsStaff() {
        const client = new pg.Client({ connectionString: server.url });
        client.on('notice', () => undefined);
        await client.connect();
        const claims = JSON.stringify({ sub: staffId, role: 'authenticated' });
        return {
          client,
          async call<R>(text: string, params: unknown[] = []) {
            await client.query('begin');
            try {
              await client.query(`select set_config('request.jwt.claims', $1, true), set_config('role', 'authenticated', true)`, [claims]);
              const { rows } = await client.query(text, params);
              await client.query('commit');
              return rows as R[];
            } catch (error) {
              await client.query('rollback');
              throw error;
            }
          },
          end: () => client.end(),
        };
      },
      async stop() {
        await admin.end().catch(() => undefined);
        await server.stop();
      },
    };
  } catch (error) {
    await admin.end().catch(() => undefined);
    await server.stop();
    throw error;
  }
}

/** The read RPCs a staff console calls, each with the indexes its queries must use. */
export interface ReadCall {
  name: string;
  sql: string;
  params(db: ScaleDatabase, cursor: string): unknown[];
  indexes: string[];
}

export const READ_CALLS: ReadCall[] = [
  {
    name: 'list_sessions (staff, 500 rows with unread counts)',
    sql: 'select * from public.list_sessions(500)',
    params: () => [],
    indexes: ['chat_sessions_recent_idx', 'chat_sessions_pkey', 'chat_participants_pkey', 'chat_messages_session_keyset_idx'],
  },
  {
    name: 'get_session',
    sql: 'select * from public.get_session($1)',
    params: (db) => [db.seeded[Math.floor(db.seeded.length / 2)]!.sessionId],
    indexes: ['chat_sessions_pkey', 'chat_participants_pkey', 'chat_messages_session_keyset_idx'],
  },
  {
    name: 'get_sessions (20 sessions)',
    sql: 'select * from public.get_sessions($1::uuid[])',
    params: (db) => [db.seeded.filter((_, i) => i % Math.max(1, Math.floor(db.seeded.length / 20)) === 0).slice(0, 20).map((s) => s.sessionId)],
    indexes: ['chat_sessions_pkey', 'chat_participants_pkey', 'chat_messages_session_keyset_idx'],
  },
  {
    name: 'list_messages (a page of 50)',
    sql: 'select * from public.list_messages($1, null, null, 50)',
    params: (db) => [db.seeded[Math.floor(db.seeded.length / 3)]!.sessionId],
    indexes: ['chat_messages_session_keyset_idx'],
  },
  {
    name: 'messages_changed_since (a cursor behind recent sends)',
    sql: 'select public.messages_changed_since($1, 500)',
    params: (_db, cursor) => [cursor],
    indexes: ['chat_messages_change_idx'],
  },
  {
    name: 'pending_audio (the approval queue)',
    sql: 'select * from public.pending_audio(200)',
    params: () => [],
    indexes: ['chat_messages_pending_idx'],
  },
];

/** A cursor with `count` new messages after it: taken, then that many sent by clients. */
export async function cursorBehind(db: ScaleDatabase, staff: StaffConnection, count: number): Promise<string> {
  const [first] = await staff.call<{ page: { cursor: string } }>('select public.messages_changed_since(null) as page');
  if (!first) throw new Error('messages_changed_since(null) returned no row');
  const { page } = first;
  for (let i = 0; i < count; i++) {
    const s = db.seeded[(i * 31) % db.seeded.length]!;
    await db.admin.query(`insert into public.chat_messages (session_id, sender_id, type, body) values ($1, $2, 'text', 'after the cursor')`, [s.sessionId, s.clientId]);
  }
  return page.cursor;
}
