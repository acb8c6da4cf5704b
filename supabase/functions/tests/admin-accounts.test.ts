// The admin-accounts Edge Function under Deno, against a running embedded backend (the console's local Supabase,
// started under Node by tests/functions/embedded-backend.ts): the function's handler is served here with
// Deno.serve, given SUPABASE_URL and the keys as Supabase gives them to a deployed function, and called over
// HTTP with real users' tokens. The embedded backend's own /functions/v1/admin-accounts (the same handler under
// Node) is called through supabase-js `functions.invoke`, as the console calls it.
//
//   deno test -A --config supabase/functions/admin-accounts/deno.json supabase/functions/tests/
//
// Who may do what (supabase/migrations/20261201001900_account_admin.sql): super admins everything; admins only
// create client, reader and monitor accounts; everyone else, and a call without a user's token, nothing.
// The database's refusals (SAnnn) keep PostgREST's HTTP status (400) and carry their code and key; the
// function's own are 400 (bad request), 401 (no live user) and 403/409 (first run).
import assert from 'node:assert/strict';
import { createClient } from '@supabase/supabase-js';
import { createAdminAccountsHandler } from '../admin-accounts/handler.ts';

const root = new URL('../../../', import.meta.url).pathname;
const password = 'correct horse battery';

interface Backend {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

async function startEmbeddedBackend(): Promise<{ backend: Backend; stop: () => Promise<void> }> {
  const child = new Deno.Command(`${root}node_modules/.bin/tsx`, {
    args: ['tests/functions/embedded-backend.ts'],
    cwd: root,
    stdin: 'piped',
    stdout: 'piped',
    stderr: 'inherit',
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = '';
  while (!buffered.includes('\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error('the embedded backend ended before it listened');
    buffered += value;
  }
  reader.releaseLock();
  const backend = JSON.parse(buffered.slice(0, buffered.indexOf('\n'))) as Backend;
  return {
    backend,
    stop: async () => {
      await child.stdin.close();
      await child.stdout.cancel().catch(() => {});
      await child.status;
    },
  };
}

const noRealtime = class {
  constructor() {
    throw new Error('no realtime in this test');
  }
};
const clientFor = (backend: Backend) =>
  createClient(backend.url, backend.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    realtime: { transport: noRealtime as never },
  });

async function signIn(backend: Backend, email: string): Promise<string> {
  const { data, error } = await clientFor(backend).auth.signInWithPassword({ email, password });
  if (error || !data.session) throw new Error(`sign-in of ${email} failed: ${error?.code ?? 'no session'}`);
  return data.session.access_token;
}

interface Answer {
  status: number;
  // deno-lint-ignore no-explicit-any
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the JSON answers are checked field by field
  body: any;
}

Deno.test({ name: 'admin-accounts: allowed and refused callers, every action, and its audit', sanitizeOps: false, sanitizeResources: false }, async (t) => {
  const { backend, stop } = await startEmbeddedBackend();
  const server = Deno.serve(
    { hostname: '127.0.0.1', port: 0, onListen: () => {} },
    createAdminAccountsHandler({ supabaseUrl: backend.url, anonKey: backend.anonKey, serviceRoleKey: backend.serviceRoleKey, firstRunAllowed: false }),
  );
  const functionUrl = `http://127.0.0.1:${server.addr.port}/`;
  const call = async (token: string | null, body: unknown): Promise<Answer> => {
    const response = await fetch(functionUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const refused = (answer: Answer, status: number, code: string) => {
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error.code, code, JSON.stringify(answer.body));
  };

  try {
    let owner = '';
    let ownerId = '';
    await t.step('the first super admin comes from the embedded backend only (first_run), through supabase-js', async () => {
      const anon = clientFor(backend);
      const first = await anon.functions.invoke('admin-accounts', { body: { action: 'first_run', email: 'owner@samia.test', password, displayName: 'Owner' } });
      assert.equal(first.error, null);
      ownerId = first.data.account.id;
      assert.equal(first.data.account.role, 'super_admin');
      const again = await anon.functions.invoke('admin-accounts', { body: { action: 'first_run', email: 'second@samia.test', password, displayName: 'Second' } });
      assert.equal((await (again.error as { context: Response }).context.json()).error.code, 'SA524');
      owner = await signIn(backend, 'owner@samia.test');
      // Served under Deno without ADMIN_ACCOUNTS_FIRST_RUN, as on a Supabase project: never.
      refused(await call(null, { action: 'first_run', email: 'x@samia.test', password, displayName: 'X' }), 403, 'SA524');
    });

    const ids: Record<string, string> = {};
    const tokens: Record<string, string> = {};
    await t.step('a super admin creates an account of each role', async () => {
      for (const role of ['client', 'reader', 'monitor', 'admin'] as const) {
        const answer = await call(owner, { action: 'create', email: `${role}@samia.test`, password, displayName: `The ${role}`, role, preferredLanguage: 'ar' });
        assert.equal(answer.status, 200, JSON.stringify(answer.body));
        assert.equal(answer.body.account.role, role);
        assert.equal(answer.body.account.disabled, false);
        ids[role] = answer.body.account.id;
        tokens[role] = await signIn(backend, `${role}@samia.test`);
      }
      refused(await call(owner, { action: 'create', email: 'reader@samia.test', password, displayName: 'Twice', role: 'reader' }), 422, 'email_exists');
      refused(await call(owner, { action: 'create', email: 'weak@samia.test', password: 'short', displayName: 'Weak', role: 'reader' }), 422, 'weak_password');
    });

    await t.step('refused callers: no token, the anon key, a bad token, a client, a reader, a monitor', async () => {
      refused(await call(null, { action: 'list' }), 401, 'SA401');
      refused(await call(backend.anonKey, { action: 'list' }), 401, 'SA401');
      refused(await call(`${owner.slice(0, -4)}AAAA`, { action: 'list' }), 401, 'SA401');
      for (const role of ['client', 'reader', 'monitor'] as const) {
        refused(await call(tokens[role]!, { action: 'list' }), 400, 'SA520');
        refused(await call(tokens[role]!, { action: 'create', email: `by-${role}@samia.test`, password, displayName: 'Nope', role: 'client' }), 400, 'SA520');
        refused(await call(tokens[role]!, { action: 'disable', userId: ids.client }), 400, 'SA520');
      }
    });

    await t.step('admins create client, reader and monitor accounts, and nothing else', async () => {
      const admin = tokens.admin!;
      const created = await call(admin, { action: 'create', email: 'by-admin@samia.test', password, displayName: 'By admin', role: 'monitor' });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      ids.byAdmin = created.body.account.id;
      refused(await call(admin, { action: 'create', email: 'admin2@samia.test', password, displayName: 'Admin 2', role: 'admin' }), 400, 'SA520');
      refused(await call(admin, { action: 'list' }), 400, 'SA520');
      refused(await call(admin, { action: 'set_role', userId: ids.reader, role: 'admin' }), 400, 'SA520');
      refused(await call(admin, { action: 'disable', userId: ids.reader }), 400, 'SA520');
      refused(await call(admin, { action: 'enable', userId: ids.reader }), 400, 'SA520');
      refused(await call(admin, { action: 'send_password_reset', userId: ids.reader }), 400, 'SA520');
      refused(await call(admin, { action: 'history', userId: ids.reader }), 400, 'SA520');
    });

    await t.step('bad requests are refused by name', async () => {
      refused(await call(owner, { action: 'explode' }), 400, 'SA400');
      refused(await call(owner, { action: 'disable', userId: 'not-a-uuid' }), 400, 'SA400');
      refused(await call(owner, { action: 'list', sort: 'email' }), 400, 'SA400');
      refused(await call(owner, { action: 'set_role', userId: ids.reader, role: 'owner' }), 400, 'SA400');
      refused(await call(owner, { action: 'disable', userId: crypto.randomUUID() }), 400, 'SA407');
      refused(await call(owner, { action: 'disable', userId: ownerId }), 400, 'SA523');
    });

    await t.step('a super admin lists and searches accounts', async () => {
      const all = await call(owner, { action: 'list' });
      assert.equal(all.status, 200);
      assert.equal(all.body.accounts.length, 6);
      const found = await call(owner, { action: 'list', search: 'READER@' });
      assert.deepEqual(found.body.accounts.map((a: { email: string }) => a.email), ['reader@samia.test']);
      assert.equal(found.body.accounts[0].preferredLanguage, 'ar');
      const literal = await call(owner, { action: 'list', search: '%' });
      assert.equal(literal.body.accounts.length, 0, '% is searched literally');
    });

    await t.step('changes a role (profiles and the Auth copy)', async () => {
      const answer = await call(owner, { action: 'set_role', userId: ids.reader, role: 'monitor' });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.account.role, 'monitor');
      const { data } = await createClient(backend.url, backend.serviceRoleKey, { auth: { persistSession: false }, realtime: { transport: noRealtime as never } }).auth.admin.getUserById(ids.reader!);
      assert.equal(data.user?.app_metadata.console_role, 'monitor');
      refused(await call(owner, { action: 'set_role', userId: ownerId, role: 'admin' }), 400, 'SA465');
    });

    await t.step('disables an account: its sign-in is refused (user_banned); re-enabled, it signs in again', async () => {
      const disabled = await call(owner, { action: 'disable', userId: ids.client });
      assert.equal(disabled.status, 200, JSON.stringify(disabled.body));
      assert.equal(disabled.body.account.disabled, true);
      assert.ok(new Date(disabled.body.account.bannedUntil).getFullYear() > new Date().getFullYear() + 50);
      const refusedSignIn = await clientFor(backend).auth.signInWithPassword({ email: 'client@samia.test', password });
      assert.equal(refusedSignIn.error?.code, 'user_banned');
      const enabled = await call(owner, { action: 'enable', userId: ids.client });
      assert.equal(enabled.body.account.disabled, false);
      assert.equal(enabled.body.account.bannedUntil, null);
      await signIn(backend, 'client@samia.test');
    });

    await t.step('sends a password reset', async () => {
      const answer = await call(owner, { action: 'send_password_reset', userId: ids.monitor });
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.equal(answer.body.sent, true);
      assert.equal(answer.body.account.email, 'monitor@samia.test');
    });

    await t.step('every change is audited with its actor (account_history)', async () => {
      const history = async (id: string) => (await call(owner, { action: 'history', userId: id })).body.history as { action: string; actorId: string; newValues: Record<string, unknown> }[];
      const client = await history(ids.client!);
      assert.deepEqual(client.map((h) => h.action), ['account:enable', 'account:disable', 'account:create']);
      assert.ok(client.every((h) => h.actorId === ownerId));
      assert.equal(client[2]!.newValues.role, 'client');
      const reader = await history(ids.reader!);
      assert.deepEqual(reader.map((h) => h.action), ['role_change', 'account:create']);
      assert.equal(reader[0]!.actorId, ownerId);
      assert.equal(reader[0]!.newValues.role, 'monitor');
      assert.deepEqual((await history(ids.monitor!)).map((h) => h.action), ['account:password_reset', 'account:create']);
      const byAdmin = await history(ids.byAdmin!);
      assert.deepEqual(byAdmin.map((h) => [h.action, h.actorId]), [['account:create', ids.admin]]);
      const first = await history(ownerId);
      assert.deepEqual(first.map((h) => [h.action, h.actorId]), [['account:create', ownerId]]);
    });

    await t.step('the embedded backend serves the same function at /functions/v1/admin-accounts', async () => {
      const signedIn = clientFor(backend);
      await signedIn.auth.signInWithPassword({ email: 'owner@samia.test', password });
      const listed = await signedIn.functions.invoke('admin-accounts', { body: { action: 'list', search: 'the admin' } });
      assert.equal(listed.error, null);
      assert.deepEqual(listed.data.accounts.map((a: { email: string }) => a.email), ['admin@samia.test']);
      const asClient = clientFor(backend);
      await asClient.auth.signInWithPassword({ email: 'client@samia.test', password });
      const refusedList = await asClient.functions.invoke('admin-accounts', { body: { action: 'list' } });
      assert.equal((await (refusedList.error as { context: Response }).context.json()).error.code, 'SA520');
      const relay = await fetch(`${backend.url}/functions/v1/admin-accounts`, { method: 'POST', body: '{}' });
      assert.equal(relay.status, 401, 'the relay wants a JWT, as Supabase verifies it');
      await relay.body?.cancel();
    });
  } finally {
    await server.shutdown();
    await stop();
  }
});
