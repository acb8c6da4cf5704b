import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import {
  AdminAccountsRequestError,
  DISABLE_BAN_DURATION,
  parseAdminAccountsRequest,
  type AccountChange,
  type AccountRole,
  type AdminAccountsAnswer,
  type AdminAccountsError,
  type AdminAccountsRequest,
  type ManagedAccount,
} from './contract.ts';

/**
 * The admin-accounts Edge Function's behaviour, in web-standard TypeScript (Request, Response, fetch) so the
 * same code runs in Supabase's Deno runtime (index.ts) and in the embedded backend's Node server.
 *
 * Who is calling comes from GoTrue (`/auth/v1/user` with the caller's token: a valid, unexpired, not banned
 * user), and what they may do from the database (`authorize_account_action`, called with the caller's own
 * token, which reads public.profiles: never a claim). Only then is the service role used, for what only it
 * may do (GoTrue's admin API); each change is then audited by `record_account_change`, which checks the
 * actor again. A change whose audit fails is undone where it can be (a created account is deleted, a ban
 * restored), so no change stands unaudited.
 */

export interface AdminAccountsEnv {
  /** SUPABASE_URL */
  supabaseUrl: string;
  /** SUPABASE_ANON_KEY: the caller-side client (the caller's token decides its rights). */
  anonKey: string;
  /** SUPABASE_SERVICE_ROLE_KEY: GoTrue's admin API and the audit RPC. Never leaves the function. */
  serviceRoleKey: string;
  /** ADMIN_ACCOUNTS_FIRST_RUN=allow: the first super admin may be created without a caller (embedded only). */
  firstRunAllowed: boolean;
  log?: (message: string) => void;
}

/** Reads the environment as Supabase sets it for an Edge Function (and as the embedded backend sets it). */
export function adminAccountsEnv(get: (name: string) => string | undefined): AdminAccountsEnv {
  const need = (name: string) => {
    const value = get(name);
    if (!value) throw new Error(`admin-accounts: ${name} is not set`);
    return value;
  };
  return {
    supabaseUrl: need('SUPABASE_URL'),
    anonKey: need('SUPABASE_ANON_KEY'),
    serviceRoleKey: need('SUPABASE_SERVICE_ROLE_KEY'),
    firstRunAllowed: get('ADMIN_ACCOUNTS_FIRST_RUN') === 'allow',
  };
}

export const ADMIN_ACCOUNTS_CORS_HEADERS: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

class Refusal extends Error {
  constructor(readonly error: AdminAccountsError) {
    super(`${error.code} ${error.message}`);
    this.name = 'Refusal';
  }
}

const refuse = (status: number, code: string, message: string, details: Record<string, unknown> = {}) =>
  new Refusal({ source: 'backend', code, message, details: JSON.stringify(details), status });

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { ...ADMIN_ACCOUNTS_CORS_HEADERS, 'Content-Type': 'application/json' } });

/** A PostgREST refusal, relayed with its code, key and details (the console translates SAnnn keys). */
function fromPostgrest(error: { code?: string; message?: string; details?: string | null }, status: number): Refusal {
  return new Refusal({ source: 'backend', code: error.code ?? 'unknown', message: error.message ?? 'request refused', details: error.details ?? '{}', status: status || 500 });
}

/** A GoTrue refusal, relayed with GoTrue's error code (auth-js reads it as `code`). */
function fromAuth(error: { status?: number; code?: string; message?: string }): Refusal {
  return new Refusal({ source: 'auth', code: error.code ?? 'unexpected_failure', message: error.message ?? 'Auth refused the request', status: error.status ?? 500 });
}

interface AccountRow {
  id: string;
  email: string | null;
  display_name: string | null;
  role: string;
  preferred_language: string | null;
  disabled: boolean;
  banned_until: string | null;
  created_at: string;
  last_sign_in_at: string | null;
}

const toAccount = (row: AccountRow): ManagedAccount => ({
  id: row.id,
  email: row.email ?? '',
  displayName: row.display_name ?? '',
  role: row.role as AccountRole,
  preferredLanguage: row.preferred_language === 'ar' ? 'ar' : 'en',
  disabled: row.disabled,
  bannedUntil: row.disabled ? row.banned_until : null,
  createdAt: row.created_at,
  lastSignInAt: row.last_sign_in_at,
});

const bearer = (header: string | null) => {
  const match = header ? /^\s*bearer\s+(\S+)\s*$/i.exec(header) : null;
  return match ? match[1]! : null;
};

const noSession = { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false } as const;

/**
 * The function opens no Realtime socket. supabase-js builds its Realtime client eagerly and, on a runtime
 * without a global WebSocket (Node 20), refuses to start unless given a transport: this one says so if used.
 */
class NoRealtimeSocket {
  constructor() {
    throw new Error('admin-accounts does not use Realtime');
  }
}
const clientOptions = { auth: noSession, realtime: { transport: NoRealtimeSocket as never } };

export function createAdminAccountsHandler(env: AdminAccountsEnv): (request: Request) => Promise<Response> {
  const admin = createClient(env.supabaseUrl, env.serviceRoleKey, clientOptions);
  const log = env.log ?? ((message: string) => console.error(message));
  // First-run requests are taken one at a time, so two of them cannot both find "no super admin yet".
  let firstRunQueue: Promise<unknown> = Promise.resolve();

  const callerClient = (token: string) =>
    createClient(env.supabaseUrl, env.anonKey, { ...clientOptions, global: { headers: { Authorization: `Bearer ${token}` } } });

  async function rpc<T>(client: SupabaseClient, name: string, args: Record<string, unknown>): Promise<T> {
    const { data, error, status } = await client.rpc(name, args);
    if (error) throw fromPostgrest(error, status);
    return data as T;
  }

  async function accountById(client: SupabaseClient, userId: string): Promise<ManagedAccount> {
    const rows = await rpc<AccountRow[]>(client, 'list_accounts', { p_user_id: userId, p_limit: 1 });
    const row = rows[0];
    if (!row) throw refuse(404, 'SA407', 'profile.user_not_found', { user_id: userId });
    return toAccount(row);
  }

  async function audit(actor: string, userId: string, action: string, oldValues: unknown, newValues: unknown): Promise<void> {
    await rpc(admin, 'record_account_change', { p_actor_id: actor, p_user_id: userId, p_change: action, p_old: oldValues, p_new: newValues });
  }

  async function createAccount(actor: string | null, account: { email: string; password: string; displayName: string; role: AccountRole; preferredLanguage?: string }) {
    const { data, error } = await admin.auth.admin.createUser({
      email: account.email.toLowerCase(),
      password: account.password,
      email_confirm: true,
      user_metadata: { display_name: account.displayName, preferred_language: account.preferredLanguage ?? 'en' },
      // app_metadata only the service role writes: the profile trigger takes the role from it.
      app_metadata: { console_role: account.role },
    });
    if (error || !data.user) throw fromAuth(error ?? {});
    const user = data.user;
    try {
      await audit(actor ?? user.id, user.id, 'account:create', null, { email: user.email, role: account.role, display_name: account.displayName });
    } catch (failure) {
      await admin.auth.admin.deleteUser(user.id).catch((e: unknown) => log(`admin-accounts: could not remove unaudited account ${user.id}: ${String(e)}`));
      throw failure;
    }
    const created: ManagedAccount = {
      id: user.id,
      email: user.email ?? account.email,
      displayName: account.displayName,
      role: account.role,
      preferredLanguage: account.preferredLanguage === 'ar' ? 'ar' : 'en',
      disabled: false,
      bannedUntil: null,
      createdAt: user.created_at,
      lastSignInAt: null,
    };
    return created;
  }

  async function setBan(actor: string, caller: SupabaseClient, userId: string, disable: boolean): Promise<ManagedAccount> {
    const before = await accountById(caller, userId);
    const { error } = await admin.auth.admin.updateUserById(userId, { ban_duration: disable ? DISABLE_BAN_DURATION : 'none' });
    if (error) throw fromAuth(error);
    const after = await accountById(caller, userId);
    try {
      await audit(actor, userId, disable ? 'account:disable' : 'account:enable', { banned_until: before.bannedUntil }, { banned_until: after.bannedUntil });
    } catch (failure) {
      const restore = before.disabled ? DISABLE_BAN_DURATION : 'none';
      await admin.auth.admin.updateUserById(userId, { ban_duration: restore }).catch((e: unknown) => log(`admin-accounts: could not undo the unaudited ban change of ${userId}: ${String(e)}`));
      throw failure;
    }
    return after;
  }

  async function firstRun(request: Extract<AdminAccountsRequest, { action: 'first_run' }>): Promise<AdminAccountsAnswer> {
    if (!env.firstRunAllowed) throw refuse(403, 'SA524', 'accounts.first_run_done', { reason: 'not_allowed_here' });
    const attempt = firstRunQueue.then(async () => {
      if (!(await rpc<boolean>(admin, 'needs_first_run', {}))) throw refuse(409, 'SA524', 'accounts.first_run_done', {});
      return { account: await createAccount(null, { ...request, role: 'super_admin' }) };
    });
    firstRunQueue = attempt.catch(() => {});
    return attempt;
  }

  async function perform(request: AdminAccountsRequest, authorization: string | null): Promise<AdminAccountsAnswer> {
    if (request.action === 'first_run') return firstRun(request);
    const token = bearer(authorization);
    if (!token) throw refuse(401, 'SA401', 'auth.required');
    // GoTrue decides whether the token is a live user's (signature, expiry, user still there and not banned).
    const { data: who, error: whoError } = await admin.auth.getUser(token);
    if (whoError || !who.user) throw refuse(401, 'SA401', 'auth.required', { reason: whoError?.code ?? 'no_user' });
    const caller = callerClient(token);
    const target = 'userId' in request ? request.userId : null;
    const role = 'role' in request ? request.role : null;
    const authorizeAs = request.action === 'history' ? 'list' : request.action;
    const actor = await rpc<string>(caller, 'authorize_account_action', { p_action: authorizeAs, p_user_id: target, p_role: role });
    switch (request.action) {
      case 'list': {
        const rows = await rpc<AccountRow[]>(caller, 'list_accounts', { p_search: request.search ?? null, p_limit: request.limit ?? 200 });
        return { accounts: rows.map(toAccount) };
      }
      case 'history': {
        const rows = await rpc<{ id: number; action: string; actor_id: string | null; old_values: Record<string, unknown> | null; new_values: Record<string, unknown> | null; created_at: string }[]>(
          caller,
          'account_history',
          { p_user_id: request.userId, p_limit: request.limit ?? 50 },
        );
        const history: AccountChange[] = rows.map((r) => ({ id: Number(r.id), action: r.action, actorId: r.actor_id, oldValues: r.old_values, newValues: r.new_values, createdAt: r.created_at }));
        return { history };
      }
      case 'create':
        return { account: await createAccount(actor, request) };
      case 'set_role': {
        // The role and its audit row, in one transaction (set_role and the profiles trigger).
        await rpc(caller, 'set_role', { p_user_id: request.userId, p_role: request.role });
        // GoTrue's copy, for the claims of the user's next tokens; the console never reads it for rights.
        const { error } = await admin.auth.admin.updateUserById(request.userId, { app_metadata: { console_role: request.role } });
        if (error) throw refuse(502, 'SA525', 'accounts.metadata_not_updated', { user_id: request.userId, role: request.role, auth_code: error.code ?? null });
        return { account: await accountById(caller, request.userId) };
      }
      case 'disable':
      case 'enable':
        return { account: await setBan(actor, caller, request.userId, request.action === 'disable') };
      case 'send_password_reset': {
        const account = await accountById(caller, request.userId);
        if (!account.email) throw refuse(409, 'SA526', 'accounts.no_email', { user_id: request.userId });
        const { error } = await admin.auth.resetPasswordForEmail(account.email);
        if (error) throw fromAuth(error);
        await audit(actor, request.userId, 'account:password_reset', null, { email: account.email });
        return { sent: true, account };
      }
    }
  }

  return async (request: Request): Promise<Response> => {
    if (request.method === 'OPTIONS') return new Response('ok', { headers: ADMIN_ACCOUNTS_CORS_HEADERS });
    try {
      if (request.method !== 'POST') throw refuse(405, 'SA400', 'request.invalid_argument', { argument: 'method', value: request.method, reason: 'POST only' });
      let body: unknown;
      try {
        body = await request.json();
      } catch {
        throw refuse(400, 'SA400', 'request.invalid_argument', { argument: 'body', reason: 'not JSON' });
      }
      let parsed: AdminAccountsRequest;
      try {
        parsed = parseAdminAccountsRequest(body);
      } catch (error) {
        if (error instanceof AdminAccountsRequestError) throw refuse(400, 'SA400', 'request.invalid_argument', { argument: error.argument, reason: error.reason });
        throw error;
      }
      return json(200, await perform(parsed, request.headers.get('authorization')));
    } catch (error) {
      if (error instanceof Refusal) return json(error.error.status, { error: error.error });
      log(`admin-accounts: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return json(500, { error: { source: 'backend', code: 'SA527', message: 'accounts.unavailable', details: '{}', status: 500 } satisfies AdminAccountsError });
    }
  };
}
