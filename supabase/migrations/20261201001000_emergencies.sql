-- Emergencies: one row per call with its state machine and deadline (escalate_at is data, advanced by
-- public.advance_emergencies(), never an in-process timer that a restart loses), plus its history.
create table if not exists public.emergency_calls (
  id uuid primary key default gen_random_uuid(),
  session_id uuid not null references public.chat_sessions (id),
  client_id uuid not null references public.profiles (id),
  state text not null default 'ringing'
    check (state in ('ringing', 'accepted', 'escalated', 'acknowledged', 'resolved', 'cancelled')),
  escalation_level smallint not null default 0 check (escalation_level between 0 and 2),
  escalate_at timestamptz,
  accepted_by uuid references public.profiles (id),
  accepted_at timestamptz,
  acknowledged_by uuid references public.profiles (id),
  acknowledged_at timestamptz,
  resolved_by uuid references public.profiles (id),
  resolved_at timestamptz,
  resolution_note text,
  created_at timestamptz not null default now(),
  constraint emergency_calls_resolved_check
    check (state <> 'resolved' or (resolved_by is not null and not private.is_blank(resolution_note)))
);
-- One open emergency per client (also what makes request_emergency idempotent under races).
create unique index if not exists emergency_calls_one_open_per_client on public.emergency_calls (client_id)
  where state in ('ringing', 'accepted', 'escalated', 'acknowledged');
create index if not exists emergency_calls_client_idx on public.emergency_calls (client_id, created_at);
create index if not exists emergency_calls_due_idx on public.emergency_calls (escalate_at)
  where state in ('ringing', 'escalated');
create index if not exists emergency_calls_session_idx on public.emergency_calls (session_id);
create index if not exists emergency_calls_accepted_by_idx on public.emergency_calls (accepted_by) where accepted_by is not null;
create index if not exists emergency_calls_acknowledged_by_idx on public.emergency_calls (acknowledged_by) where acknowledged_by is not null;
create index if not exists emergency_calls_open_idx on public.emergency_calls (state) where state in ('ringing', 'escalated');

create table if not exists public.emergency_events (
  id bigint generated always as identity primary key,
  call_id uuid not null references public.emergency_calls (id),
  kind text not null check (kind in ('requested', 'escalated', 'accepted', 'acknowledged', 'resolved', 'cancelled')),
  actor_id uuid references public.profiles (id),
  at timestamptz not null default now(),
  detail jsonb not null default '{}'::jsonb
);
-- list_emergencies: the most recent closed calls after the open ones.
create index if not exists emergency_calls_closed_idx on public.emergency_calls (created_at, id)
  where state in ('resolved', 'cancelled');
create index if not exists emergency_events_call_idx on public.emergency_events (call_id, at);

revoke all on public.emergency_calls, public.emergency_events from anon, authenticated, service_role, public;
grant select on public.emergency_calls, public.emergency_events to authenticated;
grant select, insert, update, delete on public.emergency_calls, public.emergency_events to service_role;
-- As for audit_log: a setval on the history's sequence would break every emergency step from then on.
revoke all on sequence public.emergency_events_id_seq from anon, authenticated, service_role, public;

-- Who may read a call: its client, whoever took it, staff; and opted-in readers while it is open, so
-- that it can ring for them (a taken call leaves the other readers' screens). The one definition, for
-- the policy below (with the caller's facts) and for the realtime fan-out (with each recipient's).
create or replace function private.call_readable(
  p_state text, p_client_id uuid, p_accepted_by uuid, p_acknowledged_by uuid,
  p_user_id uuid, p_is_staff boolean, p_is_emergency_reader boolean
) returns boolean
language sql immutable parallel safe set search_path = pg_catalog, pg_temp
as $$
  select p_user_id is not null
     and (p_client_id = p_user_id
          or p_accepted_by = p_user_id
          or p_acknowledged_by = p_user_id
          or coalesce(p_is_staff, false)
          or (p_state in ('ringing', 'escalated') and coalesce(p_is_emergency_reader, false)))
$$;
revoke all on function private.call_readable(text, uuid, uuid, uuid, uuid, boolean, boolean) from public;
grant execute on function private.call_readable(text, uuid, uuid, uuid, uuid, boolean, boolean) to authenticated, service_role;

alter table public.emergency_calls enable row level security;
drop policy if exists emergency_calls_select on public.emergency_calls;
create policy emergency_calls_select on public.emergency_calls
  for select to authenticated
  using (private.call_readable(state, client_id, accepted_by, acknowledged_by,
                               (select auth.uid()), (select private.is_staff()), (select private.is_emergency_reader())));

-- The history of a call is readable by whoever may read the call.
alter table public.emergency_events enable row level security;
drop policy if exists emergency_events_select on public.emergency_events;
create policy emergency_events_select on public.emergency_events
  for select to authenticated
  using (exists (select 1 from public.emergency_calls c where c.id = call_id));

-- The state machine (..._emergency_rpc.sql) holds for every writer, the service role and operators
-- included: only its transitions, each setting exactly its own columns; who took a call, when, and how
-- it ended never change afterwards; a closed call never changes at all.
--   ringing      -> escalated (level + 1), accepted, cancelled
--   escalated    -> escalated (level + 1), accepted, acknowledged, cancelled
--   accepted     -> resolved, cancelled
--   acknowledged -> resolved, cancelled
-- Within an open state only the deadline (escalate_at) may move.
create or replace function private.guard_emergency_transition() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_allowed boolean;
begin
  v_allowed := case old.state
    when 'ringing' then new.state in ('ringing', 'escalated', 'accepted', 'cancelled')
    when 'escalated' then new.state in ('escalated', 'accepted', 'acknowledged', 'cancelled')
    when 'accepted' then new.state in ('accepted', 'resolved', 'cancelled')
    when 'acknowledged' then new.state in ('acknowledged', 'resolved', 'cancelled')
    else false end
    and new.id = old.id and new.session_id = old.session_id and new.client_id = old.client_id
    and new.created_at = old.created_at
    -- escalation: one level at a time, only into escalated, never back
    and (new.escalation_level = old.escalation_level
         or (new.state = 'escalated' and new.escalation_level = old.escalation_level + 1))
    and (new.state <> 'escalated' or old.state = 'escalated' or new.escalation_level = old.escalation_level + 1)
    -- taken: set once, by the transition into accepted / acknowledged
    and (new.accepted_by is not distinct from old.accepted_by and new.accepted_at is not distinct from old.accepted_at
         or (new.state = 'accepted' and old.state <> 'accepted' and old.accepted_by is null
             and new.accepted_by is not null and new.accepted_at is not null))
    and (new.acknowledged_by is not distinct from old.acknowledged_by and new.acknowledged_at is not distinct from old.acknowledged_at
         or (new.state = 'acknowledged' and old.state <> 'acknowledged' and old.acknowledged_by is null
             and new.acknowledged_by is not null and new.acknowledged_at is not null))
    and (new.state <> 'accepted' or new.accepted_by is not null)
    and (new.state <> 'acknowledged' or new.acknowledged_by is not null)
    -- ended: set once, by the transition into resolved
    and (new.resolved_by is not distinct from old.resolved_by and new.resolved_at is not distinct from old.resolved_at
         and new.resolution_note is not distinct from old.resolution_note
         or (new.state = 'resolved' and old.state <> 'resolved' and new.resolved_at is not null))
    -- the deadline moves only while the call is open
    and (new.escalate_at is not distinct from old.escalate_at or old.state in ('ringing', 'escalated', 'accepted', 'acknowledged'));
  if not coalesce(v_allowed, false) then
    perform private.raise('SA459', 'emergency.invalid_transition', jsonb_build_object('call_id', old.id, 'from', old.state, 'to', new.state));
  end if;
  return new;
end
$$;
revoke all on function private.guard_emergency_transition() from public;
create or replace trigger emergency_calls_state_guard before update on public.emergency_calls
  for each row when (old.* is distinct from new.*)
  execute function private.guard_emergency_transition();

create or replace trigger emergency_calls_audit after insert or update on public.emergency_calls
  for each row execute function private.audit_row();
