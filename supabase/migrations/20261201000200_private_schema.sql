-- The console's own schema, and the one way a rule refuses.
--
-- `private` holds the helpers that RLS policies, triggers and RPCs are built from. It is never exposed
-- through the API (config.toml exposes `public` only). The API roles may USE it so that policies can
-- call its helpers; anon too, because RESTRICTIVE policies apply to every role (the helpers answer
-- false / nothing for anon).
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to anon, authenticated, service_role;

-- Every refusal follows one contract, so the console can translate it and the outbox can tell a
-- permanent refusal from a retryable one: SQLSTATE = 'SAnnn', MESSAGE = a stable key, DETAIL = JSON
-- parameters (listed in src/shared/errors/backend-errors.ts; the SQL suite checks the list).
create or replace function private.raise(p_code text, p_key text, p_detail jsonb default '{}'::jsonb)
returns void
language plpgsql
set search_path = ''
as $$
begin
  raise exception using errcode = p_code, message = p_key, detail = coalesce(p_detail, '{}'::jsonb)::text;
end
$$;
revoke all on function private.raise(text, text, jsonb) from public;
grant execute on function private.raise(text, text, jsonb) to authenticated, service_role;

-- Storage paths and realtime topics carry ids as text: a malformed one must read as "no such id",
-- never abort the policy that parses it.
create or replace function private.uuid_or_null(p_text text) returns uuid
language sql immutable set search_path = ''
as $$
  select case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end
$$;
revoke all on function private.uuid_or_null(text) from public;
grant execute on function private.uuid_or_null(text) to anon, authenticated, service_role;

-- Every page size an RPC takes is checked, never clamped: a caller asking for more than a page holds
-- must be told, not handed a shorter list it would take for the whole. The ceiling is PostgREST's
-- max_rows (config.toml), which would otherwise cut a set-returning answer silently.
create or replace function private.check_limit(p_argument text, p_value integer, p_max integer default 1000)
returns void
language plpgsql immutable set search_path = ''
as $$
begin
  if p_value is null or p_value < 1 or p_value > p_max then
    perform private.raise('SA400', 'request.invalid_argument',
      jsonb_build_object('argument', p_argument, 'value', p_value, 'min', 1, 'max', p_max));
  end if;
end
$$;
revoke all on function private.check_limit(text, integer, integer) from public;
grant execute on function private.check_limit(text, integer, integer) to authenticated, service_role;
