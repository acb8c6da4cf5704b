-- Moves the legacy-shaped chat tables of the live project out of the way, into schema `legacy`,
-- so the unified tables can take their names in `public`. Detection is by shape (columns), so on a
-- fresh project, or once moved, this does nothing. Never DROP, never CASCADE: the consolidation
-- (issue 4) reads legacy.* and nothing else may lose data.
create schema if not exists legacy;
revoke all on schema legacy from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    execute 'revoke all on schema legacy from anon, authenticated';
  end if;
end
$$;

do $$
declare
  t record;
  v_is_legacy boolean;
  function_has_col constant text := 'select exists (select 1 from information_schema.columns where table_schema = ''public'' and table_name = $1 and column_name = $2)';
  c1 boolean;
  c2 boolean;
begin
  for t in select unnest(array['chat_sessions', 'chat_messages', 'chat_participants', 'emergency_calls']) as name loop
    if to_regclass('public.' || t.name) is null then
      continue;
    end if;
    v_is_legacy := false;
    if t.name = 'chat_sessions' then
      execute function_has_col into c1 using t.name, 'participants';
      execute function_has_col into c2 using t.name, 'created_by';
      v_is_legacy := c1 or not c2;
    elsif t.name = 'chat_messages' then
      execute function_has_col into c1 using t.name, 'content';
      execute function_has_col into c2 using t.name, 'body';
      v_is_legacy := c1 or not c2;
    elsif t.name = 'chat_participants' then
      execute function_has_col into c1 using t.name, 'session_id';
      execute function_has_col into c2 using t.name, 'role_in_session';
      v_is_legacy := not (c1 and c2);
    elsif t.name = 'emergency_calls' then
      execute function_has_col into c1 using t.name, 'state';
      execute function_has_col into c2 using t.name, 'escalate_at';
      v_is_legacy := not (c1 and c2);
    end if;
    if v_is_legacy then
      if to_regclass('legacy.' || t.name) is not null then
        raise exception 'cannot set aside public.%: legacy.% already exists; resolve by hand, nothing was moved', t.name, t.name;
      end if;
      execute format('alter table public.%I set schema legacy', t.name);
      raise notice 'moved legacy-shaped public.% to legacy.%', t.name, t.name;
    end if;
  end loop;
end
$$;
