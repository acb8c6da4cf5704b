-- The audit-log viewer for admins: audit_log newest first, a keyset page at a time, filtered by actor,
-- action and date. Keyset on (created_at, id): many rows share a created_at (one transaction's rows all
-- carry its now()), and the id breaks the tie, so pages never skip or repeat a row.

create index if not exists audit_log_keyset_idx on public.audit_log (created_at, id);
create index if not exists audit_log_actor_keyset_idx on public.audit_log (actor_id, created_at, id) where actor_id is not null;
create index if not exists audit_log_action_keyset_idx on public.audit_log (action, created_at, id);

-- p_before_created_at / p_before_entry_id: the last row of the previous page (both or neither).
-- p_from / p_to: created_at in [p_from, p_to), either may be null. p_action: an exact action
-- ('status:rejected', 'role_change', ...).
create or replace function public.list_audit_log(
  p_limit integer default 100,
  p_before_created_at timestamptz default null,
  p_before_entry_id bigint default null,
  p_actor_id uuid default null,
  p_action text default null,
  p_from timestamptz default null,
  p_to timestamptz default null)
returns table (id bigint, created_at timestamptz, table_name text, row_id text, action text, actor_id uuid, actor_name text,
               old_values jsonb, new_values jsonb, source_table text, source_id text)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role not in ('admin', 'super_admin') then
    perform private.raise('SA531', 'audit.viewer_forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  perform private.check_limit('p_limit', p_limit);
  if (p_before_created_at is null) <> (p_before_entry_id is null) then
    perform private.raise('SA533', 'audit.invalid_cursor',
      jsonb_build_object('before_created_at', p_before_created_at, 'before_id', p_before_entry_id));
  end if;
  if p_from is not null and p_to is not null and p_from >= p_to then
    perform private.raise('SA532', 'figures.invalid_range', jsonb_build_object('from', p_from, 'to', p_to));
  end if;
  if p_action is not null and (private.trim_text(p_action) is null or length(p_action) > 200) then
    perform private.raise('SA400', 'request.invalid_argument',
      jsonb_build_object('argument', 'p_action', 'value', left(p_action, 200), 'reason', 'blank or longer than 200 characters'));
  end if;
  return query
    select a.id, a.created_at, a.table_name, a.row_id, a.action, a.actor_id, pr.display_name,
           a.old_values, a.new_values, a.source_table, a.source_id
    from public.audit_log a
    left join public.profiles pr on pr.id = a.actor_id
    where (p_before_created_at is null or (a.created_at, a.id) < (p_before_created_at, p_before_entry_id))
      and (p_actor_id is null or a.actor_id = p_actor_id)
      and (p_action is null or a.action = p_action)
      and (p_from is null or a.created_at >= p_from)
      and (p_to is null or a.created_at < p_to)
    order by a.created_at desc, a.id desc
    limit p_limit;
end
$$;
revoke all on function public.list_audit_log(integer, timestamptz, bigint, uuid, text, timestamptz, timestamptz) from public, anon;
grant execute on function public.list_audit_log(integer, timestamptz, bigint, uuid, text, timestamptz, timestamptz) to authenticated;
