-- Triage: each user's own state of a session (marked unread, snoozed, muted) and their do-not-disturb plan.
-- Per user and in SQL so it follows the user to every computer they sign in on. Nobody reads or writes
-- another's rows: RLS shows the API roles their own rows only, and every write is an RPC below.
--
-- Marks and snoozes end by themselves, derived when read rather than cleared by triggers:
--   marked unread   until the user reads the session after marking it (chat_participants.last_read_at
--                   passes marked_unread_at, which mark_read moves).
--   snoozed         until snoozed_until, or (snooze_until_reply) until the session's client writes a message
--                   the user may see after snoozed_at.
create table if not exists public.session_triage (
  user_id uuid not null references public.profiles (id) on delete cascade,
  session_id uuid not null references public.chat_sessions (id) on delete cascade,
  muted boolean not null default false,
  marked_unread_at timestamptz,
  snoozed_at timestamptz,
  snoozed_until timestamptz,
  snooze_until_reply boolean not null default false,
  updated_at timestamptz not null default now(),
  primary key (user_id, session_id),
  -- A snooze has exactly one end: a time or the client's next message.
  constraint session_triage_snooze_check check (
    (snoozed_at is null and snoozed_until is null and not snooze_until_reply)
    or (snoozed_at is not null and ((snoozed_until is not null) <> snooze_until_reply)))
);
create index if not exists session_triage_session_idx on public.session_triage (session_id);

-- Do-not-disturb: on until turned off (manual), a timer (until) and/or a daily schedule (start and end as
-- wall-clock times in the user's time zone; an end before the start runs past midnight). The console evaluates it: message alerts, sounds,
-- the taskbar flash, the badge's message count and reply reminders wait; emergencies always ring.
create table if not exists public.do_not_disturb (
  user_id uuid primary key references public.profiles (id) on delete cascade,
  manual boolean not null default false,
  until timestamptz,
  schedule_start time,
  schedule_end time,
  time_zone text,
  updated_at timestamptz not null default now(),
  constraint do_not_disturb_schedule_check check (
    (schedule_start is null and schedule_end is null)
    or (schedule_start is not null and schedule_end is not null and schedule_start <> schedule_end and time_zone is not null))
);

revoke all on public.session_triage, public.do_not_disturb from public, anon, authenticated, service_role;
grant select on public.session_triage, public.do_not_disturb to authenticated;
grant select, insert, update, delete on public.session_triage, public.do_not_disturb to service_role;

alter table public.session_triage enable row level security;
drop policy if exists session_triage_select_own on public.session_triage;
create policy session_triage_select_own on public.session_triage
  for select to authenticated using (user_id = (select auth.uid()));

alter table public.do_not_disturb enable row level security;
drop policy if exists do_not_disturb_select_own on public.do_not_disturb;
create policy do_not_disturb_select_own on public.do_not_disturb
  for select to authenticated using (user_id = (select auth.uid()));

-- A session's triage as the console shows it, with the marks and snoozes that have ended already off.
create type public.session_triage_view as (
  session_id uuid,
  muted boolean,
  marked_unread boolean,
  snoozed_until timestamptz,
  snoozed_until_reply boolean
);

-- Called by the SECURITY DEFINER RPCs below only (it runs with their rights); no API role calls it.
create or replace function private.triage_view(p_row public.session_triage)
returns public.session_triage_view
language plpgsql stable set search_path = pg_catalog, pg_temp
as $$
declare
  v_read_at timestamptz;
  v_replied boolean := false;
  v_view public.session_triage_view;
begin
  select cp.last_read_at into v_read_at from public.chat_participants cp
   where cp.session_id = p_row.session_id and cp.user_id = p_row.user_id;
  if p_row.snooze_until_reply then
    v_replied := exists (
      select 1 from public.chat_messages m
        join public.chat_participants cp on cp.session_id = m.session_id and cp.user_id = m.sender_id
       where m.session_id = p_row.session_id and m.created_at > p_row.snoozed_at
         and cp.role_in_session = 'client' and m.sender_id <> p_row.user_id
         and private.visible_to_others(m.status, m.type, m.reviewed_at));
  end if;
  v_view.session_id := p_row.session_id;
  v_view.muted := p_row.muted;
  v_view.marked_unread := p_row.marked_unread_at is not null and coalesce(v_read_at, '-infinity') < p_row.marked_unread_at;
  v_view.snoozed_until := case when p_row.snoozed_until > now() then p_row.snoozed_until end;
  v_view.snoozed_until_reply := p_row.snooze_until_reply and not v_replied;
  return v_view;
end
$$;
revoke all on function private.triage_view(public.session_triage) from public;

-- The caller, when they may triage this session: the sessions they may read (their own; every one for staff).
-- For the SECURITY DEFINER RPCs below only.
create or replace function private.require_triage_session(p_session_id uuid) returns uuid
language plpgsql stable set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if p_session_id is null or not exists (select 1 from public.chat_sessions s where s.id = p_session_id)
     or not (private.is_staff() or private.is_participant(p_session_id)) then
    perform private.raise('SA404', 'chat.session_not_found', jsonb_build_object('session_id', p_session_id));
  end if;
  return v_caller.uid;
end
$$;
revoke all on function private.require_triage_session(uuid) from public;

-- The caller's sessions with any triage still in effect (a row whose marks and snoozes all ended and that is
-- not muted is left out).
create or replace function public.list_session_triage()
returns setof public.session_triage_view
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  return query
    select v.* from public.session_triage t
     cross join lateral private.triage_view(t) v
     where t.user_id = v_caller.uid
       and (v.muted or v.marked_unread or v.snoozed_until is not null or v.snoozed_until_reply)
     order by t.session_id;
end
$$;

-- Mark a session unread again (p_unread) or take the mark off.
create or replace function public.mark_session_unread(p_session_id uuid, p_unread boolean default true)
returns public.session_triage_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_triage_session(p_session_id);
  v_row public.session_triage;
begin
  if p_unread is null then
    perform private.raise('SA545', 'triage.invalid', jsonb_build_object('argument', 'p_unread', 'reason', 'true or false'));
  end if;
  insert into public.session_triage as t (user_id, session_id, marked_unread_at)
  values (v_uid, p_session_id, case when p_unread then now() end)
  on conflict (user_id, session_id) do update
    set marked_unread_at = case when p_unread then now() end, updated_at = now()
  returning * into v_row;
  return private.triage_view(v_row);
end
$$;

-- Mute (no sound, notification, flash or badge count for its messages; emergencies still ring) or unmute.
create or replace function public.mute_session(p_session_id uuid, p_muted boolean default true)
returns public.session_triage_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_triage_session(p_session_id);
  v_row public.session_triage;
begin
  if p_muted is null then
    perform private.raise('SA545', 'triage.invalid', jsonb_build_object('argument', 'p_muted', 'reason', 'true or false'));
  end if;
  insert into public.session_triage as t (user_id, session_id, muted)
  values (v_uid, p_session_id, p_muted)
  on conflict (user_id, session_id) do update set muted = p_muted, updated_at = now()
  returning * into v_row;
  return private.triage_view(v_row);
end
$$;

-- Snooze until p_until (a time to come, at most 30 days ahead), or until the client's next message
-- (p_until_reply); neither: the snooze ends now.
create or replace function public.snooze_session(p_session_id uuid, p_until timestamptz default null, p_until_reply boolean default false)
returns public.session_triage_view
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := private.require_triage_session(p_session_id);
  v_row public.session_triage;
  v_reply boolean := coalesce(p_until_reply, false);
begin
  if p_until is not null and v_reply then
    perform private.raise('SA546', 'triage.invalid_snooze', jsonb_build_object('reason', 'a time or the next message, not both'));
  end if;
  if p_until is not null and (p_until <= now() or p_until > now() + interval '30 days') then
    perform private.raise('SA546', 'triage.invalid_snooze', jsonb_build_object('reason', 'the end must be within the next 30 days', 'until', p_until));
  end if;
  insert into public.session_triage as t (user_id, session_id, snoozed_at, snoozed_until, snooze_until_reply)
  values (v_uid, p_session_id, case when p_until is not null or v_reply then now() end, p_until, v_reply)
  on conflict (user_id, session_id) do update
    set snoozed_at = excluded.snoozed_at, snoozed_until = excluded.snoozed_until,
        snooze_until_reply = excluded.snooze_until_reply, updated_at = now()
  returning * into v_row;
  return private.triage_view(v_row);
end
$$;

-- The caller's do-not-disturb plan (all null when they never set one).
create or replace function public.get_do_not_disturb()
returns table (manual boolean, until timestamptz, schedule_start time, schedule_end time, time_zone text)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  return query
    select coalesce(d.manual, false), d.until, d.schedule_start, d.schedule_end, d.time_zone
      from (select 1) one
      left join public.do_not_disturb d on d.user_id = v_caller.uid;
end
$$;

-- Replaces the caller's plan. p_manual: on until turned off. p_until: a time to come (at most 7 days ahead) or null. The schedule: both times
-- or neither, different, with an IANA time zone the database knows.
create or replace function public.set_do_not_disturb(
  p_manual boolean default false,
  p_until timestamptz default null,
  p_schedule_start time default null,
  p_schedule_end time default null,
  p_time_zone text default null
) returns table (manual boolean, until timestamptz, schedule_start time, schedule_end time, time_zone text)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if p_manual is null then
    perform private.raise('SA547', 'dnd.invalid', jsonb_build_object('argument', 'p_manual', 'reason', 'true or false'));
  end if;
  if p_until is not null and (p_until <= now() or p_until > now() + interval '7 days') then
    perform private.raise('SA547', 'dnd.invalid', jsonb_build_object('argument', 'p_until', 'reason', 'within the next 7 days'));
  end if;
  if (p_schedule_start is null) <> (p_schedule_end is null) or p_schedule_start = p_schedule_end then
    perform private.raise('SA547', 'dnd.invalid', jsonb_build_object('argument', 'p_schedule_start, p_schedule_end', 'reason', 'both times, different, or neither'));
  end if;
  if p_schedule_start is not null then
    if p_time_zone is null or length(p_time_zone) > 64 then
      perform private.raise('SA547', 'dnd.invalid', jsonb_build_object('argument', 'p_time_zone', 'reason', 'an IANA time zone'));
    end if;
    begin
      perform now() at time zone p_time_zone;
    exception when invalid_parameter_value then
      perform private.raise('SA547', 'dnd.invalid', jsonb_build_object('argument', 'p_time_zone', 'reason', 'an IANA time zone'));
    end;
  end if;
  insert into public.do_not_disturb as d (user_id, manual, until, schedule_start, schedule_end, time_zone)
  values (v_caller.uid, p_manual, p_until, p_schedule_start, p_schedule_end, case when p_schedule_start is not null then p_time_zone end)
  on conflict (user_id) do update
    set manual = excluded.manual, until = excluded.until, schedule_start = excluded.schedule_start, schedule_end = excluded.schedule_end,
        time_zone = excluded.time_zone, updated_at = now();
  return query select d.manual, d.until, d.schedule_start, d.schedule_end, d.time_zone from public.do_not_disturb d where d.user_id = v_caller.uid;
end
$$;

revoke all on function public.list_session_triage() from public, anon;
revoke all on function public.mark_session_unread(uuid, boolean) from public, anon;
revoke all on function public.mute_session(uuid, boolean) from public, anon;
revoke all on function public.snooze_session(uuid, timestamptz, boolean) from public, anon;
revoke all on function public.get_do_not_disturb() from public, anon;
revoke all on function public.set_do_not_disturb(boolean, timestamptz, time, time, text) from public, anon;
grant execute on function public.list_session_triage() to authenticated;
grant execute on function public.mark_session_unread(uuid, boolean) to authenticated;
grant execute on function public.mute_session(uuid, boolean) to authenticated;
grant execute on function public.snooze_session(uuid, timestamptz, boolean) to authenticated;
grant execute on function public.get_do_not_disturb() to authenticated;
grant execute on function public.set_do_not_disturb(boolean, timestamptz, time, time, text) to authenticated;
