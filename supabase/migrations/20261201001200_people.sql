-- What people may know about each other. profiles itself is readable only by its owner and admins
-- (it carries the platform's other columns, some secret); everyone else sees a narrow card: readers
-- for everyone (to be booked and picked), everyone for staff, and the people one shares a session with.

-- People the caller shares a session with. SECURITY DEFINER: the caller cannot read other people's
-- participant rows of sessions it is not in, and must not need to.
create or replace function private.my_contact_ids() returns setof uuid
language sql stable security definer set search_path = pg_catalog, pg_temp
as $$
  select other.user_id
  from public.chat_participants mine
  join public.chat_participants other on other.session_id = mine.session_id
  where mine.user_id = auth.uid()
$$;
revoke all on function private.my_contact_ids() from public;
grant execute on function private.my_contact_ids() to authenticated, service_role;

-- security_barrier: the filter runs before any condition a caller adds, so no crafted predicate can
-- observe rows the card does not show.
create or replace view public.profile_cards with (security_barrier = true) as
  select p.id, p.display_name, coalesce(p.role, 'client') as role, p.preferred_language,
         p.availability, p.emergency_opt_in
  from public.profiles p
  where auth.uid() is not null
    and (p.id = auth.uid()
         or p.role = 'reader'
         or (select private.is_staff())
         or p.id in (select private.my_contact_ids()));
revoke all on public.profile_cards from anon, authenticated, service_role, public;
grant select on public.profile_cards to authenticated, service_role;

-- People the caller may see, for pickers ("assign a reader", "open a support session with"):
-- alphabetical, optionally one role. SECURITY INVOKER over the cards above, so it can never show more
-- than they do.
create or replace function public.list_people(p_role text default null, p_limit integer default 1000)
returns setof public.profile_cards
language plpgsql stable security invoker set search_path = pg_catalog, pg_temp
as $$
begin
  perform private.require_caller();
  perform private.check_limit('p_limit', p_limit);
  if p_role is not null and p_role not in ('client', 'reader', 'monitor', 'admin', 'super_admin') then
    perform private.raise('SA464', 'role.invalid', jsonb_build_object('role', p_role, 'allowed', jsonb_build_array('client', 'reader', 'monitor', 'admin', 'super_admin')));
  end if;
  return query
    select c.* from public.profile_cards c
    where p_role is null or c.role = p_role
    order by c.display_name, c.id
    limit p_limit;
end
$$;
revoke all on function public.list_people(text, integer) from public, anon;
grant execute on function public.list_people(text, integer) to authenticated;
