-- Who talks to whom: opening support and booking sessions, staff joining, staff assigning a reader.
-- Participants are the access list of a conversation (RLS, fan-out, unread counts): they are added
-- by these RPCs and by the emergency RPCs, never by a table write.

-- Support: staff open one with a given user; anyone else opens one for themselves (staff then
-- join it). Returns the already-active one between the same people instead of a second.
create or replace function public.open_support_session(p_user_id uuid default null) returns public.chat_sessions
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_target_role text;
  v_session public.chat_sessions;
begin
  select * into v_caller from private.require_caller();
  perform pg_advisory_xact_lock(hashtextextended('samia.open_support_session:' || v_caller.uid::text, 0));
  if v_caller.role in ('monitor', 'admin', 'super_admin') then
    if p_user_id is null or p_user_id = v_caller.uid then
      perform private.raise('SA491', 'session.invalid_target', jsonb_build_object('user_id', p_user_id));
    end if;
    select coalesce(p.role, 'client') into v_target_role from public.profiles p where p.id = p_user_id;
    if not found then
      perform private.raise('SA407', 'profile.user_not_found', jsonb_build_object('user_id', p_user_id));
    end if;
    select s.* into v_session from public.chat_sessions s
    where s.type = 'support' and s.status = 'active'
      and exists (select 1 from public.chat_participants a where a.session_id = s.id and a.user_id = v_caller.uid)
      and exists (select 1 from public.chat_participants b where b.session_id = s.id and b.user_id = p_user_id)
    order by s.created_at desc limit 1;
    if found then
      return v_session;
    end if;
    insert into public.chat_sessions (type, created_by) values ('support', v_caller.uid) returning * into v_session;
    insert into public.chat_participants (session_id, user_id, role_in_session) values
      (v_session.id, v_caller.uid, 'staff'),
      (v_session.id, p_user_id, case when v_target_role in ('client', 'reader') then v_target_role else 'staff' end);
  else
    if p_user_id is not null and p_user_id <> v_caller.uid then
      perform private.raise('SA490', 'session.forbidden', jsonb_build_object('reason', 'only staff open a session with another user'));
    end if;
    select s.* into v_session from public.chat_sessions s
    where s.type = 'support' and s.status = 'active' and s.created_by = v_caller.uid
    order by s.created_at desc limit 1;
    if found then
      return v_session;
    end if;
    insert into public.chat_sessions (type, created_by) values ('support', v_caller.uid) returning * into v_session;
    insert into public.chat_participants (session_id, user_id, role_in_session)
    values (v_session.id, v_caller.uid, case when v_caller.role = 'reader' then 'reader' else 'client' end);
  end if;
  return v_session;
end
$$;

-- Staff join any session (to answer support, follow an emergency). Idempotent.
create or replace function public.join_session(p_session_id uuid) returns public.chat_participants
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_row public.chat_participants;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA490', 'session.forbidden', jsonb_build_object('reason', 'staff only'));
  end if;
  if not exists (select 1 from public.chat_sessions s where s.id = p_session_id) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  insert into public.chat_participants (session_id, user_id, role_in_session)
  values (p_session_id, v_caller.uid, 'staff')
  on conflict on constraint chat_participants_pkey do nothing;
  select * into v_row from public.chat_participants cp where cp.session_id = p_session_id and cp.user_id = v_caller.uid;
  return v_row;
end
$$;

-- The chat of a booking of the platform (public.bookings, which belongs to the platform and may be
-- absent on a fresh project). Its client or reader, or staff, may open it; participants come from
-- the booking itself. Idempotent: one session per booking.
create or replace function public.open_booking_session(p_booking_id uuid) returns public.chat_sessions
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_client uuid;
  v_reader uuid;
  v_session public.chat_sessions;
  v_client_expr text;
begin
  select * into v_caller from private.require_caller();
  if to_regclass('public.bookings') is null then
    perform private.raise('SA492', 'booking.unavailable');
  end if;
  v_client_expr := case
    when exists (select 1 from information_schema.columns c where c.table_schema = 'public' and c.table_name = 'bookings' and c.column_name = 'client_id')
     and exists (select 1 from information_schema.columns c where c.table_schema = 'public' and c.table_name = 'bookings' and c.column_name = 'user_id')
      then 'coalesce(b.client_id, b.user_id)'
    when exists (select 1 from information_schema.columns c where c.table_schema = 'public' and c.table_name = 'bookings' and c.column_name = 'client_id')
      then 'b.client_id'
    else 'b.user_id' end;
  execute format('select %s, b.reader_id from public.bookings b where b.id = $1', v_client_expr)
    into v_client, v_reader using p_booking_id;
  if v_client is null and v_reader is null then
    perform private.raise('SA493', 'booking.not_found', jsonb_build_object('booking_id', p_booking_id));
  end if;
  if v_caller.uid is distinct from v_client and v_caller.uid is distinct from v_reader
     and v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA493', 'booking.not_found', jsonb_build_object('booking_id', p_booking_id));
  end if;
  if v_client is null or v_reader is null
     or not exists (select 1 from public.profiles p where p.id = v_client)
     or not exists (select 1 from public.profiles p where p.id = v_reader) then
    perform private.raise('SA494', 'booking.incomplete', jsonb_build_object('booking_id', p_booking_id, 'client_id', v_client, 'reader_id', v_reader));
  end if;
  perform pg_advisory_xact_lock(hashtextextended('samia.open_booking_session:' || p_booking_id::text, 0));
  select * into v_session from public.chat_sessions s where s.type = 'booking' and s.booking_id = p_booking_id;
  if found then
    return v_session;
  end if;
  insert into public.chat_sessions (type, booking_id, created_by) values ('booking', p_booking_id, v_caller.uid)
  returning * into v_session;
  insert into public.chat_participants (session_id, user_id, role_in_session) values
    (v_session.id, v_client, 'client'), (v_session.id, v_reader, 'reader');
  return v_session;
end
$$;

-- Readings without a platform booking (the embedded backend has no bookings table, and support
-- requests on Supabase do not come from one): staff put a reader into a client's session.
-- Staff only; the reader must be a reader; emergency sessions get their reader through accept_emergency.
create or replace function public.assign_reader(p_session_id uuid, p_reader_id uuid) returns public.chat_participants
language plpgsql security definer set search_path = pg_catalog, pg_temp
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

revoke all on function public.open_support_session(uuid) from public, anon;
revoke all on function public.join_session(uuid) from public, anon;
revoke all on function public.open_booking_session(uuid) from public, anon;
revoke all on function public.assign_reader(uuid, uuid) from public, anon;
grant execute on function public.open_support_session(uuid) to authenticated;
grant execute on function public.join_session(uuid) to authenticated;
grant execute on function public.open_booking_session(uuid) to authenticated;
grant execute on function public.assign_reader(uuid, uuid) to authenticated;
