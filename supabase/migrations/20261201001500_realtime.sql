-- Realtime: every change is broadcast from the database to private topics, and RLS on
-- realtime.messages decides who may read a topic (Supabase Realtime checks it at join, and the
-- embedded backend re-reads every row under each subscriber's claims):
--   user:{id}          one inbox per user: only rows that user may see (never a client's pending audio)
--   staff:approvals    pending voice notes and their decisions (monitors, admins, super admins)
--   staff:emergencies  every emergency change (monitors, admins, super admins)
--   staff:sessions     a session was opened or its participants changed (a help desk's inbox)
--   session:{id}       client-sent typing broadcasts, participants (and staff) only
-- A console therefore needs a handful of channels however many sessions it follows.
create or replace function private.can_read_topic(p_topic text) returns boolean
language sql stable security definer set search_path = ''
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

create or replace function private.can_write_topic(p_topic text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select auth.uid() is not null
     and p_topic like 'session:%'
     and private.is_participant(private.uuid_or_null(substr(p_topic, 9)))
$$;

revoke all on function private.can_read_topic(text) from public;
revoke all on function private.can_write_topic(text) from public;
grant execute on function private.can_read_topic(text) to anon, authenticated, service_role;
grant execute on function private.can_write_topic(text) to anon, authenticated, service_role;

drop policy if exists console_topics_read on realtime.messages;
create policy console_topics_read on realtime.messages
  for select to authenticated
  using (extension in ('broadcast', 'presence') and private.can_read_topic(topic));

drop policy if exists console_topics_write on realtime.messages;
create policy console_topics_write on realtime.messages
  for insert to authenticated
  with check (extension in ('broadcast', 'presence') and private.can_write_topic(topic));

-- Messages: to each participant who may see the row, and pending notes and their decisions to staff.
-- Payloads carry the participant view of the row (never the moderation columns).
create or replace function private.broadcast_chat_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
  v_visible boolean := private.visible_to_others(new.status, new.type, new.reviewed_at);
  v_old_visible boolean := tg_op = 'UPDATE' and private.visible_to_others(old.status, old.type, old.reviewed_at);
  v_privileged boolean;
  v_new jsonb := private.participant_view(new);
  v_old jsonb := case when tg_op = 'UPDATE' then private.participant_view(old) end;
begin
  -- Only the flags changed: nothing a participant may see did.
  if tg_op = 'UPDATE' and v_new = v_old then
    return null;
  end if;
  for p in
    select cp.user_id, coalesce(pr.role, 'client') as role
    from public.chat_participants cp left join public.profiles pr on pr.id = cp.user_id
    where cp.session_id = new.session_id
  loop
    v_privileged := p.user_id = new.sender_id or p.role in ('monitor', 'admin', 'super_admin');
    if v_visible or v_privileged then
      -- Same shape as realtime.broadcast_changes. An approval reaches the client as an update whose previous
      -- state it never saw: the old record is omitted.
      perform realtime.send(
        jsonb_build_object('record', v_new,
                           'old_record', case when v_privileged or v_old_visible then v_old else null end,
                           'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
        'chat_message', 'user:' || p.user_id::text, true);
    end if;
  end loop;
  if new.status = 'pending_approval' or (tg_op = 'UPDATE' and old.status = 'pending_approval') then
    perform realtime.send(
      jsonb_build_object('record', v_new, 'old_record', v_old, 'operation', tg_op, 'table', tg_table_name, 'schema', tg_table_schema),
      'chat_message', 'staff:approvals', true);
  end if;
  return null;
end
$$;

create or replace trigger chat_messages_broadcast after insert or update on public.chat_messages
  for each row execute function private.broadcast_chat_message();

-- Read receipts and joins: the other participants learn who read up to when / who joined.
create or replace function private.broadcast_chat_participant() returns trigger
language plpgsql security definer set search_path = ''
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

create or replace trigger chat_participants_broadcast after insert or update of last_read_at on public.chat_participants
  for each row execute function private.broadcast_chat_participant();

create or replace function private.broadcast_chat_session() returns trigger
language plpgsql security definer set search_path = ''
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

create or replace trigger chat_sessions_broadcast after update of status on public.chat_sessions
  for each row execute function private.broadcast_chat_session();

-- Emergencies: staff always; the client of the call; opted-in readers while it is open (to ring)
-- and when it is taken (to stop ringing).
create or replace function private.broadcast_emergency_call() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  r record;
begin
  perform realtime.broadcast_changes('staff:emergencies', 'emergency_call', tg_op, tg_table_name, tg_table_schema, new, old);
  perform realtime.broadcast_changes('user:' || new.client_id::text, 'emergency_call', tg_op, tg_table_name, tg_table_schema, new, old);
  for r in
    select p.id from public.profiles p
    where p.role = 'reader' and p.emergency_opt_in and p.id <> new.client_id
       or p.id = new.accepted_by
  loop
    perform realtime.broadcast_changes('user:' || r.id::text, 'emergency_call', tg_op, tg_table_name, tg_table_schema, new, old);
  end loop;
  return null;
end
$$;

create or replace trigger emergency_calls_broadcast after insert or update on public.emergency_calls
  for each row execute function private.broadcast_emergency_call();

-- staff:sessions: the payload names the session only; staff re-read it under their own rights.
create or replace function private.broadcast_staff_session_feed() returns trigger
language plpgsql security definer set search_path = ''
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
