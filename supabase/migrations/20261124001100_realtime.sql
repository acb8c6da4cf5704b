-- Realtime: every change is broadcast from the database to private topics, and RLS on
-- realtime.messages decides who may read a topic:
--   user:{id}          one inbox per user: only rows that user may see (never a client's pending audio)
--   staff:approvals    pending voice notes and their decisions (monitors, admins, super admins)
--   staff:emergencies  every emergency change (monitors, admins, super admins)
--   session:{id}       client-sent typing broadcasts, participants (and staff) only
create or replace function private.can_read_topic(p_topic text) returns boolean
language sql stable security definer set search_path = ''
as $$
  select case
    when auth.uid() is null then false
    when p_topic = 'user:' || auth.uid()::text then true
    when p_topic in ('staff:approvals', 'staff:emergencies') then private.is_staff()
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

do $$
declare
  f text;
begin
  foreach f in array array['private.can_read_topic(text)', 'private.can_write_topic(text)'] loop
    execute format('revoke all on function %s from public', f);
    execute format('grant execute on function %s to anon, authenticated, service_role', f);
  end loop;
end
$$;

drop policy if exists console_topics_read on realtime.messages;
create policy console_topics_read on realtime.messages
  for select to authenticated
  using (extension in ('broadcast', 'presence') and private.can_read_topic(topic));

drop policy if exists console_topics_write on realtime.messages;
create policy console_topics_write on realtime.messages
  for insert to authenticated
  with check (extension in ('broadcast', 'presence') and private.can_write_topic(topic));

-- Messages: to each participant who may see the row, and approvals to staff.
create or replace function private.broadcast_chat_message() returns trigger
language plpgsql security definer set search_path = ''
as $$
declare
  p record;
  v_visible boolean := private.visible_to_others(new.status, new.type, new.reviewed_at);
  v_old_visible boolean := tg_op = 'UPDATE' and private.visible_to_others(old.status, old.type, old.reviewed_at);
  v_privileged boolean;
begin
  for p in
    select cp.user_id, coalesce(pr.role, 'client') as role
    from public.chat_participants cp left join public.profiles pr on pr.id = cp.user_id
    where cp.session_id = new.session_id
  loop
    v_privileged := p.user_id = new.sender_id or p.role in ('monitor', 'admin', 'super_admin');
    if v_visible or v_privileged then
      -- An approval reaches the client as an update whose previous state it never saw: omit it.
      perform realtime.broadcast_changes('user:' || p.user_id::text, 'chat_message', tg_op, tg_table_name, tg_table_schema,
        new, case when v_privileged or v_old_visible then old else null end);
    end if;
  end loop;
  if new.status = 'pending_approval' or (tg_op = 'UPDATE' and old.status = 'pending_approval') then
    perform realtime.broadcast_changes('staff:approvals', 'chat_message', tg_op, tg_table_name, tg_table_schema, new, old);
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
