// An internal note the client never sees, attacked as the pending voice notes are: the client holds a valid
// session and a raw SQL prompt as `authenticated`, and tries every path — the table, every read RPC (the
// messages, the session list's last message and unread count, unread_counts, the changes-since catch-up),
// replies, edits and deletes by id, realtime.messages on every topic, storage (reading or uploading under the
// note's id), the history RPCs, writing a note itself. (The definer sweep also checks the note's body and id
// against every SECURITY DEFINER function for every identity: adversarial-support.ts plants it.)
import { randomUUID } from 'node:crypto';
import { ID } from './fixtures';
import type { Ctx, Workflow } from './workflows';
import { SEND_SQL, sendParams } from './workflows';
import { actAsAttacker, type Attacker } from './adversarial-support';
import { addNote, NOTE_SQL } from './notes';

type Row = Record<string, unknown>;
const as = (c: Ctx, who: Attacker | 'postgres') => actAsAttacker(c.db, who);
const SECRET = 'CANARY-note-the-client-must-not-read';

/** A cursor whose snapshot precedes everything this transaction writes (the catch-up would return all of it). */
async function cursorBeforeNow(c: Ctx): Promise<string> {
  await as(c, 'postgres');
  const x = (await c.one<{ x: string }>(`select pg_current_xact_id()::text as x`)).x;
  return `1|${x}:${x}:||`;
}

export const ADVERSARIAL_NOTES: Workflow[] = [
  {
    name: 'internal note: the client reads it by no path — table, list_messages, get/list_sessions (last message, unread), unread_counts, messages_changed_since',
    async run(c) {
      await as(c, 'client');
      const before = {
        session: await c.one<Row>(`select unread_count, last_message, last_message_at from public.get_session($1)`, [ID.s1]),
        list: await c.one<Row>(`select unread_count, last_message, last_message_at from public.list_sessions() where id = $1`, [ID.s1]),
        counts: await c.one<Row>(`select * from public.unread_counts() where session_id = $1`, [ID.s1]),
        rows: await c.n(`select 1 from public.chat_messages`),
      };
      const cursor = await cursorBeforeNow(c);
      await as(c, 'reader');
      const note = await addNote(c, ID.s1, SECRET);
      await as(c, 'monitor');
      const staffNote = await addNote(c, ID.s1, `${SECRET} (staff)`, [ID.reader]);
      await as(c, 'client');
      c.eq(await c.n(`select 1 from public.chat_messages where type = 'note' or id in ($1, $2) or body like '%CANARY%'`, [note.id, staffNote.id]), 0, 'not by table, by type, id or body');
      c.eq(await c.n(`select 1 from public.chat_messages`), before.rows, 'the table shows exactly what it showed');
      c.eq(await c.n(`select 1 from private.chat_message_rows where type = 'note'`), 0, 'nor through the view the reads use');
      c.eq(await c.n(`select 1 from public.list_messages($1, null, null, 1000) where type = 'note'`, [ID.s1]), 0, 'not in list_messages');
      c.eq(await c.one(`select unread_count, last_message, last_message_at from public.get_session($1)`, [ID.s1]), before.session, 'get_session: same unread, last message and time');
      c.eq(await c.one(`select unread_count, last_message, last_message_at from public.list_sessions() where id = $1`, [ID.s1]), before.list, 'list_sessions: the same');
      c.eq(await c.one(`select * from public.unread_counts() where session_id = $1`, [ID.s1]), before.counts, 'unread_counts: the same');
      const changes = await c.one<{ r: { messages: Row[] } }>(`select public.messages_changed_since($1, 1000) as r`, [cursor]);
      c.eq(changes.r.messages.filter((m) => m.type === 'note' || JSON.stringify(m).includes('CANARY')).length, 0, 'not in the changes-since catch-up');
      c.eq(await c.n(`select 1 from public.pending_audio(1000) where type = 'note'`), 0, 'not in pending_audio');
      await as(c, 'reader');
      const readerChanges = await c.one<{ r: { messages: Row[] } }>(`select public.messages_changed_since($1, 1000) as r`, [cursor]);
      c.eq(readerChanges.r.messages.filter((m) => m.type === 'note').length, 2, 'while the reader catches up on both (the probe works)');
      await as(c, 'otherReader');
      c.eq(await c.n(`select 1 from public.chat_messages where type = 'note'`), 0, "a reader of another session reads none");
    },
  },
  {
    name: 'internal note: realtime carries it to the writer, staff participants and the reader only; the client reads no row of it on any topic',
    async run(c) {
      await as(c, 'postgres');
      await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'staff')`, [ID.s1, ID.monitor]);
      await as(c, 'admin');
      const note = await addNote(c, ID.s1, SECRET, [ID.monitor]);
      await as(c, 'postgres');
      const topics = await c.rows<{ topic: string; event: string }>(
        `select distinct topic, event from realtime.messages where payload::text like '%' || $1 || '%' order by topic, event`, [note.id]);
      c.eq(topics, [
        { topic: 'staff:sessions', event: 'session_activity' },
        { topic: `user:${ID.reader}`, event: 'chat_message' },
        { topic: `user:${ID.monitor}`, event: 'chat_message' },
        { topic: `user:${ID.monitor}`, event: 'note_mention' },
      ], 'the reader and the staff participant (and the mention); never user:client');
      // staff:sessions carries the note as staff read it (staff read every note; only staff may join the topic).
      c.eq(await c.n(`select 1 from realtime.messages where topic = 'staff:sessions' and payload::text like '%CANARY%'`), 1, 'the staff feed carries it once, to staff');
      await as(c, 'client');
      c.eq(await c.n(`select 1 from realtime.messages where payload::text like '%' || $1 || '%' or payload::text like '%CANARY%' or event = 'note_mention'`, [note.id]), 0,
        'the client reads no row of it');
      for (const topic of [`user:${ID.reader}`, `user:${ID.monitor}`, 'staff:sessions', `session:${ID.s1}`]) {
        await c.rows(`select set_config('realtime.topic', $1, true)`, [topic]);
        c.eq(await c.n(`select 1 from realtime.messages where topic = $1 and payload::text like '%CANARY%'`, [topic]), 0, `nor on ${topic}`);
      }
      await as(c, 'client');
      await c.fails('42501', `insert into realtime.messages (topic, extension, event, payload, private) values ($1, 'broadcast', 'note_mention', '{}', true)`,
        [`user:${ID.monitor}`]);
    },
  },
  {
    name: 'internal note: by id the client gets what it gets for no message — reply (SA435), edit and delete (SA405), storage under its id (none, refused)',
    async run(c) {
      await as(c, 'reader');
      const note = await addNote(c, ID.s1, SECRET);
      const ghost = randomUUID();
      await as(c, 'client');
      for (const id of [note.id, ghost]) {
        await c.fails('SA435', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'x', replyTo: String(id) }), 'chat.invalid_reply');
        await c.fails('SA405', `select * from public.edit_message($1, 'x')`, [id], 'chat.message_not_found');
        await c.fails('SA405', `select * from public.delete_message($1)`, [id], 'chat.message_not_found');
      }
      c.eq(await c.one(`select private.can_read_chat_object($1) as r`, [`${ID.s1}/${note.id}/x.png`]), { r: false }, 'no file to read under its id');
      await c.fails('42501', `insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
                              values ('chat-files', $1, auth.uid(), auth.uid()::text, '{"size": 1, "mimetype": "image/png"}')`,
        [`${ID.s1}/${note.id}/x.png`]);
      await c.fails('42501', `update public.chat_messages set type = 'text' where id = $1`, [note.id]);
      await c.fails('42501', `insert into public.chat_messages (session_id, sender_id, type, body) values ($1, auth.uid(), 'note', 'x')`, [ID.s1]);
      await as(c, 'postgres');
      c.eq((await c.one<Row>(`select type, body from public.chat_messages where id = $1`, [note.id])), { type: 'note', body: SECRET }, 'the note is untouched');
    },
  },
  {
    name: 'internal note: the client cannot write one, list whom to mention, or read a history (SA560, SA564), nor make its own message a note',
    async run(c) {
      await as(c, 'client');
      await c.fails('SA560', NOTE_SQL, [ID.s1, randomUUID(), 'x', `{${ID.client}}`], 'note.forbidden');
      await c.fails('SA560', `select * from public.note_mention_candidates($1)`, [ID.s1], 'note.forbidden');
      await c.fails('SA420', SEND_SQL, sendParams({ session: ID.s1, type: 'note', body: 'x' }), 'chat.invalid_type');
      await c.fails('SA564', `select * from public.client_history($1)`, [ID.client], 'history.forbidden');
      await c.fails('SA564', `select * from public.client_notes($1)`, [ID.client], 'history.forbidden');
      await c.fails('42501', `select * from private.note_mentions`);
      await c.fails('42501', `select private.reads_notes($1, $2)`, [ID.s1, ID.client]);
      c.eq(await c.n(`select 1 from private.note_session_ids()`), 0, "the client's own note sessions: none");
      await as(c, 'reader');
      const note = await addNote(c, ID.s1, SECRET);
      await c.rows(`select public.delete_message($1)`, [note.id]);
      await as(c, 'client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [note.id]), 0, 'a deleted note stays hidden (no tombstone for the client)');
    },
  },
];
