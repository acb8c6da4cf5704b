// The findings of the security review, one by one, as an attacker would try them: review internals in realtime
// payloads, emergency fan-out, four-eyes review, blank Unicode text, the waveform, rate limits in rolling
// windows for every action, the emergency state guard for every role, who may sweep emergencies, sequences
// and TRUNCATE, the staff session feed, typing, and the size of every payload the database broadcasts.
import { randomUUID } from 'node:crypto';
import { ID, path } from './fixtures';
import type { Ctx, Workflow } from './workflows';
import { SEND_SQL, send, sendParams, setSetting, upload, voiceNote } from './workflows';
import { MESSAGE_VIEW_FIELDS } from './reads';
import { actAsAttacker, type Attacker } from './adversarial-support';

type Row = Record<string, unknown>;
const as = (c: Ctx, who: Attacker | 'postgres') => actAsAttacker(c.db, who);

/** Realtime rows about a record, per topic, as the platform reads them. */
async function broadcasts(c: Ctx, recordId: string, event = 'chat_message') {
  await as(c, 'postgres');
  return c.rows<{ topic: string; payload: { record: Row | null; old_record: Row | null } }>(
    `select topic, payload from realtime.messages where event = $2 and payload -> 'record' ->> 'id' = $1 order by inserted_at, topic`,
    [recordId, event],
  );
}

/** Every blank character class the console trims: Unicode White_Space, controls, invisible format characters. */
export const BLANKS: [string, string][] = [
  ['tab', '\t'], ['line feed', '\n'], ['carriage return', '\r'], ['vertical tab', '\v'], ['form feed', '\f'], ['unit separator', '\u001f'],
  ['delete', '\u007f'], ['next line', '\u0085'], ['C1 control', '\u009b'], ['no-break space', '\u00a0'], ['soft hyphen', '\u00ad'],
  ['combining grapheme joiner', '\u034f'], ['Arabic letter mark', '\u061c'], ['Hangul filler', '\u3164'], ['ogham space', '\u1680'],
  ['Mongolian vowel separator', '\u180e'], ['en quad', '\u2000'], ['hair space', '\u200a'], ['zero width space', '\u200b'],
  ['zero width joiner', '\u200d'], ['right-to-left mark', '\u200f'], ['line separator', '\u2028'], ['paragraph separator', '\u2029'],
  ['right-to-left override', '\u202e'], ['narrow no-break space', '\u202f'], ['medium mathematical space', '\u205f'], ['word joiner', '\u2060'],
  ['first strong isolate', '\u2068'], ['braille blank', '\u2800'], ['ideographic space', '\u3000'], ['variation selector 16', '\ufe0f'],
  ['byte order mark', '\ufeff'], ['halfwidth Hangul filler', '\uffa0'], ['tag space', '\u{e0020}'], ['variation selector 256', '\u{e01ef}'],
];
const ALL_BLANK = BLANKS.map(([, ch]) => ch).join('');

/** A committed-like burst of actions: moves the times of a subject's recorded actions back by `seconds`. */
async function age(c: Ctx, scope: string, subject: string, seconds: number, onlyOldest = false) {
  await as(c, 'postgres');
  await c.rows(
    `update private.rate_limit_actions a set at = a.at - make_interval(secs => $3)
      where a.scope = $1 and a.subject = $2 ${onlyOldest ? 'and a.n = (select min(n) from private.rate_limit_actions b where b.scope = $1 and b.subject = $2)' : ''}`,
    [scope, subject, seconds],
  );
}

export const ADVERSARIAL_WORKFLOWS: Workflow[] = [
  {
    name: 'review internals: every chat_message broadcast is shaped for its recipient — reviewed_by and review_reason reach only the sender and staff',
    async run(c) {
      await setSetting(c, 'console.message.max_note_length', '1000');
      const note = await voiceNote(c, 'reader', ID.s1);
      await as(c, 'postgres');
      await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'staff')`, [ID.s1, ID.monitor]);
      await as(c, 'admin');
      await c.one(`select * from public.review_audio($1, 'approve', 'internal: fine, a bit long')`, [note.id]);
      const rows = await broadcasts(c, String(note.id));
      const by = (topic: string) => rows.filter((r) => r.topic === topic).map((r) => r.payload);
      const client = by(`user:${ID.client}`);
      c.eq(client.length, 1, 'the client is told once, at approval');
      c.eq([client[0]!.record!.reviewed_by, client[0]!.record!.review_reason, client[0]!.old_record], [null, null, null], 'no reviewer, no note, no pending state for the client');
      c.eq(Object.keys(client[0]!.record!).sort(), [...MESSAGE_VIEW_FIELDS].sort(), 'the client gets a chat_message_view');
      const reader = by(`user:${ID.reader}`).at(-1)!;
      c.eq([reader.record!.reviewed_by, reader.record!.review_reason], [ID.admin, 'internal: fine, a bit long'], 'the sender sees its review');
      const monitor = by(`user:${ID.monitor}`).at(-1)!;
      c.eq(monitor.record!.reviewed_by, ID.admin, 'a staff participant sees the reviewer');
      c.eq(by('staff:approvals').at(-1)!.record!.review_reason, 'internal: fine, a bit long', 'the approval queue sees the decision');
      await as(c, 'postgres');
      c.eq(await c.n(`select 1 from realtime.messages where payload::text like '%flagged%' or payload::text like '%change_xid%'`), 0, 'no moderation column or bookkeeping in any payload');
      await as(c, 'client');
      const listed = await c.one(`select reviewed_by, review_reason from public.list_messages($1) where id = $2`, [ID.s1, note.id]);
      c.eq(listed, { reviewed_by: null, review_reason: null }, 'and none through the reads');
    },
  },
  {
    name: 'emergency fan-out: only those who may read the call get it, shaped for them; a reader whose call was taken learns only that it stopped ringing; the note reaches nobody else',
    async run(c) {
      await as(c, 'postgres');
      await c.rows(`update public.profiles set emergency_opt_in = true where id = $1`, [ID.otherReader]);
      await as(c, 'otherClient');
      const call = await c.one<{ id: string }>(`select * from public.request_emergency()`);
      await as(c, 'reader');
      await c.one(`select * from public.accept_emergency($1)`, [call.id]);
      await c.one(`select * from public.resolve_emergency($1, $2)`, [call.id, 'CANARY-resolution-note']);
      const rows = await broadcasts(c, call.id, 'emergency_call');
      const topics = [...new Set(rows.map((r) => r.topic))].sort();
      c.eq(topics, ['staff:emergencies', `user:${ID.otherClient}`, `user:${ID.otherReader}`, `user:${ID.reader}`].sort(), 'staff, the client and the opted-in readers; never another client, a reader not opted in, or a staff inbox');
      // (One transaction: every row has the same inserted_at, so they are told apart by state.)
      const other = rows.filter((r) => r.topic === `user:${ID.otherReader}`).map((r) => r.payload);
      c.eq(other.map((r) => r.record!.state).sort(), ['accepted', 'ringing'], 'the other reader hears it ring, then stop');
      const stopped = other.find((r) => r.record!.state === 'accepted')!;
      c.eq([stopped.record!.accepted_by, stopped.record!.accepted_at, stopped.record!.resolution_note, stopped.old_record],
        [null, null, null, null], 'without who took it');
      const withNote = rows.filter((r) => JSON.stringify(r.payload).includes('CANARY-resolution-note')).map((r) => r.topic);
      c.eq([...new Set(withNote)].sort(), ['staff:emergencies', `user:${ID.otherClient}`, `user:${ID.reader}`].sort(), 'the resolution note reaches only those who may read the resolved call');
      await as(c, 'otherReader');
      c.eq(await c.n(`select 1 from realtime.messages where payload::text like '%CANARY-resolution-note%'`), 0, 'nor can the other reader read it');
      c.eq(await c.n(`select 1 from public.emergency_events where call_id = $1`, [call.id]), 0, 'nor its history');
    },
  },
  {
    name: 'four eyes: nobody reviews their own voice note, whatever their role is now and whoever writes the row (RPC, service role, owner)',
    async run(c) {
      const note = await voiceNote(c, 'reader', ID.s1);
      await as(c, 'postgres');
      await c.rows(`update public.profiles set role = 'monitor' where id = $1`, [ID.reader]);
      await as(c, 'reader');
      await c.fails('SA447', `select public.review_audio($1, 'approve')`, [note.id], 'review.own_message');
      await c.fails('SA447', `select public.review_audio($1, 'reject', 'no')`, [note.id], 'review.own_message');
      await as(c, 'service');
      await c.fails('SA447', `update public.chat_messages set status = 'approved', reviewed_by = sender_id, reviewed_at = now() where id = $1`, [note.id], 'review.own_message');
      c.eq(await c.n(`update public.chat_messages set body = 'caption' where id = $1 returning 1`, [note.id]), 1, 'the service role still writes other changes');
      await as(c, 'postgres');
      await c.fails('SA447', `update public.chat_messages set status = 'approved', reviewed_by = sender_id, reviewed_at = now() where id = $1`, [note.id], 'review.own_message');
      await c.fails('SA447', `update public.chat_messages set sender_id = $2 where id = $1`, [ID.approved, ID.monitor], 'review.own_message');
      await as(c, 'monitor');
      c.eq((await c.one(`select * from public.review_audio($1, 'approve')`, [note.id])).reviewed_by, ID.monitor, 'a second person approves it');
    },
  },
  {
    name: `blank text: bodies, edits, reasons and notes made of any of ${BLANKS.length} blank characters (Unicode spaces, controls, invisible format characters) are refused; ends are trimmed, the inside kept`,
    async run(c) {
      await as(c, 'client');
      const every: [string, string][] = [...BLANKS, ['all of them', ALL_BLANK]];
      for (const [label, ch] of every) {
        await c.fails('SA421', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: `${ch}${ch} ${ch}` }), 'chat.body_required').catch((e: Error) => {
          throw new Error(`${label} (U+${ch.codePointAt(0)!.toString(16)}): ${e.message}`);
        });
      }
      const kept = await send(c, { session: ID.s1, type: 'text', body: `${ALL_BLANK}مرحبا\u200dبك  👩\u200d💻${ALL_BLANK}` });
      c.eq(kept.body, 'مرحبا\u200dبك  👩\u200d💻', 'trimmed at the ends only');
      await c.fails('SA421', `select public.edit_message($1, $2)`, [kept.id, ALL_BLANK], 'chat.body_required');
      const note = await voiceNote(c, 'reader', ID.s1);
      await as(c, 'monitor');
      await c.fails('SA442', `select public.review_audio($1, 'reject', $2)`, [note.id, ALL_BLANK], 'review.reason_required');
      await c.fails('SA446', `select public.flag_message($1, $2)`, [ID.text, ALL_BLANK], 'moderation.reason_required');
      c.eq((await c.one(`select flagged_reason from public.flag_message($1, $2)`, [ID.text, `\u200b spam\u3000`])).flagged_reason, 'spam', 'a flag reason trimmed');
      await as(c, 'reader');
      await c.one(`select * from public.accept_emergency($1)`, [ID.call]);
      await c.fails('SA457', `select public.resolve_emergency($1, $2)`, [ID.call, ALL_BLANK], 'emergency.note_required');
      // The table checks hold for direct writers too.
      await as(c, 'postgres');
      await c.fails('23514', `update public.chat_messages set status = 'rejected', reviewed_by = $2, reviewed_at = now(), review_reason = $3 where id = $1`, [note.id, ID.monitor, '\u200b\u00a0']);
      await c.fails('23514', `update public.chat_messages set flagged = true, flagged_reason = $2 where id = $1`, [ID.approved, '\u3000']);
      await c.fails('23514', `update public.emergency_calls set state = 'resolved', resolved_by = $2, resolved_at = now(), resolution_note = $3 where id = $1`, [ID.call, ID.reader, '\u2028']);
    },
  },
  {
    name: 'waveform: empty, two-dimensional, NaN, out of range or null peaks are refused; one peak is a waveform',
    async run(c) {
      await as(c, 'client');
      const id = randomUUID();
      const p = `${ID.s1}/${id}/w.webm`;
      await upload(c, p, 'audio/webm', 10);
      const audio = { session: ID.s1, type: 'audio', cmid: id, path: p, mime: 'audio/webm', size: 10, duration: 100 };
      for (const w of ['{}', '{{0.1},{0.2}}', '{NaN}', '{1.5}', '{-0.1}', '{0.5,NULL}', `{${new Array(2049).fill(0.5).join(',')}}`]) {
        await c.fails('SA434', `select * from public.send_message(p_session_id => $1, p_type => 'audio', p_client_message_id => $2, p_storage_path => $3,
          p_mime_type => 'audio/webm', p_size_bytes => 10, p_duration_ms => 100, p_waveform => $4::real[])`, [ID.s1, id, p, w], 'chat.invalid_waveform')
          .catch((e: Error) => { throw new Error(`${w.slice(0, 20)}: ${e.message}`); });
      }
      c.eq((await send(c, { ...audio, waveform: [0.5] })).waveform, [0.5], 'one peak');
    },
  },
  {
    name: 'rate limits count rolling windows: N in any 60 s (not per calendar minute), for sends, voice notes, edits, deletes, read marks and typing; refusals say when to retry; storage stays at N rows',
    async run(c) {
      const cases: { key: string; scope: string; code: string; msg: string; act: (c: Ctx) => Promise<unknown> }[] = [
        { key: 'console.rate_limit.messages_per_minute', scope: 'user_messages', code: 'SA429', msg: 'chat.rate_limited', act: (x) => x.rows(SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'm' })) },
        { key: 'console.rate_limit.read_marks_per_minute', scope: 'user_read_marks', code: 'SA408', msg: 'chat.read_rate_limited', act: (x) => x.rows(`select public.mark_read($1)`, [ID.s1]) },
        { key: 'console.rate_limit.typing_per_minute', scope: 'user_typing', code: 'SA449', msg: 'chat.typing_rate_limited', act: (x) => x.rows(`select public.broadcast_typing($1)`, [ID.s1]) },
      ];
      for (const k of cases) {
        await setSetting(c, k.key, '3');
        await as(c, 'client');
        for (let i = 0; i < 3; i++) await k.act(c);
        // The fourth in the same window is refused, with when to retry.
        const refusal = await failsWith(c, k.code, k.msg, () => k.act(c));
        const d = JSON.parse(refusal.detail ?? '{}');
        c.eq([d.limit, d.window_seconds], [3, 60], `${k.scope}: detail`);
        c.ok(d.retry_after_seconds >= 1 && d.retry_after_seconds <= 60, `${k.scope}: retry_after_seconds ${d.retry_after_seconds}`);
        // Across a minute boundary nothing changes: the oldest of the last 3 is 59 s old, still inside.
        await age(c, k.scope, ID.client, 59, true);
        await as(c, 'client');
        await failsWith(c, k.code, k.msg, () => k.act(c));
        // Once it is 61 s old, exactly one more fits.
        await age(c, k.scope, ID.client, 2, true);
        await as(c, 'client');
        await k.act(c);
        await failsWith(c, k.code, k.msg, () => k.act(c));
        await as(c, 'postgres');
        c.ok(Number((await c.one(`select count(*) as n from private.rate_limit_actions where scope = $1 and subject = $2`, [k.scope, ID.client])).n) <= 3,
          `${k.scope}: at most N rows per subject, whatever the history`);
        // Lowering the limit holds at once.
        await setSetting(c, k.key, '1');
        await as(c, 'client');
        await failsWith(c, k.code, k.msg, () => k.act(c));
      }
    },
  },
  {
    name: 'rate limits stay exact while the limit changes: raised, lowered, raised again between takes, against a model of every action taken',
    async run(c) {
      // The model: the age of every allowed action; a take is allowed when fewer than the limit are younger than 60 s.
      // Ageing moves every recorded action back (the ring holds every action still inside the window).
      // mulberry32, seeded: the same steps every run
      let seed = 15;
      const next = (n: number) => {
        seed = (seed + 0x6d2b79f5) | 0;
        let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return Math.floor((((t ^ (t >>> 14)) >>> 0) / 2 ** 32) * n);
      };
      let ages: number[] = [];
      let limit = 3;
      await setSetting(c, 'console.rate_limit.typing_per_minute', String(limit));
      for (let step = 0; step < 240; step++) {
        const op = next(10);
        if (op < 6) {
          const inWindow = ages.filter((a) => a < 60).length;
          await as(c, 'client');
          if (inWindow < limit) {
            await c.rows(`select public.broadcast_typing($1)`, [ID.s1]).catch((e: Error) => {
              throw new Error(`step ${step}: limit ${limit}, ${inWindow} in the window, refused: ${e.message}`);
            });
            ages.push(0);
          } else {
            const refusal = await failsWith(c, 'SA449', 'chat.typing_rate_limited', () => c.rows(`select public.broadcast_typing($1)`, [ID.s1]))
              .catch((e: Error) => { throw new Error(`step ${step}: limit ${limit}, ${inWindow} in the window: ${e.message}`); });
            c.eq(JSON.parse(refusal.detail ?? '{}').limit, limit, `step ${step}: the refusal names the limit in force`);
          }
        } else if (op < 7) {
          limit = 1 + next(6);
          await setSetting(c, 'console.rate_limit.typing_per_minute', String(limit));
        } else {
          const by = [5, 10, 15, 20, 30, 45][next(6)]!;
          await age(c, 'user_typing', ID.client, by);
          ages = ages.map((a) => a + by);
        }
      }
      await as(c, 'postgres');
      const ring = await c.one(`select count(*)::int as n, max(c.ring_size)::int as size from private.rate_limit_actions a
        join private.rate_limit_counters c using (scope, subject) where a.scope = 'user_typing' and a.subject = $1`, [ID.client]);
      c.ok(Number(ring.n) <= Number(ring.size), `the ring holds at most its size: ${ring.n} rows, size ${ring.size}`);
      c.eq((await c.one(`select taken::int as n from private.rate_limit_counters where scope = 'user_typing' and subject = $1`, [ID.client])).n,
        ages.length, 'the counter counts the allowed actions only');
    },
  },
  {
    name: 'rate limits: edits and deletes per rolling minute; voice notes; the session quota over a rolling 24 hours',
    async run(c) {
      await setSetting(c, 'console.rate_limit.edits_per_minute', '2');
      await setSetting(c, 'console.rate_limit.deletes_per_minute', '1');
      await as(c, 'client');
      const m = await send(c, { session: ID.s1, type: 'text', body: 'v1' });
      await c.rows(`select public.edit_message($1, 'v2')`, [m.id]);
      await c.rows(`select public.edit_message($1, 'v3')`, [m.id]);
      await failsWith(c, 'SA431', 'chat.edit_rate_limited', () => c.rows(`select public.edit_message($1, 'v4')`, [m.id]));
      const a = await send(c, { session: ID.s1, type: 'text', body: 'a' });
      const b = await send(c, { session: ID.s1, type: 'text', body: 'b' });
      await c.rows(`select public.delete_message($1)`, [a.id]);
      await failsWith(c, 'SA439', 'chat.delete_rate_limited', () => c.rows(`select public.delete_message($1)`, [b.id]));
      await setSetting(c, 'console.rate_limit.audio_per_minute', '1');
      await voiceNote(c, 'client', ID.s1);
      await as(c, 'client');
      const id = randomUUID();
      await upload(c, `${ID.s1}/${id}/n.webm`, 'audio/webm', 10);
      await failsWith(c, 'SA432', 'chat.audio_rate_limited', () => c.rows(SEND_SQL, sendParams({ session: ID.s1, type: 'audio', cmid: id, path: `${ID.s1}/${id}/n.webm`, mime: 'audio/webm', size: 10, duration: 10 })));
      await setSetting(c, 'console.quota.session_messages_per_day', '8');
      await as(c, 'reader');
      const used = Number((await (async () => { await as(c, 'postgres'); return c.one(`select count(*) as n from private.rate_limit_actions where scope = 'session_messages' and subject = $1`, [ID.s1]); })()).n);
      c.ok(used < 8, `quota used so far: ${used}`);
      await as(c, 'reader');
      for (let i = used; i < 8; i++) await send(c, { session: ID.s1, type: 'text', body: `q${i}` });
      const q = await failsWith(c, 'SA433', 'chat.session_quota_exceeded', () => c.rows(SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'over' })));
      c.eq(JSON.parse(q.detail ?? '{}').window_seconds, 86400, 'a rolling day');
      // 23 hours later the oldest of them is still inside the day.
      await age(c, 'session_messages', ID.s1, 23 * 3600);
      await as(c, 'reader');
      await failsWith(c, 'SA433', 'chat.session_quota_exceeded', () => c.rows(SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'still over' })));
      await age(c, 'session_messages', ID.s1, 3601, true);
      await as(c, 'reader');
      await send(c, { session: ID.s1, type: 'text', body: 'a day later' });
    },
  },
  {
    name: 'emergency state guard: no writer — the service role and the owner included — moves a call outside its state machine or rewrites who took it, when, or how it ended',
    async run(c) {
      await as(c, 'reader');
      await c.one(`select * from public.accept_emergency($1)`, [ID.call]);
      await c.one(`select * from public.resolve_emergency($1, 'done')`, [ID.call]);
      await as(c, 'otherClient');
      const open = await c.one<{ id: string }>(`select * from public.request_emergency()`);
      for (const who of ['service', 'postgres'] as const) {
        await as(c, who);
        const refused: [string, string, unknown[]][] = [
          ['a resolved call reopened', `update public.emergency_calls set state = 'ringing' where id = $1`, [ID.call]],
          ['a resolved call cancelled', `update public.emergency_calls set state = 'cancelled' where id = $1`, [ID.call]],
          ['a resolution note rewritten', `update public.emergency_calls set resolution_note = 'edited' where id = $1`, [ID.call]],
          ['who accepted rewritten', `update public.emergency_calls set accepted_by = $2 where id = $1`, [ID.call, ID.otherReader]],
          ['a ringing call resolved', `update public.emergency_calls set state = 'resolved', resolved_by = $2, resolved_at = now(), resolution_note = 'x' where id = $1`, [open.id, ID.admin]],
          ['a ringing call acknowledged', `update public.emergency_calls set state = 'acknowledged', acknowledged_by = $2, acknowledged_at = now() where id = $1`, [open.id, ID.admin]],
          ['accepted without anyone', `update public.emergency_calls set state = 'accepted' where id = $1`, [open.id]],
          ['escalated two levels at once', `update public.emergency_calls set state = 'escalated', escalation_level = 2 where id = $1`, [open.id]],
          ['escalated without a level', `update public.emergency_calls set state = 'escalated' where id = $1`, [open.id]],
          ['moved to another client', `update public.emergency_calls set client_id = $2 where id = $1`, [open.id, ID.client]],
          ['moved to another session', `update public.emergency_calls set session_id = $2 where id = $1`, [open.id, ID.s1]],
          ['backdated', `update public.emergency_calls set created_at = now() - interval '1 day' where id = $1`, [open.id]],
        ];
        for (const [what, sql, params] of refused) {
          await c.fails('SA459', sql, params, 'emergency.invalid_transition').catch((e: Error) => { throw new Error(`${who}, ${what}: ${e.message}`); });
        }
        c.eq(await c.n(`update public.emergency_calls set escalate_at = now() + interval '5 seconds' where id = $1 returning 1`, [open.id]), 1, `${who}: the deadline of an open call may move`);
      }
      await as(c, 'postgres');
      c.eq(await c.n(`update public.emergency_calls set state = 'escalated', escalation_level = 1 where id = $1 returning 1`, [open.id]), 1, 'one level up');
      await c.fails('SA459', `update public.emergency_calls set escalation_level = 0 where id = $1`, [open.id], 'emergency.invalid_transition');
      c.eq(await c.n(`update public.emergency_calls set state = 'cancelled', escalate_at = null where id = $1 returning 1`, [open.id]), 1, 'an open call may be cancelled');
    },
  },
  {
    name: 'advance_emergencies: staff and the scheduler (service role, the owner) only; forged JWT claims do not make a client the scheduler',
    async run(c) {
      await as(c, 'anon');
      await c.fails('42501', `select public.advance_emergencies()`);
      for (const who of ['client', 'reader', 'otherReader'] as const) {
        await as(c, who);
        await c.fails('SA454', `select public.advance_emergencies()`, [], 'emergency.staff_only');
      }
      await as(c, 'postgres');
      await c.rows(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: ID.client, role: 'service_role' })]);
      await c.exec('set local role authenticated');
      await c.fails('SA454', `select public.advance_emergencies()`, [], 'emergency.staff_only');
      for (const who of ['monitor', 'admin', 'superAdmin', 'service', 'postgres'] as const) {
        await as(c, who);
        c.ok(Number((await c.one(`select public.advance_emergencies() as n`)).n) >= 0, `${who} sweeps`);
      }
    },
  },
  {
    name: 'sequences and TRUNCATE: no API role can move an identity sequence or empty a table past RLS',
    async run(c) {
      for (const who of ['anon', 'client', 'superAdmin', 'service'] as const) {
        await as(c, who);
        for (const seq of ['public.audit_log_id_seq', 'public.emergency_events_id_seq', 'auth.refresh_tokens_id_seq']) {
          await c.fails('42501', `select setval('${seq}', 9223372036854775806)`).catch((e: Error) => { throw new Error(`${who} setval ${seq}: ${e.message}`); });
          await c.fails('42501', `select nextval('${seq}')`);
        }
        for (const table of ['storage.objects', 'storage.buckets', 'realtime.messages', 'public.app_settings', 'public.profiles', 'public.chat_messages',
                             'public.chat_sessions', 'public.chat_participants', 'public.emergency_calls', 'public.emergency_events', 'public.audit_log', 'auth.users']) {
          await c.fails('42501', `truncate ${table} cascade`).catch((e: Error) => { throw new Error(`${who} truncate ${table}: ${e.message}`); });
        }
      }
      // And the audited writes still work (the sequences were never touched).
      await as(c, 'reader');
      await c.one(`select * from public.accept_emergency($1)`, [ID.call]);
    },
  },
  {
    name: 'staff session feed: one session_activity row per message on staff:sessions (not one per staff member), with the message as staff read it, readable by staff only',
    async run(c) {
      await as(c, 'postgres');
      const before = await c.n(`select 1 from realtime.messages where topic = 'staff:sessions' and event = 'session_activity'`);
      await as(c, 'client');
      const m = await send(c, { session: ID.s1, type: 'text', body: 'secret body' });
      const note = await voiceNote(c, 'reader', ID.s1);
      await as(c, 'postgres');
      const rows = await c.rows<{ topic: string; payload: Row }>(`select topic, payload from realtime.messages where event = 'session_activity' order by inserted_at`);
      c.eq(rows.length - before, 2, 'one row per message, pending notes included');
      const last = rows.slice(-2);
      c.eq(last.map((r) => r.topic), ['staff:sessions', 'staff:sessions'], 'on the staff topic');
      const keys = ['last_message_at', 'message_id', 'record', 'session', 'session_id'];
      c.eq(last.map((r) => Object.keys(r.payload).sort()), [keys, keys], 'ids, a time, the message and the session');
      // One transaction: both rows share inserted_at, so their order is the heap's, not the sends'.
      c.eq(last.map((r) => String(r.payload.message_id)).sort(), [String(m.id), String(note.id)].sort(), 'each message');
      await as(c, 'monitor');
      for (const r of last) {
        const record = r.payload.record as Row;
        const [asStaff] = await c.rows<Row>(`select to_jsonb(v) as v from public.list_messages($1, p_limit => 1000) v where v.id = $2`, [ID.s1, record.id]);
        c.eq(record, asStaff?.v, `the message as staff read it (${String(record.type)}, ${String(record.status)}), no more`);
      }
      // The session's row after the later message is the one staff who have not joined it read (the monitor has not).
      const [asMonitor] = await c.rows<Row>(`select to_jsonb(v) as v from public.get_session($1) v`, [ID.s1]);
      const latest = last.find((r) => String(r.payload.message_id) === String(note.id))!;
      c.eq(latest.payload.session, asMonitor?.v, 'the session as a staff member who has not joined it reads it');
      c.eq((latest.payload.session as Row).unread_count, 0, 'no unread count of anybody in it');
      for (const who of ['client', 'reader', 'anon'] as const) {
        await as(c, who);
        c.eq(await c.n(`select 1 from realtime.messages where event = 'session_activity'`), 0, `${who} reads none`);
      }
      await as(c, 'monitor');
      c.eq(await c.n(`select 1 from realtime.messages where event = 'session_activity'`), rows.length, 'staff read every one');
    },
  },
  {
    name: 'typing: participants of an active session only, a fixed payload whatever is asked, never echoed to its sender; anon refused',
    async run(c) {
      await as(c, 'anon');
      await c.fails('42501', `select public.broadcast_typing($1)`, [ID.s1]);
      for (const who of ['otherClient', 'monitor'] as const) {
        await as(c, who);
        await c.fails('SA404', `select public.broadcast_typing($1)`, [ID.s1], 'chat.session_not_found');
      }
      await as(c, 'reader');
      await c.rows(`select public.broadcast_typing($1)`, [ID.s1]);
      await as(c, 'postgres');
      const rows = await c.rows<{ topic: string; payload: Row; extension: string }>(`select topic, payload, extension from realtime.messages where event = 'typing' and payload ->> 'user_id' = $1`, [ID.reader]);
      c.eq(rows.map((r) => [r.topic, r.extension, r.payload.user_id, r.payload.session_id, Object.keys(r.payload).length]),
        [[`session:${ID.s1}`, 'broadcast', ID.reader, ID.s1, 2]], 'one broadcast, fixed shape');
      await as(c, 'reader');
      c.eq(await c.n(`select 1 from realtime.messages where event = 'typing' and payload ->> 'user_id' = $1`, [ID.reader]), 0, 'not for its sender');
      await as(c, 'postgres');
      await c.rows(`update public.chat_sessions set status = 'ended' where id = $1`, [ID.s1]);
      await as(c, 'client');
      await c.fails('SA410', `select public.broadcast_typing($1)`, [ID.s1], 'chat.session_not_active');
    },
  },
  {
    name: 'text sizes: reasons and notes longer than console.message.max_note_length, and display names longer than theirs, are refused — never cut',
    async run(c) {
      await setSetting(c, 'console.message.max_note_length', '20');
      const note = await voiceNote(c, 'reader', ID.s1);
      await as(c, 'monitor');
      const e = await c.fails('SA448', `select public.review_audio($1, 'reject', $2)`, [note.id, 'x'.repeat(21)], 'request.text_too_long');
      const d = JSON.parse(e.detail ?? '{}') as Row;
      c.eq([d.argument, d.length, d.max], ['p_reason', 21, 20], 'detail');
      await c.fails('SA448', `select public.flag_message($1, $2)`, [ID.text, 'y'.repeat(21)], 'request.text_too_long');
      c.eq((await c.one(`select * from public.review_audio($1, 'reject', $2)`, [note.id, ` ${'z'.repeat(20)} `])).status, 'rejected', 'the limit counts the trimmed text');
      await as(c, 'reader');
      await c.one(`select * from public.accept_emergency($1)`, [ID.call]);
      await c.fails('SA448', `select public.resolve_emergency($1, $2)`, [ID.call, 'n'.repeat(21)], 'request.text_too_long');
      await as(c, 'client');
      await c.fails('SA466', `update public.profiles set display_name = $1 where id = auth.uid()`, ['d'.repeat(101)], 'profile.display_name_too_long');
      c.eq(await c.n(`update public.profiles set display_name = $1 where id = auth.uid() returning 1`, ['d'.repeat(100)]), 1, 'at the limit');
      await as(c, 'postgres');
      await c.rows(`insert into auth.users (id, email, raw_user_meta_data) values ($1, 'long.name@example.test', $2)`, [randomUUID(), JSON.stringify({ display_name: 'L'.repeat(5000) })]);
      c.eq((await c.one(`select display_name from public.profiles p join auth.users u on u.id = p.id where u.email = 'long.name@example.test'`)).display_name, 'long.name',
        'an oversized sign-up name is not taken (the email\'s local part is)');
      await as(c, 'superAdmin');
      for (const [key, over] of [['console.message.max_body_length', '12001'], ['console.audio.max_waveform_points', '4097'], ['console.message.max_note_length', '2001']]) {
        await c.fails('SA471', `update public.app_settings set value = $2 where key = $1`, [key, over], 'settings.invalid_value');
      }
    },
  },
  {
    name: 'payload sizes: at the largest settings allow, every payload the database broadcasts fits Supabase Realtime\'s smallest limit (256 KB); typing is two ids',
    async run(c) {
      await setSetting(c, 'console.message.max_body_length', '12000');
      await setSetting(c, 'console.audio.max_waveform_points', '4096');
      await setSetting(c, 'console.message.max_note_length', '2000');
      await as(c, 'postgres');
      await c.rows(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, 'staff')`, [ID.s1, ID.monitor]);
      // Control characters inside a text are escaped in JSON as six bytes each: the worst case.
      const body = `a${'\u0001'.repeat(11998)}a`;
      await as(c, 'client');
      const t = await send(c, { session: ID.s1, type: 'text', body });
      await c.rows(`select public.edit_message($1, $2)`, [t.id, `b${'\u0001'.repeat(9998)}b`]);
      const peaks = new Array(4096).fill(0.33333334);
      const v = randomUUID();
      await as(c, 'reader');
      await upload(c, `${ID.s1}/${v}/v.webm`, 'audio/webm', 10);
      await send(c, { session: ID.s1, type: 'audio', cmid: v, path: `${ID.s1}/${v}/v.webm`, mime: 'audio/webm', size: 10, duration: 10, waveform: peaks, body });
      await as(c, 'admin');
      await c.one(`select * from public.review_audio($1, 'reject', $2)`, [v, `r${'\u0001'.repeat(1998)}r`]);
      await as(c, 'reader');
      await c.rows(`select public.broadcast_typing($1)`, [ID.s1]);
      await as(c, 'postgres');
      const largest = await c.one<{ n: number; topic: string; event: string }>(
        `select octet_length(payload::text) as n, topic, event from realtime.messages order by octet_length(payload::text) desc limit 1`);
      c.ok(Number(largest.n) > 100_000, `the worst case was built (${largest.n} bytes)`);
      c.ok(Number(largest.n) <= 256 * 1024, `largest payload ${largest.n} bytes (${largest.event} on ${largest.topic})`);
      const typing = await c.one<{ k: string[] }>(`select array(select jsonb_object_keys(payload) order by 1) as k from realtime.messages where event = 'typing' order by inserted_at desc limit 1`);
      c.eq(typing.k, ['session_id', 'user_id'], 'typing payload');
    },
  },
  {
    name: 'the write RPCs answer the participant-shaped view (no flag columns) and the storage helpers never tell anon anything',
    async run(c) {
      await as(c, 'postgres');
      await c.rows(`update public.chat_messages set flagged = true, flagged_reason = 'CANARY-flag', flagged_by = $2, flagged_at = now() where id = $1`, [ID.text, ID.monitor]);
      await as(c, 'client');
      const m = await send(c, { session: ID.s1, type: 'text', body: 'shape' });
      const e = await c.one(`select * from public.edit_message($1, 'shape 2')`, [m.id]);
      const d = await c.one(`select * from public.delete_message($1)`, [m.id]);
      for (const r of [m, e, d]) c.eq(Object.keys(r).sort(), [...MESSAGE_VIEW_FIELDS].sort(), 'chat_message_view');
      await as(c, 'anon');
      for (const fn of ['can_read_chat_object', 'can_upload_chat_object', 'is_unused_chat_object', 'can_read_topic']) {
        await c.fails('42501', `select private.${fn}($1)`, [path.approved]);
      }
      await c.fails('42501', `select private.is_staff()`);
    },
  },
];

/** Runs act expecting SQLSTATE code and key; returns the error (a savepoint keeps the transaction usable). */
async function failsWith(c: Ctx, code: string, key: string, act: () => Promise<unknown>) {
  await c.exec('savepoint adv_fail');
  let err: { code?: string; message?: string; detail?: string } | undefined;
  try {
    await act();
  } catch (e) {
    err = e as typeof err;
  }
  await c.exec('rollback to savepoint adv_fail');
  if (!err) throw new Error(`expected ${code} ${key}, but it succeeded`);
  if (err.code !== code || err.message !== key) throw new Error(`expected ${code} ${key}, got ${err.code} ${err.message}`);
  return err;
}
