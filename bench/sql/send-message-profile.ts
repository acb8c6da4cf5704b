// Where send_message's time goes, statement by statement: PostgreSQL 15 with pg_stat_statements
// (track = all, so the statements inside functions and triggers count) and track_functions = all, 50
// signed-in senders in a closed loop, then the same number of bare superuser INSERTs of the same row.
// Run: npx tsx bench/sql/send-message-profile.ts   (server time per call; the ratios, not the
// absolute figures, are what carry over from a shared machine). PROFILE_SENDERS (50) and PROFILE_SENDS (60
// per sender) change the load: at 1 sender the times are the work itself, at 200 they include the wait for
// a CPU. The bare INSERTs run after the sends, on fresh connections: for time per statement, not for a ratio
// (bench/sql/send-message.bench.ts is the ratio).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applySchema, fromPg } from '../../src/main/schema/index';
import { startPostgres } from '../../tests/support/postgres-server';
const N = Number(process.env.PROFILE_SENDERS ?? 50), PER = Number(process.env.PROFILE_SENDS ?? 60);
const server = await startPostgres({ maxConnections: 450, settings: { shared_buffers: '256MB', shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all', 'track_functions': 'all' } });
const admin = new pg.Client({ connectionString: server.url }); admin.on('notice', () => undefined);
try {
  await admin.connect(); await applySchema(fromPg(admin));
  await admin.query('create extension if not exists pg_stat_statements');
  await admin.query(`update public.app_settings set value = '100000' where key = 'console.rate_limit.messages_per_minute'`);
  await admin.query(`update public.app_settings set value = '10000000' where key = 'console.quota.session_messages_per_day'`);
  const reader = randomUUID();
  await admin.query(`insert into auth.users (id) values ($1)`, [reader]);
  await admin.query(`update public.profiles set role = 'reader' where id = $1`, [reader]);
  const users: { id: string; session: string }[] = [];
  for (let i = 0; i < N; i++) { const id = randomUUID(), session = randomUUID(); users.push({ id, session });
    await admin.query(`insert into auth.users (id) values ($1)`, [id]);
    await admin.query(`insert into public.chat_sessions (id, type, created_by) values ($1, 'support', $2)`, [session, id]);
    await admin.query(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client'), ($1, $3, 'reader')`, [session, id, reader]); }
  await admin.query('analyze');
  const cs = await Promise.all(users.map(async (u) => { const c = new pg.Client({ connectionString: server.url }); c.on('notice', () => undefined); await c.connect();
    await c.query(`select set_config('request.jwt.claims', $1, false)`, [JSON.stringify({ sub: u.id, role: 'authenticated' })]); await c.query('set role authenticated'); return { c, u }; }));
  const run = async (per: number) => Promise.all(cs.map(async ({ c, u }) => { for (let i = 0; i < per; i++) await c.query(`select id from public.send_message($1::uuid, 'text', $2::uuid, $3)`, [u.session, randomUUID(), 'bench ' + i]); }));
  await run(10);
  await admin.query('select pg_stat_statements_reset()'); await admin.query('select pg_stat_reset()');
  await run(PER);
  const sup = await Promise.all(users.map(async (u) => { const c = new pg.Client({ connectionString: server.url }); c.on('notice', () => undefined); await c.connect(); return { c, u }; }));
  await Promise.all(sup.map(async ({ c, u }) => { for (let i = 0; i < PER; i++) { const id = randomUUID();
    await c.query(`insert into public.chat_messages (id, session_id, sender_id, type, body, client_message_id) values ($2::uuid, $1::uuid, $4::uuid, 'text', $3, $2::uuid)`, [u.session, id, 'bench ' + i, u.id]); } }));
  await Promise.all(sup.map(({ c }) => c.end()));
  const r = await admin.query(`select calls, round(total_exec_time::numeric,1) ms, round((total_exec_time/calls)::numeric*1000,1) us_per_call, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) q from pg_stat_statements where calls >= ${N*PER/2} and query not like '%pg_stat%' order by total_exec_time desc limit 40`);
  console.table(r.rows);
  const f = await admin.query(`select schemaname||'.'||funcname f, calls, round(total_time::numeric,1) total, round(self_time::numeric,1) self from pg_stat_user_functions order by self_time desc limit 30`);
  console.table(f.rows);
  await Promise.all(cs.map(({ c }) => c.end()));
} finally { await admin.end().catch(() => undefined); await server.stop(); }
