// The figures RPCs and the audit-log viewer (supabase/migrations/20261201002000_figures.sql,
// 20261201002100_audit_viewer.sql) on a small known dataset with exact expected numbers; refusals for
// everyone but admins; audit-log pages without gaps or duplicates across equal timestamps.
// Each case runs in a rolled-back transaction, where now() stands still: decisions made through
// review_audio are all stamped now(), and the range [now(), now() + 1 day) holds nothing of the fixtures
// (committed earlier), so every number below comes from this file alone.
import { randomUUID } from 'node:crypto';
import { ID, type Who } from './fixtures';
import type { Ctx, Workflow } from './workflows';

type Row = Record<string, unknown>;
const u = (n: string) => `00000000-0000-4000-8000-${n.padStart(12, '0')}`;
const RANGE = `now(), now() + interval '1 day'`;

/** A pending voice note recorded `agoSeconds` before now(), written as the owner. */
async function pendingNote(c: Ctx, session: string, sender: string, agoSeconds: number): Promise<string> {
  await c.as('postgres');
  const id = randomUUID();
  await c.rows(
    `insert into public.chat_messages (id, session_id, sender_id, type, status, storage_path, mime_type, size_bytes, duration_ms, created_at)
     values ($1, $2, $3, 'audio', 'pending_approval', $4, 'audio/webm', 10, 1000, now() - make_interval(secs => $5))`,
    [id, session, sender, `${session}/${id}/v.webm`, agoSeconds],
  );
  return id;
}

async function review(c: Ctx, who: Who, id: string, decision: 'approve' | 'reject', reason?: string) {
  await c.as(who);
  await c.rows(`select public.review_audio($1, $2, $3)`, [id, decision, reason ?? null]);
}

async function session(c: Ctx, id: string, members: [string, string][]) {
  await c.as('postgres');
  await c.rows(`insert into public.chat_sessions (id, type, status, created_by) values ($1, 'support', 'active', $2)`, [id, members[0]![0]]);
  for (const [user, role] of members) {
    await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, $3)`, [id, user, role]);
  }
}

/** A message `atSeconds` after now() (the range starts at now()). */
async function message(c: Ctx, sessionId: string, sender: string | null, atSeconds: number, type = 'text') {
  await c.as('postgres');
  await c.rows(
    `insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
     values ($1, $2, $3, 'x', 'sent', now() + make_interval(secs => $4))`,
    [sessionId, sender, type, atSeconds],
  );
}

/** The dataset: five decisions by two reviewers on two readers' notes, and six waits in two sessions. */
async function dataset(c: Ctx) {
  const r1a = await pendingNote(c, ID.s1, ID.reader, 600);
  const r1b = await pendingNote(c, ID.s1, ID.reader, 1200);
  const r1c = await pendingNote(c, ID.s1, ID.reader, 1800);
  const r2a = await pendingNote(c, ID.s2, ID.otherReader, 2400);
  const r2b = await pendingNote(c, ID.s2, ID.otherReader, 3600);
  await review(c, 'monitor', r1a, 'approve');
  await review(c, 'monitor', r1b, 'reject', 'Noise');
  await review(c, 'admin', r1c, 'reject', '  Noise ');
  await review(c, 'monitor', r2a, 'reject', 'Off topic');
  await review(c, 'admin', r2b, 'approve');

  const s3 = u('f1603');
  const s4 = u('f1604');
  await session(c, s3, [[ID.client, 'client'], [ID.reader, 'reader'], [ID.monitor, 'staff']]);
  await session(c, s4, [[ID.otherClient, 'client'], [ID.otherReader, 'reader']]);
  // s3: a wait from 60 s (the client writes again at 90 s: the same wait) answered at 180 s: 120 s.
  await message(c, s3, ID.client, 60);
  await message(c, s3, ID.client, 90);
  await message(c, s3, ID.reader, 180);
  await message(c, s3, ID.reader, 200);
  // From 300 s; a monitor's message at 320 s answers nothing; the reader at 360 s: 60 s.
  await message(c, s3, ID.client, 300);
  await message(c, s3, ID.monitor, 320);
  await message(c, s3, ID.reader, 360);
  // From 400 s; a system message is no one's; the reader at 700 s: 300 s.
  await message(c, s3, ID.client, 400);
  await message(c, s3, null, 410, 'system');
  await message(c, s3, ID.reader, 700);
  // s4: 100 s to 130 s: 30 s; then a wait from 500 s nobody has answered.
  // Before the range (a wait answered there is not counted; a wait starts in the range or not at all).
  await message(c, s4, ID.otherClient, -100);
  await message(c, s4, ID.otherReader, -50);
  await message(c, s4, ID.otherClient, 100);
  await message(c, s4, ID.otherReader, 130);
  await message(c, s4, ID.otherClient, 500);
}

const round = (v: unknown) => (v === null ? null : Math.round(Number(v) * 1e6) / 1e6);

export const FIGURES_WORKFLOWS: Workflow[] = [
  {
    name: 'figures_reviewers: decisions, approvals, rejections and recording-to-decision p50/p90 per reviewer and in total',
    async run(c) {
      await dataset(c);
      await c.as('admin');
      const rows = await c.rows(`select reviewer_id, reviewer_name, decisions::int as d, approvals::int as a, rejections::int as r,
                                        decision_p50_seconds as p50, decision_p90_seconds as p90
                                 from public.figures_reviewers(${RANGE})`);
      c.eq(rows.map((r) => [r.reviewer_id, r.reviewer_name, r.d, r.a, r.r, round(r.p50), round(r.p90)]), [
        [ID.monitor, 'Monitor', 3, 1, 2, 1200, 2160],
        [ID.admin, 'Admin', 2, 1, 1, 2700, 3420],
        [null, null, 5, 2, 3, 1800, 3120],
      ], 'per reviewer (most decisions first), then everyone');
      await c.as('superAdmin');
      c.eq(await c.n(`select * from public.figures_reviewers(${RANGE})`), 3, 'super admins see the same');
      const empty = await c.rows(`select reviewer_id, decisions::int as d, decision_p50_seconds as p50 from public.figures_reviewers(now() - interval '20 years', now() - interval '19 years')`);
      c.eq(empty, [{ reviewer_id: null, d: 0, p50: null }], 'an empty range: one total row of zeros');
    },
  },
  {
    name: 'figures_readers: rejection rate and reply times (p50/p90) per reader, unanswered waits in the total',
    async run(c) {
      await dataset(c);
      await c.as('admin');
      const rows = await c.rows(`select reader_id, reader_name, notes_decided::int as d, notes_rejected::int as r, rejection_rate as rate,
                                        replies::int as n, unanswered::int as open, reply_p50_seconds as p50, reply_p90_seconds as p90
                                 from public.figures_readers(${RANGE})`);
      c.eq(rows.map((r) => [r.reader_id, r.reader_name, r.d, r.r, round(r.rate), r.n, r.open, round(r.p50), round(r.p90)]), [
        [ID.reader, 'Reader One', 3, 2, round(2 / 3), 3, 0, 120, 264],
        [ID.otherReader, 'Reader Two', 2, 1, 0.5, 1, 0, 30, 30],
        [null, null, 5, 3, 0.6, 4, 1, 90, 246],
      ], 'per reader by name, then everyone');
    },
  },
  {
    name: 'figures_readers: a wait that starts in the range counts when answered after its end; one that started before it does not',
    async run(c) {
      const s5 = u('f1605');
      await session(c, s5, [[ID.client, 'client'], [ID.reader, 'reader']]);
      await message(c, s5, ID.client, -30); // a wait from before the range ...
      await message(c, s5, ID.client, 10); // ... goes on: not a new one
      await message(c, s5, ID.reader, 40); // answered inside the range, but not counted
      await message(c, s5, ID.client, 100); // a new wait ...
      await message(c, s5, ID.client, 3700); // (after the range: not a wait of this range)
      await message(c, s5, ID.reader, 7300); // ... answered after the range's end: 7200 s
      await c.as('admin');
      const rows = await c.rows(`select reader_id, replies::int as n, unanswered::int as open, reply_p50_seconds as p50
                                 from public.figures_readers(now(), now() + interval '1 hour')`);
      c.eq(rows.map((r) => [r.reader_id, r.n, r.open, round(r.p50)]), [[ID.reader, 1, 0, 7200], [null, 1, 0, 7200]], 'one wait, answered after the range');
    },
  },
  {
    name: 'figures_rejection_reasons: per reader and reason (trimmed), then per reason for everyone, with shares of decisions',
    async run(c) {
      await dataset(c);
      await c.as('admin');
      const rows = await c.rows(`select reader_id, reason, rejections::int as n, decisions::int as d, rate from public.figures_rejection_reasons(${RANGE})`);
      c.eq(rows.map((r) => [r.reader_id, r.reason, r.n, r.d, round(r.rate)]), [
        [null, 'Noise', 2, 5, 0.4],
        [null, 'Off topic', 1, 5, 0.2],
        [ID.reader, 'Noise', 2, 3, round(2 / 3)],
        [ID.otherReader, 'Off topic', 1, 2, 0.5],
      ], 'everyone first, then each reader');
    },
  },
  {
    name: 'figures: only admins and super admins; a range needs a start before its end',
    async run(c) {
      for (const fn of ['figures_reviewers', 'figures_readers', 'figures_rejection_reasons']) {
        for (const who of ['client', 'reader', 'monitor'] as const) {
          await c.as(who);
          const e = await c.fails('SA530', `select * from public.${fn}(${RANGE})`, [], 'figures.forbidden');
          c.eq(JSON.parse(e.detail ?? '{}'), { role: who === 'client' ? 'client' : who }, `${fn}: ${who} refused, the detail names the role`);
        }
        await c.as('anon');
        await c.fails('42501', `select * from public.${fn}(${RANGE})`);
        await c.as('admin');
        await c.fails('SA532', `select * from public.${fn}(now(), now())`, [], 'figures.invalid_range');
        await c.fails('SA532', `select * from public.${fn}(now(), now() - interval '1 day')`, [], 'figures.invalid_range');
        await c.fails('SA532', `select * from public.${fn}(null, now())`, [], 'figures.invalid_range');
        await c.fails('SA532', `select * from public.${fn}('-infinity', now())`, [], 'figures.invalid_range');
      }
    },
  },
  {
    name: 'list_audit_log: newest first, keyset pages without gaps or duplicates across equal timestamps; filters by actor, action and date',
    async run(c) {
      await c.as('postgres');
      // 23 rows in one statement share created_at; more at other times, some by the monitor.
      await c.rows(`insert into public.audit_log (table_name, row_id, action, actor_id, created_at)
                    select 'test', g::text, case when g % 3 = 0 then 'test:three' else 'test:other' end,
                           case when g % 2 = 0 then $1::uuid end, now() + interval '1 hour'
                    from generate_series(1, 23) g`, [ID.monitor]);
      await c.rows(`insert into public.audit_log (table_name, row_id, action, actor_id, created_at)
                    select 'test', 'later' || g, 'test:other', $1::uuid, now() + interval '1 hour' + make_interval(secs => g)
                    from generate_series(1, 4) g`, [ID.admin]);
      const expected = (await c.rows<{ id: string }>(`select id::text from public.audit_log where table_name = 'test' order by created_at desc, id desc`)).map((r) => r.id);
      c.eq(expected.length, 27, 'the rows written');
      const pageAll = async (filters: { actor?: string; action?: string; from?: string; to?: string }, limit: number) => {
        await c.as('admin');
        const seen: string[] = [];
        let cursor: { created_at: string; id: string } | null = null;
        for (let guard = 0; guard < 100; guard++) {
          const page: Row[] = await c.rows(
            `select id::text, created_at::text, table_name from public.list_audit_log($1, $2::timestamptz, $3::bigint, $4::uuid, $5, $6::timestamptz, $7::timestamptz)`,
            [limit, cursor?.created_at ?? null, cursor?.id ?? null, filters.actor ?? null, filters.action ?? null, filters.from ?? null, filters.to ?? null],
          );
          const mine = page.filter((r) => r.table_name === 'test');
          seen.push(...mine.map((r) => r.id as string));
          if (page.length < limit) break;
          const last = page.at(-1)!;
          cursor = { created_at: last.created_at as string, id: last.id as string };
        }
        return seen;
      };
      const from = (await c.one<{ t: string }>(`select (now() + interval '30 minutes')::text as t`)).t;
      for (const limit of [1, 5, 7, 23, 1000]) {
        c.eq(await pageAll({ from }, limit), expected, `pages of ${limit}: every row once, in order`);
      }
      const byMonitor = (await c.rows<{ id: string }>(`select id::text from public.audit_log where table_name = 'test' and actor_id = $1 order by created_at desc, id desc`, [ID.monitor])).map((r) => r.id);
      c.eq(byMonitor.length, 11, 'the monitor\'s rows');
      c.eq(await pageAll({ actor: ID.monitor, from }, 4), byMonitor, 'filtered by actor');
      const threes = (await c.rows<{ id: string }>(`select id::text from public.audit_log where table_name = 'test' and action = 'test:three' order by created_at desc, id desc`)).map((r) => r.id);
      c.eq(await pageAll({ action: 'test:three' }, 3), threes, 'filtered by action');
      const to = (await c.one<{ t: string }>(`select (now() + interval '1 hour' + interval '2500 milliseconds')::text as t`)).t;
      const early = (await c.rows<{ id: string }>(`select id::text from public.audit_log where table_name = 'test' and created_at >= $1 and created_at < $2 order by created_at desc, id desc`, [from, to])).map((r) => r.id);
      c.eq(early.length, 25, 'the rows before the second later one');
      c.eq(await pageAll({ from, to }, 6), early, 'filtered by date');
      await c.as('admin');
      const shaped = await c.one(`select * from public.list_audit_log(1, null, null, $1)`, [ID.admin]);
      c.eq(Object.keys(shaped), ['id', 'created_at', 'table_name', 'row_id', 'action', 'actor_id', 'actor_name', 'old_values', 'new_values', 'source_table', 'source_id'], 'the row shape');
      c.eq(shaped.actor_name, 'Admin', 'with the actor\'s name');
    },
  },
  {
    name: 'list_audit_log: a review is found with its actor, old and new values; refused to non-admins; bad cursor, limit and range refused',
    async run(c) {
      const note = await pendingNote(c, ID.s1, ID.reader, 60);
      await review(c, 'monitor', note, 'reject', 'Too quiet');
      await c.as('admin');
      const [row] = await c.rows(`select * from public.list_audit_log(10, null, null, $1, 'status:rejected')`, [ID.monitor]);
      c.ok(row, 'the review is listed');
      c.eq([row!.table_name, row!.row_id, row!.actor_name, (row!.old_values as Row).status, (row!.new_values as Row).status, (row!.new_values as Row).review_reason],
        ['chat_messages', note, 'Monitor', 'pending_approval', 'rejected', 'Too quiet'], 'what the review changed');
      for (const who of ['client', 'reader', 'monitor'] as const) {
        await c.as(who);
        await c.fails('SA531', `select * from public.list_audit_log()`, [], 'audit.viewer_forbidden');
      }
      await c.as('anon');
      await c.fails('42501', `select * from public.list_audit_log()`);
      await c.as('superAdmin');
      c.eq(await c.n(`select * from public.list_audit_log(10, null, null, $1, 'status:rejected')`, [ID.monitor]), 1, 'super admins read it too');
      await c.fails('SA533', `select * from public.list_audit_log(10, now(), null)`, [], 'audit.invalid_cursor');
      await c.fails('SA533', `select * from public.list_audit_log(10, null, 5)`, [], 'audit.invalid_cursor');
      await c.fails('SA400', `select * from public.list_audit_log(0)`, [], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.list_audit_log(1001)`, [], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.list_audit_log(10, null, null, null, '  ')`, [], 'request.invalid_argument');
      await c.fails('SA532', `select * from public.list_audit_log(10, null, null, null, null, now(), now())`, [], 'figures.invalid_range');
    },
  },
];
