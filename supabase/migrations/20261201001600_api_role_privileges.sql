-- What no API role (anon, authenticated, service_role) ever holds, wherever the privilege came from
-- (Supabase's default privileges hand them ALL on every new table, sequence and function in public):
--   TEMP on the database       pg_temp is where a role plants the types, domains and relations that
--                              would hijack a function resolving a bare name there (every function of
--                              the migrations pins pg_catalog first; this takes the tool away as well)
--   CREATE on schema public    (nor on private, which they only USE)
--   TRUNCATE                   skips RLS, triggers and the audit
--   REFERENCES, TRIGGER        a trigger an API role owned would run inside the RPCs as their owner
--   MAINTAIN (PostgreSQL 17+)  LOCK TABLE, REINDEX, CLUSTER: a way to stall everybody
-- Each is revoked where the migrations' role may revoke it. On a Supabase project the database and the
-- platform's schemas belong to supabase_admin and the platform's services, so some of these can only be
-- revoked by them: the migration then says so in a NOTICE and relies on the pinned search_path and on
-- the table grants of each migration. tests/sql/expected/privileges.txt lists every privilege the API
-- roles hold, object by object; the SQL suite fails on any other.
do $$
declare
  r record;
  v_roles constant text := 'anon, authenticated, service_role';
  v_maintain constant boolean := current_setting('server_version_num')::int >= 170000;
begin
  -- TEMP comes to every role through PUBLIC, so it is revoked from PUBLIC and given back to the roles
  -- that had it that way and are not API roles (the platform's own services keep what they had).
  if (select d.datdba from pg_database d where d.datname = current_database()) = current_user::regrole::oid
     or (select rolsuper from pg_roles where rolname = current_user) then
    for r in
      select a.rolname from pg_roles a
      where a.rolname not in ('anon', 'authenticated', 'service_role') and a.rolname !~ '^pg_' and not a.rolsuper
        and has_database_privilege(a.oid, current_database(), 'TEMP')
    loop
      execute format('grant temporary on database %I to %I', current_database(), r.rolname);
    end loop;
    execute format('revoke temporary on database %I from public, %s', current_database(), v_roles);
  else
    raise notice 'TEMP on database % is not the migrations'' to revoke (its owner is %): functions are safe from pg_temp by their search_path',
      current_database(), (select d.datdba::regrole from pg_database d where d.datname = current_database());
  end if;

  if pg_has_role(current_user, (select n.nspowner from pg_namespace n where n.nspname = 'public'), 'USAGE') then
    execute format('revoke create on schema public from public, %s', v_roles);
  else
    raise notice 'CREATE on schema public is not the migrations'' to revoke';
  end if;

  -- The tables the console shares with the platform: their owners' grants stay, but not these. The
  -- console's own tables revoke everything in their own migrations and grant only what they use.
  -- The platform's storage and realtime tables: only where the migrations' role may change their grants.
  for r in
    select c.oid::regclass::text as rel, c.relowner
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where c.relkind in ('r', 'p', 'v', 'm', 'f')
      and ((n.nspname = 'public' and c.relname in ('profiles', 'app_settings'))
           or (n.nspname = 'storage' and c.relname in ('objects', 'buckets'))
           or (n.nspname = 'realtime' and c.relname = 'messages'))
  loop
    if pg_has_role(current_user, r.relowner, 'USAGE') then
      execute format('revoke truncate, references, trigger on %s from public, %s', r.rel, v_roles);
      if v_maintain then
        execute format('revoke maintain on %s from public, %s', r.rel, v_roles);
      end if;
    else
      raise notice 'TRUNCATE, REFERENCES and TRIGGER on % are not the migrations'' to revoke', r.rel;
    end if;
  end loop;
end
$$;
