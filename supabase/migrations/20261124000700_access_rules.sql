-- Who may see what. The role comes from profiles.role (never from a JWT claim). Helpers are
-- SECURITY DEFINER so policies never recurse into the RLS of the table they read, and they only
-- ever answer about auth.uid() (no user-id parameter to probe others with). Policies wrap them in
-- (select ...) so each is evaluated once per statement, not once per row.
create or replace function private.my_role() returns text
language sql stable security definer set search_path = ''
as $$
  select coalesce(p.role, 'client') from public.profiles p where p.id = auth.uid()
$$;

create or replace function private.is_staff() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.my_role() in ('monitor', 'admin', 'super_admin'), false)
$$;

create or replace function private.is_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.my_role() in ('admin', 'super_admin'), false)
$$;

create or replace function private.is_super_admin() returns boolean
language sql stable security definer set search_path = ''
as $$
  select coalesce(private.my_role() = 'super_admin', false)
$$;

create or replace function private.is_emergency_reader() returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.profiles p
                 where p.id = auth.uid() and p.role = 'reader' and p.emergency_opt_in)
$$;

create or replace function private.my_session_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select cp.session_id from public.chat_participants cp where cp.user_id = auth.uid()
$$;

create or replace function private.is_participant(p_session_id uuid) returns boolean
language sql stable security definer set search_path = ''
as $$
  select exists (select 1 from public.chat_participants cp
                 where cp.session_id = p_session_id and cp.user_id = auth.uid())
$$;

-- People the caller shares a session with (for profile cards).
create or replace function private.my_contact_ids() returns setof uuid
language sql stable security definer set search_path = ''
as $$
  select other.user_id
  from public.chat_participants mine
  join public.chat_participants other on other.session_id = mine.session_id
  where mine.user_id = auth.uid()
$$;

-- Whether the caller may see this message (same rule as the RLS on chat_messages).
create or replace function private.can_see_message(p_message public.chat_messages) returns boolean
language sql stable security definer set search_path = ''
as $$
  select (private.is_staff() or private.is_participant(p_message.session_id))
     and (p_message.sender_id = auth.uid() or private.is_staff()
          or private.visible_to_others(p_message.status, p_message.type, p_message.reviewed_at))
$$;

create or replace function private.uuid_or_null(p_text text) returns uuid
language sql immutable set search_path = ''
as $$
  select case when p_text ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
              then p_text::uuid end
$$;

do $$
declare
  f text;
begin
  foreach f in array array[
    'private.my_role()', 'private.is_staff()', 'private.is_admin()', 'private.is_super_admin()',
    'private.is_emergency_reader()', 'private.my_session_ids()', 'private.is_participant(uuid)',
    'private.my_contact_ids()', 'private.can_see_message(public.chat_messages)', 'private.uuid_or_null(text)'
  ] loop
    execute format('revoke all on function %s from public', f);
    -- anon too: RESTRICTIVE policies apply to every role; for anon these all answer false/empty.
    execute format('grant execute on function %s to anon, authenticated, service_role', f);
  end loop;
  execute 'grant usage on schema private to anon';
  execute 'grant execute on function private.visible_to_others(text, text, timestamptz) to anon';
end
$$;

-- profiles ----------------------------------------------------------------------------------
drop policy if exists profiles_console_select_own on public.profiles;
create policy profiles_console_select_own on public.profiles
  for select to authenticated using (id = (select auth.uid()));
drop policy if exists profiles_console_select_admin on public.profiles;
create policy profiles_console_select_admin on public.profiles
  for select to authenticated using ((select private.is_admin()));
drop policy if exists profiles_console_update_own on public.profiles;
create policy profiles_console_update_own on public.profiles
  for update to authenticated using (id = (select auth.uid())) with check (id = (select auth.uid()));

-- What other people may know about a profile: a narrow card, never the platform's other columns.
create or replace view public.profile_cards with (security_barrier = true) as
  select p.id, p.display_name, coalesce(p.role, 'client') as role, p.preferred_language,
         p.availability, p.emergency_opt_in
  from public.profiles p
  where auth.uid() is not null
    and (p.id = auth.uid()
         or p.role = 'reader'
         or (select private.is_staff())
         or p.id in (select private.my_contact_ids()));
revoke all on public.profile_cards from anon, authenticated, public;
grant select on public.profile_cards to authenticated;

-- chat ----------------------------------------------------------------------------------------
drop policy if exists chat_sessions_select on public.chat_sessions;
create policy chat_sessions_select on public.chat_sessions
  for select to authenticated
  using ((select private.is_staff()) or id in (select private.my_session_ids()));

drop policy if exists chat_participants_select on public.chat_participants;
create policy chat_participants_select on public.chat_participants
  for select to authenticated
  using ((select private.is_staff()) or session_id in (select private.my_session_ids()));

drop policy if exists chat_messages_select on public.chat_messages;
create policy chat_messages_select on public.chat_messages
  for select to authenticated
  using ((select private.is_staff()) or session_id in (select private.my_session_ids()));

-- RESTRICTIVE: AND-ed with every permissive policy, present or future. Pending or rejected voice
-- notes reach only their sender and staff, whatever else is granted.
drop policy if exists chat_messages_hide_unapproved on public.chat_messages;
create policy chat_messages_hide_unapproved on public.chat_messages
  as restrictive for all to public
  using (private.visible_to_others(status, type, reviewed_at)
         or sender_id = (select auth.uid())
         or (select private.is_staff()));

-- emergencies ---------------------------------------------------------------------------------
drop policy if exists emergency_calls_select on public.emergency_calls;
create policy emergency_calls_select on public.emergency_calls
  for select to authenticated
  using (client_id = (select auth.uid())
         or accepted_by = (select auth.uid())
         or acknowledged_by = (select auth.uid())
         or (select private.is_staff())
         or (state in ('ringing', 'escalated') and (select private.is_emergency_reader())));

drop policy if exists emergency_events_select on public.emergency_events;
create policy emergency_events_select on public.emergency_events
  for select to authenticated
  using (exists (select 1 from public.emergency_calls c where c.id = call_id));

-- audit ---------------------------------------------------------------------------------------
drop policy if exists audit_log_select_admin on public.audit_log;
create policy audit_log_select_admin on public.audit_log
  for select to authenticated using ((select private.is_admin()));

-- app_settings: console.* readable by signed-in users, writable by super admins only. The
-- RESTRICTIVE policies hold even if the platform has its own permissive policies on this table.
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
