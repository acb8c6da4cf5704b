// Waiting clients (20261201002700_waiting_clients.sql): the waiting_since field of every session row, as the
// reader, the client and staff read it through list_sessions / get_session. Rows are written as the owner with
// explicit ages (inside one transaction now() stands still), so each figure is exact.
import { randomUUID } from 'node:crypto';
import { ID } from './fixtures';
import type { Ctx, Workflow } from './workflows';

type Row = Record<string, unknown>;
const SESSION = '00000000-0000-4000-8000-000000002701';
const OTHER = '00000000-0000-4000-8000-000000002702';

async function session(c: Ctx, id: string, client: string, reader: string) {
  await c.as('postgres');
  await c.rows(`insert into public.chat_sessions (id, type, status, created_by, created_at) values ($1, 'support', 'active', $2, now() - interval '1 day')`, [id, client]);
  await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client'), ($1, $3, 'reader')`, [id, client, reader]);
}

async function message(c: Ctx, sessionId: string, sender: string, minutesAgo: number, extra: { type?: string; status?: string } = {}) {
  await c.as('postgres');
  const id = randomUUID();
  const type = extra.type ?? 'text';
  const audio = type === 'audio';
  await c.rows(
    `insert into public.chat_messages (id, session_id, sender_id, type, body, status, storage_path, mime_type, size_bytes, duration_ms, created_at,
                                       reviewed_by, reviewed_at, review_reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() - make_interval(mins => $11),
             case when $6 in ('approved', 'rejected') then $12::uuid end, case when $6 in ('approved', 'rejected') then now() end,
             case when $6 = 'rejected' then 'off topic' end)`,
    [id, sessionId, sender, type, audio ? null : 'hello', extra.status ?? 'sent', audio ? `${sessionId}/${id}/v.webm` : null,
     audio ? 'audio/webm' : null, audio ? 10 : null, audio ? 1000 : null, minutesAgo, ID.monitor],
  );
  return id;
}

/** Minutes the client has waited, as `who` reads the row; null: nobody waits. */
async function waitedMinutes(c: Ctx, who: Parameters<Ctx['as']>[0], sessionId: string): Promise<number | null> {
  await c.as(who);
  const row = await c.one<Row>(`select round(extract(epoch from now() - waiting_since) / 60)::int as m from public.get_session($1)`, [sessionId]);
  return row.m === null ? null : Number(row.m);
}

export const WAITING_WORKFLOWS: Workflow[] = [
  {
    name: 'waiting_since: from the oldest client message after the last answer; null once answered, for system messages and outside active sessions',
    async run(c) {
      await session(c, SESSION, ID.client, ID.reader);
      c.eq(await waitedMinutes(c, 'reader', SESSION), null, 'no message: nobody waits');
      await message(c, SESSION, ID.client, 50);
      await message(c, SESSION, ID.reader, 40);
      c.eq(await waitedMinutes(c, 'reader', SESSION), null, 'the reader answered last');
      await message(c, SESSION, ID.client, 30);
      await message(c, SESSION, ID.client, 20);
      c.eq(await waitedMinutes(c, 'reader', SESSION), 30, 'from the oldest unanswered message, not the newest');
      c.eq(await waitedMinutes(c, 'client', SESSION), 30, 'the client reads the same figure');
      c.eq(await waitedMinutes(c, 'monitor', SESSION), 30, 'staff read it for a session they are not in');
      await message(c, SESSION, ID.reader, 10, { type: 'note' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), 30, 'an internal note is no answer: the client never gets it');
      c.eq(await waitedMinutes(c, 'client', SESSION), 30, 'and the client, who cannot read the note, reads the same figure');
      await c.as('reader');
      c.eq(
        (await c.rows<Row>(`select round(extract(epoch from now() - waiting_since) / 60)::int as m from public.list_sessions() where id = $1`, [SESSION]))[0]?.m,
        30,
        'list_sessions carries it too',
      );
      await message(c, SESSION, ID.reader, 10, { type: 'system' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), 30, 'a system message answers nobody');
      await c.as('postgres');
      await c.rows(`update public.chat_sessions set status = 'ended' where id = $1`, [SESSION]);
      c.eq(await waitedMinutes(c, 'reader', SESSION), null, 'an ended session keeps nobody waiting');
    },
  },
  {
    name: 'waiting_since: a reader\'s voice note in review answers; a rejected one does not; a client\'s note in review is no question yet',
    async run(c) {
      await session(c, SESSION, ID.client, ID.reader);
      await message(c, SESSION, ID.client, 60);
      await message(c, SESSION, ID.reader, 50, { type: 'audio', status: 'rejected' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), 60, 'a rejected note is no answer');
      await message(c, SESSION, ID.reader, 40, { type: 'audio', status: 'pending_approval' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), null, 'a note in review is an answer');
      await message(c, SESSION, ID.client, 30, { type: 'audio', status: 'pending_approval' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), null, 'the client\'s note in review does not make them wait yet');
      await message(c, SESSION, ID.client, 20, { type: 'audio', status: 'approved' });
      c.eq(await waitedMinutes(c, 'reader', SESSION), 20, 'once approved, it does');
    },
  },
  {
    name: 'waiting_since: each session on its own; RLS still decides which rows exist (another reader sees neither row nor figure)',
    async run(c) {
      await session(c, SESSION, ID.client, ID.reader);
      await session(c, OTHER, ID.otherClient, ID.reader);
      await message(c, SESSION, ID.client, 45);
      await message(c, OTHER, ID.otherClient, 15);
      c.eq(await waitedMinutes(c, 'reader', SESSION), 45, 'first session');
      c.eq(await waitedMinutes(c, 'reader', OTHER), 15, 'second session');
      await c.as('otherReader');
      c.eq(await c.n(`select * from public.list_sessions() where id in ($1, $2)`, [SESSION, OTHER]), 0, 'another reader lists neither');
      await c.as('monitor');
      c.eq(
        (await c.rows<Row>(`select id, round(extract(epoch from now() - waiting_since) / 60)::int as m from public.list_sessions() where waiting_since is not null and id in ($1, $2) order by waiting_since`, [SESSION, OTHER])).map((r) => [r.id, r.m]),
        [[SESSION, 45], [OTHER, 15]],
        'staff list every reader\'s waiting clients, longest first',
      );
    },
  },
  {
    name: 'waiting_since: the work does not grow with the conversation, analysed or not (a long one is not read once per message)',
    async run(c) {
      const TURNS = { [SESSION]: 400, [OTHER]: 4 };
      await session(c, SESSION, ID.client, ID.reader);
      await session(c, OTHER, ID.otherClient, ID.reader);
      await c.as('postgres');
      for (const [id, turns] of Object.entries(TURNS)) {
        // A conversation whose last turn is the reader's, then the client's three questions (minutes 3, 2 and 1 ago).
        await c.rows(
          `insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
           select s.id, case when k % 2 = 1 then cp.user_id else $3::uuid end, 'text', 'turn ' || k, 'sent',
                  now() - make_interval(mins => 10 + $2 - k)
             from public.chat_sessions s join public.chat_participants cp on cp.session_id = s.id and cp.role_in_session = 'client',
                  generate_series(1, $2::int) k
            where s.id = $1`,
          [id, turns, ID.reader],
        );
      }
      for (const minutes of [3, 2, 1]) {
        await message(c, SESSION, ID.client, minutes);
        await message(c, OTHER, ID.otherClient, minutes);
      }
      /** Buffers the call touches (planning its statement included: the same for both sessions). */
      const buffers = async (id: string) => {
        await c.as('reader');
        const [row] = await c.rows<{ 'QUERY PLAN': [{ Plan: { 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }] }>(
          `explain (analyze, buffers, format json) select private.client_waiting_since($1)`, [id]);
        const plan = row!['QUERY PLAN'][0].Plan;
        return plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];
      };
      const growth = async () => {
        c.eq(await waitedMinutes(c, 'reader', SESSION), 3, 'the oldest of the three questions after the last answer');
        c.eq(await waitedMinutes(c, 'reader', OTHER), 3, 'the same in the short conversation');
        await buffers(SESSION);
        return (await buffers(SESSION)) - (await buffers(OTHER));
      };
      // As tables are before their first ANALYZE (the embedded backend's, until its maintenance has run): no
      // column statistics, size unknown. In the transaction the test holds, so rolled back after it.
      await c.as('postgres');
      const tables = `('public.chat_messages'::regclass, 'public.chat_participants'::regclass, 'public.chat_sessions'::regclass)`;
      await c.rows(`delete from pg_catalog.pg_statistic where starelid in ${tables}`);
      await c.rows(`update pg_catalog.pg_class set reltuples = -1, relpages = 0 where oid in ${tables}`);
      const unanalysed = await growth();
      await c.as('postgres');
      await c.exec('analyze public.chat_messages, public.chat_participants, public.chat_sessions');
      const analysed = await growth();
      // A walk from each end reads a few more index pages in a longer session at most; a read of the session per
      // message is hundreds of thousands of buffers at 400 messages, and a scan of it some tens.
      c.ok(unanalysed < 10, `without statistics the 400-turn conversation took ${unanalysed} more buffers than the 4-turn one`);
      c.ok(analysed < 10, `analysed, the 400-turn conversation took ${analysed} more buffers than the 4-turn one`);
    },
  },
];
