// Canned replies and triage (20261201002200_canned_replies.sql, 20261201002300_session_triage.sql), through
// their RPCs and straight at their tables, as each role. Each case runs in a transaction that is rolled back.
import { ID } from './fixtures';
import { send, type Ctx, type Workflow } from './workflows';

type Row = Record<string, unknown>;

const SAVE = `select * from public.save_canned_reply(p_language => $1, p_shortcut => $2, p_title => $3, p_body => $4, p_shared => $5, p_id => $6::uuid)`;
const save = (c: Ctx, shortcut: string, shared = false, id: string | null = null, body = 'Hello {client_name}') =>
  c.one<Row>(SAVE, ['en', shortcut, 'Greeting', body, shared, id]);
const shortcuts = async (c: Ctx) => (await c.rows<{ shortcut: string }>(`select shortcut from public.list_canned_replies()`)).map((r) => r.shortcut);

export const REPLY_TRIAGE_WORKFLOWS: Workflow[] = [
  {
    name: 'canned replies: a reader reads the shared ones and their own, never another reader\'s; clients read none',
    async run(c) {
      await c.as('admin');
      const shared = await save(c, 'welcome', true);
      c.eq(shared.owner_id, null, 'a shared reply has no owner');
      await c.as('reader');
      const mine = await save(c, 'mine');
      c.eq(mine.owner_id, ID.reader, 'a personal reply is its author\'s');
      c.eq(mine.body, 'Hello {client_name}', 'placeholders are stored as written');
      c.eq((await shortcuts(c)).sort(), ['mine', 'welcome'], 'the reader lists theirs and the shared one');
      await c.as('otherReader');
      c.eq(await shortcuts(c), ['welcome'], 'another reader lists only the shared one');
      c.eq(await c.n(`select * from public.canned_replies where id = $1`, [mine.id]), 0, 'nor reads it from the table');
      await c.as('client');
      c.eq(await shortcuts(c), [], 'a client lists none');
      c.eq(await c.n(`select * from public.canned_replies`), 0, 'nor reads any from the table');
      await c.fails('SA540', SAVE, ['en', 'x', 'T', 'B', false, null], 'canned.forbidden');
      await c.as('anon');
      await c.fails('42501', `select * from public.list_canned_replies()`);
    },
  },
  {
    name: 'canned replies: only admins write shared ones; nobody changes or deletes another\'s; direct writes are refused',
    async run(c) {
      await c.as('admin');
      const shared = await save(c, 'welcome', true);
      await c.as('reader');
      const mine = await save(c, 'mine');
      await c.fails('SA541', SAVE, ['en', 'evil', 'T', 'B', true, null], 'canned.shared_admins_only');
      await c.fails('SA541', `select public.delete_canned_reply($1)`, [shared.id], 'canned.shared_admins_only');
      await c.fails('SA543', SAVE, ['en', 'welcome', 'T', 'changed', false, shared.id], 'canned.invalid');
      // An attacker signed in as an ordinary user, at the table itself.
      await c.fails('42501', `insert into public.canned_replies (owner_id, language, shortcut, title, body) values (null, 'en', 'evil', 'T', 'B')`);
      await c.fails('42501', `update public.canned_replies set body = 'defaced' where id = $1`, [shared.id]);
      await c.fails('42501', `delete from public.canned_replies where id = $1`, [shared.id]);
      await c.as('monitor');
      await c.fails('SA541', SAVE, ['en', 'evil', 'T', 'B', true, null], 'canned.shared_admins_only');
      await c.as('otherReader');
      await c.fails('SA542', SAVE, ['en', 'mine', 'T', 'stolen', false, mine.id], 'canned.not_found');
      await c.fails('SA542', `select public.delete_canned_reply($1)`, [mine.id], 'canned.not_found');
      await c.as('reader');
      const changed = await save(c, 'mine2', false, String(mine.id), 'Changed');
      c.eq([changed.id, changed.shortcut, changed.body], [mine.id, 'mine2', 'Changed'], 'the author changes their own');
      await c.exec(`select public.delete_canned_reply('${String(mine.id)}')`);
      c.eq(await shortcuts(c), ['welcome'], 'and deletes it');
      await c.as('superAdmin');
      await c.exec(`select public.delete_canned_reply('${String(shared.id)}')`);
      await c.as('reader');
      c.eq(await shortcuts(c), [], 'an admin deletes a shared one');
    },
  },
  {
    name: 'canned replies: fields are checked (language, shortcut, title, body, length), shortcuts unique per scope and language',
    async run(c) {
      await c.as('reader');
      await save(c, 'hi');
      await c.fails('SA544', SAVE, ['en', 'HI', 'T', 'B', false, null], 'canned.shortcut_taken');
      await c.one(SAVE, ['ar', 'hi', 'تحية', 'أهلاً {client_name}', false, null]);
      await c.fails('SA543', SAVE, ['fr', 'x', 'T', 'B', false, null], 'canned.invalid');
      await c.fails('SA543', SAVE, ['en', 'a b', 'T', 'B', false, null], 'canned.invalid');
      await c.fails('SA543', SAVE, ['en', 'x/y', 'T', 'B', false, null], 'canned.invalid');
      await c.fails('SA543', SAVE, ['en', 'x', '\u200b ', 'B', false, null], 'canned.invalid');
      await c.fails('SA543', SAVE, ['en', 'x', 'T', ' \u00a0', false, null], 'canned.invalid');
      await c.fails('SA448', SAVE, ['en', 'x', 'T', 'x'.repeat(12_001), false, null], 'request.text_too_long');
      await c.as('admin');
      await c.one(SAVE, ['en', 'hi', 'Shared hi', 'Hello', true, null]);
    },
  },
  {
    name: 'triage: each user reads and writes only their own rows; only sessions they may read',
    async run(c) {
      await c.as('reader');
      const muted = await c.one<Row>(`select * from public.mute_session($1)`, [ID.s1]);
      c.eq([muted.session_id, muted.muted], [ID.s1, true], 'muted');
      await c.one(`select * from public.mark_session_unread($1)`, [ID.s1]);
      c.eq(await c.n(`select * from public.list_session_triage()`), 1, 'the reader lists their row');
      await c.fails('SA404', `select * from public.mute_session($1)`, [ID.s2], 'chat.session_not_found');
      await c.as('client');
      c.eq(await c.n(`select * from public.list_session_triage()`), 0, 'the client of the session lists none of the reader\'s');
      c.eq(await c.n(`select * from public.session_triage`), 0, 'nor reads them from the table');
      await c.fails('42501', `insert into public.session_triage (user_id, session_id, muted) values ($1, $2, true)`, [ID.reader, ID.s1]);
      await c.fails('42501', `update public.session_triage set muted = false`);
      await c.as('otherReader');
      c.eq(await c.n(`select * from public.session_triage`), 0, 'another reader reads none');
      await c.as('monitor');
      c.eq((await c.one<Row>(`select * from public.mute_session($1)`, [ID.s2])).muted, true, 'staff triage any session they may read');
      await c.as('reader');
      c.eq((await c.one<Row>(`select * from public.mute_session($1, false)`, [ID.s1])).muted, false, 'unmuted');
      await c.fails('SA545', `select * from public.mute_session($1, null)`, [ID.s1], 'triage.invalid');
    },
  },
  {
    name: 'triage: a snooze until the next message ends when the client writes (not the reader); a timed one at its time',
    async run(c) {
      await c.as('reader');
      const s = await c.one<Row>(`select * from public.snooze_session($1, p_until_reply => true)`, [ID.s1]);
      c.eq(s.snoozed_until_reply, true, 'snoozed until the next message');
      await c.as('postgres');
      await c.exec(`update public.session_triage set snoozed_at = now() - interval '1 minute' where user_id = '${ID.reader}'`);
      await c.as('reader');
      await send(c, { session: ID.s1, type: 'text', body: 'a note of mine' });
      c.eq((await c.one<Row>(`select * from public.list_session_triage()`)).snoozed_until_reply, true, 'the reader\'s own message does not end it');
      await c.as('client');
      await send(c, { session: ID.s1, type: 'text', body: 'are you there?' });
      await c.as('reader');
      c.eq(await c.n(`select * from public.list_session_triage()`), 0, 'the client\'s message ends it');

      await c.fails('SA546', `select * from public.snooze_session($1, now() - interval '1 second')`, [ID.s1], 'triage.invalid_snooze');
      await c.fails('SA546', `select * from public.snooze_session($1, now() + interval '31 days')`, [ID.s1], 'triage.invalid_snooze');
      await c.fails('SA546', `select * from public.snooze_session($1, now() + interval '1 hour', true)`, [ID.s1], 'triage.invalid_snooze');
      const timed = await c.one<Row>(`select snoozed_until::text as until, snoozed_until_reply from public.snooze_session($1, now() + interval '1 hour')`, [ID.s1]);
      c.ok(timed.until !== null && timed.snoozed_until_reply === false, 'snoozed until a time');
      await c.as('postgres');
      await c.exec(`update public.session_triage set snoozed_until = now() - interval '1 second', snoozed_at = now() - interval '2 hours' where user_id = '${ID.reader}'`);
      await c.as('reader');
      c.eq(await c.n(`select * from public.list_session_triage()`), 0, 'the time passed: no longer snoozed');
      await c.one(`select * from public.snooze_session($1, now() + interval '1 hour')`, [ID.s1]);
      c.eq(await c.n(`select * from public.snooze_session($1)`, [ID.s1]), 1, 'neither end: woken now');
      c.eq(await c.n(`select * from public.list_session_triage()`), 0, 'nothing left in effect');
    },
  },
  {
    name: 'triage: a session marked unread stays so until the user reads it again',
    async run(c) {
      await c.as('reader');
      c.eq((await c.one<Row>(`select * from public.mark_session_unread($1)`, [ID.s1])).marked_unread, true, 'marked');
      await c.as('postgres');
      await c.exec(`update public.chat_participants set last_read_at = now() + interval '1 second' where session_id = '${ID.s1}' and user_id = '${ID.reader}'`);
      await c.as('reader');
      c.eq(await c.n(`select * from public.list_session_triage()`), 0, 'read afterwards: the mark is off');
      await c.one(`select * from public.mark_session_unread($1)`, [ID.s1]);
      c.eq((await c.one<Row>(`select * from public.mark_session_unread($1, false)`, [ID.s1])).marked_unread, false, 'taken off by hand');
    },
  },
  {
    name: 'do-not-disturb: per user in SQL, a timer and a daily schedule, checked; nobody reads another\'s',
    async run(c) {
      await c.as('reader');
      c.eq(await c.one(`select manual, until, schedule_start, schedule_end, time_zone from public.get_do_not_disturb()`), { manual: false, until: null, schedule_start: null, schedule_end: null, time_zone: null }, 'nothing set');
      const set = await c.one<Row>(`select schedule_start::text as s, schedule_end::text as e, time_zone, until is not null as timed
                                    from public.set_do_not_disturb(false, now() + interval '1 hour', '22:00', '07:00', 'Africa/Cairo')`);
      c.eq(set, { s: '22:00:00', e: '07:00:00', time_zone: 'Africa/Cairo', timed: true }, 'stored');
      await c.fails('SA547', `select * from public.set_do_not_disturb(p_until => now() - interval '1 minute')`, [], 'dnd.invalid');
      await c.fails('SA547', `select * from public.set_do_not_disturb(false, null, '22:00', null, 'Africa/Cairo')`, [], 'dnd.invalid');
      await c.fails('SA547', `select * from public.set_do_not_disturb(false, null, '22:00', '22:00', 'Africa/Cairo')`, [], 'dnd.invalid');
      await c.fails('SA547', `select * from public.set_do_not_disturb(false, null, '22:00', '07:00', 'Mars/Olympus')`, [], 'dnd.invalid');
      await c.fails('SA547', `select * from public.set_do_not_disturb(false, null, '22:00', '07:00', null)`, [], 'dnd.invalid');
      await c.as('otherReader');
      c.eq(await c.n(`select * from public.do_not_disturb`), 0, 'another user reads none');
      c.eq((await c.one<Row>(`select time_zone from public.get_do_not_disturb()`)).time_zone, null, 'and gets their own (nothing)');
      await c.fails('42501', `insert into public.do_not_disturb (user_id) values ($1)`, [ID.otherReader]);
      await c.as('reader');
      c.eq((await c.one<Row>(`select manual from public.set_do_not_disturb(true)`)).manual, true, 'on until turned off');
      await c.fails('SA547', `select * from public.set_do_not_disturb(null)`, [], 'dnd.invalid');
      c.eq(await c.n(`select * from public.set_do_not_disturb()`), 1, 'cleared');
      c.eq((await c.one<Row>(`select schedule_start from public.get_do_not_disturb()`)).schedule_start, null, 'nothing in effect');
    },
  },
];
