-- profiles: who someone is to the console (display name, role, language, availability, emergency
-- opt-in). On the live project the table belongs to the platform and has many more columns (some NOT
-- NULL without defaults, some secret): the console only adds its columns, checks and policies, and
-- never replaces the table or its grants. On a fresh project it creates a minimal one.
--
-- The role comes from this table, never from a JWT claim (a client can shape its own user_metadata,
-- and old tokens outlive a demotion).

do $$
begin
  if to_regclass('public.profiles') is null then
    create table public.profiles (
      id uuid primary key references auth.users (id) on delete cascade,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    -- Fresh project only: the live platform keeps its own grants on its table.
    revoke all on public.profiles from anon, public;
    revoke all on public.profiles from authenticated;
    grant select, update on public.profiles to authenticated;
  end if;
end
$$;

alter table public.profiles add column if not exists display_name text;
alter table public.profiles add column if not exists role text default 'client';
alter table public.profiles add column if not exists preferred_language text default 'en';
alter table public.profiles add column if not exists emergency_opt_in boolean not null default false;
alter table public.profiles add column if not exists availability text not null default 'offline';
-- Presence: `availability` is what others see; `availability_choice` is what the user chose (online, busy, away,
-- or offline = appear offline), which their console shows as "away" while they are idle and applies at sign-in;
-- `presence_seen_at` is the console's lease, renewed every minute (public.presence_heartbeat): a console that
-- stops renewing it (crashed, cut off, asleep) is turned offline by public.expire_presence().
alter table public.profiles add column if not exists availability_choice text not null default 'online';
alter table public.profiles add column if not exists presence_seen_at timestamptz;
alter table public.profiles add column if not exists created_at timestamptz default now();
alter table public.profiles add column if not exists updated_at timestamptz default now();

-- NOT VALID first so existing platform rows never block the migration; validated when they comply.
do $$
begin
  if not exists (select 1 from pg_constraint where conrelid = 'public.profiles'::regclass and conname = 'profiles_console_role_check') then
    alter table public.profiles add constraint profiles_console_role_check
      check (role in ('client', 'reader', 'monitor', 'admin', 'super_admin')) not valid;
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'public.profiles'::regclass and conname = 'profiles_console_language_check') then
    alter table public.profiles add constraint profiles_console_language_check
      check (preferred_language in ('ar', 'en')) not valid;
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'public.profiles'::regclass and conname = 'profiles_console_availability_check') then
    alter table public.profiles add constraint profiles_console_availability_check
      check (availability in ('online', 'busy', 'away', 'offline')) not valid;
  end if;
  if not exists (select 1 from pg_constraint where conrelid = 'public.profiles'::regclass and conname = 'profiles_console_availability_choice_check') then
    alter table public.profiles add constraint profiles_console_availability_choice_check
      check (availability_choice in ('online', 'busy', 'away', 'offline')) not valid;
  end if;
  begin
    alter table public.profiles validate constraint profiles_console_role_check;
    alter table public.profiles validate constraint profiles_console_language_check;
    alter table public.profiles validate constraint profiles_console_availability_check;
    alter table public.profiles validate constraint profiles_console_availability_choice_check;
  exception when check_violation then
    raise notice 'profiles: some existing rows do not satisfy the console checks yet; they apply to new writes';
  end;
end
$$;

create index if not exists profiles_console_role_idx on public.profiles (role);
create index if not exists profiles_emergency_readers_idx on public.profiles (id)
  where role = 'reader' and emergency_opt_in;
-- The presence sweep reads only consoles that show someone as present.
create index if not exists profiles_presence_lease_idx on public.profiles (presence_seen_at)
  where availability <> 'offline';

-- Role, availability (with its choice and lease) and emergency opt-in change only through set_role,
-- set_availability, set_presence and presence_heartbeat (SECURITY DEFINER, so current_user is the owner there). Whatever other policies the platform has
-- on profiles, an API role can never write these columns directly. A display name it writes is
-- bounded (it is in every participant list and picker): console.profile.max_display_name_length.
create or replace function private.guard_profile_columns() returns trigger
language plpgsql
set search_path = pg_catalog, pg_temp
as $$
declare
  v_max bigint;
begin
  if current_user in ('anon', 'authenticated') then
    if tg_op = 'INSERT' then
      if coalesce(new.role, 'client') <> 'client' or new.emergency_opt_in or new.availability <> 'offline'
         or new.availability_choice <> 'online' or new.presence_seen_at is not null then
        perform private.raise('SA460', 'profile.protected_column', jsonb_build_object('columns', jsonb_build_array('role', 'emergency_opt_in', 'availability', 'availability_choice', 'presence_seen_at')));
      end if;
    elsif new.id is distinct from old.id or new.role is distinct from old.role
       or new.emergency_opt_in is distinct from old.emergency_opt_in or new.availability is distinct from old.availability
       or new.availability_choice is distinct from old.availability_choice or new.presence_seen_at is distinct from old.presence_seen_at then
      perform private.raise('SA460', 'profile.protected_column', jsonb_build_object('columns', jsonb_build_array('id', 'role', 'emergency_opt_in', 'availability', 'availability_choice', 'presence_seen_at')));
    end if;
    if tg_op = 'INSERT' or new.display_name is distinct from old.display_name then
      v_max := private.setting_int(private.console_settings(), 'console.profile.max_display_name_length');
      if length(new.display_name) > v_max then
        perform private.raise('SA466', 'profile.display_name_too_long', jsonb_build_object('length', length(new.display_name), 'max', v_max));
      end if;
    end if;
  end if;
  return new;
end
$$;
revoke all on function private.guard_profile_columns() from public;

create or replace trigger profiles_console_guard before insert or update on public.profiles
  for each row execute function private.guard_profile_columns();

-- Profiles carry many platform columns (some secret): only role and opt-in changes are audited, with
-- just the fields that matter (public.audit_log is created by the next migration; the function is
-- resolved when the trigger fires).
create or replace function private.audit_profile_role() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
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

-- A new account gets its console profile in the transaction that creates it (GoTrue's sign-up and
-- admin API, the embedded backend's auth), so there is never a signed-in user without one:
--   role                raw_app_meta_data.console_role when it is one of the five roles, else client.
--                       app_metadata is writable by the service role only (an admin creating staff);
--                       user_metadata, which the person signing up writes, never chooses a role.
--   display_name        raw_user_meta_data.display_name without blank ends (private.trim_text), else the
--                       local part of the email (also when the given name is longer than
--                       console.profile.max_display_name_length: a WARNING says so).
--   preferred_language  raw_user_meta_data.preferred_language when 'ar' or 'en', else 'en'.
-- A profile that already exists (the platform's own trigger got there first) is left as it is.
--
-- Deliberately not fatal: on the live project profiles is the platform's table, with NOT NULL columns
-- the console cannot fill (encrypted_password, ...) and checks of its own. If the table refuses the
-- console's row (SQLSTATE class 23, integrity, or 22, data), the trigger only WARNs and the account is
-- created without a console profile: aborting would break the platform's own sign-up. The platform
-- creates its profiles there; until it has, the console answers auth.profile_missing for that user.
-- Any other error (a defect of the console's schema) still aborts, so it cannot go unnoticed.
-- SECURITY DEFINER: GoTrue inserts as supabase_auth_admin, which has no rights on public.profiles.
create or replace function private.handle_new_user() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_role text := new.raw_app_meta_data ->> 'console_role';
  v_language text := new.raw_user_meta_data ->> 'preferred_language';
  v_name text := private.trim_text(new.raw_user_meta_data ->> 'display_name');
  v_max bigint := private.setting_int(private.console_settings(), 'console.profile.max_display_name_length');
begin
  if length(v_name) > v_max then
    raise warning 'console: the display name of new auth user % is % characters long (at most %); the email''s local part is used',
      new.id, length(v_name), v_max;
    v_name := null;
  end if;
  if v_role is null or v_role not in ('client', 'reader', 'monitor', 'admin', 'super_admin') then
    v_role := 'client';
  end if;
  if v_language is null or v_language not in ('ar', 'en') then
    v_language := 'en';
  end if;
  -- An email's local part has at most 64 characters, the least the setting allows.
  v_name := coalesce(v_name, nullif(split_part(new.email, '@', 1), ''));
  begin
    insert into public.profiles (id, display_name, role, preferred_language)
    values (new.id, v_name, v_role, v_language)
    on conflict (id) do nothing;
  exception when integrity_constraint_violation or data_exception then
    raise warning 'console: no profile created for new auth user % (% %): the platform''s profiles table refused it',
      new.id, sqlstate, sqlerrm;
  end;
  return null;
end
$$;
revoke all on function private.handle_new_user() from public;

revoke all on function private.audit_profile_role() from public;

create or replace trigger console_handle_new_user after insert on auth.users
  for each row execute function private.handle_new_user();

-- Who is asking. SECURITY DEFINER so policies that call them never recurse into the RLS of the table
-- they read; they only ever answer about auth.uid() (no user-id parameter to probe others with).
-- PL/pgSQL rather than SQL: a SECURITY DEFINER SQL function is never inlined and is planned again at
-- every call, while PL/pgSQL keeps its plans for the session (these run on every send and every policy
-- check). Policies wrap them in (select ...) so each runs once per statement, not once per row.
-- auth.uid() is read once, into a variable: as a condition on the row it is a function call per row the
-- planner may choose to read (a table of a hundred profiles is read sequentially, parsing the JWT claims for
-- each), where a variable is a value the lookup by primary key is planned for.
create or replace function private.my_role() returns text
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_uid uuid := auth.uid();
begin
  return (select coalesce(p.role, 'client') from public.profiles p where p.id = v_uid);
end
$$;

create or replace function private.is_staff() returns boolean
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(private.my_role() in ('monitor', 'admin', 'super_admin'), false);
end
$$;

create or replace function private.is_admin() returns boolean
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(private.my_role() in ('admin', 'super_admin'), false);
end
$$;

create or replace function private.is_super_admin() returns boolean
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  return coalesce(private.my_role() = 'super_admin', false);
end
$$;

create or replace function private.is_emergency_reader() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select exists (select 1 from public.profiles p
                 where p.id = auth.uid() and p.role = 'reader' and p.emergency_opt_in)
$$;

revoke all on function private.my_role() from public;
revoke all on function private.is_staff() from public;
revoke all on function private.is_admin() from public;
revoke all on function private.is_super_admin() from public;
revoke all on function private.is_emergency_reader() from public;
-- Policies evaluated under these roles' rights call them; anon reaches no such policy.
grant execute on function private.my_role() to authenticated, service_role;
grant execute on function private.is_staff() to authenticated, service_role;
grant execute on function private.is_admin() to authenticated, service_role;
grant execute on function private.is_super_admin() to authenticated, service_role;
grant execute on function private.is_emergency_reader() to authenticated, service_role;

-- The caller's id and role, or the refusal every RPC starts with.
create or replace function private.require_caller(out uid uuid, out role text)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
begin
  uid := auth.uid();
  if uid is null then
    perform private.raise('SA401', 'auth.required');
  end if;
  -- my_role()'s lookup, for the uid in hand (one function call less on every RPC)
  role := (select coalesce(p.role, 'client') from public.profiles p where p.id = uid);
  if role is null then
    perform private.raise('SA402', 'auth.profile_missing', jsonb_build_object('user_id', uid));
  end if;
end
$$;
revoke all on function private.require_caller() from public;
-- The reads run as the caller (SECURITY INVOKER) and start with it too; it only ever tells the caller
-- its own id and role.
grant execute on function private.require_caller() to authenticated;

-- Own row for everyone, every row for admins (account management). Other people are seen through the
-- narrow public.profile_cards (..._people.sql), never through this table.
alter table public.profiles enable row level security;
drop policy if exists profiles_console_select_own on public.profiles;
create policy profiles_console_select_own on public.profiles
  for select to authenticated using (id = (select auth.uid()));
drop policy if exists profiles_console_select_admin on public.profiles;
create policy profiles_console_select_admin on public.profiles
  for select to authenticated using ((select private.is_admin()));
drop policy if exists profiles_console_update_own on public.profiles;
create policy profiles_console_update_own on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- RPCs ------------------------------------------------------------------------------------------

create or replace function public.set_availability(p_availability text, p_emergency_opt_in boolean default null)
returns table (id uuid, availability text, emergency_opt_in boolean)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if p_availability is null or p_availability not in ('online', 'busy', 'away', 'offline') then
    perform private.raise('SA461', 'profile.invalid_availability', jsonb_build_object('availability', p_availability, 'allowed', jsonb_build_array('online', 'busy', 'away', 'offline')));
  end if;
  if p_emergency_opt_in is not null and v_caller.role <> 'reader' then
    perform private.raise('SA462', 'profile.opt_in_readers_only', jsonb_build_object('role', v_caller.role));
  end if;
  -- The user's choice, shown at once (the choice is itself a sign of life: the lease starts now). Their console
  -- then follows it with set_presence (away while idle) and renews the lease with presence_heartbeat.
  return query
  update public.profiles p
     set availability = p_availability,
         availability_choice = p_availability,
         presence_seen_at = now(),
         emergency_opt_in = coalesce(p_emergency_opt_in, p.emergency_opt_in)
   where p.id = v_caller.uid
  returning p.id, p.availability, p.emergency_opt_in;
end
$$;
revoke all on function public.set_availability(text, boolean) from public, anon;
grant execute on function public.set_availability(text, boolean) to authenticated;

-- How long a console's presence lasts without a heartbeat: three missed beats of the consoles' one-minute
-- renewal. Past it, others see the user offline (the sweep below writes it, and broadcasts it).
create or replace function private.presence_lease() returns interval
language sql immutable set search_path = pg_catalog, pg_temp
as $$
  select interval '180 seconds'
$$;
revoke all on function private.presence_lease() from public;

-- What the caller's console shows others now, following the user's choice: the choice itself, 'away' in place of
-- online or busy while the user is idle or the screen is locked, 'offline' when the console signs out or quits.
-- Anything else (showing busy to someone who chose online, present to someone who chose to appear offline) is
-- refused: the choice changes only through set_availability. Renews the lease. No user id: only ever the caller.
create or replace function public.set_presence(p_availability text)
returns table (availability text, availability_choice text)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_choice text;
begin
  select * into v_caller from private.require_caller();
  if p_availability is null or p_availability not in ('online', 'busy', 'away', 'offline') then
    perform private.raise('SA461', 'profile.invalid_availability', jsonb_build_object('availability', p_availability, 'allowed', jsonb_build_array('online', 'busy', 'away', 'offline')));
  end if;
  select p.availability_choice into v_choice from public.profiles p where p.id = v_caller.uid for update;
  if not (p_availability = v_choice or p_availability = 'offline'
          or (p_availability = 'away' and v_choice in ('online', 'busy'))) then
    perform private.raise('SA500', 'presence.not_chosen', jsonb_build_object('availability', p_availability, 'choice', v_choice));
  end if;
  return query
  update public.profiles p
     set availability = p_availability, presence_seen_at = now()
   where p.id = v_caller.uid
  returning p.availability, p.availability_choice;
end
$$;
revoke all on function public.set_presence(text) from public, anon;
grant execute on function public.set_presence(text) to authenticated;

-- The console's lease renewal, every minute while signed in. Answers what others see and what the user chose,
-- so a console whose presence was swept (it was cut off past the lease) or changed elsewhere can put it right.
create or replace function public.presence_heartbeat()
returns table (availability text, availability_choice text)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  return query
  update public.profiles p set presence_seen_at = now()
   where p.id = v_caller.uid
  returning p.availability, p.availability_choice;
end
$$;
revoke all on function public.presence_heartbeat() from public, anon;
grant execute on function public.presence_heartbeat() to authenticated;

-- Turns offline everyone shown present whose console has not renewed its lease (crashed, cut off, asleep), so
-- nobody stays "online" forever. Idempotent and safe to run concurrently (rows being changed are skipped).
-- Callers: the scheduler (pg_cron as the migrations' role on Supabase; the embedded backend's sweep as the
-- service role) and staff consoles, told apart as advance_emergencies() tells them (the `role` setting).
create or replace function public.expire_presence() returns integer
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_count integer;
  v_caller record;
begin
  if current_setting('role', true) in ('authenticated', 'anon') then
    select * into v_caller from private.require_caller();
    if v_caller.role not in ('monitor', 'admin', 'super_admin') then
      perform private.raise('SA501', 'presence.staff_only', jsonb_build_object('role', v_caller.role));
    end if;
  end if;
  with lapsed as (
    select p.id from public.profiles p
    where p.availability <> 'offline'
      and (p.presence_seen_at is null or p.presence_seen_at < now() - private.presence_lease())
    for update skip locked
  )
  update public.profiles p set availability = 'offline'
    from lapsed
   where p.id = lapsed.id;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;
revoke all on function public.expire_presence() from public, anon;
grant execute on function public.expire_presence() to authenticated, service_role;

-- On Supabase pg_cron runs the sweep every 30 seconds without any console; on PGlite and plain PostgreSQL the main
-- process runs it (the embedded backend's sweep): private.schedule_sweep decides which.
select private.schedule_sweep('samia-expire-presence', '30 seconds', 'select public.expire_presence()', 'presence sweep');

-- The language of the user's console (and of what the platform sends them), chosen in the console.
create or replace function public.set_preferred_language(p_language text)
returns table (id uuid, preferred_language text)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if p_language is null or p_language not in ('ar', 'en') then
    perform private.raise('SA467', 'profile.invalid_language', jsonb_build_object('language', p_language, 'allowed', jsonb_build_array('ar', 'en')));
  end if;
  return query
  update public.profiles p set preferred_language = p_language where p.id = v_caller.uid
  returning p.id, p.preferred_language;
end
$$;
revoke all on function public.set_preferred_language(text) from public, anon;
grant execute on function public.set_preferred_language(text) to authenticated;

create or replace function public.set_role(p_user_id uuid, p_role text)
returns table (id uuid, role text)
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_old text;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role <> 'super_admin' then
    perform private.raise('SA463', 'role.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  if p_role is null or p_role not in ('client', 'reader', 'monitor', 'admin', 'super_admin') then
    perform private.raise('SA464', 'role.invalid', jsonb_build_object('role', p_role, 'allowed', jsonb_build_array('client', 'reader', 'monitor', 'admin', 'super_admin')));
  end if;
  -- Serialise role changes so two super admins cannot demote each other into none left.
  perform pg_advisory_xact_lock(hashtextextended('samia.set_role', 0));
  select coalesce(p.role, 'client') into v_old from public.profiles p where p.id = p_user_id for update;
  if not found then
    perform private.raise('SA407', 'profile.user_not_found', jsonb_build_object('user_id', p_user_id));
  end if;
  if v_old = 'super_admin' and p_role <> 'super_admin'
     and not exists (select 1 from public.profiles p where p.role = 'super_admin' and p.id <> p_user_id) then
    perform private.raise('SA465', 'role.last_super_admin', jsonb_build_object('user_id', p_user_id));
  end if;
  return query
  update public.profiles p
     set role = p_role,
         emergency_opt_in = case when p_role = 'reader' then p.emergency_opt_in else false end
   where p.id = p_user_id
  returning p.id, p.role;
end
$$;
revoke all on function public.set_role(uuid, text) from public, anon;
grant execute on function public.set_role(uuid, text) to authenticated;

-- The caller's own profile, as the console uses it. SECURITY INVOKER: the caller reads its own row
-- under the policies above. Casts because the live table's columns are varchar.
create or replace function public.my_profile()
returns table (id uuid, display_name text, role text, preferred_language text, emergency_opt_in boolean, availability text,
               availability_choice text)
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  return query
    select p.id, p.display_name::text, coalesce(p.role, 'client')::text, p.preferred_language::text,
           p.emergency_opt_in, p.availability::text, p.availability_choice::text
    from public.profiles p
    where p.id = auth.uid();
end
$$;
revoke all on function public.my_profile() from public, anon;
grant execute on function public.my_profile() to authenticated;

-- Whether the console still needs its first super admin (the first-run screen, before anyone can sign
-- in: hence anon). SECURITY DEFINER: it reads every profile, and answers one bit.
create or replace function public.needs_first_run() returns boolean
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select not exists (select 1 from public.profiles p where p.role = 'super_admin')
$$;
revoke all on function public.needs_first_run() from public;
grant execute on function public.needs_first_run() to anon, authenticated, service_role;
