// The consolidation plan, computed set-wise in SQL from the src_* staging tables into cons_* temp
// tables: every target row with the source row it comes from, plus the issues met on the way.
// Nothing here writes outside temporary tables, so a dry run can stop right after it.
//
// Rules (the decisions behind each trap; see README.md in this folder):
// - One session per booking. A legacy session tied to the booking (by booking_id, or by an id that
//   was overwritten with the booking id) keeps its id and becomes that session; further legacy
//   sessions of the same booking merge into it. Other bookings get a session whose id is derived
//   from the booking id (md5-based uuid, so re-runs find the same row).
// - A booking that no longer exists still gets its conversation: a placeholder session (status
//   ended) keeping the missing booking id.
// - A legacy message pointing at a session that is gone: if the id is a booking id, that booking's
//   session; otherwise a placeholder support session keeping the old session id.
// - voice_note_approvals wins over messages.is_approved / chat_messages.status: the latest decision
//   per message (updated_at, then created_at) is the status; every disagreement is reported.
// - A voice message present in both messages and voice_notes becomes ONE audio message (the
//   messages id); the voice note supplies file, duration and size where it has them.
// - A voice note whose message row is gone is rebuilt from its approval (booking, reader) keeping
//   the message id; with no approval either, nothing says where it belongs: quarantine.
// - Users that no longer exist become placeholder profiles with the same id ("Deleted user").
// - Every source row keeps its full original content in audit_log.old_values.
import type pg from 'pg';

export const PLACEHOLDER_REVIEWER_KEY = 'samia-consolidate:unknown-reviewer';
export const NO_REASON_TEXT = '(no reason was recorded in the legacy system)';
export const NO_FLAG_REASON_TEXT = '(no reason was recorded)';

/** Whether a legacy chat_messages row is flagged: the earlier unification kept moderation flags in metadata. */
export const legacyFlagSql = (a: string) =>
  `coalesce(lower(btrim(${a}.metadata ->> 'flagged')) in ('true', 't', '1', 'yes') or lower(btrim(${a}.metadata ->> 'is_flagged')) in ('true', 't', '1', 'yes'), false)`;
/** Its recorded reason, if any. */
export const legacyFlagReasonSql = (a: string) =>
  `nullif(btrim(coalesce(${a}.metadata ->> 'flagged_reason', ${a}.metadata ->> 'flag_reason')), '')`;

/** Statements in order; each is one round trip. */
export const PLAN_SQL: string[] = [
  // ---------- helpers ----------
  `create temp table cons_issues (
     kind text not null, severity text not null check (severity in ('info', 'mapped', 'blocking')),
     source_table text, source_id text, target_id text, detail jsonb
   ) on commit drop`,
  `create temp table cons_type_map (legacy text primary key, target text not null) on commit drop`,
  `insert into cons_type_map values
     ('text','text'),('message','text'),('image','image'),('photo','image'),('picture','image'),
     ('voice','audio'),('audio','audio'),('voice_note','audio'),('voice_message','audio'),
     ('file','file'),('document','file'),('attachment','file'),('video','file'),
     ('system','system'),('notification','system'),('emergency','emergency')`,

  // ---------- sessions ----------
  `create temp table cons_sessions (
     id uuid primary key, type text not null, status text not null, booking_id uuid,
     created_at timestamptz, created_by uuid, source_table text not null, source_id text not null,
     action text not null default 'consolidate', placeholder text
   ) on commit drop`,
  `create temp table cons_session_key (kind text not null, key uuid not null, session_id uuid not null, primary key (kind, key)) on commit drop`,

  // Legacy sessions: which booking each belongs to (booking_id, or its id once set to a booking id).
  // bookings has a second uuid column, booking_id, that old code sometimes used as the key.
  `create temp table cons_booking_alias (alias uuid primary key, booking_id uuid not null) on commit drop`,
  `insert into cons_booking_alias
   select distinct on (b.alt_id) b.alt_id, b.id from src_bookings b
   where b.alt_id is not null and b.alt_id <> b.id and not exists (select 1 from src_bookings x where x.id = b.alt_id)
   order by b.alt_id, b.id`,
  // existing: a unified session the console already opened for the same booking (the schema
  // allows one per booking), which the legacy conversation then joins.
  `create temp table cons_ls on commit drop as
   select x.*, row_number() over (partition by x.bk order by x.created_at nulls last, x.id) as rn,
          (select s.id from public.chat_sessions s where x.bk is not null and s.booking_id = x.bk and s.type = 'booking'
             and not exists (select 1 from src_lsessions o where o.id = s.id) limit 1) as existing
   from (select ls.*,
                coalesce((select a.booking_id from cons_booking_alias a where a.alias = ls.booking_id), ls.booking_id,
                         (select b.id from src_bookings b where b.id = ls.id),
                         (select a.booking_id from cons_booking_alias a where a.alias = ls.id)) as bk
         from src_lsessions ls) x`,
  `insert into cons_sessions (id, type, status, booking_id, created_at, created_by, source_table, source_id, placeholder)
   select ls.id,
          case lower(coalesce(ls.type, case when ls.bk is not null then 'booking' else 'support' end))
            when 'booking' then 'booking' when 'emergency' then 'emergency' when 'general' then 'support'
            when 'support' then 'support' else 'support' end,
          case when lower(ls.status) in ('active','open','in_progress','started') then 'active'
               when lower(ls.status) in ('locked','paused','suspended','on_hold') then 'locked'
               when lower(ls.status) in ('ended','closed','completed','archived','inactive','cancelled','canceled','expired') then 'ended'
               when ls.status is null then case when ls.ended_at is not null then 'ended' else 'active' end
               else 'ended' end,
          ls.bk, coalesce(ls.created_at, ls.started_at),
          coalesce((select coalesce(b.client_id, b.user_id) from src_bookings b where b.id = ls.bk), ls.participants[1]),
          'legacy.chat_sessions', ls.id::text,
          case when ls.bk is not null and not exists (select 1 from src_bookings b where b.id = ls.bk) then 'booking_missing' end
   from cons_ls ls where (ls.bk is null or ls.rn = 1) and ls.existing is null`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'unknown_session_type', 'blocking', 'legacy.chat_sessions', ls.id::text, ls.id::text, jsonb_build_object('type', ls.type)
   from cons_ls ls where ls.type is not null and lower(ls.type) not in ('booking','emergency','general','support')
   union all
   select 'unknown_session_status', 'blocking', 'legacy.chat_sessions', ls.id::text, ls.id::text, jsonb_build_object('status', ls.status)
   from cons_ls ls where ls.status is not null and lower(ls.status) not in
     ('active','open','in_progress','started','locked','paused','suspended','on_hold','ended','closed','completed','archived','inactive','cancelled','canceled','expired')
   union all
   select 'session_id_was_booking_id', 'mapped', 'legacy.chat_sessions', ls.id::text, ls.id::text, jsonb_build_object('booking_id', ls.bk, 'booking_id_column', ls.booking_id)
   from cons_ls ls where exists (select 1 from src_bookings b where b.id = ls.id)
   union all
   select 'duplicate_booking_session_merged', 'mapped', 'legacy.chat_sessions', ls.id::text,
          (select c.id::text from cons_ls c where c.bk = ls.bk and c.rn = 1), jsonb_build_object('booking_id', ls.bk)
   from cons_ls ls where ls.bk is not null and ls.rn > 1
   union all
   select 'session_booking_missing', 'mapped', 'legacy.chat_sessions', ls.id::text, ls.id::text, jsonb_build_object('booking_id', ls.bk)
   from cons_ls ls where ls.bk is not null and ls.rn = 1 and not exists (select 1 from src_bookings b where b.id = ls.bk)`,
  `insert into cons_session_key
   select 'legacy_session', ls.id, coalesce(ls.existing, (select c.id from cons_ls c where c.bk = ls.bk and c.rn = 1 and ls.bk is not null), ls.id)
   from cons_ls ls`,
  `insert into cons_session_key select 'booking', ls.bk, coalesce(ls.existing, ls.id) from cons_ls ls where ls.bk is not null and ls.rn = 1`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'legacy_session_joins_console_session', 'mapped', 'legacy.chat_sessions', ls.id::text, ls.existing::text, jsonb_build_object('booking_id', ls.bk)
   from cons_ls ls where ls.existing is not null`,

  // Bookings without a legacy session: a new session (deterministic id). An existing unified
  // session for the same booking (created by the console since the schema was applied) is reused.
  `insert into cons_sessions (id, type, status, booking_id, created_at, created_by, source_table, source_id)
   select coalesce(existing.id, md5('samia-consolidate:booking:' || b.id)::uuid), 'booking',
          case when b.deleted_at is not null or lower(b.status) in ('completed','cancelled','canceled','refunded','no_show','expired','rejected','failed','closed','ended') then 'ended' else 'active' end,
          b.id, b.created_at, coalesce(b.client_id, b.user_id), 'public.bookings', b.id::text
   from src_bookings b
   left join lateral (select s.id from public.chat_sessions s where s.booking_id = b.id and s.type = 'booking' limit 1) existing on true
   where not exists (select 1 from cons_session_key k where k.kind = 'booking' and k.key = b.id)`,
  `insert into cons_session_key select 'booking', b.id, s.id from src_bookings b join cons_sessions s on s.source_table = 'public.bookings' and s.source_id = b.id::text`,
  `insert into cons_session_key select 'booking', a.alias, k.session_id
   from cons_booking_alias a join cons_session_key k on k.kind = 'booking' and k.key = a.booking_id
   where not exists (select 1 from cons_session_key x where x.kind = 'booking' and x.key = a.alias)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'booking_referenced_by_its_booking_id_column', 'mapped', r.t, r.id::text, k.session_id::text, jsonb_build_object('booking_id', a.booking_id, 'referenced_as', a.alias)
   from (select 'public.messages' t, id, booking_id ref from src_messages
         union all select 'public.voice_note_approvals', id, booking_id from src_approvals
         union all select 'legacy.chat_sessions', id, booking_id from src_lsessions
         union all select 'legacy.chat_messages', id, session_id from src_lmessages) r
   join cons_booking_alias a on a.alias = r.ref
   join cons_session_key k on k.kind = 'booking' and k.key = a.booking_id`,

  // A "booking id" that is really a legacy session id (the reverse of the trap above).
  `insert into cons_session_key
   select distinct 'booking', x.bk, k.session_id
   from (select booking_id bk from src_messages union select booking_id from src_approvals) x
   join cons_session_key k on k.kind = 'legacy_session' and k.key = x.bk
   where x.bk is not null and not exists (select 1 from cons_session_key b where b.kind = 'booking' and b.key = x.bk)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'booking_id_is_a_session_id', 'mapped', 'public.messages', m.id::text, k.session_id::text, jsonb_build_object('booking_id', m.booking_id)
   from src_messages m join cons_session_key k on k.kind = 'booking' and k.key = m.booking_id
   where not exists (select 1 from src_bookings b where b.id = m.booking_id) and exists (select 1 from src_lsessions ls where ls.id = m.booking_id)`,
  // Conversations whose booking is gone (messages or approvals still point at it).
  `insert into cons_sessions (id, type, status, booking_id, created_at, created_by, source_table, source_id, action, placeholder)
   select md5('samia-consolidate:booking:' || x.bk)::uuid, 'booking', 'ended', x.bk, x.first_at, null,
          'missing:public.bookings', x.bk::text, 'consolidate_placeholder', 'booking_missing'
   from (select bk, min(at) first_at from (
           select booking_id bk, created_at at from src_messages
           union all select booking_id, created_at from src_approvals) r
         where bk is not null group by bk) x
   where not exists (select 1 from cons_session_key k where k.kind = 'booking' and k.key = x.bk)`,
  `insert into cons_session_key select 'booking', s.booking_id, s.id from cons_sessions s where s.source_table = 'missing:public.bookings'`,

  // Legacy messages whose session id is a booking id, or nothing at all any more.
  `insert into cons_sessions (id, type, status, booking_id, created_at, created_by, source_table, source_id, action, placeholder)
   select x.session_id, 'support', 'ended', null, x.first_at, null, 'missing:legacy.chat_sessions', x.session_id::text,
          'consolidate_placeholder', 'session_missing'
   from (select session_id, min(created_at) first_at from src_lmessages where session_id is not null group by session_id) x
   where not exists (select 1 from cons_session_key k where k.kind = 'legacy_session' and k.key = x.session_id)
     and not exists (select 1 from cons_session_key k where k.kind = 'booking' and k.key = x.session_id)`,
  `insert into cons_session_key select 'legacy_session', s.id, s.id from cons_sessions s where s.source_table = 'missing:legacy.chat_sessions'`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'placeholder_session', 'mapped', s.source_table, s.source_id, s.id::text, jsonb_build_object('reason', s.placeholder)
   from cons_sessions s where s.action = 'consolidate_placeholder'`,

  // ---------- the latest review decision per message ----------
  `create temp table cons_approval on commit drop as
   select distinct on (a.message_id) a.*
   from src_approvals a where a.message_id is not null
   order by a.message_id, a.updated_at desc nulls last, a.created_at desc nulls last, a.id desc`,
  `create index on cons_approval (message_id)`,
  `create index on cons_approval (id)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'unknown_approval_status', 'blocking', 'public.voice_note_approvals', a.id::text, a.message_id::text, jsonb_build_object('status', a.status)
   from src_approvals a where lower(coalesce(a.status, 'pending')) not in ('pending','approved','rejected')`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'superseded_approval', 'info', 'public.voice_note_approvals', a.id::text, a.message_id::text,
          jsonb_build_object('status', a.status, 'latest_status', l.status, 'latest_id', l.id)
   from src_approvals a join cons_approval l on l.message_id = a.message_id and l.id <> a.id`,

  // ---------- messages ----------
  `create temp table cons_messages (
     id uuid primary key, session_id uuid, sender_id uuid, type text, body text,
     file_refs text[] not null default '{}', implied_bucket text, file_name text,
     src_bucket text, src_path text, storage_path text, mime_type text, size_bytes bigint, duration_ms bigint,
     waveform real[], reply_to uuid, status text, reviewed_by uuid, reviewed_at timestamptz, review_reason text,
     created_at timestamptz, edited_at timestamptz, is_read boolean, read_by uuid[],
     flagged boolean not null default false, flagged_reason text, flagged_at timestamptz,
     legacy_status text, source_table text not null, source_id text not null, done boolean not null default false
   ) on commit drop`,

  // The earlier unification's rows (they win over a public.messages row with the same id).
  `insert into cons_messages (id, session_id, sender_id, type, body, file_refs, implied_bucket, file_name, mime_type, size_bytes, duration_ms,
     waveform, reply_to, status, reviewed_by, reviewed_at, review_reason, created_at, edited_at, read_by, flagged, flagged_reason,
     legacy_status, source_table, source_id)
   select lm.id,
          coalesce((select k.session_id from cons_session_key k where k.kind = 'legacy_session' and k.key = lm.session_id),
                   (select k.session_id from cons_session_key k where k.kind = 'booking' and k.key = lm.session_id)),
          lm.sender_id, tm.target, lm.content,
          case when nullif(btrim(lm.file_url), '') is null then '{}'::text[] else array[lm.file_url] end,
          'chat-files', lm.file_name, lm.file_type, lm.file_size, lm.duration_seconds::bigint * 1000,
          null::real[], -- filled by cons_waveform() below: non-numeric peaks must not abort the statement
          lm.reply_to_message_id,
          case when coalesce(lm.is_deleted, false) or lower(lm.status) = 'deleted' then 'deleted'
               when lower(coalesce(lm.status, 'sent')) in ('sent','delivered','read','received') then 'sent'
               when lower(lm.status) in ('pending','pending_approval','pending_review') then 'pending_approval'
               when lower(lm.status) = 'approved' then 'approved'
               when lower(lm.status) = 'rejected' then 'rejected' end,
          lm.approved_by, lm.approved_at,
          nullif(btrim(coalesce(lm.metadata ->> 'rejection_reason', lm.metadata ->> 'review_reason', lm.metadata ->> 'reason')), ''),
          lm.created_at, case when coalesce(lm.is_edited, false) or lm.edited_at is not null then coalesce(lm.edited_at, lm.updated_at) end,
          coalesce(lm.read_by, '{}'), ${legacyFlagSql('lm')}, case when ${legacyFlagSql('lm')} then ${legacyFlagReasonSql('lm')} end,
          coalesce(lm.status, 'sent') || case when coalesce(lm.is_deleted, false) then '+is_deleted' else '' end,
          'legacy.chat_messages', lm.id::text
   from src_lmessages lm left join cons_type_map tm on tm.legacy = lower(coalesce(lm.type, 'text'))`,
];

PLAN_SQL.push(
  `create or replace function pg_temp.cons_waveform(j jsonb) returns real[] language plpgsql immutable as $$
   declare a jsonb := case when jsonb_typeof(j) = 'array' then j
                           when jsonb_typeof(j -> 'peaks') = 'array' then j -> 'peaks'
                           when jsonb_typeof(j -> 'data') = 'array' then j -> 'data' end;
   begin
     if a is null or jsonb_array_length(a) = 0 then return null; end if;
     if exists (select 1 from jsonb_array_elements(a) e where jsonb_typeof(e) <> 'number') then return null; end if;
     return (select array_agg(e::text::real order by o) from jsonb_array_elements(a) with ordinality t(e, o));
   end $$`,
  `update cons_messages c set waveform = pg_temp.cons_waveform(lm.waveform_data)
   from src_lmessages lm where lm.id = c.id and c.source_table = 'legacy.chat_messages' and lm.waveform_data is not null`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'waveform_not_convertible', 'mapped', 'legacy.chat_messages', lm.id::text, lm.id::text, jsonb_build_object('waveform_data', lm.waveform_data)
   from src_lmessages lm join cons_messages c on c.id = lm.id and c.source_table = 'legacy.chat_messages'
   where lm.waveform_data is not null and jsonb_typeof(lm.waveform_data) <> 'null' and c.waveform is null`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'unknown_message_type', 'blocking', 'legacy.chat_messages', lm.id::text, lm.id::text, jsonb_build_object('type', lm.type)
   from src_lmessages lm left join cons_type_map tm on tm.legacy = lower(coalesce(lm.type, 'text')) where tm.target is null
   union all
   select 'unknown_message_status', 'blocking', 'legacy.chat_messages', c.source_id, c.id::text, jsonb_build_object('status', c.legacy_status)
   from cons_messages c where c.source_table = 'legacy.chat_messages' and c.status is null`,

  // public.messages (not already carried by a legacy chat_messages row with the same id).
  `insert into cons_messages (id, session_id, sender_id, type, body, file_refs, implied_bucket, file_name, size_bytes, duration_ms,
     reply_to, status, reviewed_by, reviewed_at, created_at, is_read, flagged, flagged_reason, legacy_status, source_table, source_id)
   select m.id, (select k.session_id from cons_session_key k where k.kind = 'booking' and k.key = m.booking_id),
          m.sender_id, tm.target, m.content,
          case when nullif(btrim(m.file_url), '') is null then '{}'::text[] else array[m.file_url] end,
          case when tm.target = 'audio' then 'voice-notes' else 'chat-attachments' end,
          m.file_name, m.file_size, m.duration_seconds::bigint * 1000, m.reply_to,
          case when coalesce(m.is_approved, true) = false then 'pending_approval'
               when tm.target = 'audio' and (m.approved_by is not null or m.approved_at is not null) then 'approved'
               else 'sent' end,
          m.approved_by, case when m.approved_by is not null or m.approved_at is not null then coalesce(m.approved_at, m.created_at) end,
          m.created_at, coalesce(m.is_read, false),
          coalesce(m.flagged, false), case when m.flagged then nullif(btrim(m.flagged_reason), '') end,
          'is_approved=' || coalesce(m.is_approved::text, 'null'), 'public.messages', m.id::text
   from src_messages m left join cons_type_map tm on tm.legacy = lower(coalesce(m.type, 'text'))
   where not exists (select 1 from src_lmessages lm where lm.id = m.id)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'unknown_message_type', 'blocking', 'public.messages', m.id::text, m.id::text, jsonb_build_object('type', m.type)
   from src_messages m left join cons_type_map tm on tm.legacy = lower(coalesce(m.type, 'text')) where tm.target is null
   union all
   select 'message_in_both_generations', 'mapped', 'public.messages', m.id::text, m.id::text,
          jsonb_build_object('kept', 'legacy.chat_messages', 'same_body', m.content is not distinct from lm.content)
   from src_messages m join src_lmessages lm on lm.id = m.id`,
  // Read flags of a public.messages row that also lives in legacy.chat_messages still count.
  `update cons_messages c set is_read = true from src_messages m where m.id = c.id and c.source_table = 'legacy.chat_messages' and m.is_read`,
  // So does a moderation flag on either twin (the legacy row's reason first).
  `update cons_messages c set flagged = true, flagged_reason = coalesce(c.flagged_reason, nullif(btrim(m.flagged_reason), ''))
   from src_messages m where m.id = c.id and c.source_table = 'legacy.chat_messages' and m.flagged`,

  // voice_notes: merge into their message, or become their own audio message.
  `create temp table cons_vn on commit drop as
   select vn.*, row_number() over (partition by vn.message_id order by vn.created_at nulls last, vn.id) as rn,
          parent.id as parent_id, parent.type as parent_type
   from src_voice_notes vn left join cons_messages parent on parent.id = vn.message_id`,
  // The voice note's own references come first: voice_notes was the dedicated store.
  `update cons_messages c set
     file_refs = array_remove(array[nullif(btrim(vn.file_path), ''), nullif(btrim(vn.file_url), '')], null) || c.file_refs,
     implied_bucket = 'voice-notes',
     duration_ms = coalesce(vn.duration_seconds::bigint * 1000, c.duration_ms),
     size_bytes = coalesce(vn.file_size_bytes, c.size_bytes),
     mime_type = coalesce(c.mime_type, case lower(vn.audio_format) when 'mp3' then 'audio/mpeg' when 'webm' then 'audio/webm'
       when 'ogg' then 'audio/ogg' when 'opus' then 'audio/ogg' when 'wav' then 'audio/wav' when 'm4a' then 'audio/mp4'
       when 'mp4' then 'audio/mp4' when 'aac' then 'audio/aac' end)
   from cons_vn vn where vn.parent_id = c.id and vn.parent_type = 'audio' and vn.rn = 1`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'voice_message_in_messages_and_voice_notes', 'mapped', 'public.voice_notes', vn.id::text, vn.parent_id::text,
          jsonb_build_object('message_table', (select c.source_table from cons_messages c where c.id = vn.parent_id))
   from cons_vn vn where vn.parent_type = 'audio' and vn.rn = 1`,
  // A voice note on a non-voice message, a second voice note on one message, or one whose message
  // is gone: its own audio message.
  `insert into cons_messages (id, session_id, sender_id, type, body, file_refs, implied_bucket, mime_type, size_bytes, duration_ms,
     status, reviewed_by, reviewed_at, created_at, is_read, legacy_status, source_table, source_id)
   select case when vn.parent_id is null and vn.rn = 1 then vn.message_id else md5('samia-consolidate:voice_note:' || vn.id)::uuid end,
          coalesce(p.session_id, (select k.session_id from cons_session_key k where k.kind = 'booking' and k.key = a.booking_id)),
          coalesce(p.sender_id, a.reader_id), 'audio', null,
          array_remove(array[nullif(btrim(vn.file_path), ''), nullif(btrim(vn.file_url), '')], null), 'voice-notes',
          case lower(vn.audio_format) when 'mp3' then 'audio/mpeg' when 'webm' then 'audio/webm' when 'ogg' then 'audio/ogg'
            when 'opus' then 'audio/ogg' when 'wav' then 'audio/wav' when 'm4a' then 'audio/mp4' when 'mp4' then 'audio/mp4' when 'aac' then 'audio/aac' end,
          vn.file_size_bytes, vn.duration_seconds::bigint * 1000,
          case when p.id is not null and p.status = 'pending_approval' then 'pending_approval' else 'sent' end,
          null, null, coalesce(vn.created_at, p.created_at), coalesce(p.is_read, false),
          case when p.id is null then 'message missing' else 'voice note of ' || p.type || ' message' end,
          'public.voice_notes', vn.id::text
   from cons_vn vn
   left join cons_messages p on p.id = vn.parent_id
   left join cons_approval a on a.message_id = vn.message_id
   where not coalesce(vn.parent_type = 'audio' and vn.rn = 1, false)
     and (p.id is not null or a.id is not null)`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select case when vn.parent_id is null then 'voice_note_message_missing_rebuilt_from_approval'
               when vn.parent_type = 'audio' then 'second_voice_note_for_message'
               else 'voice_note_on_non_voice_message' end,
          'mapped', 'public.voice_notes', vn.id::text, c.id::text, jsonb_build_object('message_id', vn.message_id, 'message_type', vn.parent_type)
   from cons_vn vn join cons_messages c on c.source_table = 'public.voice_notes' and c.source_id = vn.id::text`,

  // Review decisions: voice_note_approvals wins over is_approved / status.
  `update cons_messages c set
     status = case lower(coalesce(a.status, 'pending')) when 'pending' then 'pending_approval' when 'approved' then 'approved' when 'rejected' then 'rejected' end,
     reviewed_by = a.reviewed_by,
     reviewed_at = case when lower(a.status) in ('approved','rejected') then coalesce(a.updated_at, a.created_at) end,
     review_reason = nullif(btrim(a.review_notes), '')
   from cons_approval a
   where a.message_id = c.id and c.type = 'audio' and c.status <> 'deleted'
     and lower(coalesce(a.status, 'pending')) in ('pending','approved','rejected')`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'approval_disagrees_with_message', 'mapped', c.source_table, c.source_id, c.id::text,
          jsonb_build_object('approval_id', a.id, 'approval_status', a.status, 'message_said', c.legacy_status, 'result', c.status)
   from cons_messages c join cons_approval a on a.message_id = c.id
   where c.type = 'audio' and (
     (c.source_table = 'public.messages' and ((lower(a.status) = 'approved') <> (c.legacy_status = 'is_approved=true')))
     or (c.source_table = 'legacy.chat_messages' and lower(c.legacy_status) not in
          (case lower(a.status) when 'pending' then 'pending_approval' else lower(a.status) end, case lower(a.status) when 'pending' then 'pending' else '' end)))`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'approval_for_non_audio_message', 'mapped', 'public.voice_note_approvals', a.id::text, c.id::text, jsonb_build_object('type', c.type, 'status', a.status)
   from src_approvals a join cons_messages c on c.id = a.message_id and c.type <> 'audio'`,

  // Quarantine: what nothing ties to a conversation.
  `create temp table cons_quarantine (source_table text not null, source_id text not null, reason text not null, raw jsonb) on commit drop`,
  `insert into cons_quarantine
   select 'public.voice_notes', vn.id::text, 'voice note whose message and approval are both missing: no conversation to attach it to', vn.raw
   from cons_vn vn
   where vn.parent_id is null and not exists (select 1 from cons_approval a where a.message_id = vn.message_id)
     and not exists (select 1 from cons_messages c where c.source_table = 'public.voice_notes' and c.source_id = vn.id::text)`,
  `insert into cons_quarantine
   select c.source_table, c.source_id, 'message without a resolvable conversation', coalesce(m.raw, lm.raw, vn.raw)
   from cons_messages c
   left join src_messages m on c.source_table = 'public.messages' and m.id::text = c.source_id
   left join src_lmessages lm on c.source_table = 'legacy.chat_messages' and lm.id::text = c.source_id
   left join src_voice_notes vn on c.source_table = 'public.voice_notes' and vn.id::text = c.source_id
   where c.session_id is null`,
  `delete from cons_messages c where c.session_id is null`,
  `insert into cons_issues (kind, severity, source_table, source_id, detail)
   select 'quarantine', 'blocking', q.source_table, q.source_id, jsonb_build_object('reason', q.reason) from cons_quarantine q`,

  // A text message with an attachment becomes a file/image message keeping its text as caption.
  `update cons_messages set type = 'file' where type = 'text' and cardinality(file_refs) > 0`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'text_message_with_attachment', 'mapped', source_table, source_id, id::text, '{}'::jsonb
   from cons_messages where type = 'file' and legacy_status is not null and source_table in ('public.messages','legacy.chat_messages')
     and exists (select 1 from src_messages m where m.id = cons_messages.id and lower(m.type) = 'text'
                 union all select 1 from src_lmessages lm where lm.id = cons_messages.id and lower(coalesce(lm.type,'text')) = 'text')`,
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'attachment_on_system_message', 'blocking', source_table, source_id, id::text, jsonb_build_object('type', type, 'file_refs', file_refs)
   from cons_messages where type in ('system', 'emergency') and cardinality(file_refs) > 0 and status <> 'deleted'`,

  // Replies to messages that no longer exist.
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'reply_to_missing_message', 'mapped', c.source_table, c.source_id, c.id::text, jsonb_build_object('reply_to', c.reply_to)
   from cons_messages c where c.reply_to is not null
     and not exists (select 1 from cons_messages p where p.id = c.reply_to)
     and not exists (select 1 from public.chat_messages p where p.id = c.reply_to)`,
  `update cons_messages c set reply_to = null where c.reply_to is not null
     and not exists (select 1 from cons_messages p where p.id = c.reply_to)
     and not exists (select 1 from public.chat_messages p where p.id = c.reply_to)`,

  // Decisions recorded without a reviewer or a reason: the target requires both.
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'review_without_reviewer', 'mapped', source_table, source_id, id::text, jsonb_build_object('status', status)
   from cons_messages where status in ('approved','rejected') and reviewed_by is null
   union all
   select 'rejection_without_reason', 'mapped', source_table, source_id, id::text, '{}'::jsonb
   from cons_messages where status = 'rejected' and coalesce(btrim(review_reason), '') = ''`,
  `update cons_messages set reviewed_by = md5('${PLACEHOLDER_REVIEWER_KEY}')::uuid where status in ('approved','rejected') and reviewed_by is null`,
  `update cons_messages set reviewed_at = coalesce(reviewed_at, created_at, now()) where status in ('approved','rejected') and reviewed_at is null`,
  `update cons_messages set review_reason = '${NO_REASON_TEXT}' where status = 'rejected' and coalesce(btrim(review_reason), '') = ''`,
  // Values the unified schema's checks would refuse: kept in audit_log, left empty here.
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'invalid_duration_or_size', 'mapped', source_table, source_id, id::text, jsonb_build_object('duration_ms', duration_ms, 'size_bytes', size_bytes)
   from cons_messages where duration_ms < 0 or duration_ms > 2147483647 or size_bytes < 0`,
  `update cons_messages set duration_ms = null where duration_ms < 0 or duration_ms > 2147483647`,
  `update cons_messages set size_bytes = null where size_bytes < 0`,
  `update cons_messages set created_at = coalesce(created_at, (select s.created_at from cons_sessions s where s.id = session_id), now()) where created_at is null`,

  // Moderation flags. The legacy tables never recorded who flagged or when: flagged_by stays NULL,
  // flagged_at is the message's own time. The unified schema requires a reason for a flag.
  `insert into cons_issues (kind, severity, source_table, source_id, target_id, detail)
   select 'flag_without_reason', 'mapped', source_table, source_id, id::text, jsonb_build_object('flagged_reason', '${NO_FLAG_REASON_TEXT}')
   from cons_messages where flagged and flagged_reason is null
   union all
   select 'flag_reason_without_flag', 'mapped', 'public.messages', m.id::text, m.id::text, jsonb_build_object('flagged', m.flagged, 'flagged_reason', m.flagged_reason)
   from src_messages m join cons_messages c on c.id = m.id
   where not c.flagged and nullif(btrim(m.flagged_reason), '') is not null
   union all
   select 'flag_reason_without_flag', 'mapped', 'legacy.chat_messages', lm.id::text, lm.id::text, jsonb_build_object('metadata', lm.metadata)
   from src_lmessages lm join cons_messages c on c.id = lm.id and c.source_table = 'legacy.chat_messages'
   where not c.flagged and ${legacyFlagReasonSql('lm')} is not null`,
  `update cons_messages set flagged_reason = '${NO_FLAG_REASON_TEXT}' where flagged and flagged_reason is null`,
  `update cons_messages set flagged_at = created_at where flagged`,

  // ---------- participants ----------
  `create temp table cons_participants (
     session_id uuid not null, user_id uuid not null, role_in_session text not null, joined_at timestamptz,
     last_read_at timestamptz, source_table text not null, source_id text not null, prio int not null
   ) on commit drop`,
  `insert into cons_participants (session_id, user_id, role_in_session, source_table, source_id, prio)
   select k.session_id, u.user_id, u.role, 'public.bookings', b.id::text, u.prio
   from src_bookings b join cons_session_key k on k.kind = 'booking' and k.key = b.id
   cross join lateral (values (coalesce(b.client_id, b.user_id), 'client', 1), (b.user_id, 'client', 2), (b.reader_id, 'reader', 1)) u(user_id, role, prio)
   where u.user_id is not null`,
  `insert into cons_issues (kind, severity, source_table, source_id, detail)
   select 'booking_client_id_differs_from_user_id', 'mapped', 'public.bookings', b.id::text, jsonb_build_object('client_id', b.client_id, 'user_id', b.user_id, 'result', 'both are client participants')
   from src_bookings b where b.client_id is not null and b.user_id is not null and b.client_id <> b.user_id`,
  `insert into cons_participants (session_id, user_id, role_in_session, source_table, source_id, prio)
   select k.session_id, p.uid,
          case lower(pr.role) when 'reader' then 'reader' when 'monitor' then 'staff' when 'admin' then 'staff' when 'super_admin' then 'staff' else 'client' end,
          'legacy.chat_sessions', ls.id::text, 3
   from src_lsessions ls join cons_session_key k on k.kind = 'legacy_session' and k.key = ls.id
   cross join lateral unnest(coalesce(ls.participants, '{}')) p(uid)
   left join public.profiles pr on pr.id = p.uid
   where p.uid is not null`,
  `insert into cons_participants (session_id, user_id, role_in_session, source_table, source_id, prio)
   select distinct on (c.session_id, c.sender_id) c.session_id, c.sender_id,
          case lower(pr.role) when 'reader' then 'reader' when 'monitor' then 'staff' when 'admin' then 'staff' when 'super_admin' then 'staff' else 'client' end,
          c.source_table, c.source_id, 4
   from cons_messages c left join public.profiles pr on pr.id = c.sender_id
   where c.sender_id is not null
   order by c.session_id, c.sender_id, c.created_at`,
  `delete from cons_participants p using (
     select ctid, row_number() over (partition by session_id, user_id order by prio, role_in_session) rn from cons_participants) d
   where p.ctid = d.ctid and d.rn > 1`,
  `create index on cons_participants (session_id, user_id)`,
  `create index on cons_messages (session_id)`,
  `analyze cons_messages`,
  // Set-wise (a correlated subquery per participant does not scale to 100k messages).
  `with first_msg as (select session_id, sender_id, min(created_at) m from cons_messages where sender_id is not null group by 1, 2),
        reads as (
          select p.session_id, p.user_id, max(c.created_at) r
          from cons_participants p join cons_messages c on c.session_id = p.session_id and c.sender_id is distinct from p.user_id
          where p.user_id = any (c.read_by) or (c.is_read and p.role_in_session in ('client', 'reader'))
          group by 1, 2),
        x as (
          select p.session_id, p.user_id, least(s.created_at, f.m) j, r.r
          from cons_participants p
          left join cons_sessions s on s.id = p.session_id
          left join first_msg f on f.session_id = p.session_id and f.sender_id = p.user_id
          left join reads r on r.session_id = p.session_id and r.user_id = p.user_id)
   update cons_participants p set joined_at = x.j, last_read_at = x.r
   from x where x.session_id = p.session_id and x.user_id = p.user_id`,
  `update cons_participants p set joined_at = coalesce(p.joined_at, now())`,
);

/** After file resolution (TS side): paths in the new layout, mime types, sizes. */
export const PATH_SQL: string[] = [
  `update cons_messages set storage_path = session_id || '/' || id || '/' || fname
   from (select id as mid, coalesce(nullif(right(regexp_replace(regexp_replace(coalesce(nullif(file_name, ''), regexp_replace(coalesce(src_path, file_refs[1], ''), '^.*/', '')), '\\?.*$', ''), '[^A-Za-z0-9._-]+', '_', 'g'), 120), ''), 'file') as fname
         from cons_messages) f
   where f.mid = cons_messages.id and type in ('audio', 'image', 'file')`,
  // Object keys stay ASCII (Supabase Storage refuses some non-ASCII keys); no hidden-file names.
  `update cons_messages set storage_path = regexp_replace(storage_path, '/(\\.[^/]*)$', '/file\\1') where storage_path ~ '/\\.[^/]*$'`,
];

export async function runPlan(client: pg.ClientBase): Promise<void> {
  for (const sql of PLAN_SQL) {
    try {
      await client.query(sql);
    } catch (e) {
      throw new Error(`planning failed: ${(e as Error).message}\n--- statement ---\n${sql.slice(0, 400)}`, { cause: e });
    }
  }
}
