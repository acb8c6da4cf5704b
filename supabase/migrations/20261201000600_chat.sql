-- The one chat model: sessions, participants and messages, with who may read them.
-- Every write goes through the RPCs of the chat_rpc / chat_sessions / moderation migrations; the API
-- roles only read, under RLS. Participants drive RLS, unread counts and read receipts (no uuid arrays
-- read-then-written).
create table if not exists public.chat_sessions (
  id uuid primary key default gen_random_uuid(),
  type text not null check (type in ('booking', 'emergency', 'support')),
  status text not null default 'active' check (status in ('active', 'locked', 'ended')),
  booking_id uuid,
  last_message_at timestamptz,
  created_at timestamptz not null default now(),
  created_by uuid references public.profiles (id)
);
create unique index if not exists chat_sessions_booking_uniq on public.chat_sessions (booking_id)
  where type = 'booking' and booking_id is not null;
create index if not exists chat_sessions_created_by_idx on public.chat_sessions (created_by);

create table if not exists public.chat_participants (
  session_id uuid not null references public.chat_sessions (id),
  user_id uuid not null references public.profiles (id),
  role_in_session text not null check (role_in_session in ('client', 'reader', 'staff')),
  last_read_at timestamptz,
  joined_at timestamptz not null default now(),
  primary key (session_id, user_id)
);
-- Behind every "my sessions" RLS predicate and the unread-count query.
create index if not exists chat_participants_user_idx on public.chat_participants (user_id, session_id);

-- Moderation flags (flagged, flagged_reason, flagged_by, flagged_at) are columns because the live
-- platform's messages had them and the consolidation carries them over; they are staff business
-- (column privileges below, public.message_flags() for staff).
create table if not exists public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.chat_sessions (id),
  sender_id uuid references public.profiles (id),
  -- 'note': an internal note, for the session's reader and staff only (..._internal_notes.sql).
  type text not null check (type in ('text', 'audio', 'image', 'file', 'system', 'emergency', 'note')),
  body text,
  storage_path text,
  mime_type text,
  size_bytes bigint check (size_bytes is null or size_bytes >= 0),
  duration_ms integer check (duration_ms is null or duration_ms >= 0),
  waveform real[],
  reply_to uuid references public.chat_messages (id),
  status text not null default 'sent' check (status in ('sent', 'pending_approval', 'approved', 'rejected', 'deleted')),
  reviewed_by uuid references public.profiles (id),
  reviewed_at timestamptz,
  review_reason text,
  client_message_id uuid,
  created_at timestamptz not null default now(),
  edited_at timestamptz,
  flagged boolean not null default false,
  flagged_reason text,
  flagged_by uuid references public.profiles (id),
  flagged_at timestamptz,
  -- The transaction that last changed what participants see of the row (private.stamp_message_change):
  -- the server-side cursor of public.messages_changed_since().
  change_xid xid8 not null default pg_current_xact_id(),
  constraint chat_messages_sender_client_message_key unique (sender_id, client_message_id),
  constraint chat_messages_attachment_check
    check (status = 'deleted' or (type in ('audio', 'image', 'file')) = (storage_path is not null)),
  constraint chat_messages_review_check
    check ((status in ('approved', 'rejected')) <= (reviewed_by is not null and reviewed_at is not null)),
  -- Blank means private.is_blank: Unicode spaces, controls and invisible format characters count as none.
  constraint chat_messages_reject_reason_check
    check (status <> 'rejected' or not private.is_blank(review_reason)),
  -- A flag nobody can explain cannot be reviewed by the next moderator.
  constraint chat_messages_flag_reason_check
    check (not flagged or not private.is_blank(flagged_reason))
);
-- Keyset paging: where session_id = $1 and (created_at, id) < ($2, $3) order by created_at desc, id desc.
create index if not exists chat_messages_session_keyset_idx on public.chat_messages (session_id, created_at, id);
-- Waiting clients (20261201002700_waiting_clients.sql): each answerer's last message in a session, found by
-- key whatever the number of the client's messages after it. The sender first: a session's own reads (by time) are
-- never planned on it.
create index if not exists chat_messages_sender_session_idx on public.chat_messages (sender_id, session_id, created_at);
-- The approval queue.
create index if not exists chat_messages_pending_idx on public.chat_messages (created_at)
  where status = 'pending_approval';
create index if not exists chat_messages_reply_to_idx on public.chat_messages (reply_to) where reply_to is not null;
create index if not exists chat_messages_reviewed_by_idx on public.chat_messages (reviewed_by) where reviewed_by is not null;
-- The storage policies find a file's message by its path.
create index if not exists chat_messages_storage_path_idx on public.chat_messages (storage_path) where storage_path is not null;
-- The moderation queue: few rows are flagged, so the index holds only those.
create index if not exists chat_messages_flagged_idx on public.chat_messages (flagged_at desc, id)
  where flagged;
create index if not exists chat_messages_flagged_by_idx on public.chat_messages (flagged_by)
  where flagged_by is not null;
-- Catch-up after a reconnect: changes in transaction order.
create index if not exists chat_messages_change_idx on public.chat_messages (change_xid, id);
-- Unread counts: a voice note approved after the reader's last read counts as new (list_sessions).
create index if not exists chat_messages_session_approved_idx on public.chat_messages (session_id, reviewed_at)
  where status = 'approved';
-- The session list: most recent activity first (list_sessions).
create index if not exists chat_sessions_recent_idx on public.chat_sessions ((coalesce(last_message_at, created_at)), id);

-- Privileges: the API roles read, RPCs write. `authenticated` reads every chat_messages column but the
-- flag columns; the grant lists the columns it gives, because a table-wide grant would cover columns
-- added later too.
revoke all on public.chat_sessions, public.chat_participants, public.chat_messages from anon, authenticated, service_role, public;
grant select on public.chat_sessions, public.chat_participants to authenticated;
grant select (id, session_id, sender_id, type, body, storage_path, mime_type, size_bytes, duration_ms, waveform,
              reply_to, status, reviewed_by, reviewed_at, review_reason, client_message_id, created_at, edited_at,
              change_xid)
  on public.chat_messages to authenticated;
-- The service role writes rows (operators, tools) but never truncates (TRUNCATE skips RLS, triggers and
-- the audit), references or adds triggers (a trigger it owned would run inside the RPCs as their owner).
grant select, insert, update, delete on public.chat_sessions, public.chat_participants, public.chat_messages to service_role;

-- Who may see what -----------------------------------------------------------------------------

-- Whether a message may be seen by someone who is neither its sender nor staff: the one definition
-- used by RLS, storage policies, realtime fan-out and unread counts. A deleted voice note that was
-- never reviewed vanishes for the other side (it may have been a pending one). An internal note is never
-- visible to others, in any status: who else reads it is private.reads_notes below.
create or replace function private.visible_to_others(p_status text, p_type text, p_reviewed_at timestamptz)
returns boolean
language sql
immutable
set search_path = pg_catalog, pg_temp
as $$
  select p_type is distinct from 'note'
     and (p_status in ('sent', 'approved')
          or (p_status = 'deleted' and not (p_type = 'audio' and p_reviewed_at is null)))
$$;
revoke all on function private.visible_to_others(text, text, timestamptz) from public;
grant execute on function private.visible_to_others(text, text, timestamptz) to authenticated, service_role;

-- SECURITY DEFINER for the same reason as the role helpers: a policy on chat_participants must not
-- recurse into itself. They only answer about auth.uid().
create or replace function private.my_session_ids() returns setof uuid
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select cp.session_id from public.chat_participants cp where cp.user_id = auth.uid()
$$;

create or replace function private.is_participant(p_session_id uuid) returns boolean
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  return exists (select 1 from public.chat_participants cp
                 where cp.session_id = p_session_id and cp.user_id = auth.uid());
end
$$;

-- Who reads a session's internal notes besides their sender: staff, and the session's reader — a participant
-- in the reader's role who is a reader now, in a session that has a client. A reader's own support session
-- with staff has no client: the reader is its subject there, so staff's notes in it stay staff's.
-- SECURITY DEFINER for the same reason as my_session_ids; called by definer code about any user, and
-- through note_session_ids about the caller.
create or replace function private.reads_notes(p_session_id uuid, p_user_id uuid) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select coalesce((select p.role in ('monitor', 'admin', 'super_admin') from public.profiles p where p.id = p_user_id), false)
      or exists (select 1 from public.chat_participants cp join public.profiles p on p.id = cp.user_id
                  where cp.session_id = p_session_id and cp.user_id = p_user_id
                    and cp.role_in_session = 'reader' and p.role = 'reader'
                    and exists (select 1 from public.chat_participants c
                                 where c.session_id = p_session_id and c.role_in_session = 'client'))
$$;

-- The sessions whose notes the caller reads as their reader (staff read all of them anyway).
create or replace function private.note_session_ids() returns setof uuid
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select cp.session_id from public.chat_participants cp
   where cp.user_id = auth.uid() and cp.role_in_session = 'reader' and private.reads_notes(cp.session_id, auth.uid())
$$;

-- Whether the caller may see this message (the same rule as the RLS on chat_messages), for the
-- places that hold a row rather than query the table: storage policies, replies, edits.
create or replace function private.can_see_message(p_message public.chat_messages) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select (private.is_staff() or private.is_participant(p_message.session_id))
     and (p_message.sender_id = auth.uid() or private.is_staff()
          or private.visible_to_others(p_message.status, p_message.type, p_message.reviewed_at)
          or (p_message.type = 'note' and private.reads_notes(p_message.session_id, auth.uid())))
$$;

-- Only my_session_ids is called by policies evaluated under the caller's rights; the other two are for
-- SECURITY DEFINER code (storage and topic checks, replies, edits), so no API role calls them itself.
revoke all on function private.my_session_ids() from public;
revoke all on function private.is_participant(uuid) from public;
revoke all on function private.can_see_message(public.chat_messages) from public;
revoke all on function private.reads_notes(uuid, uuid) from public;
revoke all on function private.note_session_ids() from public;
grant execute on function private.my_session_ids() to authenticated, service_role;
grant execute on function private.note_session_ids() to authenticated, service_role;

-- Staff read every conversation (support, approvals, emergencies); everyone else the ones they take
-- part in.
alter table public.chat_sessions enable row level security;
drop policy if exists chat_sessions_select on public.chat_sessions;
create policy chat_sessions_select on public.chat_sessions
  for select to authenticated
  using ((select private.is_staff()) or id in (select private.my_session_ids()));

alter table public.chat_participants enable row level security;
drop policy if exists chat_participants_select on public.chat_participants;
create policy chat_participants_select on public.chat_participants
  for select to authenticated
  using ((select private.is_staff()) or session_id in (select private.my_session_ids()));

alter table public.chat_messages enable row level security;
drop policy if exists chat_messages_select on public.chat_messages;
create policy chat_messages_select on public.chat_messages
  for select to authenticated
  using ((select private.is_staff()) or session_id in (select private.my_session_ids()));

-- RESTRICTIVE: AND-ed with every permissive policy, present or future (the old system's "clients see
-- only approved" policy was permissive, and Postgres OR-ed it away). Pending or rejected voice notes
-- reach only their sender and staff, whatever else is granted; internal notes only their sender, staff and
-- the session's reader (private.reads_notes), never the client.
-- The arms are in the order they are cheapest to evaluate, as Postgres evaluates an OR: staff (computed once per
-- query) and the sender first, so that a staff member's reads of many messages (the session list's unread counts,
-- the waiting clients) call no function per row.
drop policy if exists chat_messages_hide_unapproved on public.chat_messages;
create policy chat_messages_hide_unapproved on public.chat_messages
  as restrictive for all to public
  using ((select private.is_staff())
         or sender_id = (select auth.uid())
         or private.visible_to_others(status, type, reviewed_at)
         or (type = 'note' and session_id in (select private.note_session_ids())));

-- Four eyes: nobody reviews their own message, whatever their role is now and whoever writes the row
-- (the review RPC, the service role, an operator). Rows taken over from the old system keep the review
-- they had: only a change of reviewer is checked.
create or replace function private.guard_review() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if new.reviewed_by = new.sender_id then
    perform private.raise('SA447', 'review.own_message', jsonb_build_object('message_id', new.id));
  end if;
  return new;
end
$$;
revoke all on function private.guard_review() from public;
create or replace trigger chat_messages_four_eyes before update of reviewed_by, sender_id on public.chat_messages
  for each row
  when (new.reviewed_by is not null and (new.reviewed_by is distinct from old.reviewed_by or new.sender_id is distinct from old.sender_id))
  execute function private.guard_review();

-- Audit: status changes, edits, reviews and flag changes (not read marks or counters).
create or replace trigger chat_messages_audit after update on public.chat_messages
  for each row
  when (old.status is distinct from new.status or old.body is distinct from new.body
        or old.reviewed_at is distinct from new.reviewed_at
        or old.flagged is distinct from new.flagged or old.flagged_reason is distinct from new.flagged_reason)
  execute function private.audit_row();
create or replace trigger chat_messages_audit_delete after delete on public.chat_messages
  for each row execute function private.audit_row();

-- The message as participants may see it: the row without its moderation columns and bookkeeping
-- (realtime payloads, and what counts as a change for them).
create or replace function private.participant_view(p_row public.chat_messages) returns jsonb
language sql immutable set search_path = pg_catalog, pg_temp
as $$
  select to_jsonb(p_row) - 'flagged' - 'flagged_reason' - 'flagged_by' - 'flagged_at' - 'change_xid'
$$;
revoke all on function private.participant_view(public.chat_messages) from public;
-- The change stamp (a trigger, under the writer's rights) calls it when the service role writes a row.
grant execute on function private.participant_view(public.chat_messages) to service_role;

-- change_xid is the trigger's to set: the inserting transaction, then every transaction that changes
-- what participants see (a flag alone is staff business and is not a change for them). Writers cannot
-- choose it, so a catch-up cannot be made to skip or replay rows.
create or replace function private.stamp_message_change() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    new.change_xid := pg_catalog.pg_current_xact_id();
  elsif private.participant_view(new) is distinct from private.participant_view(old) then
    new.change_xid := pg_catalog.pg_current_xact_id();
  else
    new.change_xid := old.change_xid;
  end if;
  return new;
end
$$;
revoke all on function private.stamp_message_change() from public;
create or replace trigger chat_messages_stamp_change before insert or update on public.chat_messages
  for each row execute function private.stamp_message_change();

-- The one shape in which RPCs hand out a message: participant-shaped (no moderation columns, no
-- bookkeeping), and the review internals (who reviewed it, the reviewer's reason) only for staff and
-- for the message's sender: a client learns that a note was approved, not by whom or with what note.
create type public.chat_message_view as (
  id uuid,
  session_id uuid,
  sender_id uuid,
  type text,
  body text,
  storage_path text,
  mime_type text,
  size_bytes bigint,
  duration_ms integer,
  waveform real[],
  reply_to uuid,
  status text,
  reviewed_at timestamptz,
  reviewed_by uuid,
  review_reason text,
  client_message_id uuid,
  created_at timestamptz,
  edited_at timestamptz
);

-- For the SECURITY DEFINER writes, which hold the whole row and know who is asking, and for the realtime
-- fan-out, which shapes every recipient's copy with it.
-- PL/pgSQL rather than SQL: a SQL function with its own search_path is never inlined and is planned
-- again on every call (three per message sent); PL/pgSQL keeps the plan for the session.
create or replace function private.message_view(p_row public.chat_messages, p_sees_review boolean)
returns public.chat_message_view
language plpgsql immutable set search_path = pg_catalog, pg_temp
as $$
begin
  return row(p_row.id, p_row.session_id, p_row.sender_id, p_row.type, p_row.body, p_row.storage_path,
             p_row.mime_type, p_row.size_bytes, p_row.duration_ms, p_row.waveform, p_row.reply_to, p_row.status,
             p_row.reviewed_at,
             case when p_sees_review then p_row.reviewed_by end,
             case when p_sees_review then p_row.review_reason end,
             p_row.client_message_id, p_row.created_at, p_row.edited_at)::public.chat_message_view;
end
$$;
revoke all on function private.message_view(public.chat_messages, boolean) from public;

-- For the reads, which run as the caller (SECURITY INVOKER) so that the RLS above decides which rows
-- exist: each row's `message` is the chat_message_view, next to the columns the reads filter and order
-- by. It names only columns `authenticated` may select (a whole-row reference would need them all).
create or replace view private.chat_message_rows with (security_invoker = true) as
  select m.id, m.session_id, m.created_at, m.status, m.type, m.change_xid,
         row(m.id, m.session_id, m.sender_id, m.type, m.body, m.storage_path, m.mime_type, m.size_bytes,
             m.duration_ms, m.waveform, m.reply_to, m.status, m.reviewed_at,
             case when m.sender_id = (select auth.uid()) or (select private.is_staff()) then m.reviewed_by end,
             case when m.sender_id = (select auth.uid()) or (select private.is_staff()) then m.review_reason end,
             m.client_message_id, m.created_at, m.edited_at)::public.chat_message_view as message
  from public.chat_messages m;
revoke all on private.chat_message_rows from public, anon, authenticated;
grant select on private.chat_message_rows to authenticated;
