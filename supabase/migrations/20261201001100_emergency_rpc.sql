-- Emergency state machine:
--   ringing --accept (reader, first wins)--> accepted --resolve--> resolved
--   ringing --deadline--> escalated L1 (monitors, admins) --deadline--> escalated L2 (super admins)
--   escalated --accept (reader)--> accepted ; escalated --acknowledge (staff)--> acknowledged --resolve--> resolved
-- Deadlines are data (escalate_at) moved by advance_emergencies(), never an in-process timer.

create or replace function private.emergency_event(p_call_id uuid, p_kind text, p_actor uuid, p_detail jsonb default '{}'::jsonb)
returns void
language sql security definer set search_path = pg_catalog, pg_temp
as $$
  insert into public.emergency_events (call_id, kind, actor_id, detail) values (p_call_id, p_kind, p_actor, coalesce(p_detail, '{}'::jsonb))
$$;
revoke all on function private.emergency_event(uuid, text, uuid, jsonb) from public;

create or replace function public.request_emergency() returns public.emergency_calls
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_call public.emergency_calls;
  v_session uuid;
  v_ring bigint := private.setting_int(private.console_settings(), 'console.emergency.ring_timeout_seconds');
begin
  select * into v_caller from private.require_caller();
  if v_caller.role <> 'client' then
    perform private.raise('SA450', 'emergency.clients_only', jsonb_build_object('role', v_caller.role));
  end if;
  perform pg_advisory_xact_lock(hashtextextended('samia.request_emergency:' || v_caller.uid::text, 0));
  -- A repeated request (retry, double click) returns the emergency already open.
  select * into v_call from public.emergency_calls c
  where c.client_id = v_caller.uid and c.state in ('ringing', 'accepted', 'escalated', 'acknowledged');
  if found then
    return v_call;
  end if;
  insert into public.chat_sessions (type, created_by) values ('emergency', v_caller.uid) returning id into v_session;
  insert into public.chat_participants (session_id, user_id, role_in_session) values (v_session, v_caller.uid, 'client');
  insert into public.emergency_calls (session_id, client_id, state, escalation_level, escalate_at)
  values (v_session, v_caller.uid, 'ringing', 0, now() + make_interval(secs => v_ring))
  returning * into v_call;
  perform private.emergency_event(v_call.id, 'requested', v_caller.uid, jsonb_build_object('escalate_at', v_call.escalate_at));
  insert into public.chat_messages (session_id, sender_id, type, body, status)
  values (v_session, v_caller.uid, 'emergency', null, 'sent');
  update public.chat_sessions set last_message_at = now() where id = v_session;
  return v_call;
end
$$;

create or replace function public.accept_emergency(p_call_id uuid) returns public.emergency_calls
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_call public.emergency_calls;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role <> 'reader' then
    perform private.raise('SA451', 'emergency.readers_only', jsonb_build_object('role', v_caller.role));
  end if;
  if not exists (select 1 from public.profiles p where p.id = v_caller.uid and p.emergency_opt_in) then
    perform private.raise('SA452', 'emergency.not_opted_in');
  end if;
  -- First reader wins: concurrent acceptors block on the row and then find it taken.
  update public.emergency_calls c
     set state = 'accepted', accepted_by = v_caller.uid, accepted_at = now(), escalate_at = null
   where c.id = p_call_id and c.state in ('ringing', 'escalated') and c.accepted_by is null
  returning * into v_call;
  if not found then
    select * into v_call from public.emergency_calls c where c.id = p_call_id;
    if not found then
      perform private.raise('SA406', 'emergency.call_not_found', jsonb_build_object('call_id', p_call_id));
    end if;
    perform private.raise('SA453', 'emergency.already_taken', jsonb_build_object('call_id', p_call_id, 'state', v_call.state));
  end if;
  insert into public.chat_participants (session_id, user_id, role_in_session)
  values (v_call.session_id, v_caller.uid, 'reader')
  on conflict on constraint chat_participants_pkey do nothing;
  perform private.emergency_event(v_call.id, 'accepted', v_caller.uid);
  return v_call;
end
$$;

create or replace function public.acknowledge_emergency(p_call_id uuid) returns public.emergency_calls
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_call public.emergency_calls;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('monitor', 'admin', 'super_admin') then
    perform private.raise('SA454', 'emergency.staff_only', jsonb_build_object('role', v_caller.role));
  end if;
  update public.emergency_calls c
     set state = 'acknowledged', acknowledged_by = v_caller.uid, acknowledged_at = now(), escalate_at = null
   where c.id = p_call_id and c.state = 'escalated'
  returning * into v_call;
  if not found then
    select * into v_call from public.emergency_calls c where c.id = p_call_id;
    if not found then
      perform private.raise('SA406', 'emergency.call_not_found', jsonb_build_object('call_id', p_call_id));
    end if;
    if v_call.state in ('acknowledged', 'accepted') then
      perform private.raise('SA455', 'emergency.already_acknowledged', jsonb_build_object('call_id', p_call_id, 'state', v_call.state,
        'by', coalesce(v_call.acknowledged_by, v_call.accepted_by)));
    end if;
    perform private.raise('SA456', 'emergency.invalid_state', jsonb_build_object('call_id', p_call_id, 'state', v_call.state, 'expected', 'escalated'));
  end if;
  insert into public.chat_participants (session_id, user_id, role_in_session)
  values (v_call.session_id, v_caller.uid, 'staff')
  on conflict on constraint chat_participants_pkey do nothing;
  perform private.emergency_event(v_call.id, 'acknowledged', v_caller.uid, jsonb_build_object('escalation_level', v_call.escalation_level));
  return v_call;
end
$$;

create or replace function public.resolve_emergency(p_call_id uuid, p_note text) returns public.emergency_calls
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_call public.emergency_calls;
  v_note text := private.trim_text(p_note);
begin
  select * into v_caller from private.require_caller();
  if v_note is null then
    perform private.raise('SA457', 'emergency.note_required');
  end if;
  perform private.check_text_length('p_note', v_note,
    private.setting_int(private.console_settings(), 'console.message.max_note_length'));
  select * into v_call from public.emergency_calls c where c.id = p_call_id for update;
  if not found then
    perform private.raise('SA406', 'emergency.call_not_found', jsonb_build_object('call_id', p_call_id));
  end if;
  if v_caller.uid is distinct from v_call.accepted_by and v_caller.uid is distinct from v_call.acknowledged_by
     and v_caller.role not in ('admin', 'super_admin') then
    if v_caller.role in ('monitor', 'reader') or v_caller.uid = v_call.client_id then
      perform private.raise('SA458', 'emergency.not_responsible', jsonb_build_object('call_id', p_call_id));
    end if;
    perform private.raise('SA406', 'emergency.call_not_found', jsonb_build_object('call_id', p_call_id));
  end if;
  if v_call.state not in ('accepted', 'acknowledged') then
    perform private.raise('SA456', 'emergency.invalid_state', jsonb_build_object('call_id', p_call_id, 'state', v_call.state, 'expected', jsonb_build_array('accepted', 'acknowledged')));
  end if;
  update public.emergency_calls c
     set state = 'resolved', resolved_by = v_caller.uid, resolved_at = now(), resolution_note = v_note, escalate_at = null
   where c.id = p_call_id
  returning * into v_call;
  update public.chat_sessions set status = 'ended' where id = v_call.session_id;
  perform private.emergency_event(v_call.id, 'resolved', v_caller.uid, jsonb_build_object('note', v_note));
  return v_call;
end
$$;

-- Escalates every emergency whose deadline has passed, one level per call. Idempotent and safe
-- to run concurrently (pg_cron, several consoles): rows another caller is escalating are skipped,
-- and a row is only escalated while its deadline is still in the past.
-- Callers: the scheduler (pg_cron as the migrations' role, the embedded backend's sweep, a tool with
-- the service role) and staff consoles. A signed-in user is told apart by the role the session acts
-- as (the `role` setting, which SET ROLE sets and a SECURITY DEFINER call leaves as it was; JWT claims
-- are the caller's to write and prove nothing here): as `authenticated`, only staff.
create or replace function public.advance_emergencies() returns integer
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  s jsonb := private.console_settings();
  v_level1 bigint := private.setting_int(s, 'console.emergency.level1_timeout_seconds');
  v_count integer := 0;
  v_caller record;
  r record;
begin
  if current_setting('role', true) in ('authenticated', 'anon') then
    select * into v_caller from private.require_caller();
    if v_caller.role not in ('monitor', 'admin', 'super_admin') then
      perform private.raise('SA454', 'emergency.staff_only', jsonb_build_object('role', v_caller.role));
    end if;
  end if;
  for r in
    with due as (
      select c.id from public.emergency_calls c
      where c.state in ('ringing', 'escalated') and c.escalate_at <= now() and c.escalation_level < 2
      order by c.escalate_at
      for update skip locked
    )
    update public.emergency_calls c
       set state = 'escalated',
           escalation_level = c.escalation_level + 1,
           escalate_at = case when c.escalation_level + 1 >= 2 then null else now() + make_interval(secs => v_level1) end
      from due
     where c.id = due.id
    returning c.id, c.escalation_level, c.escalate_at
  loop
    perform private.emergency_event(r.id, 'escalated', auth.uid(),
      jsonb_build_object('escalation_level', r.escalation_level, 'escalate_at', r.escalate_at,
                         'audience', case r.escalation_level when 1 then 'monitor,admin' else 'super_admin' end));
    v_count := v_count + 1;
  end loop;
  return v_count;
end
$$;

-- The emergency board: every open call the caller may see, always (a call that is still ringing must
-- never fall outside a page), the most urgent first (unanswered before taken, higher escalation first,
-- then the longest waiting); then the most recent closed calls, up to p_limit rows in all.
-- SECURITY INVOKER: the policies on emergency_calls decide what the caller sees.
create or replace function public.list_emergencies(p_limit integer default 200)
returns setof public.emergency_calls
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  return query
    with open_calls as (
      select c.* from public.emergency_calls c
      where c.state in ('ringing', 'accepted', 'escalated', 'acknowledged')
    ),
    closed_calls as (
      select c.* from public.emergency_calls c
      where c.state in ('resolved', 'cancelled')
      order by c.created_at desc, c.id desc
      limit greatest(p_limit - (select count(*) from open_calls), 0)
    )
    select (b.call).*
    from (
      select o as call, 0 as closed, case when o.state in ('ringing', 'escalated') then 0 else 1 end as taken,
             o.escalation_level, o.created_at, o.id
      from open_calls o
      union all
      select k, 1, 0, 0, k.created_at, k.id
      from closed_calls k
    ) b
    order by b.closed, b.taken, b.escalation_level desc,
             case when b.closed = 0 then b.created_at end asc,
             case when b.closed = 1 then b.created_at end desc,
             case when b.closed = 0 then b.id end asc,
             case when b.closed = 1 then b.id end desc;
end
$$;

revoke all on function public.list_emergencies(integer) from public, anon;
grant execute on function public.list_emergencies(integer) to authenticated;

revoke all on function public.request_emergency() from public, anon;
revoke all on function public.accept_emergency(uuid) from public, anon;
revoke all on function public.acknowledge_emergency(uuid) from public, anon;
revoke all on function public.resolve_emergency(uuid, text) from public, anon;
revoke all on function public.advance_emergencies() from public, anon;
grant execute on function public.request_emergency() to authenticated;
grant execute on function public.accept_emergency(uuid) to authenticated;
grant execute on function public.acknowledge_emergency(uuid) to authenticated;
grant execute on function public.resolve_emergency(uuid, text) to authenticated;
-- The scheduler (pg_cron, the embedded backend's sweep) runs it as service_role too.
grant execute on function public.advance_emergencies() to authenticated, service_role;

-- On Supabase pg_cron advances the deadlines every five seconds without any console, and the migration
-- stops with an error when the sweep cannot be scheduled: an emergency that never escalates must not go
-- unnoticed. On PGlite and plain PostgreSQL the main process runs the sweep (the embedded backend's timer
-- calls advance_emergencies()): private.schedule_sweep decides which.
select private.schedule_sweep('samia-advance-emergencies', '5 seconds', 'select public.advance_emergencies()', 'emergency sweep');
