-- Canned replies: texts a reader inserts by typing `/` in the composer, with variables ({client_name},
-- {reader_name}, {date}) that the console fills from the session when it inserts them (the stored body keeps
-- the placeholders: filling is presentation, done in the user's language).
--   personal  owner_id = the author. Only they read, change or delete it.
--   shared    owner_id null. Every reader and staff member reads it; only admins and super admins write it.
-- Clients have none and read none. The API roles only read, under RLS; every write is an RPC below.
create table if not exists public.canned_replies (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid references public.profiles (id) on delete cascade,
  language text not null check (language in ('ar', 'en')),
  -- What follows the `/`: no spaces and no slash, so the composer can tell where it ends.
  shortcut text not null check (shortcut ~ '^[^[:space:]/]{1,32}$'),
  title text not null check (not private.is_blank(title) and length(title) <= 80),
  body text not null check (not private.is_blank(body)),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  updated_by uuid references public.profiles (id) on delete set null
);
-- One shortcut per language in each scope (a user's own, the shared set); case does not make another one.
create unique index if not exists canned_replies_shortcut_uniq
  on public.canned_replies ((coalesce(owner_id, '00000000-0000-0000-0000-000000000000'::uuid)), language, lower(shortcut));
create index if not exists canned_replies_owner_idx on public.canned_replies (owner_id) where owner_id is not null;
create index if not exists canned_replies_updated_by_idx on public.canned_replies (updated_by) where updated_by is not null;

revoke all on public.canned_replies from public, anon, authenticated, service_role;
grant select on public.canned_replies to authenticated;
grant select, insert, update, delete on public.canned_replies to service_role;

alter table public.canned_replies enable row level security;
drop policy if exists canned_replies_select on public.canned_replies;
create policy canned_replies_select on public.canned_replies
  for select to authenticated
  using (owner_id = (select auth.uid())
         or (owner_id is null and (select private.my_role()) in ('reader', 'monitor', 'admin', 'super_admin')));

-- The caller's replies and the shared ones (what RLS shows them), by shortcut.
create or replace function public.list_canned_replies()
returns setof public.canned_replies
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  return query
    select r.* from public.canned_replies r
    order by lower(r.shortcut), r.language, r.owner_id nulls last, r.id;
end
$$;

-- Creates (p_id null) or changes a reply. p_shared chooses the scope at creation and must match it on a change
-- (a personal reply is never turned into a shared one, nor the reverse: delete and create instead).
--   canned.forbidden          clients have no canned replies
--   canned.shared_admins_only only admins and super admins write shared replies
--   canned.not_found          no such reply the caller may change (another's personal reply reads the same)
--   canned.invalid            a field outside its rule (detail: argument, reason)
--   canned.shortcut_taken     the scope already has this shortcut in this language
--   request.text_too_long     the body exceeds console.message.max_body_length
create or replace function public.save_canned_reply(
  p_language text,
  p_shortcut text,
  p_title text,
  p_body text,
  p_shared boolean default false,
  p_id uuid default null
) returns public.canned_replies
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_row public.canned_replies;
  v_shortcut text := private.trim_text(p_shortcut);
  v_title text := private.trim_text(p_title);
  v_body text := private.trim_text(p_body);
  v_owner uuid;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role = 'client' then
    perform private.raise('SA540', 'canned.forbidden');
  end if;
  if p_shared is null then
    perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_shared', 'reason', 'true or false'));
  end if;
  if p_shared and v_caller.role not in ('admin', 'super_admin') then
    perform private.raise('SA541', 'canned.shared_admins_only');
  end if;
  if p_language is null or p_language not in ('ar', 'en') then
    perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_language', 'reason', 'ar or en'));
  end if;
  if v_shortcut is null or v_shortcut !~ '^[^[:space:]/]{1,32}$' then
    perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_shortcut', 'reason', '1 to 32 characters, no spaces or slash'));
  end if;
  if v_title is null or length(v_title) > 80 then
    perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_title', 'reason', '1 to 80 characters'));
  end if;
  if v_body is null then
    perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_body', 'reason', 'not blank'));
  end if;
  perform private.check_text_length('p_body', v_body,
    private.setting_int(private.console_settings(), 'console.message.max_body_length'));
  v_owner := case when p_shared then null else v_caller.uid end;

  if p_id is not null then
    select * into v_row from public.canned_replies r where r.id = p_id for update;
    if not found or (v_row.owner_id is not null and v_row.owner_id <> v_caller.uid) then
      perform private.raise('SA542', 'canned.not_found', jsonb_build_object('id', p_id));
    end if;
    if (v_row.owner_id is null) <> p_shared then
      perform private.raise('SA543', 'canned.invalid', jsonb_build_object('argument', 'p_shared', 'reason', 'the scope of a reply does not change'));
    end if;
  end if;

  begin
    if p_id is null then
      insert into public.canned_replies (owner_id, language, shortcut, title, body, updated_by)
      values (v_owner, p_language, v_shortcut, v_title, v_body, v_caller.uid)
      returning * into v_row;
    else
      update public.canned_replies r
         set language = p_language, shortcut = v_shortcut, title = v_title, body = v_body,
             updated_at = now(), updated_by = v_caller.uid
       where r.id = p_id
      returning * into v_row;
    end if;
  exception when unique_violation then
    perform private.raise('SA544', 'canned.shortcut_taken', jsonb_build_object('shortcut', v_shortcut, 'language', p_language));
  end;
  return v_row;
end
$$;

-- Deletes one of the caller's replies (a shared one: admins only).
create or replace function public.delete_canned_reply(p_id uuid)
returns void
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_row public.canned_replies;
begin
  select * into v_caller from private.require_caller();
  select * into v_row from public.canned_replies r where r.id = p_id for update;
  if not found or (v_row.owner_id is not null and v_row.owner_id <> v_caller.uid)
     or (v_row.owner_id is null and v_caller.role not in ('reader', 'monitor', 'admin', 'super_admin')) then
    perform private.raise('SA542', 'canned.not_found', jsonb_build_object('id', p_id));
  end if;
  if v_row.owner_id is null and v_caller.role not in ('admin', 'super_admin') then
    perform private.raise('SA541', 'canned.shared_admins_only');
  end if;
  delete from public.canned_replies r where r.id = p_id;
end
$$;

revoke all on function public.list_canned_replies() from public, anon;
revoke all on function public.save_canned_reply(text, text, text, text, boolean, uuid) from public, anon;
revoke all on function public.delete_canned_reply(uuid) from public, anon;
grant execute on function public.list_canned_replies() to authenticated;
grant execute on function public.save_canned_reply(text, text, text, text, boolean, uuid) to authenticated;
grant execute on function public.delete_canned_reply(uuid) to authenticated;
