/**
 * The request and answer of the admin-accounts Edge Function, as plain TypeScript with no imports: the Deno
 * function (supabase/functions/admin-accounts), the embedded backend's local copy of it (Node) and the
 * console's adapter (src/main/backend/supabase-connection.ts) all read this one file.
 *
 * Every request is `POST /functions/v1/admin-accounts` with a JSON body naming its action, and the caller's
 * access token as bearer (supabase-js `functions.invoke` sends it). Answers are JSON: 200 with the action's
 * result, or an error status with `{ error: AdminAccountsError }`.
 */

export const ACCOUNT_ROLES = ['client', 'reader', 'monitor', 'admin', 'super_admin'] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];
export type AccountLanguage = 'ar' | 'en';

export type AdminAccountsRequest =
  | { action: 'list'; search?: string; limit?: number }
  | { action: 'create'; email: string; password: string; displayName: string; role: AccountRole; preferredLanguage?: AccountLanguage }
  | { action: 'set_role'; userId: string; role: AccountRole }
  | { action: 'disable'; userId: string }
  | { action: 'enable'; userId: string }
  | { action: 'send_password_reset'; userId: string }
  | { action: 'history'; userId: string; limit?: number }
  /**
   * The first super admin, while none exists. Accepted only where the function runs with
   * ADMIN_ACCOUNTS_FIRST_RUN=allow (the embedded backend): on a Supabase project the first super admin is
   * made by the project's owner (docs/backend.md), never by whoever calls first.
   */
  | { action: 'first_run'; email: string; password: string; displayName: string; preferredLanguage?: AccountLanguage };

export type AdminAccountsAction = AdminAccountsRequest['action'];

export interface ManagedAccount {
  id: string;
  email: string;
  displayName: string;
  role: AccountRole;
  preferredLanguage: AccountLanguage;
  disabled: boolean;
  /** When the ban ends (GoTrue's banned_until); null when not disabled. */
  bannedUntil: string | null;
  createdAt: string;
  lastSignInAt: string | null;
}

export interface AccountChange {
  id: number;
  action: string;
  actorId: string | null;
  oldValues: Record<string, unknown> | null;
  newValues: Record<string, unknown> | null;
  createdAt: string;
}

export type AdminAccountsAnswer =
  | { accounts: ManagedAccount[] }
  | { account: ManagedAccount }
  | { history: AccountChange[] }
  | { sent: true; account: ManagedAccount };

/**
 * A refusal. `source: 'backend'` carries a stable SAnnn code with its message key and JSON details (from the
 * database's RPCs, or the function's own checks), as PostgREST's errors do; `source: 'auth'` carries GoTrue's
 * error code (email_exists, weak_password, ...), as auth-js reads it.
 */
export interface AdminAccountsError {
  source: 'backend' | 'auth';
  code: string;
  message: string;
  details?: string;
  status: number;
}

/** How long a disable lasts: GoTrue has no "forever", so 100 years (a `ban_duration` in Go's duration syntax). */
export const DISABLE_BAN_DURATION = '876000h';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class AdminAccountsRequestError extends Error {
  constructor(
    readonly argument: string,
    readonly reason: string,
  ) {
    super(`${argument}: ${reason}`);
    this.name = 'AdminAccountsRequestError';
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function text(body: Record<string, unknown>, key: string, max: number, required: true): string;
function text(body: Record<string, unknown>, key: string, max: number, required: false): string | undefined;
function text(body: Record<string, unknown>, key: string, max: number, required: boolean): string | undefined {
  const value = body[key];
  if (value === undefined || value === null) {
    if (required) throw new AdminAccountsRequestError(key, 'required');
    return undefined;
  }
  if (typeof value !== 'string') throw new AdminAccountsRequestError(key, 'must be a string');
  if (value.length > max) throw new AdminAccountsRequestError(key, `longer than ${max} characters`);
  if (required && value.trim() === '') throw new AdminAccountsRequestError(key, 'required');
  return value;
}

const userId = (body: Record<string, unknown>) => {
  const id = text(body, 'userId', 36, true);
  if (!UUID.test(id)) throw new AdminAccountsRequestError('userId', 'must be a UUID');
  return id.toLowerCase();
};

const role = (body: Record<string, unknown>): AccountRole => {
  const value = text(body, 'role', 20, true);
  if (!(ACCOUNT_ROLES as readonly string[]).includes(value)) throw new AdminAccountsRequestError('role', `must be one of ${ACCOUNT_ROLES.join(', ')}`);
  return value as AccountRole;
};

const language = (body: Record<string, unknown>): AccountLanguage | undefined => {
  const value = text(body, 'preferredLanguage', 2, false);
  if (value !== undefined && value !== 'ar' && value !== 'en') throw new AdminAccountsRequestError('preferredLanguage', 'must be ar or en');
  return value;
};

const limit = (body: Record<string, unknown>, max: number): number | undefined => {
  const value = body.limit;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) throw new AdminAccountsRequestError('limit', `must be a whole number from 1 to ${max}`);
  return value;
};

const KNOWN: Record<AdminAccountsAction, readonly string[]> = {
  list: ['search', 'limit'],
  create: ['email', 'password', 'displayName', 'role', 'preferredLanguage'],
  set_role: ['userId', 'role'],
  disable: ['userId'],
  enable: ['userId'],
  send_password_reset: ['userId'],
  history: ['userId', 'limit'],
  first_run: ['email', 'password', 'displayName', 'preferredLanguage'],
};

/** Checks a request body, field by field; an unknown action or field is refused, never ignored. */
export function parseAdminAccountsRequest(body: unknown): AdminAccountsRequest {
  if (!isObject(body)) throw new AdminAccountsRequestError('body', 'must be a JSON object');
  const action = body.action;
  if (typeof action !== 'string' || !Object.hasOwn(KNOWN, action)) {
    throw new AdminAccountsRequestError('action', `must be one of ${Object.keys(KNOWN).join(', ')}`);
  }
  const known = KNOWN[action as AdminAccountsAction];
  const extra = Object.keys(body).filter((key) => key !== 'action' && !known.includes(key));
  if (extra.length > 0) throw new AdminAccountsRequestError(extra[0]!, `is not a field of ${action}`);
  switch (action as AdminAccountsAction) {
    case 'list': {
      const search = text(body, 'search', 320, false);
      const max = limit(body, 1000);
      return { action: 'list', ...(search !== undefined ? { search } : {}), ...(max !== undefined ? { limit: max } : {}) };
    }
    case 'create':
    case 'first_run': {
      const lang = language(body);
      const account = {
        email: text(body, 'email', 320, true).trim(),
        password: text(body, 'password', 1024, true),
        displayName: text(body, 'displayName', 200, true).trim(),
        ...(lang ? { preferredLanguage: lang } : {}),
      };
      return action === 'create' ? { action: 'create', ...account, role: role(body) } : { action: 'first_run', ...account };
    }
    case 'set_role':
      return { action: 'set_role', userId: userId(body), role: role(body) };
    case 'disable':
    case 'enable':
    case 'send_password_reset':
      return { action: action as 'disable' | 'enable' | 'send_password_reset', userId: userId(body) };
    case 'history': {
      const max = limit(body, 200);
      return { action: 'history', userId: userId(body), ...(max !== undefined ? { limit: max } : {}) };
    }
  }
}
