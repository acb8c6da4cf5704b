-- The one chat model: sessions, participants (drive RLS, unread counts and read receipts) and
-- messages. Every write goes through the RPCs in ..._chat_rpc.sql; API roles only read (under RLS).
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

create table if not exists public.chat_messages (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.chat_sessions (id),
  sender_id uuid references public.profiles (id),
  type text not null check (type in ('text', 'audio', 'image', 'file', 'system', 'emergency')),
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
  constraint chat_messages_sender_client_message_key unique (sender_id, client_message_id),
  constraint chat_messages_attachment_check
    check (status = 'deleted' or (type in ('audio', 'image', 'file')) = (storage_path is not null)),
  constraint chat_messages_review_check
    check ((status in ('approved', 'rejected')) <= (reviewed_by is not null and reviewed_at is not null)),
  constraint chat_messages_reject_reason_check
    check (status <> 'rejected' or coalesce(btrim(review_reason), '') <> '')
);
-- Keyset paging: where session_id = $1 and (created_at, id) < ($2, $3) order by created_at desc, id desc.
create index if not exists chat_messages_session_keyset_idx on public.chat_messages (session_id, created_at, id);
-- Per-user rate limits.
create index if not exists chat_messages_sender_created_idx on public.chat_messages (sender_id, created_at);
-- The approval queue.
create index if not exists chat_messages_pending_idx on public.chat_messages (created_at)
  where status = 'pending_approval';
create index if not exists chat_messages_reply_to_idx on public.chat_messages (reply_to) where reply_to is not null;
create index if not exists chat_messages_reviewed_by_idx on public.chat_messages (reviewed_by) where reviewed_by is not null;

-- Whether a message may be seen by someone who is neither its sender nor staff: the one definition
-- used by RLS, storage policies, realtime fan-out and unread counts. A deleted voice note that was
-- never reviewed vanishes for the other side (it may have been a pending one).
create or replace function private.visible_to_others(p_status text, p_type text, p_reviewed_at timestamptz)
returns boolean
language sql
immutable
set search_path = ''
as $$
  select p_status in ('sent', 'approved')
      or (p_status = 'deleted' and not (p_type = 'audio' and p_reviewed_at is null))
$$;
revoke all on function private.visible_to_others(text, text, timestamptz) from public;
grant execute on function private.visible_to_others(text, text, timestamptz) to authenticated, service_role;

revoke all on public.chat_sessions, public.chat_participants, public.chat_messages from anon, authenticated, public;
grant select on public.chat_sessions, public.chat_participants, public.chat_messages to authenticated;
grant all on public.chat_sessions, public.chat_participants, public.chat_messages to service_role;

alter table public.chat_sessions enable row level security;
alter table public.chat_participants enable row level security;
alter table public.chat_messages enable row level security;
