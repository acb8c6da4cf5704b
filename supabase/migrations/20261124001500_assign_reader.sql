-- Readings without a platform booking (the embedded backend has no bookings table, and support
-- requests on Supabase do not come from one): staff put a reader into a client's session.
-- Staff only; the reader must be a reader; emergency sessions get their reader through accept_emergency.
create or replace function public.assign_reader(p_session_id uuid, p_reader_id uuid) returns public.chat_participants
language plpgsql security definer set search_path = ''
as $$
declare
  v_caller record;
  v_session public.chat_sessions;
  v_row public.chat_participants;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA490', 'session.forbidden', jsonb_build_object('reason', 'staff only'));
  end if;
  select * into v_session from public.chat_sessions s where s.id = p_session_id for update;
  if not found then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  if v_session.status <> 'active' then
    perform private.raise('SA410', 'chat.session_not_active', jsonb_build_object('session_id', p_session_id, 'status', v_session.status));
  end if;
  if v_session.type = 'emergency' then
    perform private.raise('SA491', 'session.invalid_target', jsonb_build_object('reason', 'emergency sessions are taken with accept_emergency'));
  end if;
  if not exists (select 1 from public.profiles p where p.id = p_reader_id and p.role = 'reader') then
    perform private.raise('SA491', 'session.invalid_target', jsonb_build_object('user_id', p_reader_id, 'reason', 'not a reader'));
  end if;
  insert into public.chat_participants (session_id, user_id, role_in_session)
  values (p_session_id, p_reader_id, 'reader')
  on conflict on constraint chat_participants_pkey do nothing;
  select * into v_row from public.chat_participants cp where cp.session_id = p_session_id and cp.user_id = p_reader_id;
  return v_row;
end
$$;
revoke all on function public.assign_reader(uuid, uuid) from public, anon;
grant execute on function public.assign_reader(uuid, uuid) to authenticated;
