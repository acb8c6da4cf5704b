-- Account management (super admins): who may do what to an account, the list of accounts with their
-- sign-in state, and the audit of every change. The changes themselves need the platform's service role
-- (GoTrue's admin API: create, ban, unban, password reset mail), which never ships in the app: the Edge
-- Function supabase/functions/admin-accounts does them, after asking these functions. Roles are read from
-- public.profiles, never from a claim. Whether an account is disabled is GoTrue's own state
-- (auth.users.banned_until, which refuses sign-in and token refresh with `user_banned`); it is read here,
-- never copied, so the two cannot disagree.
--
-- Who may do what:
--   super_admin  every action, on every account (not disabling their own: the console would lock them out)
--   admin        create client, reader and monitor accounts (as the console has always let them); nothing else
--   anyone else  nothing
-- Role changes go through public.set_role (audited by the profiles trigger in the same transaction).

-- The rule, for a caller named explicitly: the service role's audit RPC re-checks it for the actor the
-- function verified, and the caller-facing RPC for auth.uid().
create or replace function private.check_account_action(p_actor uuid, p_action text, p_user_id uuid, p_role text)
returns void
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_actor_role text;
begin
  if p_action is null or p_action not in ('list', 'create', 'set_role', 'disable', 'enable', 'send_password_reset') then
    perform private.raise('SA521', 'accounts.invalid_action', jsonb_build_object('action', p_action,
      'allowed', jsonb_build_array('list', 'create', 'set_role', 'disable', 'enable', 'send_password_reset')));
  end if;
  if p_role is not null and p_role not in ('client', 'reader', 'monitor', 'admin', 'super_admin') then
    perform private.raise('SA464', 'role.invalid', jsonb_build_object('role', p_role, 'allowed', jsonb_build_array('client', 'reader', 'monitor', 'admin', 'super_admin')));
  end if;
  if p_action in ('create', 'set_role') and p_role is null then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_role', 'value', null, 'reason', 'required'));
  end if;
  if p_action in ('set_role', 'disable', 'enable', 'send_password_reset') and p_user_id is null then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_user_id', 'value', null, 'reason', 'required'));
  end if;
  select coalesce(p.role, 'client') into v_actor_role from public.profiles p where p.id = p_actor;
  if v_actor_role is null then
    perform private.raise('SA402', 'auth.profile_missing', jsonb_build_object('user_id', p_actor));
  end if;
  if not (v_actor_role = 'super_admin'
          or (v_actor_role = 'admin' and p_action = 'create' and p_role in ('client', 'reader', 'monitor'))) then
    perform private.raise('SA520', 'accounts.forbidden', jsonb_build_object('role', v_actor_role, 'action', p_action, 'target_role', p_role));
  end if;
  if p_user_id is not null and p_action <> 'create' then
    if not exists (select 1 from public.profiles p where p.id = p_user_id) then
      perform private.raise('SA407', 'profile.user_not_found', jsonb_build_object('user_id', p_user_id));
    end if;
    if p_action = 'disable' and p_user_id = p_actor then
      perform private.raise('SA523', 'accounts.own_account', jsonb_build_object('action', p_action));
    end if;
  end if;
end
$$;
revoke all on function private.check_account_action(uuid, text, uuid, text) from public;

-- Asked by the Edge Function with the caller's own token before it uses the service role: the caller's id,
-- or the refusal. SECURITY DEFINER: it reads the target's profile, and answers only yes (the id) or why not.
create or replace function public.authorize_account_action(p_action text, p_user_id uuid default null, p_role text default null)
returns uuid
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  perform private.check_account_action(v_caller.uid, p_action, p_user_id, p_role);
  return v_caller.uid;
end
$$;
revoke all on function public.authorize_account_action(text, uuid, text) from public, anon;
grant execute on function public.authorize_account_action(text, uuid, text) to authenticated;

-- Every account with what a super admin needs to manage it, optionally filtered by a text found in the
-- email or the display name (case-insensitive, taken literally: % and _ are not wildcards), or one account
-- by id. Alphabetical.
-- SECURITY DEFINER: emails and sign-in state live in auth.users, which no API role reads.
create or replace function public.list_accounts(p_search text default null, p_limit integer default 200, p_user_id uuid default null)
returns table (id uuid, email text, display_name text, role text, preferred_language text, disabled boolean,
               banned_until timestamptz, created_at timestamptz, last_sign_in_at timestamptz)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
  v_pattern text;
begin
  select * into v_caller from private.require_caller();
  perform private.check_account_action(v_caller.uid, 'list', null, null);
  perform private.check_limit('p_limit', p_limit);
  if length(p_search) > 320 then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', 'p_search', 'value', length(p_search), 'max', 320));
  end if;
  v_pattern := '%' || replace(replace(replace(coalesce(private.trim_text(p_search), ''), '\', '\\'), '%', '\%'), '_', '\_') || '%';
  return query
    select u.id, u.email::text, p.display_name::text, coalesce(p.role, 'client')::text, p.preferred_language::text,
           coalesce(u.banned_until > now(), false), u.banned_until, u.created_at, u.last_sign_in_at
    from auth.users u
    join public.profiles p on p.id = u.id
    where u.deleted_at is null
      and (p_user_id is null or u.id = p_user_id)
      and (u.email ilike v_pattern or p.display_name ilike v_pattern)
    order by lower(p.display_name), u.email, u.id
    limit p_limit;
end
$$;
revoke all on function public.list_accounts(text, integer, uuid) from public, anon;
grant execute on function public.list_accounts(text, integer, uuid) to authenticated;

-- The audit of a change the Edge Function made with the service role (GoTrue's admin API): the actor it
-- verified is checked again here, so a row is only ever written for a change that actor was allowed to
-- make. Called after GoTrue answered, with what changed:
--   account:create    new_values {email, role, display_name}
--   account:disable   old_values / new_values {banned_until}
--   account:enable    likewise
--   account:password_reset  new_values {email}
-- Only a request carrying the service role's verified JWT may write (the function's): a signed-in user
-- reaches it, like every RPC, but is refused, so no user can write an audit row of a change never made.
create or replace function public.record_account_change(p_actor_id uuid, p_user_id uuid, p_change text,
                                                       p_old jsonb default null, p_new jsonb default null)
returns bigint
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_kind text := substr(p_change, 9);
  v_id bigint;
begin
  if coalesce(auth.jwt() ->> 'role', '') <> 'service_role' then
    perform private.raise('SA520', 'accounts.forbidden', jsonb_build_object('role', coalesce(auth.jwt() ->> 'role', 'anon'), 'action', 'record_account_change', 'target_role', null));
  end if;
  if p_change is null or p_change not in ('account:create', 'account:disable', 'account:enable', 'account:password_reset') then
    perform private.raise('SA521', 'accounts.invalid_action', jsonb_build_object('action', p_change,
      'allowed', jsonb_build_array('account:create', 'account:disable', 'account:enable', 'account:password_reset')));
  end if;
  if p_actor_id is null or p_user_id is null then
    perform private.raise('SA400', 'request.invalid_argument', jsonb_build_object('argument', case when p_actor_id is null then 'p_actor_id' else 'p_user_id' end, 'value', null, 'reason', 'required'));
  end if;
  perform private.check_account_action(p_actor_id, case v_kind when 'password_reset' then 'send_password_reset' else v_kind end,
                                       case when v_kind = 'create' then null else p_user_id end,
                                       case when v_kind = 'create' then coalesce(p_new ->> 'role', 'client') end);
  if v_kind = 'create' and not exists (select 1 from public.profiles p where p.id = p_user_id) then
    perform private.raise('SA407', 'profile.user_not_found', jsonb_build_object('user_id', p_user_id));
  end if;
  insert into public.audit_log (table_name, row_id, action, actor_id, old_values, new_values)
  values ('accounts', p_user_id::text, p_change, p_actor_id, p_old, p_new)
  returning audit_log.id into v_id;
  return v_id;
end
$$;
revoke all on function public.record_account_change(uuid, uuid, text, jsonb, jsonb) from public, anon;
grant execute on function public.record_account_change(uuid, uuid, text, jsonb, jsonb) to authenticated, service_role;

-- What was done to one account and by whom (account changes and role changes), newest first: super admins.
create or replace function public.account_history(p_user_id uuid, p_limit integer default 50)
returns table (id bigint, action text, actor_id uuid, old_values jsonb, new_values jsonb, created_at timestamptz)
language plpgsql stable security definer set search_path = pg_catalog, pg_temp
as $$
declare
  v_caller record;
begin
  select * into v_caller from private.require_caller();
  perform private.check_account_action(v_caller.uid, 'list', null, null);
  perform private.check_limit('p_limit', p_limit);
  return query
    select a.id, a.action, a.actor_id, a.old_values, a.new_values, a.created_at
    from public.audit_log a
    where a.table_name in ('accounts', 'profiles') and a.row_id = p_user_id::text
    order by a.created_at desc, a.id desc
    limit p_limit;
end
$$;
revoke all on function public.account_history(uuid, integer) from public, anon;
grant execute on function public.account_history(uuid, integer) to authenticated;
