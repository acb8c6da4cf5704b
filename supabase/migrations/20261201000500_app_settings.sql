-- Console limits live as namespaced rows (console.*) of the platform's app_settings(key, value), so
-- the platform's own keys and tools keep working beside them. Every console key is declared in
-- private.setting_definitions (kind, bounds, default): a write is validated by a trigger, so a bad
-- value can never reach the rules that read it, whoever writes it. Reads go through
-- private.console_settings() (the rules) and public.get_console_settings() (the consoles).
do $$
begin
  if to_regclass('public.app_settings') is null then
    create table public.app_settings (
      key text not null primary key,
      value text not null
    );
    -- Fresh project only: on the live project the platform keeps its own grants on this table.
    revoke all on public.app_settings from anon, public;
  end if;
end
$$;
grant select, insert, update, delete on public.app_settings to authenticated;

-- The live table has no primary key: console keys are unique all the same.
create unique index if not exists app_settings_console_key_uniq on public.app_settings (key)
  where key like 'console.%';

create table if not exists private.setting_definitions (
  key text primary key check (key like 'console.%'),
  kind text not null check (kind in ('int', 'mime_list')),
  min_value bigint,
  max_value bigint,
  default_value text not null,
  description text not null
);
revoke all on private.setting_definitions from public;

-- Rate limits count in rolling windows (private.take_rate in ..._chat_rpc.sql): at most N in any 60
-- seconds (or 24 hours), not N per calendar minute. Bounds keep every realtime payload a message can
-- produce under Supabase Realtime's smallest broadcast limit (256 KB): body, waveform and reason are
-- in a record and its old_record (tests/sql/adversarial.ts measures the largest).
insert into private.setting_definitions (key, kind, min_value, max_value, default_value, description) values
  ('console.rate_limit.messages_per_minute', 'int', 1, 100000, '30', 'messages one user may send per rolling minute'),
  ('console.rate_limit.audio_per_minute', 'int', 1, 100000, '6', 'voice notes one user may send per rolling minute'),
  ('console.rate_limit.edits_per_minute', 'int', 1, 100000, '30', 'message edits one user may make per rolling minute'),
  ('console.rate_limit.deletes_per_minute', 'int', 1, 100000, '30', 'messages one user may delete per rolling minute'),
  ('console.rate_limit.read_marks_per_minute', 'int', 1, 100000, '120', 'read marks one user may set per rolling minute'),
  ('console.rate_limit.typing_per_minute', 'int', 1, 100000, '60', 'typing signals one user may send per rolling minute'),
  ('console.quota.session_messages_per_day', 'int', 1, 10000000, '2000', 'messages per session per rolling 24 hours'),
  ('console.message.max_body_length', 'int', 1, 12000, '4000', 'characters in a message body or caption'),
  ('console.message.max_note_length', 'int', 1, 2000, '1000', 'characters in a review reason, a flag reason or an emergency resolution note'),
  ('console.profile.max_display_name_length', 'int', 64, 200, '100', 'characters in a display name (at least an email''s local part)'),
  ('console.presence.idle_minutes', 'int', 1, 240, '5', 'minutes without input before an online or busy console shows away'),
  ('console.message.edit_window_seconds', 'int', 0, 604800, '900', 'how long the sender may edit or delete a message'),
  ('console.audio.max_duration_ms', 'int', 1000, 14400000, '3600000', 'longest voice note'),
  ('console.audio.max_size_bytes', 'int', 1, 524288000, '52428800', 'largest voice note file'),
  ('console.audio.max_waveform_points', 'int', 16, 4096, '2048', 'peaks stored with a voice note'),
  ('console.image.max_size_bytes', 'int', 1, 524288000, '10485760', 'largest image'),
  ('console.file.max_size_bytes', 'int', 1, 524288000, '26214400', 'largest other file'),
  ('console.audio.mime_types', 'mime_list', null, null, 'audio/webm,audio/ogg,audio/mpeg,audio/mp4,audio/aac,audio/wav', 'voice note formats'),
  ('console.image.mime_types', 'mime_list', null, null, 'image/jpeg,image/png,image/webp,image/gif', 'image formats'),
  ('console.file.mime_types', 'mime_list', null, null, 'application/pdf,text/plain', 'other attachment formats'),
  ('console.emergency.ring_timeout_seconds', 'int', 5, 86400, '60', 'ringing readers before escalating to monitors and admins'),
  ('console.emergency.level1_timeout_seconds', 'int', 5, 86400, '120', 'monitors and admins before escalating to super admins'),
  ('console.reply.target_minutes', 'int', 1, 10080, '15', 'minutes a client may wait for a reply before the console reminds the reader')
on conflict (key) do update set kind = excluded.kind, min_value = excluded.min_value, max_value = excluded.max_value,
  default_value = excluded.default_value, description = excluded.description;

create or replace function private.validate_console_setting() returns trigger
language plpgsql
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  d private.setting_definitions;
  v bigint;
begin
  if new.key not like 'console.%' then
    return new;
  end if;
  select * into d from private.setting_definitions where key = new.key;
  if not found then
    perform private.raise('SA470', 'settings.unknown_key', jsonb_build_object('key', new.key));
  end if;
  if d.kind = 'int' then
    if new.value !~ '^\s*-?[0-9]{1,15}\s*$' then
      perform private.raise('SA471', 'settings.invalid_value', jsonb_build_object('key', new.key, 'value', new.value, 'expected', 'integer'));
    end if;
    v := btrim(new.value)::bigint;
    if v < d.min_value or v > d.max_value then
      perform private.raise('SA471', 'settings.invalid_value', jsonb_build_object('key', new.key, 'value', new.value, 'min', d.min_value, 'max', d.max_value));
    end if;
    new.value := v::text;
  else
    new.value := lower(regexp_replace(new.value, '\s', '', 'g'));
    if new.value !~ '^[a-z0-9.+-]+/[a-z0-9.+-]+(,[a-z0-9.+-]+/[a-z0-9.+-]+)*$' then
      perform private.raise('SA471', 'settings.invalid_value', jsonb_build_object('key', new.key, 'value', new.value, 'expected', 'comma-separated MIME types'));
    end if;
  end if;
  return new;
end
$$;

revoke all on function private.validate_console_setting() from public;

create or replace trigger app_settings_console_validate before insert or update on public.app_settings
  for each row execute function private.validate_console_setting();

insert into public.app_settings (key, value)
select d.key, d.default_value from private.setting_definitions d
where not exists (select 1 from public.app_settings s where s.key = d.key);

-- Attached after the defaults went in: seeding is not a change anyone made.
create or replace trigger app_settings_console_audit after insert or update or delete on public.app_settings
  for each row execute function private.audit_row();

-- All console settings with their defaults filled in: one query per RPC call. PL/pgSQL so its plan is
-- kept for the session (it runs on every send).
create or replace function private.console_settings() returns jsonb
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
begin
  return (select jsonb_object_agg(d.key, coalesce(s.value, d.default_value))
          from private.setting_definitions d
          left join public.app_settings s on s.key = d.key and s.key like 'console.%');
end
$$;
revoke all on function private.console_settings() from public;
-- The profile guard (SECURITY INVOKER: it must see who writes) reads a limit under the writer's rights.
grant execute on function private.console_settings() to authenticated, service_role;

-- PL/pgSQL: a SQL function with its own search_path is parsed and planned again in every transaction, at every
-- place that calls it (send_message reads three settings on every message).
create or replace function private.setting_int(p_settings jsonb, p_key text) returns bigint
language plpgsql
immutable
set search_path = pg_catalog, pg_temp
as $$
begin
  return (p_settings ->> p_key)::bigint;
end
$$;
revoke all on function private.setting_int(jsonb, text) from public;
grant execute on function private.setting_int(jsonb, text) to authenticated, service_role;

-- The given int settings, in order, read by key (a hot path reads the few it needs, not the whole
-- console_settings() object); an unknown or non-int key is an error, not a null.
create or replace function private.setting_ints(p_keys text[]) returns bigint[]
language plpgsql
stable
security definer
set search_path = pg_catalog, pg_temp
as $$
declare
  v bigint[];
begin
  v := array(select (coalesce(s.value, d.default_value))::bigint
             from unnest(p_keys) with ordinality as k(key, i)
             left join private.setting_definitions d on d.key = k.key and d.kind = 'int'
             left join public.app_settings s on s.key = d.key and s.key like 'console.%'
             order by k.i);
  if array_position(v, null) is not null then
    raise exception 'private.setting_ints: % is not an int console setting', p_keys[array_position(v, null)];
  end if;
  return v;
end
$$;
revoke all on function private.setting_ints(text[]) from public;

-- Typed view of the settings for consoles (numbers as numbers, MIME lists as arrays).
create or replace function public.get_console_settings() returns jsonb
language sql
stable
security definer
set search_path = pg_catalog, pg_temp
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

-- The consoles' one way to change a limit (no table-shaped write in the app). SECURITY INVOKER: the
-- policies below and the validation trigger decide, exactly as for any other writer; the checks here
-- only turn "no row changed" into a refusal that says why. Returns the typed settings as they now are.
create or replace function public.set_console_setting(p_key text, p_value text) returns jsonb
language plpgsql
security invoker
set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  if v_caller.role <> 'super_admin' then
    perform private.raise('SA472', 'settings.forbidden', jsonb_build_object('role', v_caller.role));
  end if;
  -- An unknown console.* key is refused by the validation trigger, like every other value check.
  if p_key is null or p_key not like 'console.%' then
    perform private.raise('SA470', 'settings.unknown_key', jsonb_build_object('key', p_key));
  end if;
  if p_value is null then
    perform private.raise('SA471', 'settings.invalid_value', jsonb_build_object('key', p_key, 'value', p_value));
  end if;
  insert into public.app_settings (key, value) values (p_key, p_value)
  on conflict (key) where key like 'console.%' do update set value = excluded.value;
  return public.get_console_settings();
end
$$;
revoke all on function public.set_console_setting(text, text) from public, anon;
grant execute on function public.set_console_setting(text, text) to authenticated;

-- console.* readable by signed-in users, writable by super admins only. The RESTRICTIVE policies hold
-- even if the platform has its own permissive policies on this table.
alter table public.app_settings enable row level security;
drop policy if exists app_settings_console_read on public.app_settings;
create policy app_settings_console_read on public.app_settings
  for select to authenticated using (key like 'console.%');
drop policy if exists app_settings_console_write on public.app_settings;
create policy app_settings_console_write on public.app_settings
  for all to authenticated
  using (key like 'console.%' and (select private.is_super_admin()))
  with check (key like 'console.%' and (select private.is_super_admin()));
drop policy if exists app_settings_console_insert_guard on public.app_settings;
create policy app_settings_console_insert_guard on public.app_settings
  as restrictive for insert to public
  with check (key not like 'console.%' or (select private.is_super_admin()));
drop policy if exists app_settings_console_update_guard on public.app_settings;
create policy app_settings_console_update_guard on public.app_settings
  as restrictive for update to public
  using (key not like 'console.%' or (select private.is_super_admin()))
  with check (key not like 'console.%' or (select private.is_super_admin()));
drop policy if exists app_settings_console_delete_guard on public.app_settings;
create policy app_settings_console_delete_guard on public.app_settings
  as restrictive for delete to public
  using (key not like 'console.%' or (select private.is_super_admin()));
