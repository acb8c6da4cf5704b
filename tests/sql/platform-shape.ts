// The migrations as a Supabase project gets them: `--target supabase` (no compat layer applied by the
// migrations' role), applied by a role shaped like Supabase's `postgres` — NOSUPERUSER with BYPASSRLS,
// owner of the database — while auth, storage and realtime belong to other roles, as they belong to
// supabase_auth_admin, supabase_storage_admin and supabase_realtime_admin there.
//
// What the platform grants `postgres` is mirrored: DML, REFERENCES and TRIGGER on auth.users; DML on
// storage and realtime; RLS policies on storage.objects and realtime.messages (Supabase allows these
// through its supautils extension; plain PostgreSQL asks for ownership, so here the role is a member of
// those two owners — and a case checks that the migrations created nothing in the platform's schemas
// all the same). Default privileges in public grant everything to the API roles, as on Supabase, so a
// missing revoke shows. Then the auth server's role signs users up, and they use the console.
import { randomUUID } from 'node:crypto';
import { applySchema, listSchemaFiles } from '../../src/main/schema/index';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';
import { Ctx, SEND_SQL, sendParams } from './workflows';

const PLATFORM_SQL = `
do $$
declare
  r record;
  owner_of constant jsonb := '{"auth": "platform_auth", "storage": "platform_storage", "realtime": "platform_realtime"}';
begin
  for r in select n.nspname, c.oid::regclass::text as rel, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where n.nspname in ('auth', 'storage', 'realtime') and c.relkind in ('r', 'v', 'S')
           -- tables first: a table takes its owned sequences along (they refuse an owner of their own)
           order by c.relkind = 'S', c.oid loop
    execute format('alter %s %s owner to %I', case r.relkind when 'S' then 'sequence' when 'v' then 'view' else 'table' end, r.rel, owner_of ->> r.nspname);
  end loop;
  for r in select n.nspname, p.oid::regprocedure::text as fn from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where n.nspname in ('auth', 'storage', 'realtime') loop
    execute format('alter function %s owner to %I', r.fn, owner_of ->> r.nspname);
  end loop;
  execute 'alter schema auth owner to platform_auth';
  execute 'alter schema storage owner to platform_storage';
  execute 'alter schema realtime owner to platform_realtime';
  execute format('alter database %I owner to app_owner', current_database());
end
$$;
grant usage on schema auth, storage, realtime to app_owner;
grant select, insert, update, delete, references, trigger on all tables in schema auth to app_owner;
grant select, insert, update, delete, references, trigger on all tables in schema storage to app_owner;
grant select, insert, update, delete, references, trigger on all tables in schema realtime to app_owner;
grant execute on all functions in schema auth, storage, realtime to app_owner;
grant platform_storage, platform_realtime to app_owner;
grant anon, authenticated, service_role to app_owner;
alter default privileges for role app_owner in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges for role app_owner in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges for role app_owner in schema public grant all on functions to anon, authenticated, service_role;
-- GoTrue's role: it writes auth.users and nothing of the console.
grant usage on schema auth to platform_auth;
`;

export async function runPlatformShape(db: Engine): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const c = new Ctx(db);
  const check = async (name: string, fn: () => Promise<void>) => {
    try {
      await fn();
      results.push({ name: `platform-shaped ${name}`, ok: true });
    } catch (error) {
      results.push({ name: `platform-shaped ${name}`, ok: false, detail: error instanceof Error ? error.message : String(error) });
    }
  };

  // Supabase runs pg_cron 1.5 or later, preloaded. A machine whose PostgreSQL has Debian's pg_cron (1.4, not preloaded
  // by this server) cannot stand in for that: there the migrations must stop with their error, as they would on a
  // project without pg_cron enabled, and the platform's other cases cannot run.
  const cronHere = (await c.one<{ v: boolean }>(`select exists (select 1 from pg_available_extensions where name = 'pg_cron') as v`)).v;
  const applied = await (async () => {
    let ok = false;
    const name = cronHere
      ? "the migrations applied with --target supabase stop with their error where pg_cron cannot schedule the sweeps (this server's)"
      : 'platform schemas owned by their services; the migrations applied with --target supabase by a NOSUPERUSER BYPASSRLS owner';
    await check(name, async () => {
      for (const role of ['platform_auth', 'platform_storage', 'platform_realtime']) await db.exec(`create role ${role} nologin`);
      await db.exec('create role app_owner nologin nosuperuser bypassrls');
      for (const f of await listSchemaFiles()) if (f.kind === 'compat') await db.exec(f.sql);
      await db.exec(PLATFORM_SQL);
      await db.exec('set role app_owner');
      try {
        if (cronHere) {
          const refusal = await applySchema(db, { target: 'supabase' }).then(
            () => null,
            (error: unknown) => (error instanceof Error ? error.message : String(error)),
          );
          c.eq(/pg_cron is available but the presence sweep could not be scheduled/.test(refusal ?? ''), true, `the migrations stop where pg_cron cannot schedule (${refusal})`);
          const versions = (await c.rows<{ version: string }>('select version from supabase_migrations.schema_migrations')).map((r) => r.version);
          c.eq(versions.includes('20261201000300'), false, 'the refused migration is not recorded');
          return;
        }
        const r = await applySchema(db, { target: 'supabase' });
        c.eq([r.compatApplied.length, r.migrationsApplied.length > 10], [0, true], 'migrations only');
        const again = await applySchema(db, { target: 'supabase' });
        c.eq(again.migrationsApplied.length, 0, 'a second run applies nothing');
      } finally {
        await db.exec('reset role');
      }
      ok = true;
    });
    return ok;
  })();
  if (cronHere) {
    results.push({
      name: 'platform-shaped users, grants and realtime on a Supabase-shaped database',
      ok: true,
      skipped: "this server's pg_cron cannot run the sweeps as Supabase's does (remove postgresql-15-cron to run these cases)",
    });
    return results;
  }
  if (!applied) return results;

  await check('nothing created in auth, storage or realtime (Supabase forbids it); everything of the console owned by the migrations\' role', async () => {
    const foreign = await c.rows<{ o: string }>(`
      select c.oid::regclass::text as o from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('auth', 'storage', 'realtime') and c.relowner = 'app_owner'::regrole
      union all
      select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('auth', 'storage', 'realtime') and p.proowner = 'app_owner'::regrole`);
    c.eq(foreign, [], 'objects of the migrations in platform schemas');
    const notOurs = await c.rows<{ o: string }>(`
      select c.oid::regclass::text as o from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname in ('public', 'private') and c.relkind in ('r', 'v', 'i', 'S', 'c') and c.relowner <> 'app_owner'::regrole
      union all
      select p.oid::regprocedure::text from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname in ('public', 'private') and p.proowner <> 'app_owner'::regrole`);
    c.eq(notOurs, [], 'console objects owned by someone else');
  });

  await check('default privileges do not leak: anon holds nothing in public but needs_first_run; no RPC for PUBLIC', async () => {
    const tables = await c.rows<{ t: string; p: string }>(`
      select table_name as t, privilege_type as p from information_schema.role_table_grants
       where grantee = 'anon' and table_schema = 'public' order by 1, 2`);
    c.eq(tables, [], 'anon table privileges');
    const fns = await c.rows<{ f: string }>(`
      select p.oid::regprocedure::text as f from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and has_function_privilege('anon', p.oid, 'execute') order by 1`);
    c.eq(fns.map((f) => f.f), ['needs_first_run()'], 'anon RPCs');
  });

  const people = { client: randomUUID(), reader: randomUUID(), monitor: randomUUID() };
  await check('sign-up by the auth server\'s role (no rights on public) creates the console profiles through handle_new_user', async () => {
    c.eq((await c.one(`select has_table_privilege('platform_auth', 'public.profiles', 'insert') as v`)).v, false, 'the auth role cannot write profiles itself');
    await db.exec('set role platform_auth');
    try {
      for (const [role, id] of Object.entries(people)) {
        await db.query(`insert into auth.users (id, email, raw_app_meta_data, raw_user_meta_data) values ($1, $2, $3, $4)`,
          [id, `${role}@platform.test`, JSON.stringify({ console_role: role }), JSON.stringify({ display_name: `Platform ${role}` })]);
      }
    } finally {
      await db.exec('reset role');
    }
    c.eq((await c.rows<{ role: string }>(`select role from public.profiles where id = any($1::uuid[]) order by role`, [Object.values(people)])).map((r) => r.role),
      ['client', 'monitor', 'reader'], 'profiles made');
  });

  await check('the console works there: support session, text and image through storage, reads, realtime inbox', async () => {
    const as = async (id: string) => {
      await db.exec('reset role');
      await db.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: id, role: 'authenticated' })]);
      await db.exec('set local role authenticated');
    };
    await db.exec('begin');
    try {
      await as(people.client);
      const s = await c.one<{ id: string }>(`select * from public.open_support_session()`);
      await as(people.monitor);
      await c.one(`select * from public.assign_reader($1, $2)`, [s.id, people.reader]);
      await as(people.client);
      await c.one(SEND_SQL, sendParams({ session: s.id, type: 'text', body: 'hello' }));
      const img = randomUUID();
      const path = `${s.id}/${img}/p.png`;
      await c.rows(`insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, auth.uid(), auth.uid()::text, '{"size": 10, "mimetype": "image/png"}')`, [path]);
      await c.one(SEND_SQL, sendParams({ session: s.id, type: 'image', cmid: img, path, mime: 'image/png', size: 10 }));
      c.eq(await c.n(`select * from public.list_messages($1)`, [s.id]), 2, 'list_messages');
      await as(people.reader);
      c.eq(Number((await c.one(`select unread_count from public.get_session($1)`, [s.id])).unread_count), 2, 'get_session: unread for the reader');
      c.eq(await c.n(`select 1 from storage.objects where name = $1`, [path]), 1, 'the reader may read the file (storage policy)');
      c.ok(await c.n(`select 1 from realtime.messages where topic = $1`, [`user:${people.reader}`]) >= 2, 'the reader\'s inbox topic has the broadcasts');
      await as(people.monitor);
      c.eq(await c.n(`select * from public.list_sessions()`), 1, 'list_sessions for staff');
    } finally {
      await db.exec('rollback');
    }
  });
  return results;
}
