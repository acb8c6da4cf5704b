import { randomUUID } from 'node:crypto';
import { AuthApiError, AuthWeakPasswordError, isAuthSessionMissingError } from '@supabase/supabase-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientFor, decodeJwt, engines, PASSWORD, signJwt, startHarness, unsignedJwt, type Harness } from './harness';

// /auth/v1 through the real @supabase/auth-js: GoTrue's formats, sessions, rotating refresh tokens.

describe.each(engines)('local Auth on %s', (engine) => {
  let h: Harness;
  /** A second server on the same database where any reuse of a rotated refresh token counts as a replay. */
  let strict: { url: string; anonKey: string };

  beforeAll(async () => {
    h = await startHarness(engine);
    strict = await h.secondServer({ refreshTokenReuseIntervalSeconds: 0, accessTokenLifetimeSeconds: 120 });
  });
  afterAll(() => h?.close());

  const apiFetch = (path: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
    fetch(`${h.url}/auth/v1${path}`, { ...init, headers: { apikey: h.anonKey, ...init.headers } });

  it('signs up with auto-confirm and answers a session whose token carries GoTrue’s claims', async () => {
    const client = h.client();
    const email = `Signup-${randomUUID().slice(0, 6)}@Samia.test`;
    const { data, error } = await client.auth.signUp({ email, password: PASSWORD, options: { data: { display_name: 'Nadia', console_role: 'super_admin' } } });
    expect(error).toBeNull();
    const session = data.session!;
    expect(session.token_type).toBe('bearer');
    expect(session.expires_in).toBe(3600);
    expect(data.user!.email).toBe(email.toLowerCase());
    expect(data.user!.email_confirmed_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(data.user!.user_metadata).toEqual({ display_name: 'Nadia', console_role: 'super_admin' });
    // A sign-up chooses its metadata, never its app_metadata (where a console role could only come from the service role).
    expect(data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect(data.user!.identities?.[0]?.provider).toBe('email');
    const claims = decodeJwt(session.access_token);
    expect(claims).toMatchObject({
      aud: 'authenticated',
      iss: `${h.url}/auth/v1`,
      sub: data.user!.id,
      email: email.toLowerCase(),
      phone: '',
      role: 'authenticated',
      aal: 'aal1',
      is_anonymous: false,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: { display_name: 'Nadia', console_role: 'super_admin' },
    });
    expect(claims.exp).toBe(session.expires_at);
    expect((claims.amr as Array<{ method: string }>)[0]!.method).toBe('password');
    const [row] = await h.sql<{ raw_user_meta_data: unknown; encrypted_password: string; n: number }>(
      `select raw_user_meta_data, encrypted_password, (select count(*)::int from auth.sessions s where s.user_id = u.id) as n
         from auth.users u where id = $1`,
      [data.user!.id],
    );
    expect(row!.raw_user_meta_data).toEqual({ display_name: 'Nadia', console_role: 'super_admin' });
    expect(row!.encrypted_password).toMatch(/^scrypt\$/);
    expect(row!.n).toBe(1);
    expect(claims.session_id).toEqual(expect.any(String));
  });

  it('refuses a second sign-up, a weak password and a malformed address with GoTrue’s codes', async () => {
    const { email } = await h.signUp('dup');
    const again = await h.client().auth.signUp({ email, password: PASSWORD });
    expect(again.error).toBeInstanceOf(AuthApiError);
    expect(again.error).toMatchObject({ status: 422, code: 'user_already_exists', message: 'User already registered' });

    const weak = await h.client().auth.signUp({ email: `weak-${randomUUID()}@samia.test`, password: 'nine-char' });
    expect(weak.error).toBeInstanceOf(AuthWeakPasswordError);
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password', reasons: ['length'], message: 'Password should be at least 10 characters.' });

    const bad = await h.client().auth.signUp({ email: 'not-an-address', password: PASSWORD });
    expect(bad.error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('answers the legacy error body to a client that sends no API version', async () => {
    const res = await apiFetch('/token?grant_type=password', { method: 'POST', body: JSON.stringify({ email: 'nobody@samia.test', password: PASSWORD }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' });
    const modern = await apiFetch('/token?grant_type=password', {
      method: 'POST',
      headers: { 'X-Supabase-Api-Version': '2024-01-01' },
      body: JSON.stringify({ email: 'nobody@samia.test', password: PASSWORD }),
    });
    expect(modern.headers.get('x-supabase-api-version')).toBe('2024-01-01');
    expect(await modern.json()).toEqual({ code: 'invalid_credentials', message: 'Invalid login credentials' });
  });

  it('signs in with the password, and refuses a wrong one or an unknown address alike', async () => {
    const { email, userId } = await h.signUp('signin');
    const client = h.client();
    const ok = await client.auth.signInWithPassword({ email: email.toUpperCase(), password: PASSWORD });
    expect(ok.error).toBeNull();
    expect(ok.data.user!.id).toBe(userId);
    expect(ok.data.user!.last_sign_in_at).toBeTruthy();
    const wrong = await h.client().auth.signInWithPassword({ email, password: 'not the password!' });
    const unknown = await h.client().auth.signInWithPassword({ email: `x-${email}`, password: PASSWORD });
    for (const r of [wrong, unknown]) expect(r.error).toMatchObject({ status: 400, code: 'invalid_credentials', message: 'Invalid login credentials' });
    const me = await client.auth.getUser();
    expect(me.data.user!.id).toBe(userId);
  });

  it('rotates refresh tokens: each is single-use, stored hashed, with its parent', async () => {
    const { client, userId, refreshToken } = await h.signUp('rotate');
    const first = await client.auth.refreshSession();
    expect(first.error).toBeNull();
    const second = first.data.session!.refresh_token;
    expect(second).not.toBe(refreshToken);
    const rows = await h.sql<{ token: string; parent: string | null; revoked: boolean }>(
      'select token, parent, revoked from auth.refresh_tokens where user_id = $1 order by id',
      [userId],
    );
    expect(rows).toHaveLength(2);
    expect(rows.map((r) => r.revoked)).toEqual([true, false]);
    expect(rows[1]!.parent).toBe(rows[0]!.token);
    // Never in clear.
    for (const r of rows) expect([refreshToken, second]).not.toContain(r.token);
    expect(decodeJwt(first.data.session!.access_token).session_id).toBe(decodeJwt((await client.auth.getSession()).data.session!.access_token).session_id);
  });

  it('ends the session when a rotated token is replayed after the reuse interval', async () => {
    const owner = clientFor(strict.url, strict.anonKey);
    const email = `replay-${randomUUID().slice(0, 8)}@samia.test`;
    const signedUp = await owner.auth.signUp({ email, password: PASSWORD });
    const stolen = signedUp.data.session!.refresh_token;
    const accessToken = signedUp.data.session!.access_token;
    const rotated = await owner.auth.refreshSession();
    expect(rotated.error).toBeNull();

    const attacker = clientFor(strict.url, strict.anonKey);
    const replay = await attacker.auth.refreshSession({ refresh_token: stolen });
    expect(replay.error).toMatchObject({ status: 400, code: 'refresh_token_already_used', message: 'Invalid Refresh Token: Already Used' });

    // The whole session is gone: the newest token is refused too, and so is the session's access token at /user.
    const legit = await clientFor(strict.url, strict.anonKey).auth.refreshSession({ refresh_token: rotated.data.session!.refresh_token });
    expect(legit.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const user = await clientFor(strict.url, strict.anonKey).auth.getUser(accessToken);
    expect(isAuthSessionMissingError(user.error)).toBe(true);
  });

  it('lets a just-rotated token through within the reuse interval (a lost answer, two tabs), as GoTrue does', async () => {
    const { client, refreshToken } = await h.signUp('interval');
    const rotated = await client.auth.refreshSession();
    expect(rotated.error).toBeNull();
    const again = await h.client().auth.refreshSession({ refresh_token: refreshToken });
    expect(again.error).toBeNull();
    expect(again.data.session!.refresh_token).not.toBe(rotated.data.session!.refresh_token);
  });

  it('refuses an unknown refresh token and one without a value', async () => {
    const unknown = await h.client().auth.refreshSession({ refresh_token: 'definitely-not-issued' });
    expect(unknown.error).toMatchObject({ status: 400, code: 'refresh_token_not_found' });
    const res = await apiFetch('/token?grant_type=refresh_token', { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', error_description: 'refresh_token required' });
    const grant = await apiFetch('/token?grant_type=pkce', { method: 'POST', body: '{}' });
    expect(grant.status).toBe(400);
  });

  it('logs out with scope local, others and global', async () => {
    const { email } = await h.signUp('scopes');
    const sessions = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const c = h.client();
        const { data, error } = await c.auth.signInWithPassword({ email, password: PASSWORD });
        if (error) throw error;
        return { c, refresh: data.session!.refresh_token };
      }),
    );
    const stillValid = async (refresh: string) => !(await h.client().auth.refreshSession({ refresh_token: refresh })).error;
    const [a, b, c, d] = sessions as [typeof sessions[0], typeof sessions[0], typeof sessions[0], typeof sessions[0]];

    expect((await a.c.auth.signOut({ scope: 'local' })).error).toBeNull();
    expect(await stillValid(a.refresh)).toBe(false);
    expect((await a.c.auth.getSession()).data.session).toBeNull();

    expect((await b.c.auth.getUser()).error).toBeNull();
    expect((await b.c.auth.signOut({ scope: 'others' })).error).toBeNull();
    expect((await b.c.auth.getSession()).data.session).not.toBeNull();
    expect((await b.c.auth.getUser()).error).toBeNull();
    expect((await c.c.auth.getUser()).error).not.toBeNull();
    expect(await stillValid(d.refresh)).toBe(false);

    expect((await b.c.auth.signOut()).error).toBeNull(); // supabase-js's default scope is global
    const [{ n }] = (await h.sql<{ n: number }>('select count(*)::int as n from auth.sessions s join auth.users u on u.id = s.user_id where u.email = $1', [email])) as [{ n: number }];
    expect(n).toBe(0);
  });

  it('refuses expired, forged and unsigned tokens at /user', async () => {
    const { userId, accessToken } = await h.signUp('forged');
    const claims = decodeJwt(accessToken);
    const now = Math.floor(Date.now() / 1000);
    const expired = signJwt({ ...claims, iat: now - 100, exp: now - 10 }, h.jwtSecret);
    const forged = signJwt({ ...claims, role: 'service_role' }, 'not-the-secret-not-the-secret-not-the-secret');
    const none = unsignedJwt({ ...claims, exp: now + 600 });
    for (const token of [expired, forged, none]) {
      const { error } = await h.client().auth.getUser(token);
      expect(error).toMatchObject({ status: 403, code: 'bad_jwt' });
    }
    const { data } = await h.client().auth.getUser(accessToken);
    expect(data.user!.id).toBe(userId);
  });

  it('issues tokens with the configured lifetime', async () => {
    const short = await h.secondServer({ accessTokenLifetimeSeconds: 5 });
    const { data } = await clientFor(short.url, short.anonKey).auth.signUp({ email: `short-${randomUUID()}@samia.test`, password: PASSWORD });
    expect(data.session!.expires_in).toBe(5);
    const claims = decodeJwt(data.session!.access_token);
    expect((claims.exp as number) - (claims.iat as number)).toBe(5);
  });

  it('refuses banned and deleted users', async () => {
    const admin = h.admin();
    const email = `banned-${randomUUID().slice(0, 8)}@samia.test`;
    const created = await admin.auth.admin.createUser({ email, password: PASSWORD, email_confirm: true, ban_duration: '24h' });
    expect(created.error).toBeNull();
    expect(created.data.user!.banned_until).toBeTruthy();
    const signIn = await h.client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(signIn.error).toMatchObject({ status: 400, code: 'user_banned' });

    // Banned after signing in: the refresh and /user both refuse.
    const later = await h.signUp('later-banned');
    await h.sql(`update auth.users set banned_until = now() + interval '1 hour' where id = $1`, [later.userId]);
    expect((await later.client.auth.getUser()).error).toMatchObject({ status: 403, code: 'user_banned' });
    expect((await h.client().auth.refreshSession({ refresh_token: later.refreshToken })).error).toMatchObject({ status: 400, code: 'user_banned' });

    const gone = await h.signUp('deleted');
    expect((await admin.auth.admin.deleteUser(gone.userId)).error).toBeNull();
    expect((await h.client().auth.signInWithPassword({ email: gone.email, password: PASSWORD })).error).toMatchObject({ code: 'invalid_credentials' });
    expect((await h.client().auth.refreshSession({ refresh_token: gone.refreshToken })).error).toMatchObject({ code: 'refresh_token_not_found' });
  });

  it('updates a user for the service role only: ban and lift, metadata merged, password; unknown fields refused', async () => {
    const admin = h.admin();
    const user = await h.signUp('updated');
    const banned = await admin.auth.admin.updateUserById(user.userId, { ban_duration: '876000h', app_metadata: { console_role: 'monitor' } });
    expect(banned.error).toBeNull();
    expect(new Date(banned.data.user!.banned_until!).getFullYear()).toBeGreaterThan(new Date().getFullYear() + 50);
    expect(banned.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'], console_role: 'monitor' });
    expect((await h.client().auth.signInWithPassword({ email: user.email, password: PASSWORD })).error).toMatchObject({ status: 400, code: 'user_banned' });
    const lifted = await admin.auth.admin.updateUserById(user.userId, { ban_duration: 'none', app_metadata: { console_role: null }, password: 'another long password' });
    expect(lifted.error).toBeNull();
    expect(lifted.data.user!.banned_until).toBeUndefined();
    expect(lifted.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'] });
    expect((await h.client().auth.signInWithPassword({ email: user.email, password: 'another long password' })).error).toBeNull();
    expect((await admin.auth.admin.updateUserById(user.userId, { ban_duration: 'forever' })).error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await admin.auth.admin.updateUserById(user.userId, { email: 'new@samia.test' })).error).toMatchObject({ status: 400, code: 'validation_failed' });
    expect((await admin.auth.admin.updateUserById(randomUUID(), { ban_duration: 'none' })).error).toMatchObject({ status: 404, code: 'user_not_found' });
    // A user's own token is not the service role.
    const asUser = await apiFetch(`/admin/users/${user.userId}`, {
      method: 'PUT',
      headers: { Authorization: `Bearer ${user.accessToken}`, 'Content-Type': 'application/json', 'X-Supabase-Api-Version': '2024-01-01' },
      body: JSON.stringify({ ban_duration: 'none' }),
    });
    expect(asUser.status).toBe(403);
    expect(await asUser.json()).toMatchObject({ code: 'not_admin' });
  });

  it('records a password recovery (no mail server here) and answers alike for unknown addresses', async () => {
    const user = await h.signUp('recover');
    expect((await h.client().auth.resetPasswordForEmail(user.email)).error).toBeNull();
    const [row] = await h.sql<{ sent: boolean; token: string | null }>(`select recovery_sent_at is not null as sent, recovery_token as token from auth.users where id = $1`, [user.userId]);
    expect(row).toEqual({ sent: true, token: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect((await h.client().auth.resetPasswordForEmail(`nobody-${randomUUID().slice(0, 6)}@samia.test`)).error).toBeNull();
    expect((await h.client().auth.resetPasswordForEmail('not an email')).error).toMatchObject({ status: 400, code: 'validation_failed' });
  });

  it('creates and lists users for the service role only, with app_metadata set only there', async () => {
    const admin = h.admin();
    const email = `staff-${randomUUID().slice(0, 8)}@samia.test`;
    const created = await admin.auth.admin.createUser({
      email,
      password: PASSWORD,
      email_confirm: true,
      user_metadata: { display_name: 'Staff' },
      app_metadata: { console_role: 'monitor' },
    });
    expect(created.error).toBeNull();
    expect(created.data.user!.app_metadata).toEqual({ provider: 'email', providers: ['email'], console_role: 'monitor' });
    const signedIn = await h.client().auth.signInWithPassword({ email, password: PASSWORD });
    expect(decodeJwt(signedIn.data.session!.access_token).app_metadata).toMatchObject({ console_role: 'monitor' });

    const unconfirmed = `unconfirmed-${randomUUID().slice(0, 8)}@samia.test`;
    await admin.auth.admin.createUser({ email: unconfirmed, password: PASSWORD });
    expect((await h.client().auth.signInWithPassword({ email: unconfirmed, password: PASSWORD })).error).toMatchObject({ code: 'email_not_confirmed' });

    const duplicate = await admin.auth.admin.createUser({ email, password: PASSWORD });
    expect(duplicate.error).toMatchObject({ status: 422, code: 'email_exists' });
    const weak = await admin.auth.admin.createUser({ email: `w-${email}`, password: 'short' });
    expect(weak.error).toMatchObject({ status: 422, code: 'weak_password' });

    const page = await admin.auth.admin.listUsers({ page: 1, perPage: 2 });
    expect(page.error).toBeNull();
    const listed = page.data as { users: unknown[]; total: number; nextPage: number | null };
    expect(listed.users).toHaveLength(2);
    const [{ n }] = (await h.sql<{ n: number }>('select count(*)::int as n from auth.users')) as [{ n: number }];
    expect(listed.total).toBe(n);
    expect(listed.nextPage).toBe(2);

    // An anon key or a user's token is not an admin.
    const user = await h.signUp('not-admin');
    for (const client of [h.client(), user.client]) {
      const list = await client.auth.admin.listUsers();
      expect(list.error).toMatchObject({ status: 403, code: 'not_admin' });
      const make = await client.auth.admin.createUser({ email: `x-${randomUUID()}@samia.test`, password: PASSWORD, app_metadata: { console_role: 'super_admin' } });
      expect(make.error).toMatchObject({ status: 403, code: 'not_admin' });
    }
    // A service-role token signed with another secret is no admin either.
    const res = await fetch(`${h.url}/auth/v1/admin/users`, {
      headers: { apikey: h.anonKey, Authorization: `Bearer ${signJwt({ role: 'service_role' }, 'wrong-secret-wrong-secret-wrong-secret-wrong')}` },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error_code: 'bad_jwt' });
  });

  it('serves settings and health', async () => {
    const settings = await (await apiFetch('/settings')).json();
    expect(settings).toMatchObject({ external: { email: true, phone: false }, disable_signup: false, mailer_autoconfirm: true });
    const health = await (await apiFetch('/health')).json();
    expect(health).toMatchObject({ name: 'GoTrue' });
  });

  it('refuses requests without a valid apikey and bodies over 1 MiB', async () => {
    const missing = await fetch(`${h.url}/auth/v1/settings`);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ message: 'No API key found in request' });
    const wrong = await fetch(`${h.url}/auth/v1/settings`, { headers: { apikey: signJwt({ role: 'anon' }, 'another-secret-another-secret-another-secret') } });
    expect(wrong.status).toBe(401);
    // A user's access token is not an API key.
    const { accessToken } = await h.signUp('apikey');
    expect((await fetch(`${h.url}/auth/v1/settings`, { headers: { apikey: accessToken } })).status).toBe(401);

    const big = await apiFetch('/signup', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email: 'big@samia.test', password: PASSWORD, data: { blob: 'x'.repeat(1_100_000) } }) });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({ error_code: 'request_entity_too_large' });
    const badJson = await apiFetch('/signup', { method: 'POST', body: '{"email":' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error_code: 'bad_json' });
  });
});
