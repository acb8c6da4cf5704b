import { randomUUID } from 'node:crypto';
import { PostgrestError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, decodeJwt, engines, signJwt, startHarness, unsignedJwt, type Harness } from './harness';

// /rest/v1/rpc through the real postgrest-js: resolution, argument binding, result shapes, claims, errors.

const FIXTURES = `
create table public.t_log (id serial primary key, v text not null);
create function public.t_add(a int, b int default 10) returns int language sql immutable as $$ select a + b $$;
create function public.t_items(p_n int) returns table (id int, label text, note text) language sql stable as $$
  select g, 'item ' || g, case when g % 2 = 1 then 'odd' end from generate_series(1, p_n) g $$;
create function public.t_names(p_n int) returns setof text language sql stable as $$ select 'n' || g from generate_series(1, p_n) g $$;
create function public.t_whoami() returns jsonb language sql stable as $$
  select jsonb_build_object('role', current_user, 'claims', auth.jwt(), 'uid', auth.uid(),
    'method', current_setting('request.method', true), 'path', current_setting('request.path', true),
    'has_apikey_header', (current_setting('request.headers', true)::jsonb ->> 'apikey') is not null) $$;
create function public.t_refuse(p_minutes int) returns void language plpgsql as $$
begin
  raise exception using errcode = 'SA429', message = 'test.rate_limited',
    detail = jsonb_build_object('retry_after_s', p_minutes * 60)::text, hint = 'wait a little';
end $$;
create function public.t_write(p_v text) returns int language plpgsql as $$
declare i int;
begin insert into public.t_log (v) values (p_v) returning id into i; return i; end $$;
create function public.t_write_twice(p_v text) returns setof public.t_log language sql as $$
  insert into public.t_log (v) values (p_v), (p_v) returning * $$;
create type public.t_pair as (x int, y text);
create function public.t_one(p_x int) returns public.t_pair language sql immutable as $$ select (p_x, 'y')::public.t_pair $$;
create function public.t_void() returns void language plpgsql as $$ begin end $$;
create function public.t_over(a int) returns text language sql immutable as $$ select 'int' $$;
create function public.t_over(b text) returns text language sql immutable as $$ select 'text' $$;
create function public.t_amb(a int) returns text language sql immutable as $$ select 'int' $$;
create function public.t_amb(a text) returns text language sql immutable as $$ select 'text' $$;
create function public.t_members() returns text language sql stable as $$ select 'members only' $$;
revoke execute on function public.t_members() from public, anon;
grant execute on function public.t_members() to authenticated;
create function public.t_json(jsonb) returns jsonb language sql immutable as $$ select $1 $$;
create function public.t_types(p_at timestamptz, p_ids uuid[], p_doc jsonb, p_n numeric, p_flag boolean default null) returns jsonb
  language sql immutable as $$ select jsonb_build_object('at', p_at, 'ids', p_ids, 'doc', p_doc, 'n', p_n, 'flag', p_flag) $$;
create function private.t_secret() returns text language sql as $$ select 'secret' $$;
`;

describe.each(engines)('local REST on %s', (engine) => {
  let h: Harness;
  let user: Awaited<ReturnType<Harness['signUp']>>;

  beforeAll(async () => {
    h = await startHarness(engine);
    await h.exec(FIXTURES);
    h.server.reloadSchemaCache();
    user = await h.signUp('rest');
  });
  afterAll(() => h?.close());

  const rest = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${h.url}/rest/v1${path}`, { ...init, headers: { apikey: h.anonKey, 'Content-Type': 'application/json', ...init.headers } });
  const tableExists = async () => (await h.sql<{ t: string | null }>(`select to_regclass('public.t_log')::text as t`))[0]!.t === 't_log';

  it('calls a scalar function with named arguments and honours defaults, by POST and by GET', async () => {
    expect((await h.client().rpc('t_add', { a: 1 })).data).toBe(11);
    expect((await h.client().rpc('t_add', { a: 1, b: 2 })).data).toBe(3);
    const get = await h.client().rpc('t_add', { a: 5 }, { get: true });
    expect(get).toMatchObject({ status: 200, data: 15, error: null });
  });

  it('binds arguments with their declared types, as PostgREST does through json_to_record', async () => {
    const ids = [randomUUID(), randomUUID()];
    const { data, error } = await h.client().rpc('t_types', { p_at: '2024-01-02T03:04:05.123456Z', p_ids: ids, p_doc: { a: [1, 'b'] }, p_n: 1.5 });
    expect(error).toBeNull();
    expect(data).toEqual({ at: '2024-01-02T03:04:05.123456+00:00', ids, doc: { a: [1, 'b'] }, n: 1.5, flag: null });
    // By GET the arguments are text cast to the declared type, so JSON arrives as JSON, arrays as array literals.
    const viaGet = await h.client().rpc('t_types', { p_at: '2024-01-02T03:04:05Z', p_ids: ids, p_doc: '{"a":[1]}', p_n: 2 }, { get: true });
    expect(viaGet.data).toEqual({ at: '2024-01-02T03:04:05+00:00', ids, doc: { a: [1] }, n: 2, flag: null });
    const wrong = await h.client().rpc('t_types', { p_at: 'yesterday-ish', p_ids: [], p_doc: {}, p_n: 1 });
    expect(wrong).toMatchObject({ status: 400, error: { code: '22007' } });
  });

  it('answers set-returning functions as arrays, with select, filters, order, limit and count', async () => {
    const all = await h.client().rpc('t_items', { p_n: 3 });
    expect(all.data).toEqual([
      { id: 1, label: 'item 1', note: 'odd' },
      { id: 2, label: 'item 2', note: null },
      { id: 3, label: 'item 3', note: 'odd' },
    ]);
    const picked = await h.client().rpc('t_items', { p_n: 6 }).select('id,name:label').gte('id', 2).lt('id', 6).order('id', { ascending: false }).limit(3);
    expect(picked.data).toEqual([
      { id: 5, name: 'item 5' },
      { id: 4, name: 'item 4' },
      { id: 3, name: 'item 3' },
    ]);
    expect((await h.client().rpc('t_items', { p_n: 5 }).in('id', [1, 4]).select('id')).data).toEqual([{ id: 1 }, { id: 4 }]);
    expect((await h.client().rpc('t_items', { p_n: 4 }).is('note', null).select('id')).data).toEqual([{ id: 2 }, { id: 4 }]);
    const counted = await h.client().rpc('t_items', { p_n: 5 }, { count: 'exact' }).range(0, 1);
    expect(counted).toMatchObject({ status: 206, count: 5 });
    expect(counted.data).toHaveLength(2);
    expect((await h.client().rpc('t_names', { p_n: 2 })).data).toEqual(['n1', 'n2']);
  });

  it('answers one object for a composite result and for .single(), 406 PGRST116 otherwise', async () => {
    expect((await h.client().rpc('t_one', { p_x: 3 })).data).toEqual({ x: 3, y: 'y' });
    expect((await h.client().rpc('t_items', { p_n: 1 }).single()).data).toEqual({ id: 1, label: 'item 1', note: 'odd' });
    const many = await h.client().rpc('t_items', { p_n: 2 }).single();
    expect(many.status).toBe(406);
    expect(many.error).toMatchObject({ code: 'PGRST116', message: 'Cannot coerce the result to a single JSON object', details: 'The result contains 2 rows' });
    expect((await h.client().rpc('t_items', { p_n: 0 }).maybeSingle()).data).toBeNull();
    // The failed singular answer rolls the call back, as PostgREST does.
    const tag = `single-${randomUUID()}`;
    expect((await h.client().rpc('t_write_twice', { p_v: tag }).single()).status).toBe(406);
    expect(await h.sql('select 1 from public.t_log where v = $1', [tag])).toHaveLength(0);
  });

  it('answers 204 for a void function, and undoes a call under Prefer: tx=rollback', async () => {
    expect(await h.client().rpc('t_void')).toMatchObject({ status: 204, data: null, error: null });
    const tag = `rollback-${randomUUID()}`;
    const rolled = await h.client().rpc('t_write', { p_v: tag }).rollback();
    expect(rolled.error).toBeNull();
    expect(typeof rolled.data).toBe('number');
    expect(await h.sql('select 1 from public.t_log where v = $1', [tag])).toHaveLength(0);
    const kept = await h.client().rpc('t_write', { p_v: tag });
    expect(kept.error).toBeNull();
    expect(await h.sql('select 1 from public.t_log where v = $1', [tag])).toHaveLength(1);
  });

  it('runs GET calls read-only: a volatile function cannot write through GET', async () => {
    const tag = `get-${randomUUID()}`;
    const res = await h.client().rpc('t_write', { p_v: tag }, { get: true });
    expect(res.status).toBe(405);
    expect(res.error).toMatchObject({ code: '25006' });
    expect(await h.sql('select 1 from public.t_log where v = $1', [tag])).toHaveLength(0);
  });

  it('delivers an SAnnn refusal to supabase-js with code, message, details and hint intact', async () => {
    const res = await user.client.rpc('t_refuse', { p_minutes: 2 });
    expect(res.status).toBe(400);
    expect(res.error).toEqual({ code: 'SA429', message: 'test.rate_limited', details: '{"retry_after_s": 120}', hint: 'wait a little' });
    const thrown = await user.client.rpc('t_refuse', { p_minutes: 1 }).throwOnError().then(
      () => null,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(PostgrestError);
    expect(thrown).toMatchObject({ code: 'SA429', message: 'test.rate_limited', details: '{"retry_after_s": 60}' });
  });

  it('applies the claims as PostgREST does: anon without a session, the user’s token and role with one', async () => {
    const anon = (await h.client().rpc('t_whoami')).data as Record<string, unknown>;
    expect(anon).toMatchObject({ role: 'anon', uid: null, method: 'POST', path: '/rpc/t_whoami', has_apikey_header: true });
    expect(anon.claims).toMatchObject({ role: 'anon', iss: 'supabase' });

    const { data: session } = await user.client.auth.getSession();
    const mine = (await user.client.rpc('t_whoami', {}, { get: true })).data as Record<string, unknown>;
    expect(mine).toMatchObject({ role: 'authenticated', uid: user.userId, method: 'GET' });
    expect(mine.claims).toEqual(decodeJwt(session.session!.access_token));

    expect(((await h.admin().rpc('t_whoami')).data as Record<string, unknown>).role).toBe('service_role');

    const members = await h.client().rpc('t_members');
    expect(members.status).toBe(401);
    expect(members.error).toMatchObject({ code: '42501' });
    expect((await user.client.rpc('t_members')).data).toBe('members only');
  });

  it('resolves overloads by argument names and says when it cannot', async () => {
    expect((await h.client().rpc('t_over', { a: 1 })).data).toBe('int');
    expect((await h.client().rpc('t_over', { b: 'x' })).data).toBe('text');
    const ambiguous = await h.client().rpc('t_amb', { a: 1 });
    expect(ambiguous.status).toBe(300);
    expect(ambiguous.error).toMatchObject({ code: 'PGRST203' });
    expect((await h.client().rpc('t_json', { any: [1, 2] })).data).toEqual({ any: [1, 2] });
  });

  it('answers 404 PGRST202 for an unknown function or argument set, with PostgREST’s hint', async () => {
    const typo = await h.client().rpc('t_itemz', { p_n: 1 });
    expect(typo.status).toBe(404);
    expect(typo.error).toEqual({
      code: 'PGRST202',
      message: 'Could not find the function public.t_itemz(p_n) in the schema cache',
      details: 'Searched for the function public.t_itemz with parameter p_n or with a single unnamed json/jsonb parameter, but no matches were found in the schema cache.',
      hint: 'Perhaps you meant to call the function public.t_items',
    });
    const args = await h.client().rpc('t_add', { c: 1 });
    expect(args.error).toMatchObject({ code: 'PGRST202', message: 'Could not find the function public.t_add(c) in the schema cache' });
  });

  it('finds a function created after the schema cache was read', async () => {
    const name = `t_late_${randomUUID().replace(/-/g, '')}`;
    await h.sql(`create function public.${name}() returns int language sql as $$ select 42 $$`);
    expect((await h.client().rpc(name)).data).toBe(42);
  });

  it('exposes schema public only: private and auth functions are not found, other profiles refused', async () => {
    expect((await h.client().rpc('t_secret')).status).toBe(404);
    expect((await user.client.rpc('private.t_secret')).status).toBe(404);
    expect((await user.client.rpc('uid')).status).toBe(404);
    const res = await user.client.schema('private').rpc('t_secret');
    expect(res.status).toBe(406);
    expect(res.error).toMatchObject({ code: 'PGRST106', message: 'Invalid schema: private', hint: 'Only the following schemas are exposed: public' });
    const auth = await user.client.schema('auth').rpc('uid');
    expect(auth.error).toMatchObject({ code: 'PGRST106' });
  });

  it('serves no table endpoints (a deliberate limit of the local server)', async () => {
    const res = await user.client.from('profiles').select('*');
    expect(res.status).toBe(404);
    expect(res.error).toMatchObject({ code: 'PGRST205' });
    expect((await rest('/')).status).toBe(404);
  });

  it('treats SQL in function names and filter columns as names, never as SQL', async () => {
    for (const name of ['t_add(1,2); drop table public.t_log; --', 't_add"', "t_add'; select pg_sleep(5); --", '../t_add']) {
      const res = await h.client().rpc(name, { a: 1 });
      expect(res.status).toBe(404);
    }
    const filtered = await h.client().rpc('t_items', { p_n: 2 }).eq('id"; drop table t_log; --', 1);
    expect(filtered.status).toBe(400);
    expect(filtered.error).toMatchObject({ code: '42703' });
    for (const key of ['constructor', '__proto__', 'toString']) {
      const res = await rest(`/rpc/t_add?a=1&${key}=2`);
      expect(res.status).toBe(404);
      expect(await res.json()).toMatchObject({ code: 'PGRST202', message: `Could not find the function public.t_add(${['a', key].sort().join(', ')}) in the schema cache` });
    }
    const ordered = await rest(`/rpc/t_items?order=${encodeURIComponent('id; drop table public.t_log')}`, { method: 'POST', body: '{"p_n":2}' });
    expect(ordered.status).toBe(400);
    expect(await tableExists()).toBe(true);
  });

  it('refuses forged, unsigned, expired and privileged tokens', async () => {
    const claims = decodeJwt((await user.client.auth.getSession()).data.session!.access_token);
    const now = Math.floor(Date.now() / 1000);
    const call = (token: string) => rest('/rpc/t_whoami', { method: 'POST', body: '{}', headers: { Authorization: `Bearer ${token}` } });

    const none = await call(unsignedJwt({ ...claims, role: 'service_role' }));
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'PGRST301' });

    for (const role of ['service_role', 'postgres']) {
      const wrong = await call(signJwt({ ...claims, role }, 'not-the-project-secret-not-the-project-secret'));
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toMatchObject({ code: 'PGRST301', message: 'JWT cryptographic operation failed' });
    }
    // Correctly signed but naming a role the API never switches to.
    const postgres = await call(signJwt({ ...claims, role: 'postgres' }, h.jwtSecret));
    expect(postgres.status).toBe(403);
    expect(await postgres.json()).toMatchObject({ code: '42501' });

    const expired = await call(signJwt({ ...claims, exp: now - 5 }, h.jwtSecret));
    expect(expired.status).toBe(401);
    expect(expired.headers.get('www-authenticate')).toContain('invalid_token');
    expect(await expired.json()).toMatchObject({ code: 'PGRST303', message: 'JWT expired' });

    const viaClient = await clientFor(h.url, h.anonKey).rpc('t_whoami').setHeader('Authorization', `Bearer ${signJwt({ ...claims, exp: now - 5 }, h.jwtSecret)}`);
    expect(viaClient.error).toMatchObject({ code: 'PGRST303' });
  });

  it('refuses calls without an apikey, oversized bodies and non-JSON bodies with clear errors', async () => {
    expect((await fetch(`${h.url}/rest/v1/rpc/t_add`, { method: 'POST', body: '{"a":1}' })).status).toBe(401);
    const big = await rest('/rpc/t_json', { method: 'POST', body: JSON.stringify({ blob: 'x'.repeat(1_200_000) }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ code: 'PGRST102' });
    const bad = await rest('/rpc/t_add', { method: 'POST', body: '{"a":' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'PGRST102', message: 'Empty or invalid json' });
    const method = await rest('/rpc/t_add', { method: 'PUT', body: '{"a":1}' });
    expect(method.status).toBe(405);
    expect(await method.json()).toMatchObject({ code: 'PGRST101' });
  });

  it('caps set-returning calls at max rows, as PostgREST’s db-max-rows does', async () => {
    const capped = await h.secondServer({ maxRows: 3 });
    const client = clientFor(capped.url, capped.anonKey);
    expect((await client.rpc('t_items', { p_n: 10 })).data).toHaveLength(3);
    const counted = await client.rpc('t_items', { p_n: 10 }, { count: 'exact' });
    expect(counted).toMatchObject({ status: 206, count: 10 });
  });
});
