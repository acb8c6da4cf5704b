-- audit_log: append-only record of who changed what. Written by triggers (message status, edits and
-- reviews, emergencies, role changes, console settings) and by the legacy consolidation
-- (source_table / source_id). Nobody, not even the owner, can update or delete a row.
create table if not exists public.audit_log (
  id bigint generated always as identity primary key,
  table_name text not null,
  row_id text,
  action text not null,
  actor_id uuid,
  old_values jsonb,
  new_values jsonb,
  source_table text,
  source_id text,
  created_at timestamptz not null default now()
);
create index if not exists audit_log_row_idx on public.audit_log (table_name, row_id);
create index if not exists audit_log_created_idx on public.audit_log (created_at);
create index if not exists audit_log_actor_idx on public.audit_log (actor_id) where actor_id is not null;

revoke all on public.audit_log from anon, authenticated, service_role, public;
grant select on public.audit_log to authenticated;
grant select, insert on public.audit_log to service_role;

create or replace function private.audit_log_append_only() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  perform private.raise('SA480', 'audit.append_only', jsonb_build_object('operation', tg_op));
  return null;
end
$$;

create or replace trigger audit_log_no_update_delete before update or delete on public.audit_log
  for each row execute function private.audit_log_append_only();
create or replace trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.audit_log_append_only();

create or replace function private.audit_row() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_row_id text;
  v_action text := lower(tg_op);
begin
  if tg_table_name = 'app_settings' then
    v_row_id := coalesce(new.key, old.key);
    if v_row_id not like 'console.%' then
      return null;
    end if;
  else
    v_row_id := coalesce(to_jsonb(new) ->> 'id', to_jsonb(old) ->> 'id');
  end if;
  if tg_table_name = 'chat_messages' and tg_op = 'UPDATE' then
    v_action := case
      when new.status is distinct from old.status then 'status:' || new.status
      else 'edit' end;
  elsif tg_table_name = 'emergency_calls' and tg_op = 'UPDATE' then
    v_action := 'state:' || new.state;
  elsif tg_table_name = 'profiles' then
    v_action := 'role_change';
  end if;
  insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values)
  values (tg_table_name, v_row_id, v_action, auth.uid(),
          case when tg_op = 'INSERT' then null else to_jsonb(old) end,
          case when tg_op = 'DELETE' then null else to_jsonb(new) end);
  return null;
end
$$;

create or replace trigger chat_messages_audit after update on public.chat_messages
  for each row
  when (old.status is distinct from new.status or old.body is distinct from new.body
        or old.reviewed_at is distinct from new.reviewed_at)
  execute function private.audit_row();
create or replace trigger chat_messages_audit_delete after delete on public.chat_messages
  for each row execute function private.audit_row();
create or replace trigger emergency_calls_audit after insert or update on public.emergency_calls
  for each row execute function private.audit_row();
-- Profiles carry many platform columns (some secret): only role changes are audited, with just
-- the fields that matter.
create or replace function private.audit_profile_role() returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values)
  values ('profiles', new.id::text, 'role_change', auth.uid(),
          jsonb_build_object('role', old.role, 'emergency_opt_in', old.emergency_opt_in),
          jsonb_build_object('role', new.role, 'emergency_opt_in', new.emergency_opt_in));
  return null;
end
$$;
create or replace trigger profiles_console_role_audit after update on public.profiles
  for each row
  when (old.role is distinct from new.role or old.emergency_opt_in is distinct from new.emergency_opt_in)
  execute function private.audit_profile_role();
create or replace trigger app_settings_console_audit after insert or update or delete on public.app_settings
  for each row execute function private.audit_row();

alter table public.audit_log enable row level security;
