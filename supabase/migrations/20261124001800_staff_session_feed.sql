-- Staff learn of new conversations as they open (a help desk's inbox), not at their next refresh:
--   staff:sessions    a session was opened or its participants changed (monitors, admins, super admins)
-- The payload names the session only; staff re-read it under their own rights.
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
