// The read RPCs (docs/backend.md), as each signed-in role calls them: visibility, ordering, limits,
// keyset pages, shapes. Each case runs in a transaction that is rolled back; rows it needs beyond the
// fixtures are written as the owner with explicit timestamps (inside one transaction now() stands still).
import { randomUUID } from 'node:crypto';
import { ID, ROLES, type Who } from './fixtures';
import { send, voiceNote, type Ctx, type Workflow } from './workflows';

type Row = Record<string, unknown>;
const u = (n: string) => `00000000-0000-4000-8000-${n.padStart(12, '0')}`;
const ids = (rows: Row[]) => rows.map((r) => r.id as string);

export const MESSAGE_VIEW_FIELDS = [
  'id', 'session_id', 'sender_id', 'type', 'body', 'storage_path', 'mime_type', 'size_bytes', 'duration_ms', 'waveform',
  'reply_to', 'status', 'reviewed_at', 'reviewed_by', 'review_reason', 'client_message_id', 'created_at', 'edited_at',
];

interface NewMessage {
  id?: string;
  session: string;
  sender: string;
  type?: string;
  body?: string | null;
  status?: string;
  /** SQL interval before now(), e.g. '1 hour'. */
  ago: string;
  reviewedAgo?: string;
  reviewer?: string;
  reason?: string;
}

/** Writes a message as the owner (as the consolidation would), bypassing the RPCs' checks. */
async function insertMessage(c: Ctx, m: NewMessage): Promise<string> {
  await c.as('postgres');
  const id = m.id ?? randomUUID();
  const type = m.type ?? 'text';
  const attachment = ['audio', 'image', 'file'].includes(type) && m.status !== 'deleted';
  await c.rows(
    `insert into public.chat_messages (id, session_id, sender_id, type, body, status, storage_path, mime_type, size_bytes, duration_ms,
                                       created_at, reviewed_at, reviewed_by, review_reason)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now() - $11::interval, now() - $12::interval, $13, $14)`,
    [
      id, m.session, m.sender, type, m.body === undefined ? (type === 'text' ? 'text' : null) : m.body, m.status ?? 'sent',
      attachment ? `${m.session}/${id}/f.${type === 'image' ? 'png' : 'webm'}` : null,
      attachment ? (type === 'image' ? 'image/png' : 'audio/webm') : null, attachment ? 10 : null, type === 'audio' ? 1000 : null,
      m.ago, m.reviewedAgo ?? null, m.reviewer ?? null, m.reason ?? null,
    ],
  );
  return id;
}

async function newSession(c: Ctx, id: string, status: string, lastMessageAgo: string | null, members: [string, string][]) {
  await c.as('postgres');
  await c.rows(
    `insert into public.chat_sessions (id, type, status, last_message_at, created_by) values ($1, 'support', $2, now() - $3::interval, $4)`,
    [id, status, lastMessageAgo, members[0]![0]],
  );
  for (const [user, role] of members) {
    await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, $3)`, [id, user, role]);
  }
}

async function listSessionIds(c: Ctx, who: Who, limit?: number): Promise<string[]> {
  await c.as(who);
  return ids(await c.rows(limit === undefined ? `select id from public.list_sessions()` : `select id from public.list_sessions($1)`, limit === undefined ? [] : [limit]));
}

async function sessionRow(c: Ctx, who: Who, session: string): Promise<Row> {
  await c.as(who);
  return c.one(`select * from public.list_sessions() where id = $1`, [session]);
}

const STAFF = ['monitor', 'admin', 'superAdmin'] as const;

export const READ_WORKFLOWS: Workflow[] = [
  {
    name: 'list_sessions: each role gets exactly the sessions it may read, with its participants; anon is refused',
    async run(c) {
      const want: Record<Exclude<Who, 'anon'>, string[]> = {
        client: [ID.se, ID.s1], otherClient: [ID.s2], reader: [ID.s1], otherReader: [ID.s2],
        monitor: [ID.se, ID.s2, ID.s1], admin: [ID.se, ID.s2, ID.s1], superAdmin: [ID.se, ID.s2, ID.s1],
      };
      for (const who of ROLES) {
        if (who === 'anon') continue;
        c.eq(await listSessionIds(c, who), want[who], `${who}'s sessions`);
      }
      await c.as('anon');
      await c.fails('42501', `select * from public.list_sessions()`);
      const s1 = await sessionRow(c, 'client', ID.s1);
      c.eq(s1.participants, [
        { role: 'reader', user_id: ID.reader, availability: 'online', display_name: 'Reader One', last_read_at: null, role_in_session: 'reader' },
        { role: 'client', user_id: ID.client, availability: 'online', display_name: 'Client One', last_read_at: null, role_in_session: 'client' },
      ], 'participants with name, role, presence and read state (joined together: by user id)');
      c.eq([s1.type, s1.status, s1.created_by, s1.booking_id], ['booking', 'active', ID.client, null], 'session columns');
      const staffView = await sessionRow(c, 'monitor', ID.s2);
      c.eq((staffView.participants as Row[]).map((p) => p.display_name), ['Reader Two', 'Client Two'], 'staff see the names of people they share nothing with');
    },
  },
  {
    name: 'list_sessions: most recent activity first (then id), limit honoured and checked; ended sessions only while their last message is under 7 days old',
    async run(c) {
      const [e6, e8, eNull, locked, tieA, tieB] = ['6001', '6002', '6003', '6004', '6005', '6006'].map(u) as [string, string, string, string, string, string];
      await c.as('postgres');
      await c.rows(`update public.chat_sessions set last_message_at = now() - interval '1 hour' where id = $1`, [ID.s1]);
      await c.rows(`update public.chat_sessions set last_message_at = now() - interval '30 minutes' where id = $1`, [ID.s2]);
      const members: [string, string][] = [[ID.client, 'client'], [ID.reader, 'reader']];
      await newSession(c, e6, 'ended', '6 days', members);
      await newSession(c, e8, 'ended', '8 days', members);
      await newSession(c, eNull, 'ended', null, members);
      await newSession(c, locked, 'locked', '10 days', members);
      await newSession(c, tieA, 'active', '2 hours', members);
      await newSession(c, tieB, 'active', '2 hours', members);
      c.eq(await listSessionIds(c, 'client'), [ID.se, ID.s1, tieB, tieA, e6, locked], 'client: by coalesce(last_message_at, created_at) desc, id desc');
      c.eq(await listSessionIds(c, 'monitor'), [ID.se, ID.s2, ID.s1, tieB, tieA, e6, locked], 'staff: the same order over every session');
      c.eq(await listSessionIds(c, 'client', 2), [ID.se, ID.s1], 'client limit');
      c.eq(await listSessionIds(c, 'monitor', 4), [ID.se, ID.s2, ID.s1, tieB], 'staff limit');
      for (const bad of [0, -1, 1001]) {
        const e = await c.fails('SA400', `select * from public.list_sessions($1)`, [bad], 'request.invalid_argument');
        const d = JSON.parse(e.detail ?? '{}') as Row;
        c.eq([d.argument, d.value, d.min, d.max], ['p_limit', bad, 1, 1000], 'the refusal names the argument and its bounds');
      }
      await c.fails('SA400', `select * from public.list_sessions(null)`, [], 'request.invalid_argument');
      await c.as('client');
      for (const hidden of [e8, eNull]) {
        c.eq(ids(await c.rows(`select * from public.get_session($1)`, [hidden])), [hidden], 'get_session reaches an ended session the list leaves out');
      }
    },
  },
  {
    name: 'list_sessions: unread counts others\' messages after the last read, voice notes approved after it, pending notes for staff only; zero where not a participant',
    async run(c) {
      await c.as('postgres');
      await c.rows(`update public.chat_participants set last_read_at = now() - interval '1 day' where session_id = $1 and user_id = $2`, [ID.s1, ID.client]);
      await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session, last_read_at) values ($1, $2, 'staff', now() - interval '1 day')`, [ID.s1, ID.monitor]);
      await insertMessage(c, { session: ID.s1, sender: ID.reader, ago: '1 hour' });
      await insertMessage(c, { session: ID.s1, sender: ID.reader, type: 'audio', status: 'approved', ago: '3 days', reviewedAgo: '1 hour', reviewer: ID.monitor });
      await insertMessage(c, { session: ID.s1, sender: ID.reader, type: 'audio', status: 'pending_approval', ago: '1 hour' });
      await insertMessage(c, { session: ID.s1, sender: ID.client, ago: '1 hour' });
      await insertMessage(c, { session: ID.s1, sender: ID.reader, status: 'deleted', body: null, ago: '1 hour' });
      await insertMessage(c, { session: ID.s1, sender: ID.reader, type: 'audio', status: 'rejected', ago: '1 hour', reviewedAgo: '1 hour', reviewer: ID.monitor, reason: 'no' });
      const unread = async (who: Who) => Number((await sessionRow(c, who, ID.s1)).unread_count);
      c.eq(await unread('client'), 2, "client: the reader's new text and the note approved since");
      c.eq(await unread('reader'), 2, "reader (never read): the client's two texts, nothing of its own");
      c.eq(await unread('monitor'), 4, 'staff participant: also the pending note');
      c.eq(await unread('admin'), 0, 'staff looking on without joining');
      c.eq((await sessionRow(c, 'client', ID.s1)).last_read_at !== null, true, 'last_read_at is the caller\'s');
      await c.as('client');
      await c.rows(`select public.mark_read($1)`, [ID.s1]);
      c.eq(await unread('client'), 0, 'mark_read clears it');
    },
  },
  {
    name: 'list_sessions: the last message is the newest the caller may see, with a 160-character preview of text only — never a pending voice note for the client',
    async run(c) {
      const long = 'س'.repeat(100) + 'x'.repeat(100);
      const text = await insertMessage(c, { session: ID.s1, sender: ID.client, body: long, ago: '2 minutes' });
      const pending = await insertMessage(c, { session: ID.s1, sender: ID.reader, type: 'audio', status: 'pending_approval', ago: '1 minute' });
      const last = async (who: Who) => (await sessionRow(c, who, ID.s1)).last_message as Row;
      const seen = await last('client');
      c.eq(Object.keys(seen).sort(), ['created_at', 'id', 'preview', 'sender_id', 'type'], 'preview fields');
      c.eq([seen.id, seen.type, seen.sender_id, seen.preview], [text, 'text', ID.client, long.slice(0, 160)], 'client: the text, cut at 160 characters (not bytes)');
      c.eq([(await last('reader')).id, (await last('reader')).preview], [pending, null], 'the sender sees its own pending note, no preview for audio');
      for (const who of STAFF) c.eq((await last(who)).id, pending, `${who} sees the pending note`);
      const image = await insertMessage(c, { session: ID.s1, sender: ID.client, type: 'image', body: 'a caption', ago: '10 seconds' });
      c.eq([(await last('client')).id, (await last('client')).preview], [image, null], 'an image has no preview, caption or not');
      c.eq((await sessionRow(c, 'client', ID.se)).last_message, null, 'a session without messages');
    },
  },
  {
    name: 'get_session: the list\'s row for one session; chat.session_not_found when it may not be read, is null or does not exist',
    async run(c) {
      await c.as('client');
      const fromList = await c.one(`select * from public.list_sessions() where id = $1`, [ID.s1]);
      c.eq(await c.one(`select * from public.get_session($1)`, [ID.s1]), fromList, 'same row as in the list');
      await c.fails('SA404', `select * from public.get_session($1)`, [ID.s2], 'chat.session_not_found');
      await c.fails('SA404', `select * from public.get_session(null)`, [], 'chat.session_not_found');
      await c.fails('SA404', `select * from public.get_session($1)`, [randomUUID()], 'chat.session_not_found');
      await c.as('otherReader');
      await c.fails('SA404', `select * from public.get_session($1)`, [ID.s1], 'chat.session_not_found');
      for (const who of STAFF) {
        await c.as(who);
        c.eq(Number((await c.one(`select * from public.get_session($1)`, [ID.s2])).unread_count), 0, `${who} reads any session`);
      }
      await c.as('anon');
      await c.fails('42501', `select * from public.get_session($1)`, [ID.s1]);
    },
  },
  {
    name: 'get_sessions: the rows of several sessions in one call, each as get_session gives it; the ones the caller may not read left out; 1 to 100 ids',
    async run(c) {
      await c.as('client');
      const one = await c.one(`select * from public.get_session($1)`, [ID.s1]);
      // s2 is another client's, the random id exists nowhere, s1 twice and a null are asked as well.
      const rows = await c.rows(`select * from public.get_sessions($1::uuid[])`, [[ID.s1, ID.s2, randomUUID(), ID.s1, null]]);
      c.eq(rows, [one], 'only the caller\'s session, once, in get_session\'s shape');
      await c.as('otherReader');
      c.eq(await c.rows(`select * from public.get_sessions($1::uuid[])`, [[ID.s1]]), [], 'a reader not in the session gets nothing for it');
      for (const who of STAFF) {
        await c.as(who);
        c.eq(ids(await c.rows(`select * from public.get_sessions($1::uuid[])`, [[ID.s1, ID.s2]])).sort(), [ID.s1, ID.s2].sort(), `${who} reads both`);
      }
      await c.fails('SA400', `select * from public.get_sessions($1::uuid[])`, [[]], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.get_sessions(null)`, [], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.get_sessions($1::uuid[])`, [Array.from({ length: 101 }, () => randomUUID())], 'request.invalid_argument');
      c.eq((await c.rows(`select * from public.get_sessions($1::uuid[])`, [Array.from({ length: 100 }, () => randomUUID())])).length, 0, '100 ids are taken');
      await c.as('anon');
      await c.fails('42501', `select * from public.get_sessions($1::uuid[])`, [[ID.s1]]);
    },
  },
  {
    name: 'list_messages: each role reads what RLS lets it, newest first; review internals only for staff and the sender; participant-shaped rows',
    async run(c) {
      await c.as('postgres');
      await c.rows(`update public.chat_messages set review_reason = 'internal note' where id = $1`, [ID.approved]);
      const want: Partial<Record<Who, string[]>> = {
        client: [ID.approved, ID.text], reader: [ID.approved, ID.rejected, ID.pending, ID.text],
        monitor: [ID.approved, ID.rejected, ID.pending, ID.text], admin: [ID.approved, ID.rejected, ID.pending, ID.text],
        superAdmin: [ID.approved, ID.rejected, ID.pending, ID.text],
      };
      for (const [who, list] of Object.entries(want) as [Who, string[]][]) {
        await c.as(who);
        const rows = await c.rows(`select * from public.list_messages($1)`, [ID.s1]);
        c.eq(ids(rows), list, `${who} reads session 1`);
        c.eq(Object.keys(rows[0]!), MESSAGE_VIEW_FIELDS, 'the chat_message_view columns, in order');
        const approved = rows.find((r) => r.id === ID.approved)!;
        const internals = who === 'client' ? [null, null] : [ID.monitor, 'internal note'];
        c.eq([approved.reviewed_by, approved.review_reason], internals, `${who}: reviewed_by / review_reason of the approved note`);
        c.ok(approved.reviewed_at, 'when it was approved is not an internal');
      }
      for (const who of ['otherClient', 'otherReader'] as const) {
        await c.as(who);
        await c.fails('SA404', `select * from public.list_messages($1)`, [ID.s1], 'chat.session_not_found');
      }
      await c.as('client');
      await c.fails('SA404', `select * from public.list_messages($1)`, [randomUUID()], 'chat.session_not_found');
      await c.fails('SA404', `select * from public.list_messages(null)`, [], 'chat.session_not_found');
      await c.as('anon');
      await c.fails('42501', `select * from public.list_messages($1)`, [ID.s1]);
    },
  },
  {
    name: 'list_messages: keyset pages (newest first, equal timestamps ordered by id) cover the history exactly once; limits and half positions refused',
    async run(c) {
      for (let i = 0; i < 25; i++) {
        await insertMessage(c, { session: ID.s2, sender: i % 2 ? ID.otherClient : ID.otherReader, body: `m${i}`, ago: `${Math.floor(i / 3)} minutes` });
      }
      await c.as('postgres');
      const expected = ids(await c.rows(`select id from public.chat_messages where session_id = $1 order by created_at desc, id desc`, [ID.s2]));
      await c.as('otherClient');
      c.eq(ids(await c.rows(`select id from public.list_messages($1, p_limit => 1000)`, [ID.s2])), expected, 'one page of everything');
      c.eq(ids(await c.rows(`select id from public.list_messages($1)`, [ID.s2])), expected, 'the default page (50) holds all 25');
      const seen: string[] = [];
      let before: { at: string; id: string } | null = null;
      for (let page = 0; page < 10; page++) {
        const rows: { id: string; at: string }[] = before
          ? await c.rows(`select id, created_at::text as at from public.list_messages($1, $2::timestamptz, $3::uuid, 4)`, [ID.s2, before.at, before.id])
          : await c.rows(`select id, created_at::text as at from public.list_messages($1, p_limit => 4)`, [ID.s2]);
        seen.push(...rows.map((r) => r.id));
        if (rows.length < 4) break;
        before = rows[rows.length - 1]!;
      }
      c.eq(seen, expected, 'pages of 4 concatenate to the history, nothing twice, nothing skipped');
      await c.fails('SA400', `select * from public.list_messages($1, p_limit => 0)`, [ID.s2], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.list_messages($1, p_limit => 1001)`, [ID.s2], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.list_messages($1, p_before_id => $2)`, [ID.s2, expected[3]], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.list_messages($1, p_before_created_at => now())`, [ID.s2], 'request.invalid_argument');
    },
  },
  {
    name: 'pending_audio: the approval queue oldest first for staff; a reader sees only its own pending notes; clients none; limit checked',
    async run(c) {
      const older = await insertMessage(c, { session: ID.s2, sender: ID.otherReader, type: 'audio', status: 'pending_approval', ago: '3 days' });
      for (const who of STAFF) {
        await c.as(who);
        c.eq(ids(await c.rows(`select * from public.pending_audio()`)), [older, ID.pending], `${who}: oldest first`);
        c.eq(ids(await c.rows(`select * from public.pending_audio(1)`)), [older], `${who}: limit`);
      }
      const want: [Who, string[]][] = [['reader', [ID.pending]], ['otherReader', [older]], ['client', []], ['otherClient', []]];
      for (const [who, list] of want) {
        await c.as(who);
        c.eq(ids(await c.rows(`select * from public.pending_audio()`)), list, `${who}'s queue`);
      }
      await c.as('monitor');
      c.eq(Object.keys(await c.one(`select * from public.pending_audio(1)`)), MESSAGE_VIEW_FIELDS, 'chat_message_view rows');
      await c.fails('SA400', `select * from public.pending_audio(0)`, [], 'request.invalid_argument');
      await c.fails('SA400', `select * from public.pending_audio(5000)`, [], 'request.invalid_argument');
    },
  },
  {
    name: 'list_emergencies: every open call always (most urgent first), then the most recent closed ones up to the limit; each role sees its own',
    async run(c) {
      await c.as('postgres');
      const extra = randomUUID();
      await c.rows(`insert into auth.users (id, email, raw_app_meta_data) values ($1, 'third.client@example.test', '{"console_role": "client"}')`, [extra]);
      const call = async (client: string, state: string, level: number, ago: string, acceptedBy: string | null = null): Promise<string> => {
        const session = randomUUID();
        await c.rows(`insert into public.chat_sessions (id, type, created_by) values ($1, 'emergency', $2)`, [session, client]);
        await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client')`, [session, client]);
        const resolved = state === 'resolved';
        const r = await c.one<{ id: string }>(
          `insert into public.emergency_calls (session_id, client_id, state, escalation_level, accepted_by, resolved_by, resolution_note, created_at)
           values ($1, $2, $3, $4, $5, $6, $7, now() - $8::interval) returning id`,
          [session, client, state, level, acceptedBy, resolved ? ID.admin : null, resolved ? 'handled' : null, ago],
        );
        return r.id;
      };
      const escalated = await call(ID.otherClient, 'escalated', 2, '10 minutes');
      const accepted = await call(extra, 'accepted', 0, '20 minutes', ID.reader);
      const closed: string[] = [];
      for (let d = 1; d <= 5; d++) closed.push(await call(ID.client, 'resolved', 0, `${d} days`));
      const cancelled = await call(ID.client, 'cancelled', 0, '36 hours');
      // Unanswered before taken; higher escalation first; then the longest waiting. Closed: newest first.
      const open = [escalated, ID.call, accepted];
      const allClosed = [closed[0]!, cancelled, closed[1]!, closed[2]!, closed[3]!, closed[4]!];
      const list = async (who: Who, limit?: number) => {
        await c.as(who);
        return ids(await c.rows(limit ? `select * from public.list_emergencies($1)` : `select * from public.list_emergencies()`, limit ? [limit] : []));
      };
      for (const who of STAFF) c.eq(await list(who), [...open, ...allClosed], `${who}: the whole board`);
      c.eq(await list('monitor', 5), [...open, closed[0]!, cancelled], 'limit 5: the open calls and the two most recent closed ones');
      c.eq(await list('monitor', 2), open, 'a limit below the number of open calls still shows every open call');
      c.eq(await list('client', 3), [ID.call, closed[0]!, cancelled], "client: its ringing call, then its recent closed ones");
      c.eq(await list('otherClient'), [escalated], 'the other client: its own call only');
      c.eq(await list('reader'), open, 'opted-in reader: the calls ringing for it and the one it took');
      c.eq(await list('otherReader'), [], 'a reader not opted in: none');
      await c.as('client');
      await c.fails('SA400', `select * from public.list_emergencies(0)`, [], 'request.invalid_argument');
      await c.as('anon');
      await c.fails('42501', `select * from public.list_emergencies()`);
    },
  },
  {
    name: 'list_people: the cards the caller may see (readers for all, contacts, everyone for staff), by name; role filter; limit; bad role refused',
    async run(c) {
      const names = async (who: Who, sql = `select * from public.list_people()`, params: unknown[] = []) => {
        await c.as(who);
        return (await c.rows<{ display_name: string }>(sql, params)).map((r) => r.display_name);
      };
      c.eq(await names('client'), ['Client One', 'Reader One', 'Reader Two'], 'client: itself and the readers');
      c.eq(await names('otherClient'), ['Client Two', 'Reader One', 'Reader Two'], 'the other client');
      c.eq(await names('reader'), ['Client One', 'Reader One', 'Reader Two'], 'reader: its client (a contact) and the readers');
      const everyone = ['Admin', 'Client One', 'Client Two', 'Monitor', 'Reader One', 'Reader Two', 'Super Admin'];
      for (const who of STAFF) c.eq(await names(who), everyone, `${who}: everyone`);
      c.eq(await names('monitor', `select * from public.list_people('reader')`), ['Reader One', 'Reader Two'], 'role filter');
      c.eq(await names('client', `select * from public.list_people('admin')`), [], 'a role the caller sees none of');
      c.eq(await names('monitor', `select * from public.list_people(p_limit => 2)`), ['Admin', 'Client One'], 'limit');
      await c.as('monitor');
      c.eq(Object.keys(await c.one(`select * from public.list_people('monitor')`)), ['id', 'display_name', 'role', 'preferred_language', 'availability', 'emergency_opt_in'], 'card columns');
      await c.fails('SA464', `select * from public.list_people('god')`, [], 'role.invalid');
      await c.fails('SA400', `select * from public.list_people(p_limit => 0)`, [], 'request.invalid_argument');
      await c.as('anon');
      await c.fails('42501', `select * from public.list_people()`);
    },
  },
  {
    name: 'set_console_setting: super admins only, validated and normalised by the same trigger, audited; answers the typed settings',
    async run(c) {
      for (const who of ['client', 'reader', 'monitor', 'admin'] as const) {
        await c.as(who);
        await c.fails('SA472', `select public.set_console_setting('console.rate_limit.messages_per_minute', '5')`, [], 'settings.forbidden');
      }
      await c.as('superAdmin');
      const s = await c.one<{ s: Record<string, unknown> }>(`select public.set_console_setting('console.rate_limit.messages_per_minute', ' 45 ') as s`);
      c.eq(s.s['console.rate_limit.messages_per_minute'], 45, 'normalised, typed');
      c.eq(s.s, (await c.one<{ s: unknown }>(`select public.get_console_settings() as s`)).s, 'the same typed object as get_console_settings');
      const m = await c.one<{ s: Record<string, unknown> }>(`select public.set_console_setting('console.image.mime_types', 'IMAGE/PNG, image/jpeg') as s`);
      c.eq(m.s['console.image.mime_types'], ['image/png', 'image/jpeg'], 'MIME list normalised');
      // A key the fixtures removed is inserted again (the platform may lack a row).
      c.eq((await c.one<{ s: Record<string, unknown> }>(`select public.set_console_setting('console.quota.session_messages_per_day', '100') as s`)).s['console.quota.session_messages_per_day'], 100, 'missing row inserted');
      await c.fails('SA471', `select public.set_console_setting('console.rate_limit.messages_per_minute', '0')`, [], 'settings.invalid_value');
      await c.fails('SA471', `select public.set_console_setting('console.rate_limit.messages_per_minute', 'lots')`, [], 'settings.invalid_value');
      await c.fails('SA471', `select public.set_console_setting('console.rate_limit.messages_per_minute', null)`, [], 'settings.invalid_value');
      await c.fails('SA470', `select public.set_console_setting('console.made_up', '1')`, [], 'settings.unknown_key');
      await c.fails('SA470', `select public.set_console_setting('site_name', 'x')`, [], 'settings.unknown_key');
      await c.as('postgres');
      c.eq(await c.n(`select 1 from public.audit_log where table_name = 'app_settings' and row_id = 'console.rate_limit.messages_per_minute' and actor_id = $1 and new_values ->> 'value' = '45'`, [ID.superAdmin]), 1, 'audited with the actor');
      c.eq(await c.n(`select 1 from public.app_settings where key = 'site_name'`), 0, 'no platform key written');
      await c.as('anon');
      await c.fails('42501', `select public.set_console_setting('console.rate_limit.messages_per_minute', '5')`);
    },
  },
  {
    name: 'message RPCs answer chat_message_view: the type is participant-shaped, no function returns a chat_messages row, writes return it too',
    async run(c) {
      await c.as('postgres');
      const fields = await c.rows<{ attname: string }>(`select attname from pg_attribute where attrelid = 'public.chat_message_view'::regclass and attnum > 0 order by attnum`);
      c.eq(fields.map((f) => f.attname), MESSAGE_VIEW_FIELDS, 'chat_message_view columns');
      const whole = await c.rows<{ f: string }>(`select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prorettype = 'public.chat_messages'::regtype`);
      c.eq(whole, [], 'RPCs returning whole chat_messages rows (moderation columns)');
      const returning = await c.rows<{ f: string }>(`select p.proname as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public' and p.prorettype = 'public.chat_message_view'::regtype order by 1`);
      c.eq(returning.map((r) => r.f), ['add_note', 'client_notes', 'delete_message', 'edit_message', 'list_messages', 'message_context', 'pending_audio', 'reject_audio', 'review_audio', 'search_messages', 'send_message'], 'RPCs returning chat_message_view');
      await c.as('client');
      const sent = await send(c, { session: ID.s1, type: 'text', body: 'shape' });
      c.eq(Object.keys(sent), MESSAGE_VIEW_FIELDS, 'send_message');
      c.eq(Object.keys(await c.one(`select * from public.edit_message($1, 'reshaped')`, [sent.id])), MESSAGE_VIEW_FIELDS, 'edit_message');
      c.eq(Object.keys(await c.one(`select * from public.delete_message($1)`, [sent.id])), MESSAGE_VIEW_FIELDS, 'delete_message');
      const note = await voiceNote(c, 'reader', ID.s1);
      c.eq(Object.keys(note), MESSAGE_VIEW_FIELDS, 'send_message (audio)');
      await c.as('monitor');
      const reviewed = await c.one(`select * from public.review_audio($1, 'approve', 'fine')`, [note.id]);
      c.eq([Object.keys(reviewed).length, reviewed.reviewed_by, reviewed.review_reason], [MESSAGE_VIEW_FIELDS.length, ID.monitor, 'fine'], 'review_audio: the reviewer sees the review');
      await c.as('client');
      c.eq(Object.keys(await c.one(`select * from public.send_message($1::uuid, 'text', $2::uuid, 'retried')`, [ID.s1, sent.id])), MESSAGE_VIEW_FIELDS, 'send_message retried (the stored row)');
    },
  },
  {
    name: 'a client never sees a pending voice note through any read RPC (sessions, session, messages, changes, queue); its sender and staff do',
    async run(c) {
      const note = await voiceNote(c, 'reader', ID.s1);
      const id = String(note.id);
      const everything = async (who: Who): Promise<string> => {
        await c.as(who);
        const parts = [
          await c.rows(`select * from public.list_sessions()`),
          await c.rows(`select * from public.get_session($1)`, [ID.s1]),
          await c.rows(`select * from public.list_messages($1, p_limit => 1000)`, [ID.s1]),
          await c.rows(`select public.messages_changed_since('1|1:1:||', 1000) as r`),
          await c.rows(`select * from public.pending_audio()`),
        ];
        return JSON.stringify(parts);
      };
      c.ok(!(await everything('client')).includes(id), 'the client sees no trace of the pending note');
      c.ok(!(await everything('client')).includes(String(note.storage_path)), 'nor of its file');
      c.ok((await everything('reader')).includes(id), 'the sender does');
      c.ok((await everything('monitor')).includes(id), 'staff do');
      await c.as('monitor');
      await c.one(`select * from public.review_audio($1, 'reject', 'Please re-record')`, [id]);
      c.ok(!(await everything('client')).includes(id), 'nor once rejected');
      await c.as('client');
      c.eq(Number((await c.one(`select unread_count from public.list_sessions() where id = $1`, [ID.s1])).unread_count), 1, 'unread unchanged by it');
    },
  },
];
