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
    check (state <> 'resolved' or (resolved_by is not null and coalesce(btrim(resolution_note), '') <> ''))
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

revoke all on public.emergency_calls, public.emergency_events from anon, authenticated, public;
grant select on public.emergency_calls, public.emergency_events to authenticated;
grant all on public.emergency_calls, public.emergency_events to service_role;

-- The client of the call, whoever took it, staff; and opted-in readers while it is open, so that it
-- can ring for them (a taken call leaves the other readers' screens).
alter table public.emergency_calls enable row level security;
drop policy if exists emergency_calls_select on public.emergency_calls;
create policy emergency_calls_select on public.emergency_calls
  for select to authenticated
  using (client_id = (select auth.uid())
         or accepted_by = (select auth.uid())
         or acknowledged_by = (select auth.uid())
         or (select private.is_staff())
         or (state in ('ringing', 'escalated') and (select private.is_emergency_reader())));

-- The history of a call is readable by whoever may read the call.
alter table public.emergency_events enable row level security;
drop policy if exists emergency_events_select on public.emergency_events;
create policy emergency_events_select on public.emergency_events
  for select to authenticated
  using (exists (select 1 from public.emergency_calls c where c.id = call_id));

create or replace trigger emergency_calls_audit after insert or update on public.emergency_calls
  for each row execute function private.audit_row();
