-- The helpers on send_message's path, made cheaper (send_message itself and its O(1) counters are in
-- ..._chat_rpc.sql).
-- PL/pgSQL rather than SQL from here on for the hot helpers: a SECURITY DEFINER SQL function is
-- never inlined and is planned again at every call; PL/pgSQL keeps its plans for the session.
create or replace function private.console_settings() returns jsonb
language plpgsql
stable
security definer
set search_path = ''
as $$
begin
  return (select jsonb_object_agg(d.key, coalesce(s.value, d.default_value))
          from private.setting_definitions d
          left join public.app_settings s on s.key = d.key and s.key like 'console.%');
end
$$;

create or replace function private.my_role() returns text
language plpgsql stable security definer set search_path = ''
as $$
begin
  return (select coalesce(p.role, 'client') from public.profiles p where p.id = auth.uid());
end
$$;

create or replace function private.is_staff() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() in ('monitor', 'admin', 'super_admin'), false);
end
$$;

create or replace function private.is_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() in ('admin', 'super_admin'), false);
end
$$;

create or replace function private.is_super_admin() returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return coalesce(private.my_role() = 'super_admin', false);
end
$$;

create or replace function private.is_participant(p_session_id uuid) returns boolean
language plpgsql stable security definer set search_path = ''
as $$
begin
  return exists (select 1 from public.chat_participants cp
                 where cp.session_id = p_session_id and cp.user_id = auth.uid());
end
$$;
revoke all on function private.console_settings() from public;

create or replace function public.get_console_settings() returns jsonb
language sql
stable
security definer
set search_path = ''
as $$
  select jsonb_object_agg(
    d.key,
    case d.kind
      when 'int' then to_jsonb(coalesce(s.value, d.default_value)::bigint)
      else to_jsonb(string_to_array(coalesce(s.value, d.default_value), ','))
    end)
  from private.setting_definitions d
  left join public.app_settings s on s.key = d.key and s.key like 'console.%'
  where auth.uid() is not null
$$;
revoke all on function public.get_console_settings() from public, anon;
grant execute on function public.get_console_settings() to authenticated;




