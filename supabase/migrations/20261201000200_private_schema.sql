-- The console's own schema, the one way a rule refuses, and the rules every function follows.
--
-- `private` holds the helpers that RLS policies, triggers and RPCs are built from. It is never exposed
-- through the API (config.toml exposes `public` only). `authenticated` (and service_role) may USE it so
-- that the policies and SECURITY INVOKER reads evaluated under their rights can call the few helpers
-- granted to them; anon may not: no policy anon can reach calls a helper (anon holds no privilege on
-- the console's tables), so anon gets nothing here at all.
--
-- Every function of the migrations pins `set search_path = pg_catalog, pg_temp`, and names every
-- relation, function and type of the console with its schema. pg_catalog comes first so that a bare
-- type name (uuid, text, jsonb, timestamptz, ...: in casts, declarations, and in the bodies of the
-- platform's SQL functions such as auth.uid() that get inlined into ours) always means the built-in
-- type: with an empty search_path PostgreSQL would look in pg_temp first, where any role holding TEMP
-- can create a domain `uuid` whose CHECK runs its own code, as the function's owner. pg_temp is named
-- last so that nothing is ever found there before pg_catalog (pg_temp is never searched for functions
-- or operators). tests/sql/adversarial.ts attacks every SECURITY DEFINER function this way.
create schema if not exists private;
revoke all on schema private from public;
do $$
begin
  if exists (select 1 from pg_roles where rolname = 'anon') then
    execute 'revoke all on schema private from anon';
  end if;
end
$$;
grant usage on schema private to authenticated, service_role;

-- Every refusal follows one contract, so the console can translate it and the outbox can tell a
-- permanent refusal from a retryable one: SQLSTATE = 'SAnnn', MESSAGE = a stable key, DETAIL = JSON
-- parameters (listed in src/shared/errors/backend-errors.ts; the SQL suite checks the list).
create or replace function private.raise(p_code text, p_key text, p_detail jsonb default '{}'::jsonb)
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
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
language sql immutable set search_path = pg_catalog, pg_temp
as $$
  select case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end
$$;
revoke all on function private.uuid_or_null(text) from public;
grant execute on function private.uuid_or_null(text) to authenticated, service_role;

-- Every page size an RPC takes is checked, never clamped: a caller asking for more than a page holds
-- must be told, not handed a shorter list it would take for the whole. The ceiling is PostgREST's
-- max_rows (config.toml), which would otherwise cut a set-returning answer silently.
create or replace function private.check_limit(p_argument text, p_value integer, p_max integer default 1000)
returns void
language plpgsql immutable set search_path = pg_catalog, pg_temp
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

-- Blank text. A body, a reason or a note made only of spaces is no text, and "spaces" means what a reader
-- sees as nothing: Unicode White_Space (tabs, line breaks, no-break and ideographic spaces, ...), the C0
-- and C1 control characters, and the invisible format characters that render as nothing on their own
-- (zero-width spaces and joiners, bidirectional marks and isolates, the Arabic letter mark, word joiners,
-- byte order marks, variation selectors, Hangul fillers, the braille blank, tag characters). They are
-- trimmed from both ends, never from inside a text (a zero-width joiner inside an emoji or an Arabic
-- word is meaningful). btrim with a character set rather than a regular expression: linear in the length,
-- whatever the text.
-- The set is spelled out once here and written into the function as a constant: a function with its own
-- search_path is never inlined, so a computed body would rebuild the set on every trim. PL/pgSQL, as trim_text
-- below: a SQL function with its own search_path is parsed and planned again in every transaction, at every
-- place that calls it (send_message trims every message).
do $blank$
begin
  execute format(
    'create or replace function private.blank_characters() returns text
     language plpgsql immutable parallel safe set search_path = pg_catalog, pg_temp
     as %L',
    'begin return ' || pg_catalog.quote_literal((
      select pg_catalog.string_agg(pg_catalog.chr(c), '' order by c)
      from (values (1, 32), (127, 160), (173, 173), (847, 847), (1564, 1564), (4447, 4448), (5760, 5760),
                   (6068, 6069), (6155, 6159), (8192, 8207), (8232, 8239), (8287, 8303), (10240, 10240),
                   (12288, 12288), (12644, 12644), (65024, 65039), (65279, 65279), (65440, 65440),
                   (113824, 113827), (119155, 119162), (917504, 917631), (917760, 917999)) r(lo, hi),
           pg_catalog.generate_series(r.lo, r.hi) c)) || '::text; end');
end
$blank$;
revoke all on function private.blank_characters() from public;

-- The text without blank characters at either end; null when nothing else is left.
create or replace function private.trim_text(p_text text) returns text
language plpgsql immutable parallel safe set search_path = pg_catalog, pg_temp
as $$
begin
  return nullif(btrim(p_text, private.blank_characters()), '');
end
$$;
revoke all on function private.trim_text(text) from public;

-- For CHECK constraints: a null or blank text.
create or replace function private.is_blank(p_text text) returns boolean
language sql immutable parallel safe set search_path = pg_catalog, pg_temp
as $$
  select private.trim_text(p_text) is null
$$;
revoke all on function private.is_blank(text) from public;
-- The CHECK constraints call it under the rights of whoever writes a row (the service role, for one).
grant execute on function private.blank_characters(), private.trim_text(text), private.is_blank(text) to authenticated, service_role;

-- A reason or note longer than its setting allows is refused, never cut.
create or replace function private.check_text_length(p_argument text, p_text text, p_max bigint)
returns void
language plpgsql immutable set search_path = pg_catalog, pg_temp
as $$
begin
  if p_text is not null and length(p_text) > p_max then
    perform private.raise('SA448', 'request.text_too_long',
      jsonb_build_object('argument', p_argument, 'length', length(p_text), 'max', p_max));
  end if;
end
$$;
revoke all on function private.check_text_length(text, text, bigint) from public;

-- The platform's periodic sweeps (emergency deadlines, presence leases), scheduled by the migrations that define
-- them. On Supabase pg_cron runs them without any console, and a sweep that cannot be scheduled stops the migration:
-- an emergency that never escalates must not go unnoticed. Where the compatibility layer was applied (PGlite, stock
-- PostgreSQL: the applier records it in supabase_migrations.compat_layer) the backend the console starts runs them
-- on its own timer, so pg_cron is left alone even on a machine that has it: each sweep would otherwise run twice, and
-- a pg_cron installed but not preloaded (or older than 1.5, which has no schedules in seconds) would stop the
-- migration of a database that needs no scheduler.
create or replace function private.schedule_sweep(p_job text, p_schedule text, p_command text, p_sweep text)
returns void
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_compat boolean := false;
begin
  -- Read by name at run time: a Supabase project migrated by its CLI has no such table.
  if to_regclass('supabase_migrations.compat_layer') is not null then
    execute 'select exists (select 1 from supabase_migrations.compat_layer)' into v_compat;
  end if;
  if v_compat then
    raise notice 'compatibility layer applied: the main process runs the % (%)', p_sweep, p_command;
  elsif exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_cron') then
    begin
      create extension if not exists pg_cron;
      perform cron.schedule(p_job, p_schedule, p_command);
    exception when others then
      raise exception 'pg_cron is available but the % could not be scheduled: %', p_sweep, sqlerrm
        using hint = 'Enable pg_cron (Supabase: Database > Extensions > pg_cron), then apply the migrations again.';
    end;
  else
    raise notice 'pg_cron is not available: the main process runs the % (%)', p_sweep, p_command;
  end if;
end
$$;
revoke all on function private.schedule_sweep(text, text, text, text) from public;
