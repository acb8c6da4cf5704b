// Workflows through the RPCs, as the signed-in roles, on the fixtures. Each runs in a transaction
// that is rolled back, with savepoints around the refusals it expects.
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ID, path, actAs, type Who } from './fixtures';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { BACKEND_ERRORS } from '../../src/shared/errors/backend-errors';

type Row = Record<string, unknown>;

export class Ctx {
  private sp = 0;
  constructor(readonly db: Engine) {}
  as(who: Who | 'postgres') {
    return actAs(this.db, who);
  }
  async exec(sql: string): Promise<void> {
    await this.db.exec(sql);
  }
  rows<R = Row>(sql: string, params?: unknown[]) {
    return this.db.rows<R>(sql, params);
  }
  async one<R = Row>(sql: string, params?: unknown[]): Promise<R> {
    const r = await this.db.rows<R>(sql, params);
    if (r.length !== 1) throw new Error(`expected one row, got ${r.length}: ${sql}`);
    return r[0]!;
  }
  async n(sql: string, params?: unknown[]): Promise<number> {
    const r = await this.db.rows<{ n: unknown }>(`with x as (${sql}) select count(*)::int as n from x`, params);
    return Number(r[0]!.n);
  }
  /** Runs sql expecting SQLSTATE `code` (and message key `key` if given); returns the error. */
  async fails(code: string, sql: string, params?: unknown[], key?: string): Promise<{ code: string; message: string; detail?: string }> {
    const name = `sp${++this.sp}`;
    await this.db.exec(`savepoint ${name}`);
    let err: { code?: string; message?: string; detail?: string } | undefined;
    try {
      await this.db.rows(sql, params);
    } catch (e) {
      err = e as typeof err;
    }
    await this.db.exec(`rollback to savepoint ${name}`);
    if (!err) throw new Error(`expected ${code}${key ? ` ${key}` : ''} but it succeeded: ${sql.slice(0, 120)}`);
    if (err.code !== code) throw new Error(`expected ${code}, got ${err.code} ${err.message}: ${sql.slice(0, 120)}`);
    if (key && err.message !== key) throw new Error(`expected key ${key}, got ${err.message}`);
    return err as { code: string; message: string; detail?: string };
  }
  eq(actual: unknown, expected: unknown, what: string) {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  }
  ok(cond: unknown, what: string) {
    if (!cond) throw new Error(what);
  }
}

export interface SendArgs {
  session: string;
  type: string;
  cmid?: string;
  body?: string | null;
  path?: string | null;
  mime?: string | null;
  size?: number | null;
  duration?: number | null;
  waveform?: number[] | null;
  replyTo?: string | null;
}

export const SEND_SQL = `select * from public.send_message(
  p_session_id => $1::uuid, p_type => $2, p_client_message_id => $3::uuid, p_body => $4, p_storage_path => $5,
  p_mime_type => $6, p_size_bytes => $7::bigint, p_duration_ms => $8::int, p_waveform => $9::real[], p_reply_to => $10::uuid)`;

export function sendParams(a: SendArgs): unknown[] {
  return [
    a.session, a.type, a.cmid ?? randomUUID(), a.body ?? null, a.path ?? null, a.mime ?? null, a.size ?? null,
    a.duration ?? null, a.waveform ? `{${a.waveform.join(',')}}` : null, a.replyTo ?? null,
  ];
}

export async function send(c: Ctx, a: SendArgs): Promise<Row> {
  return c.one(SEND_SQL, sendParams(a));
}

/** Uploads (the storage row the Storage API would write) as the current role. */
export async function upload(c: Ctx, p: string, mime: string, size: number): Promise<void> {
  await c.rows(
    `insert into storage.objects (bucket_id, name, owner, owner_id, metadata)
     values ('chat-files', $1, auth.uid(), auth.uid()::text, jsonb_build_object('size', $2::bigint, 'mimetype', $3::text))`,
    [p, size, mime],
  );
}

export async function setSetting(c: Ctx, key: string, value: string) {
  await c.as('superAdmin');
  const r = await c.rows(`update public.app_settings set value = $2 where key = $1 returning key`, [key, value]);
  if (r.length === 0) await c.rows(`insert into public.app_settings (key, value) values ($1, $2)`, [key, value]);
}

export async function voiceNote(c: Ctx, who: Who, session: string): Promise<Row> {
  await c.as(who);
  const id = randomUUID();
  const p = `${session}/${id}/note.webm`;
  await upload(c, p, 'audio/webm', 4000);
  return send(c, { session, type: 'audio', cmid: id, path: p, mime: 'audio/webm', size: 4000, duration: 5000, waveform: [0, 0.5, 1] });
}

/** Rows of realtime.messages about a record id, per topic (read as the superuser). */
export async function topicsFor(c: Ctx, recordId: string): Promise<string[]> {
  await c.as('postgres');
  const r = await c.rows<{ topic: string }>(
    `select distinct topic from realtime.messages where payload -> 'record' ->> 'id' = $1 order by topic`,
    [recordId],
  );
  return r.map((x) => x.topic);
}

export interface Workflow {
  name: string;
  run(c: Ctx): Promise<void>;
}

export const WORKFLOWS: Workflow[] = [
  {
    name: 'send text: idempotent on client_message_id (a repeat returns the original row)',
    async run(c) {
      await c.as('client');
      const cmid = randomUUID();
      const a = await send(c, { session: ID.s1, type: 'text', cmid, body: '  hello  ' });
      c.eq(a.status, 'sent', 'status');
      c.eq(a.body, 'hello', 'body trimmed');
      c.eq(a.id, cmid, 'message id is the client_message_id');
      const b = await send(c, { session: ID.s1, type: 'text', cmid, body: 'different retry body' });
      c.eq(b.id, a.id, 'same row');
      c.eq(b.body, 'hello', 'original body');
      c.eq(await c.n(`select 1 from public.chat_messages where client_message_id = $1`, [cmid]), 1, 'one row');
      await c.fails('SA418', SEND_SQL, sendParams({ session: ID.se, type: 'text', cmid, body: 'x' }), 'chat.client_message_id_reused');
      const s = await c.one<{ last_message_at: unknown }>(`select last_message_at from public.chat_sessions where id = $1`, [ID.s1]);
      c.ok(s.last_message_at, 'session last_message_at moved');
    },
  },
  {
    name: 'send: validation of type, body, attachment fields, session membership and state',
    async run(c) {
      await c.as('client');
      await c.fails('SA420', SEND_SQL, sendParams({ session: ID.s1, type: 'system', body: 'x' }), 'chat.invalid_type');
      await c.fails('SA420', SEND_SQL, sendParams({ session: ID.s1, type: 'emergency', body: 'x' }));
      await c.fails('SA421', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: '   ' }), 'chat.body_required');
      await c.fails('SA422', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'x'.repeat(4001) }), 'chat.body_too_long');
      await c.fails('SA424', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'x', path: 'a/b/c' }), 'chat.unexpected_attachment');
      await c.fails('SA423', SEND_SQL, sendParams({ session: ID.s1, type: 'image', mime: 'image/png', size: 5 }), 'chat.attachment_required');
      await c.fails('SA404', SEND_SQL, sendParams({ session: ID.s2, type: 'text', body: 'x' }), 'chat.session_not_found');
      await c.fails('SA404', SEND_SQL, sendParams({ session: randomUUID(), type: 'text', body: 'x' }), 'chat.session_not_found');
      await c.fails('SA437', `select public.send_message($1::uuid, 'text', null, 'x')`, [ID.s1], 'chat.client_message_id_required');
      await c.fails('SA409', SEND_SQL, sendParams({ session: ID.s1, type: 'text', cmid: ID.pending, body: 'x' }), 'chat.client_message_id_conflict');
      await c.as('postgres');
      await c.rows(`update public.chat_sessions set status = 'locked' where id = $1`, [ID.s1]);
      await c.as('client');
      await c.fails('SA410', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'x' }), 'chat.session_not_active');
      await c.as('anon');
      await c.fails('42501', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'x' }));
    },
  },
  {
    name: 'send attachments: MIME, size, duration, waveform, path, upload ownership and metadata are enforced',
    async run(c) {
      await c.as('client');
      const id = randomUUID();
      const p = `${ID.s1}/${id}/pic.png`;
      await upload(c, p, 'image/png', 1000);
      await c.fails('SA415', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: p, mime: 'image/svg+xml', size: 1000 }), 'chat.mime_not_allowed');
      await c.fails('SA415', SEND_SQL, sendParams({ session: ID.s1, type: 'file', cmid: id, path: p, mime: 'image/png', size: 1000 }));
      await c.fails('SA413', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: p, mime: 'image/png', size: 10485761 }), 'chat.file_too_large');
      await c.fails('SA436', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: p, mime: 'image/png', size: 0 }), 'chat.invalid_size');
      await c.fails('SA427', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: p, mime: 'image/png', size: 999 }), 'chat.file_metadata_mismatch');
      await c.fails('SA425', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: randomUUID(), path: p, mime: 'image/png', size: 1000 }), 'chat.invalid_storage_path');
      await c.fails('SA425', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: `${ID.s1}/${id}/../x.png`, mime: 'image/png', size: 1000 }));
      await c.fails('SA424', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id, path: p, mime: 'image/png', size: 1000, duration: 5 }));
      const ok = await send(c, { session: ID.s1, type: 'image', cmid: id, path: p, mime: 'IMAGE/PNG', size: 1000, body: 'caption' });
      c.eq([ok.status, ok.mime_type, ok.storage_path], ['sent', 'image/png', p], 'image sent');
      const id2 = randomUUID();
      await c.fails('SA426', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id2, path: `${ID.s1}/${id2}/none.png`, mime: 'image/png', size: 1 }), 'chat.file_not_uploaded');
      // A file someone else put at my path (only possible for a privileged writer) is not mine to send.
      await c.as('postgres');
      const id3 = randomUUID();
      await c.rows(`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, $2::uuid, $2::text, '{"size": 5, "mimetype": "image/png"}')`, [`${ID.s1}/${id3}/x.png`, ID.otherClient]);
      await c.as('client');
      await c.fails('SA438', SEND_SQL, sendParams({ session: ID.s1, type: 'image', cmid: id3, path: `${ID.s1}/${id3}/x.png`, mime: 'image/png', size: 5 }), 'chat.file_not_owned');
      // audio
      const a = randomUUID();
      const ap = `${ID.s1}/${a}/v.ogg`;
      await upload(c, ap, 'audio/ogg', 100);
      const audio = { session: ID.s1, type: 'audio', cmid: a, path: ap, mime: 'audio/ogg', size: 100 };
      await c.fails('SA428', SEND_SQL, sendParams(audio), 'chat.duration_required');
      await c.fails('SA430', SEND_SQL, sendParams({ ...audio, duration: 3600001 }), 'chat.duration_too_long');
      await c.fails('SA434', SEND_SQL, sendParams({ ...audio, duration: 1000, waveform: [0.2, 1.5] }), 'chat.invalid_waveform');
      await c.fails('SA434', SEND_SQL, sendParams({ ...audio, duration: 1000, waveform: new Array(2049).fill(0.1) }));
      const sent = await send(c, { ...audio, duration: 1000, waveform: [0.1, 0.9] });
      c.eq(sent.status, 'sent', "a client's voice note needs no approval");
      // storage refuses what the bucket refuses
      await c.fails('SA497', `insert into storage.objects (bucket_id, name, owner_id, metadata) values ('chat-files', $1, auth.uid()::text, '{"size": 5, "mimetype": "application/x-msdownload"}')`, [`${ID.s1}/${randomUUID()}/x.exe`], 'storage.mime_not_allowed');
      await c.fails('SA496', `insert into storage.objects (bucket_id, name, owner_id, metadata) values ('chat-files', $1, auth.uid()::text, '{"size": 52428801, "mimetype": "audio/webm"}')`, [`${ID.s1}/${randomUUID()}/x.webm`], 'storage.file_too_large');
    },
  },
  {
    name: "approval: a reader's voice note is pending and unreachable for the client by table, file, RPC and topic until approved",
    async run(c) {
      const note = await voiceNote(c, 'reader', ID.s1);
      const id = String(note.id);
      c.eq(note.status, 'pending_approval', 'reader audio is pending');
      await c.as('client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [id]), 0, 'client: row hidden');
      c.eq(await c.n(`select 1 from public.chat_messages where session_id = $1 and type = 'audio' and status <> 'approved'`, [ID.s1]), 0, 'client: no unapproved audio at all');
      c.eq(await c.n(`select 1 from storage.objects where name like $1`, [`%${id}%`]), 0, 'client: file hidden');
      await c.fails('SA405', `select public.edit_message($1, 'x')`, [id], 'chat.message_not_found');
      await c.fails('SA405', `select public.delete_message($1)`, [id], 'chat.message_not_found');
      await c.fails('SA435', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 're', replyTo: id }), 'chat.invalid_reply');
      await c.fails('SA440', `select public.review_audio($1, 'approve')`, [id], 'review.forbidden');
      const taken = await c.fails('SA409', SEND_SQL, sendParams({ session: ID.s1, type: 'audio', cmid: id, path: String(note.storage_path), mime: 'audio/webm', size: 4000, duration: 5000 }));
      c.ok(!String(taken.detail).includes('storage') && !String(taken.detail).includes(ID.reader), 'the refusal carries nothing of the note');
      c.eq(await c.n(`select 1 from realtime.messages where payload::text like $1`, [`%${id}%`]), 0, 'client: no realtime row readable');
      await c.rows(`select set_config('realtime.topic', 'staff:approvals', true)`);
      c.eq(await c.n(`select 1 from realtime.messages where topic = 'staff:approvals'`), 0, 'client: staff topic not authorised');
      const unread = await c.one<{ unread_count: number }>(`select unread_count from public.unread_counts() where session_id = $1`, [ID.s1]);
      c.eq(Number(unread.unread_count), 1, 'client unread counts only the approved voice note fixture');
      c.eq(await topicsFor(c, id), ['staff:approvals', 'staff:sessions', `user:${ID.reader}`], 'fan-out never reaches the client topic (staff topics and the sender only)');
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [id]), 1, 'sender sees it');
      await c.fails('SA435', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'see above', replyTo: id }), 'chat.invalid_reply');
      await c.as('monitor');
      c.eq(await c.n(`select 1 from public.chat_messages where status = 'pending_approval' and id = $1`, [id]), 1, 'monitor sees the queue');
      const approved = await c.one(`select * from public.review_audio($1, 'approve')`, [id]);
      c.eq([approved.status, approved.reviewed_by], ['approved', ID.monitor], 'approved by monitor');
      await c.as('client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [id]), 1, 'client sees it once approved');
      c.eq(await c.n(`select 1 from storage.objects where name = $1`, [note.storage_path]), 1, 'client reads the file once approved');
      const after = await c.one<{ unread_count: number }>(`select unread_count from public.unread_counts() where session_id = $1`, [ID.s1]);
      c.eq(Number(after.unread_count), 2, 'the approval makes it unread');
      c.eq(await c.n(`select 1 from realtime.messages where topic = $1 and payload -> 'record' ->> 'id' = $2 and payload -> 'old_record' = 'null'::jsonb`, [`user:${ID.client}`, id]), 1, 'client is told, without the pending old state');
      await c.as('admin');
      c.ok(await c.n(`select 1 from public.audit_log where table_name = 'chat_messages' and row_id = $1 and action = 'status:approved' and actor_id = $2`, [id, ID.monitor]) === 1, 'approval audited');
    },
  },
  {
    name: 'review: reason required to reject, staff only, first decision wins, second gets review.already_decided',
    async run(c) {
      const note = await voiceNote(c, 'reader', ID.s1);
      const id = String(note.id);
      await c.fails('SA440', `select public.review_audio($1, 'approve')`, [id], 'review.forbidden');
      await c.as('monitor');
      await c.fails('SA442', `select public.review_audio($1, 'reject')`, [id], 'review.reason_required');
      await c.fails('SA442', `select public.review_audio($1, 'reject', '  ')`, [id]);
      await c.fails('SA441', `select public.review_audio($1, 'maybe')`, [id], 'review.invalid_decision');
      await c.fails('SA405', `select public.review_audio($1, 'approve')`, [ID.text], 'chat.message_not_found');
      const r = await c.one(`select * from public.review_audio($1, 'reject', 'Please re-record')`, [id]);
      c.eq([r.status, r.review_reason], ['rejected', 'Please re-record'], 'rejected with reason');
      await c.as('admin');
      const e = await c.fails('SA443', `select public.review_audio($1, 'approve')`, [id], 'review.already_decided');
      c.eq(JSON.parse(e.detail ?? '{}').status, 'rejected', 'detail says what won');
      await c.as('client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [id]), 0, 'rejected stays hidden from the client');
      c.eq(await c.n(`select 1 from storage.objects where name = $1`, [note.storage_path]), 0, 'rejected file hidden');
      c.eq(await topicsFor(c, id), ['staff:approvals', 'staff:sessions', `user:${ID.reader}`], 'the sender is notified of the rejection, the client never');
      await c.as('reader');
      await c.fails('SA414', `select public.delete_message($1)`, [id], 'chat.already_reviewed');
      await c.fails('SA414', `select public.edit_message($1, 'x')`, [id]);
      await c.as('monitor');
      const note2 = await voiceNote(c, 'reader', ID.s1);
      await c.as('reader');
      const del = await c.one(`select * from public.delete_message($1)`, [note2.id]);
      c.eq([del.status, del.storage_path], ['deleted', null], 'the sender may withdraw an unreviewed note');
      await c.as('monitor');
      await c.fails('SA444', `select public.review_audio($1, 'approve')`, [note2.id], 'review.not_reviewable');
      await c.as('client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [note2.id]), 0, 'a withdrawn pending note never appears, not even as a tombstone');
    },
  },
  {
    name: 'edit and delete: sender only, within the edit window, not after deletion',
    async run(c) {
      await c.as('client');
      const m = await send(c, { session: ID.s1, type: 'text', body: 'first' });
      const e = await c.one(`select * from public.edit_message($1, 'second')`, [m.id]);
      c.eq(e.body, 'second', 'edited');
      c.ok(e.edited_at, 'edited_at set');
      await c.fails('SA421', `select public.edit_message($1, '')`, [m.id], 'chat.body_required');
      await c.as('reader');
      await c.fails('SA411', `select public.edit_message($1, 'hijack')`, [m.id], 'chat.not_sender');
      await c.fails('SA411', `select public.delete_message($1)`, [m.id], 'chat.not_sender');
      await c.as('otherClient');
      await c.fails('SA405', `select public.edit_message($1, 'x')`, [m.id], 'chat.message_not_found');
      await c.as('postgres');
      await c.rows(`update public.chat_messages set created_at = now() - interval '901 seconds' where id = $1`, [m.id]);
      await c.as('client');
      await c.fails('SA412', `select public.edit_message($1, 'late')`, [m.id], 'chat.edit_window_passed');
      await c.fails('SA412', `select public.delete_message($1)`, [m.id], 'chat.edit_window_passed');
      const m2 = await send(c, { session: ID.s1, type: 'text', body: 'oops' });
      const d = await c.one(`select * from public.delete_message($1)`, [m2.id]);
      c.eq([d.status, d.body], ['deleted', null], 'deleted, content gone');
      await c.fails('SA416', `select public.delete_message($1)`, [m2.id], 'chat.message_deleted');
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1 and status = 'deleted' and body is null`, [m2.id]), 1, 'others see a tombstone of a deleted text');
      await c.as('admin');
      c.eq(await c.n(`select 1 from public.audit_log where row_id = $1 and action = 'status:deleted' and old_values ->> 'body' = 'oops'`, [m2.id]), 1, 'deletion audited with the old content');
      await c.as('client');
      const img = randomUUID();
      await upload(c, `${ID.s1}/${img}/p.png`, 'image/png', 10);
      await send(c, { session: ID.s1, type: 'image', cmid: img, path: `${ID.s1}/${img}/p.png`, mime: 'image/png', size: 10 });
      await c.fails('SA417', `select public.edit_message($1, 'caption')`, [img], 'chat.not_editable');
    },
  },
  {
    name: 'rate limits: messages per minute, voice notes per minute, per-session quota',
    async run(c) {
      await setSetting(c, 'console.rate_limit.messages_per_minute', '3');
      await c.as('client');
      for (let i = 0; i < 3; i++) await send(c, { session: ID.s1, type: 'text', body: `m${i}` });
      const e = await c.fails('SA429', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'too many' }), 'chat.rate_limited');
      const d = JSON.parse(e.detail ?? '{}');
      c.eq([d.limit, d.window_seconds], [3, 60], 'detail');
      c.ok(d.retry_after_seconds >= 0 && d.retry_after_seconds <= 60, 'retry_after_seconds');
      await c.as('otherClient');
      await send(c, { session: ID.s2, type: 'text', body: 'per user' });
      await setSetting(c, 'console.rate_limit.messages_per_minute', '100');
      await setSetting(c, 'console.rate_limit.audio_per_minute', '1');
      await voiceNote(c, 'client', ID.s1);
      await c.as('client');
      const id = randomUUID();
      await upload(c, `${ID.s1}/${id}/n.webm`, 'audio/webm', 10);
      await c.fails('SA432', SEND_SQL, sendParams({ session: ID.s1, type: 'audio', cmid: id, path: `${ID.s1}/${id}/n.webm`, mime: 'audio/webm', size: 10, duration: 10 }), 'chat.audio_rate_limited');
      await send(c, { session: ID.s1, type: 'text', body: 'text still fine' });
      await setSetting(c, 'console.quota.session_messages_per_day', '6');
      await c.as('reader');
      await send(c, { session: ID.s1, type: 'text', body: 'hi' });
      await c.fails('SA433', SEND_SQL, sendParams({ session: ID.s1, type: 'text', body: 'over quota' }), 'chat.session_quota_exceeded');
    },
  },
  {
    name: 'read state: mark_read moves last_read_at forward only; unread counts for all sessions in one call',
    async run(c) {
      await c.as('reader');
      await send(c, { session: ID.s1, type: 'text', body: 'one' });
      await send(c, { session: ID.s1, type: 'text', body: 'two' });
      await c.as('client');
      const before = await c.rows<{ session_id: string; unread_count: number }>(`select session_id, unread_count from public.unread_counts() order by session_id`);
      c.eq(before.map((r) => [r.session_id, Number(r.unread_count)]), [[ID.s1, 3], [ID.se, 0]], 'one row per session');
      const at = await c.one<{ t: string }>(`select public.mark_read($1) as t`, [ID.s1]);
      c.ok(at.t, 'returns the new last_read_at');
      await c.rows(`select public.mark_read($1, now() - interval '1 day')`, [ID.s1]);
      const after = await c.one<{ unread_count: number }>(`select unread_count from public.unread_counts() where session_id = $1`, [ID.s1]);
      c.eq(Number(after.unread_count), 0, 'read, and an older mark does not move it back');
      await c.fails('SA404', `select public.mark_read($1)`, [ID.s2], 'chat.session_not_found');
      c.eq(await topicsFor(c, ID.s1), [], 'sanity: no message records for a session id');
      await c.as('postgres');
      c.ok(await c.n(`select 1 from realtime.messages where topic = $1 and event = 'read_receipt'`, [`user:${ID.reader}`]) >= 1, 'the reader gets a read receipt');
    },
  },
  {
    name: 'emergency: request (idempotent), first reader wins, opt-in and role checks, resolve with a note',
    async run(c) {
      await c.as('otherClient');
      const call = await c.one(`select * from public.request_emergency()`);
      c.eq([call.state, Number(call.escalation_level)], ['ringing', 0], 'ringing');
      const again = await c.one(`select * from public.request_emergency()`);
      c.eq(again.id, call.id, 'a repeat returns the open call');
      await c.fails('SA451', `select public.accept_emergency($1)`, [call.id], 'emergency.readers_only');
      await c.as('reader');
      await c.fails('SA450', `select public.request_emergency()`, [], 'emergency.clients_only');
      await c.as('otherReader');
      await c.fails('SA452', `select public.accept_emergency($1)`, [call.id], 'emergency.not_opted_in');
      await c.rows(`select * from public.set_availability('online', true)`);
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.emergency_calls where id = $1`, [call.id]), 1, 'opted-in reader sees the ringing call');
      const won = await c.one(`select * from public.accept_emergency($1)`, [call.id]);
      c.eq([won.state, won.accepted_by], ['accepted', ID.reader], 'first wins');
      await c.as('otherReader');
      await c.fails('SA453', `select public.accept_emergency($1)`, [call.id], 'emergency.already_taken');
      c.eq(await c.n(`select 1 from public.emergency_calls where id = $1`, [call.id]), 0, 'taken call leaves the other readers');
      await c.fails('SA458', `select public.resolve_emergency($1, 'done')`, [call.id], 'emergency.not_responsible');
      await c.as('reader');
      c.eq(await c.n(`select 1 from public.chat_participants where session_id = $1 and user_id = $2`, [call.session_id, ID.reader]), 1, 'reader joined the emergency session');
      await send(c, { session: String(call.session_id), type: 'text', body: 'I am here' });
      await c.fails('SA457', `select public.resolve_emergency($1, ' ')`, [call.id], 'emergency.note_required');
      const done = await c.one(`select * from public.resolve_emergency($1, 'Talked it through')`, [call.id]);
      c.eq([done.state, done.resolution_note], ['resolved', 'Talked it through'], 'resolved');
      await c.fails('SA456', `select public.resolve_emergency($1, 'again')`, [call.id], 'emergency.invalid_state');
      c.eq((await c.one(`select status from public.chat_sessions where id = $1`, [call.session_id])).status, 'ended', 'session ended');
      const kinds = await c.rows<{ kind: string }>(`select kind from public.emergency_events where call_id = $1 order by id`, [call.id]);
      c.eq(kinds.map((k) => k.kind), ['requested', 'accepted', 'resolved'], 'history');
      const topics = await topicsFor(c, String(call.id));
      c.ok(topics.includes('staff:emergencies') && topics.includes(`user:${ID.otherClient}`) && topics.includes(`user:${ID.reader}`) && topics.includes(`user:${ID.otherReader}`), `alerts fan out: ${topics}`);
      await c.as('otherClient');
      const next = await c.one(`select * from public.request_emergency()`);
      c.ok(next.id !== call.id, 'a new emergency after resolution');
    },
  },
  {
    name: 'emergency escalation by deadline: ringing -> level 1 -> level 2, idempotent, acknowledged, resolved',
    async run(c) {
      await c.as('otherClient');
      const call = await c.one(`select * from public.request_emergency()`);
      await c.as('monitor');
      c.eq(Number((await c.one(`select public.advance_emergencies() as n`)).n), 0, 'nothing due yet');
      await c.fails('SA456', `select public.acknowledge_emergency($1)`, [call.id], 'emergency.invalid_state');
      await c.as('postgres');
      await c.rows(`update public.emergency_calls set escalate_at = now() - interval '1 second' where id in ($1, $2)`, [call.id, ID.call]);
      await c.as('otherClient');
      await c.fails('SA454', `select public.advance_emergencies()`, [], 'emergency.staff_only');
      await c.as('reader');
      await c.fails('SA454', `select public.advance_emergencies()`, [], 'emergency.staff_only');
      await c.as('anon');
      await c.fails('42501', `select public.advance_emergencies()`);
      await c.as('monitor');
      c.eq(Number((await c.one(`select public.advance_emergencies() as n`)).n), 2, 'both due calls escalate (staff may sweep)');
      await c.as('monitor');
      c.eq(Number((await c.one(`select public.advance_emergencies() as n`)).n), 0, 'idempotent');
      const l1 = await c.one(`select state, escalation_level, escalate_at > now() + interval '119 seconds' as later from public.emergency_calls where id = $1`, [call.id]);
      c.eq([l1.state, Number(l1.escalation_level), l1.later], ['escalated', 1, true], 'level 1 with its own deadline');
      await c.as('postgres');
      await c.rows(`update public.emergency_calls set escalate_at = now() - interval '1 second' where id = $1`, [call.id]);
      await c.as('admin');
      c.eq(Number((await c.one(`select public.advance_emergencies() as n`)).n), 1, 'second step');
      const l2 = await c.one(`select state, escalation_level, escalate_at from public.emergency_calls where id = $1`, [call.id]);
      c.eq([l2.state, Number(l2.escalation_level), l2.escalate_at], ['escalated', 2, null], 'level 2 (super admins), last step');
      c.eq(Number((await c.one(`select public.advance_emergencies() as n`)).n), 0, 'nothing further');
      await c.as('reader');
      await c.fails('SA454', `select public.acknowledge_emergency($1)`, [call.id], 'emergency.staff_only');
      await c.as('superAdmin');
      const ack = await c.one(`select * from public.acknowledge_emergency($1)`, [call.id]);
      c.eq([ack.state, ack.acknowledged_by], ['acknowledged', ID.superAdmin], 'acknowledged');
      await c.as('monitor');
      await c.fails('SA455', `select public.acknowledge_emergency($1)`, [call.id], 'emergency.already_acknowledged');
      await c.fails('SA458', `select public.resolve_emergency($1, 'x')`, [call.id], 'emergency.not_responsible');
      await c.as('superAdmin');
      await c.one(`select * from public.resolve_emergency($1, 'Handled by phone')`, [call.id]);
      const kinds = await c.rows<{ kind: string }>(`select kind from public.emergency_events where call_id = $1 order by id`, [call.id]);
      c.eq(kinds.map((k) => k.kind), ['requested', 'escalated', 'escalated', 'acknowledged', 'resolved'], 'history');
      c.eq(await c.n(`select 1 from public.audit_log where table_name = 'emergency_calls' and row_id = $1`, [call.id]), 7, 'every change audited (incl. the two test-only deadline moves)');
      await c.as('postgres');
      c.ok(await c.n(`select 1 from realtime.messages where topic = 'staff:emergencies' and payload -> 'record' ->> 'id' = $1`, [call.id]) >= 5, 'staff topic follows every step');
    },
  },
  {
    name: 'profiles: availability and opt-in via set_availability, roles via set_role (super admin only), never directly',
    async run(c) {
      await c.as('client');
      await c.fails('SA462', `select * from public.set_availability('online', true)`, [], 'profile.opt_in_readers_only');
      await c.fails('SA461', `select * from public.set_availability('sleeping')`, [], 'profile.invalid_availability');
      c.eq((await c.one(`select * from public.set_availability('away')`)).availability, 'away', 'client availability');
      c.eq((await c.one(`select * from public.set_preferred_language('ar')`)).preferred_language, 'ar', 'the client chose Arabic');
      await c.fails('SA467', `select * from public.set_preferred_language('fr')`, [], 'profile.invalid_language');
      await c.fails('SA460', `update public.profiles set role = 'super_admin' where id = auth.uid()`, [], 'profile.protected_column');
      await c.fails('SA460', `update public.profiles set availability = 'online' where id = auth.uid()`);
      c.eq(await c.n(`update public.profiles set display_name = 'Renamed' where id = auth.uid() returning 1`), 1, 'own display name is editable');
      await c.fails('SA463', `select * from public.set_role($1, 'admin')`, [ID.client], 'role.forbidden');
      await c.as('admin');
      await c.fails('SA463', `select * from public.set_role($1, 'super_admin')`, [ID.admin], 'role.forbidden');
      await c.as('superAdmin');
      await c.fails('SA464', `select * from public.set_role($1, 'god')`, [ID.client], 'role.invalid');
      await c.fails('SA407', `select * from public.set_role($1, 'reader')`, [randomUUID()], 'profile.user_not_found');
      await c.fails('SA465', `select * from public.set_role($1, 'admin')`, [ID.superAdmin], 'role.last_super_admin');
      c.eq((await c.one(`select * from public.set_role($1, 'monitor')`, [ID.otherClient])).role, 'monitor', 'promoted');
      c.eq(await c.n(`select 1 from public.audit_log where table_name = 'profiles' and row_id = $1 and action = 'role_change' and new_values ->> 'role' = 'monitor' and actor_id = $2`, [ID.otherClient, ID.superAdmin]), 1, 'role change audited');
      await c.as('otherClient');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [ID.pending]), 1, 'the role comes from profiles: now staff');
      await c.as('postgres');
      await c.rows(`update public.profiles set role = 'client' where id = $1`, [ID.otherClient]);
      await c.rows(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: ID.client, role: 'authenticated', user_role: 'super_admin', app_metadata: { role: 'super_admin' } })]);
      await c.exec('set local role authenticated');
      await c.fails('SA463', `select * from public.set_role($1, 'admin')`, [ID.client], 'role.forbidden');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [ID.pending]), 0, 'JWT role claims are ignored');
    },
  },
  {
    name: 'settings: console.* validated, super admin only, audited; typed read for consoles',
    async run(c) {
      await c.as('client');
      const s = await c.one<{ s: Record<string, unknown> }>(`select public.get_console_settings() as s`);
      c.eq(s.s['console.rate_limit.messages_per_minute'], 30, 'typed number');
      c.ok(Array.isArray(s.s['console.audio.mime_types']), 'typed list');
      await c.as('superAdmin');
      await c.fails('SA471', `update public.app_settings set value = 'lots' where key = 'console.rate_limit.messages_per_minute'`, [], 'settings.invalid_value');
      await c.fails('SA471', `update public.app_settings set value = '0' where key = 'console.rate_limit.messages_per_minute'`);
      await c.fails('SA471', `update public.app_settings set value = 'not a mime' where key = 'console.image.mime_types'`);
      await c.fails('SA470', `insert into public.app_settings (key, value) values ('console.made_up', '1')`, [], 'settings.unknown_key');
      c.eq(await c.n(`update public.app_settings set value = ' 45 ' where key = 'console.rate_limit.messages_per_minute' returning 1`), 1, 'super admin writes');
      c.eq((await c.one(`select value from public.app_settings where key = 'console.rate_limit.messages_per_minute'`)).value, '45', 'normalised');
      c.eq(await c.n(`select 1 from public.audit_log where table_name = 'app_settings' and row_id = 'console.rate_limit.messages_per_minute'`), 1, 'audited');
      await c.as('admin');
      await c.fails('42501', `insert into public.app_settings (key, value) values ('console.quota.session_messages_per_day', '5')`);
    },
  },
  {
    name: 'audit_log is append-only, even for the owner',
    async run(c) {
      await c.as('postgres');
      await c.fails('SA480', `update public.audit_log set action = 'x'`, [], 'audit.append_only');
      await c.fails('SA480', `delete from public.audit_log`, [], 'audit.append_only');
      await c.fails('SA480', `truncate public.audit_log`, [], 'audit.append_only');
    },
  },
  {
    name: 'sessions: support sessions open idempotently; staff join; booking sessions need the platform bookings table',
    async run(c) {
      await c.as('client');
      const s = await c.one(`select * from public.open_support_session()`);
      c.eq(s.type, 'support', 'support');
      c.eq((await c.one(`select * from public.open_support_session()`)).id, s.id, 'same session again');
      await c.fails('SA490', `select public.open_support_session($1)`, [ID.reader], 'session.forbidden');
      await c.fails('SA490', `select public.join_session($1)`, [s.id], 'session.forbidden');
      await c.as('monitor');
      const j = await c.one(`select * from public.join_session($1)`, [s.id]);
      c.eq(j.role_in_session, 'staff', 'staff joined');
      await send(c, { session: String(s.id), type: 'text', body: 'How can I help?' });
      const t = await c.one(`select * from public.open_support_session($1)`, [ID.reader]);
      c.eq(await c.n(`select 1 from public.chat_participants where session_id = $1`, [t.id]), 2, 'staff + reader');
      c.eq((await c.one(`select * from public.open_support_session($1)`, [ID.reader])).id, t.id, 'idempotent for staff too');
      await c.fails('SA491', `select public.open_support_session()`, [], 'session.invalid_target');
      const hasBookings = (await c.one<{ t: string | null }>(`select to_regclass('public.bookings')::text as t`)).t;
      if (!hasBookings) await c.fails('SA492', `select public.open_booking_session($1)`, [randomUUID()], 'booking.unavailable');
      await c.as('anon');
      await c.fails('42501', `select public.open_support_session()`);
    },
  },
  {
    name: 'realtime: topic authorisation by row and by realtime.topic(); typing only through broadcast_typing, on own sessions',
    async run(c) {
      await c.as('client');
      c.eq(await c.n(`select 1 from realtime.messages where topic like 'staff:%' or topic = $1`, [`user:${ID.reader}`]), 0, 'no foreign topics');
      await c.rows(`select set_config('realtime.topic', $1, true)`, [`session:${ID.s1}`]);
      c.eq(await c.rows(`select realtime.topic() as t`), [{ t: `session:${ID.s1}` }], 'realtime.topic() reads the setting');
      await c.fails('42501', `insert into realtime.messages (topic, extension, event, payload) values ($1, 'broadcast', 'typing', '{}')`, [`session:${ID.s1}`]);
      await c.rows(`select public.broadcast_typing($1)`, [ID.s1]);
      c.eq(await c.n(`select 1 from realtime.messages where topic = $1 and event = 'typing' and payload ->> 'user_id' = $2`, [`session:${ID.s1}`, ID.client]), 0,
        'the sender does not read their own typing back');
      await c.as('reader');
      c.eq(await c.rows(`select payload from realtime.messages where topic = $1 and event = 'typing' and payload ->> 'user_id' = $2`, [`session:${ID.s1}`, ID.client]),
        [{ payload: { user_id: ID.client, session_id: ID.s1 } }], 'the other participant reads it, with the fixed payload');
      await c.as('client');
      await c.fails('SA404', `select public.broadcast_typing($1)`, [ID.s2], 'chat.session_not_found');
      await c.fails('42501', `insert into realtime.messages (topic, extension, event, payload) values ($1, 'broadcast', 'chat_message', '{}')`, [`user:${ID.reader}`]);
      await c.fails('42501', `insert into realtime.messages (topic, extension, event, payload) values ('staff:approvals', 'broadcast', 'x', '{}')`);
      await c.fails('42501', `select realtime.send('{}', 'x', 'staff:approvals', true)`);
    },
  },
  {
    name: 'hardening: every function pins search_path; RPCs are callable by authenticated only (needs_first_run by anon too); RLS on every table',
    async run(c) {
      await c.as('postgres');
      const loose = await c.rows<{ f: string }>(`
        select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname in ('public', 'private')
          and not exists (select 1 from unnest(coalesce(p.proconfig, '{}')) cfg where cfg like 'search_path=%')`);
      c.eq(loose, [], 'functions without a fixed search_path');
      // Every function of the exposed schema is an RPC, definer or invoker alike.
      const rpcs = await c.rows<{ f: string; anon: boolean; auth: boolean; pub: boolean }>(`
        select p.oid::regprocedure::text as f, has_function_privilege('anon', p.oid, 'execute') as anon,
               has_function_privilege('authenticated', p.oid, 'execute') as auth,
               exists (select 1 from aclexplode(coalesce(p.proacl, acldefault('f', p.proowner))) a where a.grantee = 0 and a.privilege_type = 'EXECUTE') as pub
        from pg_proc p join pg_namespace n on n.oid = p.pronamespace
        where n.nspname = 'public'`);
      c.ok(rpcs.length >= 30, `found ${rpcs.length} RPCs`);
      c.eq(rpcs.filter((r) => r.pub || !r.auth).map((r) => r.f), [], 'RPCs reachable by public or not by authenticated');
      c.eq(rpcs.filter((r) => r.anon).map((r) => r.f), ['needs_first_run()'], 'RPCs reachable by anon');
      const noRls = await c.rows<{ t: string }>(`
        select c.oid::regclass::text as t from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind = 'r' and not c.relrowsecurity`);
      c.eq(noRls, [], 'tables without RLS');
      c.eq(await c.n(`select 1 from pg_policies where tablename = 'chat_messages' and permissive = 'RESTRICTIVE'`), 1, 'restrictive policy present');
      const writable = await c.rows<{ t: string; p: string }>(`
        select table_name as t, privilege_type as p from information_schema.role_table_grants
        where grantee in ('anon', 'authenticated') and table_schema = 'public'
          and table_name in ('chat_sessions', 'chat_participants', 'chat_messages', 'emergency_calls', 'emergency_events', 'audit_log')
          and privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')`);
      c.eq(writable, [], 'status/review/emergency tables are written only through RPCs');
    },
  },
  {
    name: 'moderation flags: staff flag/unflag with a reason through RPCs only, others refused, every change audited',
    async run(c) {
      for (const who of ['client', 'reader'] as const) {
        await c.as(who);
        await c.fails('SA445', `select public.flag_message($1, 'spam')`, [ID.text], 'moderation.forbidden');
        await c.fails('SA445', `select public.unflag_message($1)`, [ID.text], 'moderation.forbidden');
      }
      await c.as('anon');
      await c.fails('42501', `select public.flag_message($1, 'spam')`, [ID.text]);
      // No direct writes, not even for staff: SELECT is the only grant on chat_messages.
      await c.as('monitor');
      await c.fails('42501', `update public.chat_messages set flagged = true, flagged_reason = 'x' where id = $1`, [ID.text]);
      await c.fails('SA446', `select public.flag_message($1, null)`, [ID.text], 'moderation.reason_required');
      await c.fails('SA446', `select public.flag_message($1, '   ')`, [ID.text], 'moderation.reason_required');
      await c.fails('SA405', `select public.flag_message($1, 'spam')`, [randomUUID()], 'chat.message_not_found');
      const flagged = await c.one<{ flagged: boolean; flagged_reason: string; flagged_by: string; flagged_at: string | null }>(
        `select flagged, flagged_reason, flagged_by, flagged_at from public.flag_message($1, '  shares a phone number ')`, [ID.text]);
      c.eq([flagged.flagged, flagged.flagged_reason, flagged.flagged_by], [true, 'shares a phone number', ID.monitor], 'flag set by the monitor');
      c.ok(flagged.flagged_at, 'flagged_at set');
      // A retry with the same reason is not a second event.
      await c.one(`select 1 from public.flag_message($1, 'shares a phone number')`, [ID.text]);
      await c.as('postgres');
      const broadcastsBefore = await c.n(`select 1 from realtime.messages where topic like 'user:%' and payload -> 'record' ->> 'id' = $1`, [ID.text]);
      await c.as('admin');
      await c.one(`select 1 from public.flag_message($1, 'insults')`, [ID.text]);
      c.eq(await c.rows(`select message_id, flagged_reason from public.message_flags(array[$1]::uuid[])`, [ID.text]),
        [{ message_id: ID.text, flagged_reason: 'insults' }], 'staff read flags through message_flags()');
      // Flags are staff business: the participant still sees the message, never its flags.
      await c.as('client');
      c.eq(await c.n(`select 1 from public.chat_messages where id = $1`, [ID.text]), 1, 'the row stays visible to its participant');
      await c.fails('42501', `select flagged_reason from public.chat_messages where id = $1`, [ID.text]);
      await c.fails('42501', `select * from public.chat_messages where id = $1`, [ID.text]);
      await c.fails('SA445', `select * from public.message_flags(array[$1]::uuid[])`, [ID.text], 'moderation.forbidden');
      await c.as('postgres');
      c.eq(await c.n(`select 1 from realtime.messages where topic like 'user:%' and payload -> 'record' ->> 'id' = $1`, [ID.text]), broadcastsBefore,
        'a change to flags alone is not broadcast to participants');
      c.eq(await c.n(`select 1 from realtime.messages where payload -> 'record' ? 'flagged_reason'`), 0, 'no broadcast carries flag columns');
      await c.as('superAdmin');
      const cleared = await c.one<Row>(`select flagged, flagged_reason, flagged_by, flagged_at from public.unflag_message($1)`, [ID.text]);
      c.eq(cleared, { flagged: false, flagged_reason: null, flagged_by: null, flagged_at: null }, 'flag cleared');
      await c.one(`select 1 from public.unflag_message($1)`, [ID.text]);
      await c.as('postgres');
      const audit = await c.rows<{ action: string; actor_id: string; before: string | null; after: string | null }>(
        `select action, actor_id, old_values ->> 'flagged_reason' as before, new_values ->> 'flagged_reason' as after
         from public.audit_log where table_name = 'chat_messages' and row_id = $1 order by id`, [ID.text]);
      c.eq(audit, [
        { action: 'flag', actor_id: ID.monitor, before: null, after: 'shares a phone number' },
        { action: 'flag', actor_id: ID.admin, before: 'shares a phone number', after: 'insults' },
        { action: 'unflag', actor_id: ID.superAdmin, before: 'insults', after: null },
      ], 'one audit row per flag change, none for no-op retries');
      await c.fails('23514', `update public.chat_messages set flagged = true, flagged_reason = ' ' where id = $1`, [ID.text]);
      c.eq(await c.n(`select 1 from pg_indexes where indexname = 'chat_messages_flagged_idx' and indexdef like '%WHERE flagged%'`), 1, 'partial index on flagged rows');
    },
  },
  {
    name: 'error catalogue: every SAnnn raised in the SQL is listed in backend-errors.ts with the same key',
    async run(c) {
      const dir = join(import.meta.dirname, '../../supabase');
      const sql = ['compat', 'migrations'].flatMap((d) =>
        readdirSync(join(dir, d)).map((f) => readFileSync(join(dir, d, f), 'utf8')),
      ).join('\n');
      const pairs = new Set<string>();
      for (const m of sql.matchAll(/'(SA\d{3})',\s*(?:message\s*=\s*)?'([a-z_]+\.[a-z_.]+)'/g)) pairs.add(`${m[1]} ${m[2]}`);
      for (const m of sql.matchAll(/errcode = '(SA\d{3})', message = '([a-z_.]+)'/g)) pairs.add(`${m[1]} ${m[2]}`);
      c.ok(pairs.size >= 40, `found ${pairs.size} raises`);
      const listed = new Set(BACKEND_ERRORS.map((e) => `${e.code} ${e.key}`));
      c.eq([...pairs].filter((p) => !listed.has(p)).sort(), [], 'raised but not listed');
      const codes = BACKEND_ERRORS.map((e) => e.code);
      c.eq(codes.length, new Set(codes).size, 'codes are unique');
      void c;
    },
  },
];

export async function runWorkflows(db: Engine, workflows: Workflow[] = WORKFLOWS, label = 'workflow'): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const w of workflows) {
    const c = new Ctx(db);
    await db.exec('begin');
    try {
      await w.run(c);
      results.push({ name: `${label} ${w.name}`, ok: true });
    } catch (error) {
      results.push({ name: `${label} ${w.name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    } finally {
      await db.exec('rollback');
    }
  }
  return results;
}

export { path };
