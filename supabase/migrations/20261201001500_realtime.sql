-- Realtime: every change is broadcast from the database to private topics, and RLS on
-- realtime.messages decides who may read a topic (Supabase Realtime checks it at join, and the
-- embedded backend re-reads every row under each subscriber's claims):
--   user:{id}          one inbox per user: only rows that user may see (never a client's pending audio)
--   staff:approvals    pending voice notes and their decisions (monitors, admins, super admins)
--   staff:emergencies  every emergency change (monitors, admins, super admins)
--   staff:sessions     a session was opened, its participants changed, or a message was written in it
--                      (a help desk's inbox: staff learn of activity in sessions they are not part of),
--                      and everyone's presence
--   session:{id}       typing, participants (and staff) only
-- A console therefore needs a handful of channels however many sessions it follows.
--
-- Every payload is shaped for the rights of whoever may read it, as the RPCs shape their answers: a
-- message as public.chat_message_view (review internals for staff and the sender only), an emergency
-- as the recipient may read the call. Nobody writes to a topic: Supabase checks a channel's write
-- access once, at join, against a probe row {topic, extension} whose event and payload are null, so no
-- policy could limit what a client broadcasts afterwards. Typing is sent by the database instead
-- (public.broadcast_typing), with a fixed payload and a rate limit.
create or replace function private.can_read_topic(p_topic text) returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select case
    when auth.uid() is null then false
    when p_topic = 'user:' || auth.uid()::text then true
    when p_topic in ('staff:approvals', 'staff:emergencies', 'staff:sessions') then private.is_staff()
    when p_topic like 'session:%' then
      private.is_staff() or private.is_participant(private.uuid_or_null(substr(p_topic, 9)))
    else false
  end
$$;
revoke all on function private.can_read_topic(text) from public;
grant execute on function private.can_read_topic(text) to authenticated;

-- Read only: no policy for insert, update or delete, so no API role but the service role (which
-- bypasses RLS) writes a row, broadcast or presence. A user's own typing is not sent back to them.
drop policy if exists console_topics_read on realtime.messages;
create policy console_topics_read on realtime.messages
  for select to authenticated
  using (extension in ('broadcast', 'presence')
         and private.can_read_topic(topic)
         and (event is distinct from 'typing' or (payload ->> 'user_id') is distinct from (select auth.uid())::text));

-- Messages: to each participant who may see the row, shaped for them (review internals only for the
-- sender and staff), and pending notes and their decisions to staff. Never the moderation columns.
-- An internal note reaches its sender, staff and the session's reader (private.reads_notes), never the client.
create or replace function private.broadcast_chat_message() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  p record;
  v_visible boolean := private.visible_to_others(new.status, new.type, new.reviewed_at);
  v_old_visible boolean := tg_op = 'UPDATE' and private.visible_to_others(old.status, old.type, old.reviewed_at);
  v_privileged boolean;
begin
  -- Only the flags changed: nothing a participant may see did.
  if tg_op = 'UPDATE' and private.participant_view(new) = private.participant_view(old) then
    return null;
  end if;
  for p in
    select cp.user_id, coalesce(pr.role, 'client') as role
    from public.chat_participants cp left join public.profiles pr on pr.id = cp.user_id
    where cp.session_id = new.session_id
  loop
    v_privileged := p.user_id = new.sender_id or p.role in ('monitor', 'admin', 'super_admin');
    if v_visible or v_privileged or (new.type = 'note' and private.reads_notes(new.session_id, p.user_id)) then
      -- Same shape as realtime.broadcast_changes. An approval reaches the client as an update whose previous
      -- state it never saw: the old record is omitted.
      perform realtime.send(
        jsonb_build_object('record', to_jsonb(private.message_view(new, v_privileged)),
                           'old_record', case when tg_op = 'UPDATE' and (v_privileged or v_old_visible)
                                              then to_jsonb(private.message_view(old, v_privileged)) end,
                           'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
        'chat_message', 'user:' || p.user_id::text, true);
    end if;
  end loop;
  if new.status = 'pending_approval' or (tg_op = 'UPDATE' and old.status = 'pending_approval') then
    perform realtime.send(
      jsonb_build_object('record', to_jsonb(private.message_view(new, true)),
                         'old_record', case when tg_op = 'UPDATE' then to_jsonb(private.message_view(old, true)) end,
                         'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
      'chat_message', 'staff:approvals', true);
  end if;
  return null;
end
$$;
revoke all on function private.broadcast_chat_message() from public;

create or replace trigger chat_messages_broadcast after insert or update on public.chat_messages
  for each row execute function private.broadcast_chat_message();

-- staff:sessions, one row per message whoever is on staff: which session moved, when its last message
-- now is, the message as staff read it (staff read every message, pending notes and internal notes
-- included, and only staff join this topic), and the session's row as a staff member who has not joined
-- the session reads it. A staff console that holds the session's row moves it from the message, as a
-- participant's console does from chat_message; one that does not hold it yet takes the row as it comes,
-- unless it is a participant (its unread count and last read are its own). With every message reaching
-- every staff console, a read each would cost the database once per console; the row is built here once.
--   The row is private.session_views' (20261201001300_chat_reads.sql) for a caller who has not joined:
-- no unread count, no last read; the cards are the profiles' own fields, as staff read them through
-- public.profile_cards. tests/sql/adversarial-workflows.ts compares it with get_session read by staff.
create or replace function private.broadcast_session_activity() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_session public.chat_session_view;
begin
  select s.id, s.type, s.status, s.booking_id, s.created_by, s.created_at, greatest(s.last_message_at, new.created_at),
         0, null::timestamptz,
         (select jsonb_build_object('id', m.id, 'type', m.type,
                                    'preview', case when m.type = 'text' then left(m.body, 160) end,
                                    'sender_id', m.sender_id, 'created_at', m.created_at)
            from public.chat_messages m
           where m.session_id = s.id and m.type <> 'note'
           order by m.created_at desc, m.id desc
           limit 1),
         coalesce((select jsonb_agg(jsonb_build_object('user_id', cp.user_id, 'role_in_session', cp.role_in_session,
                                                        'last_read_at', cp.last_read_at)
                                    || coalesce((select jsonb_build_object('display_name', p.display_name, 'role', coalesce(p.role, 'client'),
                                                                           'availability', p.availability)
                                                   from public.profiles p where p.id = cp.user_id),
                                                jsonb_build_object('display_name', '', 'role', 'client', 'availability', 'offline'))
                                    order by cp.joined_at, cp.user_id)
                     from public.chat_participants cp
                    where cp.session_id = s.id), '[]'::jsonb),
         private.client_waiting_since(s.id)
    into v_session
    from public.chat_sessions s where s.id = new.session_id;
  perform realtime.send(
    jsonb_build_object('session_id', new.session_id, 'message_id', new.id,
                       'last_message_at', v_session.last_message_at,
                       'record', to_jsonb(private.message_view(new, true)),
                       'session', to_jsonb(v_session)),
    'session_activity', 'staff:sessions', true);
  return null;
end
$$;
revoke all on function private.broadcast_session_activity() from public;

create or replace trigger chat_messages_staff_feed after insert on public.chat_messages
  for each row execute function private.broadcast_session_activity();

-- Read receipts and joins: the other participants learn who read up to when / who joined.
create or replace function private.broadcast_chat_participant() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  p record;
begin
  for p in select cp.user_id from public.chat_participants cp where cp.session_id = new.session_id loop
    perform realtime.send(
      jsonb_build_object('session_id', new.session_id, 'user_id', new.user_id, 'role_in_session', new.role_in_session,
                         'last_read_at', new.last_read_at, 'joined_at', new.joined_at, 'operation', tg_op),
      case when tg_op = 'INSERT' then 'participant_joined' else 'read_receipt' end,
      'user:' || p.user_id::text, true);
  end loop;
  return null;
end
$$;
revoke all on function private.broadcast_chat_participant() from public;

create or replace trigger chat_participants_broadcast after insert or update of last_read_at on public.chat_participants
  for each row execute function private.broadcast_chat_participant();

-- The session row, which every participant may read whole.
create or replace function private.broadcast_chat_session() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  p record;
begin
  if new.status is not distinct from old.status then
    return null;
  end if;
  for p in select cp.user_id from public.chat_participants cp where cp.session_id = new.id loop
    perform realtime.broadcast_changes('user:' || p.user_id::text, 'chat_session', tg_op, tg_table_name, tg_table_schema, new, old);
  end loop;
  return null;
end
$$;
revoke all on function private.broadcast_chat_session() from public;

create or replace trigger chat_sessions_broadcast after update of status on public.chat_sessions
  for each row execute function private.broadcast_chat_session();

-- An emergency as a reader who may no longer read it last saw it: what a ringing call shows, with the
-- new state, so that it stops ringing; who took it, when, and how it ended are not theirs to know.
create or replace function private.emergency_call_withdrawn(p_call public.emergency_calls) returns jsonb
language sql immutable set search_path = pg_catalog, pg_temp
as $$
  select to_jsonb(p_call) || jsonb_build_object('escalate_at', null, 'accepted_by', null, 'accepted_at', null,
                                                'acknowledged_by', null, 'acknowledged_at', null, 'resolved_by', null,
                                                'resolved_at', null, 'resolution_note', null)
$$;
revoke all on function private.emergency_call_withdrawn(public.emergency_calls) from public;

-- Emergencies: staff always; then each person who may read the call (private.call_readable, the rule of
-- the policy on emergency_calls, with that person's facts): its client, whoever took it, and opted-in
-- readers while it rings. A reader who could read it before this change and no longer can is told it
-- was withdrawn, nothing more.
create or replace function private.broadcast_emergency_call() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  r record;
  v_now boolean;
  v_before boolean;
begin
  perform realtime.broadcast_changes('staff:emergencies', 'emergency_call', tg_op, tg_table_name, tg_table_schema, new, old);
  for r in
    select p.id, coalesce(p.role, 'client') in ('monitor', 'admin', 'super_admin') as staff,
           coalesce(p.role = 'reader' and p.emergency_opt_in, false) as opted_in
    from public.profiles p
    where p.id in (new.client_id, new.accepted_by, new.acknowledged_by)
       or (p.role = 'reader' and p.emergency_opt_in)
  loop
    v_now := private.call_readable(new.state, new.client_id, new.accepted_by, new.acknowledged_by, r.id, r.staff, r.opted_in);
    v_before := tg_op = 'UPDATE'
      and private.call_readable(old.state, old.client_id, old.accepted_by, old.acknowledged_by, r.id, r.staff, r.opted_in);
    if v_now then
      perform realtime.send(
        jsonb_build_object('record', to_jsonb(new), 'old_record', case when v_before then to_jsonb(old) end,
                           'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
        'emergency_call', 'user:' || r.id::text, true);
    elsif v_before then
      perform realtime.send(
        jsonb_build_object('record', private.emergency_call_withdrawn(new), 'old_record', null,
                           'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
        'emergency_call', 'user:' || r.id::text, true);
    end if;
  end loop;
  return null;
end
$$;
revoke all on function private.broadcast_emergency_call() from public;

create or replace trigger emergency_calls_broadcast after insert or update on public.emergency_calls
  for each row execute function private.broadcast_emergency_call();

-- staff:sessions: the payload names the session only; staff re-read it under their own rights.
create or replace function private.broadcast_staff_session_feed() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
begin
  perform realtime.send(
    jsonb_build_object('session_id', new.session_id, 'user_id', new.user_id, 'role_in_session', new.role_in_session),
    'session_participants', 'staff:sessions', true);
  return null;
end
$$;
revoke all on function private.broadcast_staff_session_feed() from public;

create or replace trigger chat_participants_staff_feed after insert on public.chat_participants
  for each row execute function private.broadcast_staff_session_feed();

-- Presence: when what others see of someone changes (set_availability, set_presence, the lease sweep), a fixed
-- payload {user_id, availability} as `presence` to each person who shares a session with them that is still in
-- their session list (not ended, or ended with a message in the last 7 days, as list_sessions shows them), on
-- their user:{id} topic, and once to staff:sessions, which every staff console follows (staff therefore are not
-- sent it on their own topic). Nobody is sent their own: their console knows.
create or replace function private.broadcast_presence() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  r record;
  v_payload jsonb := jsonb_build_object('user_id', new.id, 'availability', new.availability);
begin
  for r in
    select distinct other.user_id
    from public.chat_participants mine
    join public.chat_sessions s on s.id = mine.session_id
    join public.chat_participants other on other.session_id = mine.session_id and other.user_id <> new.id
    left join public.profiles op on op.id = other.user_id
    where mine.user_id = new.id
      and (s.status <> 'ended' or s.last_message_at > now() - interval '7 days')
      and coalesce(op.role, 'client') not in ('monitor', 'admin', 'super_admin')
  loop
    perform realtime.send(v_payload, 'presence', 'user:' || r.user_id::text, true);
  end loop;
  perform realtime.send(v_payload, 'presence', 'staff:sessions', true);
  return null;
end
$$;
revoke all on function private.broadcast_presence() from public;

create or replace trigger profiles_presence_broadcast after update of availability on public.profiles
  for each row when (old.availability is distinct from new.availability)
  execute function private.broadcast_presence();

-- Typing, from a participant of an active session to the others on session:{id}: a fixed payload
-- {user_id, session_id} written by the database, so nothing else can ride on it, at most
-- console.rate_limit.typing_per_minute per user in any rolling minute. The sender does not get it back
-- (the read policy above). Consoles throttle typing themselves; this bounds a client that does not.
create or replace function public.broadcast_typing(p_session_id uuid) returns void
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_status text;
begin
  select * into v_caller from private.require_caller();
  select s.status into v_status
  from public.chat_participants cp join public.chat_sessions s on s.id = cp.session_id
  where cp.session_id = p_session_id and cp.user_id = v_caller.uid;
  if not found then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if v_status <> 'active' then
    perform private.raise('SA410', 'chat.session_not_active', jsonb_build_object('session_id', p_session_id, 'status', v_status));
  end if;
  perform private.take_rate('user_typing', v_caller.uid,
                            private.setting_int(private.console_settings(), 'console.rate_limit.typing_per_minute'), 60,
                            'SA449', 'chat.typing_rate_limited');
  perform realtime.send(jsonb_build_object('user_id', v_caller.uid, 'session_id', p_session_id),
                        'typing', 'session:' || p_session_id::text, true);
end
$$;
revoke all on function public.broadcast_typing(uuid) from public, anon;
grant execute on function public.broadcast_typing(uuid) to authenticated;
