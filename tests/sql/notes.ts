// Internal notes and client history through their RPCs (..._internal_notes.sql, ..._client_history.sql): who
// writes and reads a note, mentions and their broadcast, what a note does not change (unread counts, the last
// message, the session's last_message_at), and what a reader and staff see of a client's sessions.
// The attacks on the rule (a client with a SQL prompt) are in adversarial-notes.ts.
import { randomUUID } from 'node:crypto';
import { ID } from './fixtures';
import type { Ctx, Workflow } from './workflows';
import { SEND_SQL, sendParams, setSetting } from './workflows';

type Row = Record<string, unknown>;

export const NOTE_SQL = `select * from public.add_note(p_session_id => $1::uuid, p_client_message_id => $2::uuid, p_body => $3, p_mentions => $4::uuid[])`;

export async function addNote(c: Ctx, session: string, body: string, mentions: string[] | null = null, cmid = randomUUID()): Promise<Row> {
  return c.one(NOTE_SQL, [session, cmid, body, mentions ? `{${mentions.join(',')}}` : null]);
}

/** A second session of the client, with the other reader: the client's history with another reader. */
export async function otherReadersSession(c: Ctx): Promise<string> {
  await c.as('postgres');
  const id = randomUUID();
  await c.rows(`insert into public.chat_sessions (id, type, created_by, status, created_at, last_message_at)
                values ($1, 'support', $2, 'ended', now() - interval '30 days', now() - interval '29 days')`, [id, ID.client]);
  await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'client'), ($1, $3, 'reader')`,
    [id, ID.client, ID.otherReader]);
  await c.rows(`insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
                values ($1, $2, 'text', 'a reading with reader two', 'sent', now() - interval '29 days')`, [id, ID.otherReader]);
  await c.rows(`insert into public.chat_messages (session_id, sender_id, type, body, status, created_at)
                values ($1, $2, 'note', 'reader two''s note', 'sent', now() - interval '29 days')`, [id, ID.otherReader]);
  return id;
}

export const NOTE_WORKFLOWS: Workflow[] = [
  {
    name: 'internal note: the reader writes one (trimmed, idempotent, type note); the reader and staff read it; nothing the client reads moves',
    async run(c) {
      await c.as('postgres');
      const before = await c.one<{ last_message_at: unknown }>(`select last_message_at from public.chat_sessions where id = $1`, [ID.s1]);
      await c.as('reader');
      const cmid = randomUUID();
      const note = await addNote(c, ID.s1, '  prefers evening readings  ', null, cmid);
      c.eq([note.type, note.status, note.body, note.id], ['note', 'sent', 'prefers evening readings', cmid], 'a note, trimmed, its id the client_message_id');
      const again = await addNote(c, ID.s1, 'a different retry body', null, cmid);
      c.eq([again.id, again.body], [cmid, 'prefers evening readings'], 'a retry returns the note');
      await c.fails('SA418', SEND_SQL, sendParams({ session: ID.s1, type: 'text', cmid, body: 'x' }), 'chat.client_message_id_reused');
      await c.fails('SA418', NOTE_SQL, [ID.se, cmid, 'x', null], 'chat.client_message_id_reused');
      c.eq(await c.n(`select 1 from public.list_messages($1) where id = $2`, [ID.s1, cmid]), 1, 'the reader reads it');
      for (const who of ['monitor', 'admin', 'superAdmin'] as const) {
        await c.as(who);
        c.eq(await c.n(`select 1 from public.list_messages($1) where id = $2 and type = 'note'`, [ID.s1, cmid]), 1, `${who} reads it without joining`);
      }
      await c.as('postgres');
      const after = await c.one<{ last_message_at: unknown }>(`select last_message_at from public.chat_sessions where id = $1`, [ID.s1]);
      c.eq(after, before, "the session's last_message_at does not move");
      c.eq(await c.n(`select 1 from private.rate_limit_counters where scope = 'session_messages' and subject = $1`, [ID.s1]), 0, "the session's daily quota is not touched");
    },
  },
  {
    name: "internal note: staff write one in any session; it reaches the session's reader, is not unread and is never the last message",
    async run(c) {
      await c.as('reader');
      const before = await c.one<{ unread_count: number; last_message: Row | null }>(`select unread_count, last_message from public.get_session($1)`, [ID.s1]);
      const counts = await c.one(`select unread_count from public.unread_counts() where session_id = $1`, [ID.s1]);
      await c.as('admin');
      const note = await addNote(c, ID.s1, 'coach: slow down with this client');
      c.eq(await c.n(`select 1 from public.chat_participants where session_id = $1 and user_id = $2`, [ID.s1, ID.admin]), 0, 'the admin did not have to join');
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.list_messages($1) where id = $2`, [ID.s1, note.id]), 1, "the session's reader reads staff's note");
      const now = await c.one<{ unread_count: number; last_message: Row | null }>(`select unread_count, last_message from public.get_session($1)`, [ID.s1]);
      c.eq(now, before, 'unread count and last message stay as they were');
      c.eq(await c.one(`select unread_count from public.unread_counts() where session_id = $1`, [ID.s1]), counts, 'unread_counts too');
      await c.as('postgres');
      c.eq(await c.n(`select 1 from realtime.messages where event = 'chat_message' and topic = $1 and payload -> 'record' ->> 'id' = $2`,
        [`user:${ID.reader}`, note.id]), 1, 'the reader is told on their inbox');
    },
  },
  {
    name: 'internal note: refused to the client (SA560), to someone outside the session (SA404), blank (SA421), too long (SA422), to anon',
    async run(c) {
      await c.as('client');
      await c.fails('SA560', NOTE_SQL, [ID.s1, randomUUID(), 'x', null], 'note.forbidden');
      await c.fails('SA560', `select * from public.note_mention_candidates($1)`, [ID.s1], 'note.forbidden');
      await c.fails('SA404', NOTE_SQL, [ID.s2, randomUUID(), 'x', null], 'chat.session_not_found');
      await c.as('otherReader');
      await c.fails('SA404', NOTE_SQL, [ID.s1, randomUUID(), 'x', null], 'chat.session_not_found');
      await c.fails('SA404', NOTE_SQL, [randomUUID(), randomUUID(), 'x', null], 'chat.session_not_found');
      await c.as('reader');
      await c.fails('SA421', NOTE_SQL, [ID.s1, randomUUID(), ' \u200b\n', null], 'chat.body_required');
      await setSetting(c, 'console.message.max_body_length', '100');
      await c.as('reader');
      await c.fails('SA422', NOTE_SQL, [ID.s1, randomUUID(), 'x'.repeat(101), null], 'chat.body_too_long');
      await c.fails('SA437', NOTE_SQL, [ID.s1, null, 'x', null], 'chat.client_message_id_required');
      await c.fails('SA420', SEND_SQL, sendParams({ session: ID.s1, type: 'note', body: 'x' }), 'chat.invalid_type');
      await c.as('anon');
      await c.fails('42501', NOTE_SQL, [ID.s1, randomUUID(), 'x', null]);
    },
  },
  {
    name: 'mentions: staff and the session reader only (SA562), at most 20 (SA561); each mentioned person is told on user:{id}',
    async run(c) {
      await c.as('reader');
      const candidates = await c.rows<{ id: string; role: string }>(`select id, role from public.note_mention_candidates($1)`, [ID.s1]);
      c.eq(candidates.map((r) => r.id).sort(), [ID.admin, ID.monitor, ID.superAdmin].sort(), 'staff, never the client or a reader of another session');
      await c.fails('SA562', NOTE_SQL, [ID.s1, randomUUID(), 'x', `{${ID.client}}`], 'note.invalid_mention');
      await c.fails('SA562', NOTE_SQL, [ID.s1, randomUUID(), 'x', `{${ID.otherReader}}`], 'note.invalid_mention');
      await c.fails('SA562', NOTE_SQL, [ID.s1, randomUUID(), 'x', `{${randomUUID()}}`], 'note.invalid_mention');
      await c.fails('SA561', NOTE_SQL, [ID.s1, randomUUID(), 'x', `{${Array.from({ length: 21 }, () => ID.monitor).join(',')}}`], 'note.too_many_mentions');
      await c.fails('SA400', NOTE_SQL, [ID.s1, randomUUID(), 'x', '{NULL}'], 'request.invalid_argument');
      const note = await addNote(c, ID.s1, '@Monitor please listen to this one', [ID.monitor, ID.monitor, ID.reader]);
      await c.as('postgres');
      const told = await c.rows<{ topic: string; payload: Row }>(
        `select topic, payload from realtime.messages where event = 'note_mention' and payload ->> 'message_id' = $1`, [note.id]);
      c.eq(told.map((t) => t.topic), [`user:${ID.monitor}`], 'the monitor once; never the writer');
      c.eq([told[0]!.payload.session_id, told[0]!.payload.sender_id, told[0]!.payload.sender_name, told[0]!.payload.preview],
        [ID.s1, ID.reader, 'Reader One', '@Monitor please listen to this one'], 'the mention names the note, its session and its writer');
      c.eq(await c.n(`select 1 from private.note_mentions where message_id = $1`, [note.id]), 1, 'recorded once');
      await c.as('monitor');
      const back = await c.rows<{ id: string; role: string }>(`select id from public.note_mention_candidates($1)`, [ID.s1]);
      c.ok(back.some((r) => r.id === ID.reader), 'staff may mention the session reader');
      await addNote(c, ID.s1, '@Reader One noted', [ID.reader]);
    },
  },
  {
    name: "notes follow the reader's role: a reader's own support session has no client (staff's notes there are staff's); a demoted reader loses them",
    async run(c) {
      await c.as('reader');
      const own = await c.one<{ id: string }>(`select * from public.open_support_session()`);
      await c.fails('SA560', NOTE_SQL, [own.id, randomUUID(), 'x', null], 'note.forbidden');
      await c.as('monitor');
      await c.one(`select * from public.join_session($1)`, [own.id]);
      const staffNote = await addNote(c, own.id, 'about the reader');
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.list_messages($1) where id = $2`, [own.id, staffNote.id]), 0, 'the reader, subject of the session, does not read it');
      await c.as('monitor');
      const s1Note = await addNote(c, ID.s1, 'about the client');
      await c.as('postgres');
      await c.rows(`update public.profiles set role = 'client' where id = $1`, [ID.reader]);
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.list_messages($1) where type = 'note'`, [ID.s1]), 0, 'a reader made client reads no note any more');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [s1Note.id]), 0, 'not even by table');
    },
  },
  {
    name: "deleting a note: its writer may; the tombstone stays the note's audience's",
    async run(c) {
      await c.as('reader');
      const note = await addNote(c, ID.s1, 'wrong client');
      await c.fails('SA417', `select * from public.edit_message($1, 'x')`, [note.id], 'chat.not_editable');
      const gone = await c.one(`select * from public.delete_message($1)`, [note.id]);
      c.eq([gone.status, gone.body], ['deleted', null], 'deleted, body gone');
      await c.as('client');
      c.eq(await c.n(`select 1 from public.list_messages($1) where id = $2`, [ID.s1, note.id]), 0, 'the client never sees the tombstone');
    },
  },
  {
    name: "client history: the reader sees the client's sessions with other readers as dates only; staff see all; clients and strangers are refused",
    async run(c) {
      const other = await otherReadersSession(c);
      await c.as('reader');
      await addNote(c, ID.s1, 'my note about the client');
      const rows = await c.rows<Row>(`select * from public.client_history($1)`, [ID.client]);
      c.eq(rows.map((r) => r.session_id).sort(), [ID.s1, ID.se, other].sort(), "every session of the client's");
      const theirs = rows.find((r) => r.session_id === other)!;
      c.eq(Object.keys(theirs), ['session_id', 'type', 'status', 'created_at', 'last_activity_at', 'readers', 'took_part'], 'dates, type, status and readers: no body, no preview, no count');
      c.eq([theirs.took_part, theirs.readers], [false, [{ user_id: ID.otherReader, display_name: 'Reader Two' }]], "another reader's session, named");
      c.eq(rows.find((r) => r.session_id === ID.s1)!.took_part, true, 'their own');
      c.ok(rows.findIndex((r) => r.session_id === other) > rows.findIndex((r) => r.session_id === ID.s1), 'most recent first');
      await c.fails('SA404', `select * from public.list_messages($1)`, [other], 'chat.session_not_found');
      const notes = await c.rows<Row>(`select body from public.client_notes($1)`, [ID.client]);
      c.eq(notes.map((n) => n.body), ['my note about the client'], "the reader's own notes only, never the other reader's");
      await c.fails('SA563', `select * from public.client_history($1)`, [ID.otherClient], 'history.client_not_found');
      await c.fails('SA563', `select * from public.client_history($1)`, [randomUUID()], 'history.client_not_found');
      await c.fails('SA563', `select * from public.client_notes($1)`, [ID.otherClient], 'history.client_not_found');
      await c.fails('SA400', `select * from public.client_history($1, 201)`, [ID.client], 'request.invalid_argument');
      await c.as('monitor');
      c.eq(await c.n(`select 1 from public.client_history($1)`, [ID.client]), 3, 'staff: every session');
      c.eq((await c.rows<Row>(`select body from public.client_notes($1)`, [ID.client])).map((n) => n.body).sort(),
        ['my note about the client', "reader two's note"], 'staff: every note');
      for (const who of ['client', 'otherClient'] as const) {
        await c.as(who);
        await c.fails('SA564', `select * from public.client_history($1)`, [ID.client], 'history.forbidden');
        await c.fails('SA564', `select * from public.client_notes($1)`, [ID.client], 'history.forbidden');
      }
      await c.as('anon');
      await c.fails('42501', `select * from public.client_history($1)`, [ID.client]);
    },
  },
];
