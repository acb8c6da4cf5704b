-- profiles: adds the console's columns to the platform's table (or creates it on a fresh project).
-- The live table has many more columns (some NOT NULL without defaults); nothing here replaces it.
create schema if not exists private;
revoke all on schema private from public;
grant usage on schema private to authenticated, service_role;

-- One place that turns a refusal into the stable error contract (SQLSTATE SAnnn + key + JSON detail).
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
  begin
    alter table public.profiles validate constraint profiles_console_role_check;
    alter table public.profiles validate constraint profiles_console_language_check;
    alter table public.profiles validate constraint profiles_console_availability_check;
  exception when check_violation then
    raise notice 'profiles: some existing rows do not satisfy the console checks yet; they apply to new writes';
  end;
end
$$;

create index if not exists profiles_console_role_idx on public.profiles (role);
create index if not exists profiles_emergency_readers_idx on public.profiles (id)
  where role = 'reader' and emergency_opt_in;

-- Role, availability and emergency opt-in change only through set_role / set_availability
-- (SECURITY DEFINER, so current_user is the owner there). Whatever other policies the platform has
-- on profiles, an API role can never write these columns directly.
create or replace function private.guard_profile_columns() returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') then
    if tg_op = 'INSERT' then
      if coalesce(new.role, 'client') <> 'client' or new.emergency_opt_in or new.availability <> 'offline' then
        perform private.raise('SA460', 'profile.protected_column', jsonb_build_object('columns', jsonb_build_array('role', 'emergency_opt_in', 'availability')));
      end if;
    elsif new.id is distinct from old.id or new.role is distinct from old.role
       or new.emergency_opt_in is distinct from old.emergency_opt_in or new.availability is distinct from old.availability then
      perform private.raise('SA460', 'profile.protected_column', jsonb_build_object('columns', jsonb_build_array('id', 'role', 'emergency_opt_in', 'availability')));
    end if;
  end if;
  return new;
end
$$;

create or replace trigger profiles_console_guard before insert or update on public.profiles
  for each row execute function private.guard_profile_columns();

alter table public.profiles enable row level security;
