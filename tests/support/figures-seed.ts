// What the figures read, added to a scale database (tests/support/scale-database.ts, whose seed has client
// messages only): a reader in every session answering about half of the client's messages half a second later,
// review decisions in the audit log over the last day, and other audit rows (edits) over the last month around
// them. Written as the owner with triggers off, as the scale seed writes; analysed afterwards.
import type pg from 'pg';

export interface FiguresSeed {
  readers: number;
  decisions: number;
  otherAuditRows: number;
}

export async function seedFigures(admin: pg.Client, options: FiguresSeed): Promise<void> {
  await admin.query('set session_replication_role = replica');
  try {
    await admin.query(`create temporary table figures_readers (n int primary key, id uuid not null)`);
    await admin.query(`insert into figures_readers select g, gen_random_uuid() from generate_series(1, $1::int) g`, [options.readers]);
    await admin.query(`insert into auth.users (id, aud, role, email, created_at, updated_at)
                         select id, 'authenticated', 'authenticated', 'figures-reader-' || n || '@bench.test', now(), now() from figures_readers`);
    await admin.query(`insert into public.profiles (id, display_name, role, preferred_language)
                         select id, 'Reader ' || n, 'reader', 'ar' from figures_readers`);
    // Each session's reader: chosen by the session's place in a stable order.
    await admin.query(`create temporary table figures_session_reader as
                         select s.id as session_id, r.id as reader_id
                         from (select id, row_number() over (order by id) as k from public.chat_sessions) s
                         join figures_readers r on r.n = 1 + s.k % $1::int`, [options.readers]);
    await admin.query(`insert into public.chat_participants (session_id, user_id, role_in_session, joined_at)
                         select session_id, reader_id, 'reader', now() - interval '2 days' from figures_session_reader`);
    await admin.query(`insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
                         select m.session_id, sr.reader_id, 'text', 'reply', 'sent', m.created_at + interval '500 milliseconds'
                         from public.chat_messages m join figures_session_reader sr on sr.session_id = m.session_id
                         where m.type = 'text' and random() < 0.5`);
    await admin.query(`insert into public.audit_log (table_name, row_id, action, actor_id, new_values, created_at)
                         select 'chat_messages', gen_random_uuid()::text, case when g % 4 = 0 then 'status:rejected' else 'status:approved' end,
                                r.id, jsonb_build_object('sender_id', r.id, 'created_at', now() - interval '1 day' + g * interval '1 second' - interval '10 minutes',
                                                         'review_reason', case when g % 4 = 0 then 'reason ' || g % 7 end),
                                now() - interval '1 day' + (g::double precision / $1::int) * interval '1 day'
                         from generate_series(1, $1::int) g join figures_readers r on r.n = 1 + g % $2::int`, [options.decisions, options.readers]);
    await admin.query(`insert into public.audit_log (table_name, row_id, action, new_values, created_at)
                         select 'chat_messages', gen_random_uuid()::text, 'edit', '{}'::jsonb,
                                now() - interval '30 days' + (g::double precision / $1::int) * interval '30 days'
                         from generate_series(1, $1::int) g`, [options.otherAuditRows]);
  } finally {
    await admin.query('set session_replication_role = origin');
  }
  await admin.query('vacuum analyze');
}
