-- audit_log: the append-only record of who changed what. Written by triggers (message status, edits,
-- reviews and flags; emergencies; role changes; console settings), attached beside each audited table,
-- and by the legacy consolidation (source_table / source_id). Nobody, not even the owner, can update,
-- delete or truncate a row: an audit trail an admin can edit proves nothing.
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
-- The identity's sequence: nobody but the owner touches it (an identity column needs no privilege on it
-- to insert). Default privileges hand the API roles USAGE, SELECT and UPDATE on new sequences, and a
-- setval(…, max) survives any rollback: every audited write would fail from then on.
revoke all on sequence public.audit_log_id_seq from anon, authenticated, service_role, public;

create or replace function private.audit_log_append_only() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.raise('SA480', 'audit.append_only', jsonb_build_object('operation', tg_op));
  return null;
end
$$;

revoke all on function private.audit_log_append_only() from public;

create or replace trigger audit_log_no_update_delete before update or delete on public.audit_log
  for each row execute function private.audit_log_append_only();
create or replace trigger audit_log_no_truncate before truncate on public.audit_log
  for each statement execute function private.audit_log_append_only();

-- Admins read the trail; everyone else sees nothing of it.
alter table public.audit_log enable row level security;
drop policy if exists audit_log_select_admin on public.audit_log;
create policy audit_log_select_admin on public.audit_log
  for select to authenticated using ((select private.is_admin()));

-- The generic row trigger (SECURITY DEFINER: the API roles have no INSERT on audit_log). The action
-- says what kind of change it was, so the trail can be read without diffing old and new values:
--   chat_messages   status:<new status> | flag | unflag | edit | delete
--   emergency_calls insert | state:<new state>
--   app_settings    insert | update | delete (console.* keys only: platform keys are not ours)
create or replace function private.audit_row() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
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
      when new.flagged is distinct from old.flagged or new.flagged_reason is distinct from old.flagged_reason
        then case when new.flagged then 'flag' else 'unflag' end
      else 'edit' end;
  elsif tg_table_name = 'emergency_calls' and tg_op = 'UPDATE' then
    v_action := 'state:' || new.state;
  elsif tg_table_name = 'profiles' then
    v_action := 'role_change';
  end if;
  -- A message's search_vector is derived from its body, which is kept: the index data would only swell the log.
  insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values)
  values (tg_table_name, v_row_id, v_action, auth.uid(),
          case when tg_op = 'INSERT' then null else to_jsonb(old) - 'search_vector' end,
          case when tg_op = 'DELETE' then null else to_jsonb(new) - 'search_vector' end);
  return null;
end
$$;
revoke all on function private.audit_row() from public;
