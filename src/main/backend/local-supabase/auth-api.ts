import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { signJwt, verifyJwt, type JwtClaims } from './jwt';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from './password-hash';
import type { PlatformDatabase, Sql } from './platform-database';
import { BodyTooLargeError, ClientAbortedError, bearerToken, isPlainObject, parseJson, pgError, readBody, sendEmpty, sendJson, type ApiRequest } from './http-util';

/**
 * `/auth/v1`: the part of GoTrue (Supabase Auth) the console and its clients use, with GoTrue's JSON formats
 * and error codes as @supabase/auth-js reads them. Accounts live in `auth.users`; every sign-in is a row in
 * `auth.sessions`; refresh tokens are single-use, rotate on every refresh, and are stored only as SHA-256 in
 * `auth.refresh_tokens` with the token they replaced as parent, so a replayed token is recognised and ends the
 * session. Sign-up confirms at once (no mail server here) and answers with a session.
 */

export interface AuthApiOptions {
  database: PlatformDatabase;
  jwtSecret: string;
  /** The `iss` claim: `<server url>/auth/v1`, known once the server listens. */
  issuer: () => string;
  accessTokenLifetimeSeconds: number;
  /** How long a just-rotated refresh token may still be used (GoTrue's REFRESH_TOKEN_REUSE_INTERVAL). */
  refreshTokenReuseIntervalSeconds: number;
  signupEnabled: boolean;
  log: (message: string) => void;
}

/** The console's password rule, applied as GoTrue applies GOTRUE_PASSWORD_MIN_LENGTH (in bytes). */
export const MIN_PASSWORD_LENGTH = 10;
// GoTrue's own ceiling (bcrypt's input limit); kept so an account made here also fits a Supabase project.
const MAX_PASSWORD_LENGTH = 72;
const BODY_LIMIT = 1 << 20;
const ADMIN_ROLES: ReadonlySet<string> = new Set(['service_role', 'supabase_admin']);
const NIL_INSTANCE = '00000000-0000-0000-0000-000000000000';
const API_VERSION_HEADER = 'x-supabase-api-version';
const API_VERSION_2024 = '2024-01-01';
// The same loose check as GoTrue's checkmail.ValidateFormat: one @, something on both sides, a dot after it.
const EMAIL_FORMAT = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An answer in GoTrue's error format (HTTPError, WeakPasswordError or OAuthError). */
class AuthApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly extra: { weakPasswordReasons?: string[]; oauthError?: string } = {},
  ) {
    super(message);
    this.name = 'AuthApiError';
  }
}

const badRequest = (code: string, message: string) => new AuthApiError(400, code, message);
const invalidCredentials = () => badRequest('invalid_credentials', 'Invalid login credentials');

interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  phone: string | null;
  encrypted_password: string | null;
  email_confirmed_at: string | null;
  phone_confirmed_at: string | null;
  confirmed_at: string | null;
  last_sign_in_at: string | null;
  raw_app_meta_data: Record<string, unknown> | null;
  raw_user_meta_data: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  banned_until: string | null;
  deleted_at: string | null;
  is_anonymous: boolean;
  is_banned: boolean;
}

// Timestamps leave the database as RFC 3339 text in UTC, as Go's encoder writes them, whatever the driver.
const iso = (column: string, alias = column.replace(/^u\./, '')) =>
  `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as ${alias}`;

const USER_COLUMNS = [
  'u.id::text as id',
  'u.aud',
  'u.role',
  'u.email',
  'u.phone',
  'u.encrypted_password',
  iso('u.email_confirmed_at'),
  iso('u.phone_confirmed_at'),
  // On Supabase confirmed_at is generated from the two confirmation times; it is computed here the same way.
  iso('coalesce(u.confirmed_at, least(u.email_confirmed_at, u.phone_confirmed_at))', 'confirmed_at'),
  iso('u.last_sign_in_at'),
  'u.raw_app_meta_data',
  'u.raw_user_meta_data',
  iso('u.created_at'),
  iso('u.updated_at'),
  iso('u.banned_until'),
  iso('u.deleted_at'),
  'u.is_anonymous',
  'coalesce(u.banned_until > now(), false) as is_banned',
].join(', ');

const sha256 = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** GoTrue's user JSON (models.User), with the email identity every password account has. */
function userJson(user: UserRow): Record<string, unknown> {
  const identityId = createHash('sha256').update(`email:${user.id}`).digest('hex');
  const identity = {
    identity_id: `${identityId.slice(0, 8)}-${identityId.slice(8, 12)}-4${identityId.slice(13, 16)}-a${identityId.slice(17, 20)}-${identityId.slice(20, 32)}`,
    id: user.id,
    user_id: user.id,
    identity_data: { email: user.email, email_verified: user.email_confirmed_at !== null, phone_verified: false, sub: user.id },
    provider: 'email',
    last_sign_in_at: user.last_sign_in_at ?? user.created_at,
    created_at: user.created_at,
    updated_at: user.updated_at,
    email: user.email,
  };
  const json: Record<string, unknown> = {
    id: user.id,
    aud: user.aud ?? '',
    role: user.role ?? '',
    email: user.email ?? '',
    ...(user.email_confirmed_at ? { email_confirmed_at: user.email_confirmed_at } : {}),
    phone: user.phone ?? '',
    ...(user.phone_confirmed_at ? { phone_confirmed_at: user.phone_confirmed_at } : {}),
    ...(user.confirmed_at ? { confirmed_at: user.confirmed_at } : {}),
    ...(user.last_sign_in_at ? { last_sign_in_at: user.last_sign_in_at } : {}),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: user.email ? [identity] : [],
    created_at: user.created_at,
    updated_at: user.updated_at,
    ...(user.banned_until ? { banned_until: user.banned_until } : {}),
    ...(user.deleted_at ? { deleted_at: user.deleted_at } : {}),
    is_anonymous: user.is_anonymous,
  };
  return json;
}

/** Go's time.ParseDuration for the units GoTrue's ban_duration takes ("24h", "90m", "1h30m"). */
function parseGoDuration(text: string): number | null {
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1e3, m: 60e3, h: 3600e3 };
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  let total = 0;
  for (const [, value, , unit] of text.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(value) * units[unit!]!;
  return total;
}

function passwordProblem(password: string): AuthApiError | null {
  const bytes = Buffer.byteLength(password, 'utf8');
  if (bytes > MAX_PASSWORD_LENGTH) {
    return badRequest('validation_failed', `Password cannot be longer than ${MAX_PASSWORD_LENGTH} characters`);
  }
  if (bytes < MIN_PASSWORD_LENGTH) {
    return new AuthApiError(422, 'weak_password', `Password should be at least ${MIN_PASSWORD_LENGTH} characters.`, {
      weakPasswordReasons: ['length'],
    });
  }
  return null;
}

function validEmail(value: unknown): string {
  const email = typeof value === 'string' ? value.trim() : '';
  if (!email) throw badRequest('validation_failed', 'An email address is required');
  if (email.length > 255) throw badRequest('validation_failed', 'An email address is too long');
  if (!EMAIL_FORMAT.test(email)) throw badRequest('validation_failed', 'Unable to validate email address: invalid format');
  return email.toLowerCase();
}

const optionalString = (body: Record<string, unknown>, key: string): string => {
  const value = body[key];
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${typeof value} into Go struct field .${key} of type string`);
  }
  return value;
};

const optionalObject = (body: Record<string, unknown>, key: string): Record<string, unknown> | undefined => {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) {
    throw badRequest('bad_json', `Could not parse request body as JSON: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go struct field .${key} of type map[string]interface {}`);
  }
  return value;
};

type VerifiedCaller = { claims: JwtClaims; user: UserRow; sessionId: string | null };

export class AuthApi {
  constructor(private readonly options: AuthApiOptions) {}

  async handle(api: ApiRequest): Promise<void> {
    try {
      await this.route(api);
    } catch (error) {
      this.sendError(api, error);
    }
  }

  private async route(api: ApiRequest): Promise<void> {
    const { method, path } = api;
    if (path === '/health' && method === 'GET') {
      sendJson(api.res, 200, { version: 'local', name: 'GoTrue', description: 'GoTrue is a user registration and authentication API' });
      return;
    }
    if (path === '/settings' && method === 'GET') return this.settings(api);
    if (path === '/signup' && method === 'POST') return this.signup(api);
    if (path === '/token' && method === 'POST') return this.token(api);
    if (path === '/user' && method === 'GET') return this.getUser(api);
    if (path === '/logout' && method === 'POST') return this.logout(api);
    if (path === '/admin/users' && method === 'GET') return this.adminListUsers(api);
    if (path === '/admin/users' && method === 'POST') return this.adminCreateUser(api);
    const one = /^\/admin\/users\/([^/]+)$/.exec(path);
    if (one && method === 'GET') return this.adminGetUser(api, decodeURIComponent(one[1]!));
    if (one && method === 'DELETE') return this.adminDeleteUser(api, decodeURIComponent(one[1]!));
    if (one && method === 'PUT') return this.adminUpdateUser(api, decodeURIComponent(one[1]!));
    if (path === '/recover' && method === 'POST') return this.recover(api);
    throw new AuthApiError(404, 'not_found', `The local Auth server does not serve ${method} /auth/v1${path}`);
  }

  private sendError(api: ApiRequest, error: unknown): void {
    if (api.res.headersSent || error instanceof ClientAbortedError) {
      api.res.destroy();
      return;
    }
    let e: AuthApiError;
    if (error instanceof AuthApiError) e = error;
    else if (error instanceof BodyTooLargeError) {
      e = new AuthApiError(413, 'request_entity_too_large', `Request body too large (max ${error.limit} bytes)`);
    } else {
      this.options.log(`auth: ${api.method} ${api.path} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      e = new AuthApiError(500, 'unexpected_failure', 'Internal Server Error');
    }
    const headers: Record<string, string> = {};
    if (error instanceof BodyTooLargeError) headers.Connection = 'close';
    if (e.extra.oauthError) {
      sendJson(api.res, e.status, { error: e.extra.oauthError, error_description: e.message }, headers);
      return;
    }
    // The response format follows the client's X-Supabase-Api-Version, as GoTrue's does.
    const version = api.header(API_VERSION_HEADER);
    const modern = version !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(version) && version >= API_VERSION_2024;
    if (modern) headers['X-Supabase-Api-Version'] = API_VERSION_2024;
    headers['x-sb-error-code'] = e.errorCode;
    const weak = e.extra.weakPasswordReasons ? { weak_password: { reasons: e.extra.weakPasswordReasons } } : {};
    const body = modern
      ? { code: e.errorCode, message: e.message, ...weak }
      : { code: e.status, error_code: e.errorCode, msg: e.message, ...weak };
    sendJson(api.res, e.status, body, headers);
  }

  private async jsonBody(api: ApiRequest): Promise<Record<string, unknown>> {
    const parsed = parseJson(await readBody(api.req, BODY_LIMIT));
    if (!parsed.ok) throw badRequest('bad_json', `Could not parse request body as JSON: ${parsed.reason}`);
    if (parsed.value === undefined || parsed.value === null) return {};
    if (!isPlainObject(parsed.value)) {
      throw badRequest('bad_json', 'Could not parse request body as JSON: json: cannot unmarshal non-object into Go value');
    }
    return parsed.value;
  }

  private settings(api: ApiRequest): void {
    const providers = ['anonymous_users', 'apple', 'azure', 'bitbucket', 'discord', 'facebook', 'snapchat', 'figma', 'fly', 'github', 'gitlab', 'google', 'keycloak', 'kakao', 'linkedin', 'linkedin_oidc', 'notion', 'spotify', 'slack', 'slack_oidc', 'workos', 'twitch', 'twitter', 'email', 'phone', 'zoom'];
    sendJson(api.res, 200, {
      external: Object.fromEntries(providers.map((p) => [p, p === 'email'])),
      disable_signup: !this.options.signupEnabled,
      mailer_autoconfirm: true,
      phone_autoconfirm: false,
      sms_provider: '',
      saml_enabled: false,
      saml_private_key_next_configured: false,
      passkeys_enabled: false,
    });
  }

  // ---- accounts ------------------------------------------------------------------------------------------

  private async findUserByEmail(email: string): Promise<UserRow | undefined> {
    const { rows } = await this.options.database.asPlatform((sql) =>
      sql.query<UserRow>(`select ${USER_COLUMNS} from auth.users u where u.email = $1 and u.is_sso_user = false and u.deleted_at is null`, [email]),
    );
    return rows[0];
  }

  private async findUserById(sql: Sql, id: string): Promise<UserRow | undefined> {
    const { rows } = await sql.query<UserRow>(`select ${USER_COLUMNS} from auth.users u where u.id = $1::uuid and u.deleted_at is null`, [id]);
    return rows[0];
  }

  /**
   * Inserts the account as GoTrue does. The migrations' trigger on auth.users creates the profile in the same
   * transaction, so a profile the trigger refuses means no account either.
   */
  private async insertUser(
    account: { id?: string; email: string; passwordHash: string; userMetadata: Record<string, unknown>; appMetadata: Record<string, unknown>; confirmed: boolean; bannedForMs: number | null },
    failureMessage: string,
  ): Promise<UserRow> {
    const id = account.id ?? randomUUID();
    try {
      return await this.options.database.asPlatform(async (sql) => {
        const { rows } = await sql.query<UserRow>(
          `with inserted as (
             insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                                     confirmation_token, recovery_token, email_change_token_new, email_change,
                                     raw_app_meta_data, raw_user_meta_data, created_at, updated_at, banned_until,
                                     is_sso_user, is_anonymous)
             values ($1, $2::uuid, 'authenticated', 'authenticated', $3, $4,
                     case when $5::boolean then now() end,
                     '', '', '', '', $6::jsonb, $7::jsonb, now(), now(),
                     case when $8::float8 is not null then now() + make_interval(secs => $8::float8 / 1000) end,
                     false, false)
             returning *)
           select ${USER_COLUMNS} from inserted u`,
          [NIL_INSTANCE, id, account.email, account.passwordHash, account.confirmed, JSON.stringify(account.appMetadata), JSON.stringify(account.userMetadata), account.bannedForMs],
        );
        return rows[0]!;
      });
    } catch (error) {
      const pg = pgError(error);
      if (pg?.code === '23505') throw new AuthApiError(422, 'email_exists', 'A user with this email address has already been registered');
      this.options.log(`auth: ${failureMessage}: ${pg ? `${pg.code} ${pg.message}${pg.detail ? ` (${pg.detail})` : ''}` : String(error)}`);
      throw new AuthApiError(500, 'unexpected_failure', failureMessage);
    }
  }

  private async signup(api: ApiRequest): Promise<void> {
    if (!this.options.signupEnabled) throw new AuthApiError(422, 'signup_disabled', 'Signups not allowed for this instance');
    const body = await this.jsonBody(api);
    const password = optionalString(body, 'password');
    const emailGiven = optionalString(body, 'email');
    const phone = optionalString(body, 'phone');
    const data = optionalObject(body, 'data') ?? {};
    if (!password) throw badRequest('validation_failed', 'Signup requires a valid password');
    const weak = passwordProblem(password);
    if (weak) throw weak;
    if (emailGiven && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on signup.');
    if (phone) throw badRequest('phone_provider_disabled', 'Phone signups are disabled');
    if (!emailGiven) throw badRequest('validation_failed', 'Sign up only available with email provider');
    const email = validEmail(emailGiven);
    if (await this.findUserByEmail(email)) throw new AuthApiError(422, 'user_already_exists', 'User already registered');
    const passwordHash = await hashPassword(password);
    let user: UserRow;
    try {
      user = await this.insertUser(
        { email, passwordHash, userMetadata: data, appMetadata: { provider: 'email', providers: ['email'] }, confirmed: true, bannedForMs: null },
        'Database error saving new user',
      );
    } catch (error) {
      // Two sign-ups with one address at once: the second loses on the unique index, as on GoTrue.
      if (error instanceof AuthApiError && error.errorCode === 'email_exists') throw new AuthApiError(422, 'user_already_exists', 'User already registered');
      throw error;
    }
    sendJson(api.res, 200, await this.startSession(api, user));
  }

  // ---- sessions and tokens -------------------------------------------------------------------------------

  private accessToken(user: UserRow, sessionId: string, sessionCreatedAt: number): { token: string; expiresAt: number } {
    const now = Math.floor(Date.now() / 1000);
    const expiresAt = now + this.options.accessTokenLifetimeSeconds;
    const claims: JwtClaims = {
      aud: user.aud ?? 'authenticated',
      exp: expiresAt,
      iat: now,
      iss: this.options.issuer(),
      sub: user.id,
      email: user.email ?? '',
      phone: user.phone ?? '',
      app_metadata: user.raw_app_meta_data ?? {},
      user_metadata: user.raw_user_meta_data ?? {},
      role: user.role || 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: sessionCreatedAt }],
      session_id: sessionId,
      is_anonymous: user.is_anonymous,
    };
    return { token: signJwt(claims, this.options.jwtSecret), expiresAt };
  }

  private tokenResponse(user: UserRow, sessionId: string, sessionCreatedAt: number, refreshToken: string): Record<string, unknown> {
    const { token, expiresAt } = this.accessToken(user, sessionId, sessionCreatedAt);
    return {
      access_token: token,
      token_type: 'bearer',
      expires_in: this.options.accessTokenLifetimeSeconds,
      expires_at: expiresAt,
      refresh_token: refreshToken,
      user: userJson(user),
    };
  }

  /** A new session with its first refresh token (GoTrue's IssueRefreshToken). */
  private async startSession(api: ApiRequest, user: UserRow): Promise<Record<string, unknown>> {
    const sessionId = randomUUID();
    const refreshToken = randomBytes(32).toString('base64url');
    const userAgent = api.header('user-agent') ?? null;
    const ip = api.req.socket.remoteAddress ?? null;
    const { signedIn, createdAt } = await this.options.database.asPlatform(async (sql) => {
      const session = await sql.query<{ created: number }>(
        `insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
         values ($1::uuid, $2::uuid, now(), now(), 'aal1', $3, $4::inet)
         returning floor(extract(epoch from created_at))::int8::text as created`,
        [sessionId, user.id, userAgent, ip],
      );
      await sql.query(
        `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
         values ($1::uuid, $2, $3, false, now(), now(), null, $4::uuid)`,
        [NIL_INSTANCE, sha256(refreshToken), user.id, sessionId],
      );
      const updated = await sql.query<UserRow>(
        `with updated as (update auth.users set last_sign_in_at = now() where id = $1::uuid returning *)
         select ${USER_COLUMNS} from updated u`,
        [user.id],
      );
      return { signedIn: updated.rows[0] ?? user, createdAt: Number(session.rows[0]!.created) };
    });
    return this.tokenResponse(signedIn, sessionId, createdAt, refreshToken);
  }

  private async token(api: ApiRequest): Promise<void> {
    const grantType = api.url.searchParams.get('grant_type') ?? '';
    if (grantType === 'password') return this.passwordGrant(api);
    if (grantType === 'refresh_token') return this.refreshGrant(api);
    throw badRequest('invalid_credentials', 'unsupported_grant_type');
  }

  private async passwordGrant(api: ApiRequest): Promise<void> {
    const body = await this.jsonBody(api);
    const emailGiven = optionalString(body, 'email');
    const phone = optionalString(body, 'phone');
    const password = optionalString(body, 'password');
    if (emailGiven && phone) throw badRequest('validation_failed', 'Only an email address or phone number should be provided on login.');
    if (phone) throw new AuthApiError(422, 'phone_provider_disabled', 'Phone logins are disabled');
    if (!emailGiven) throw badRequest('validation_failed', 'missing email or phone');
    const user = await this.findUserByEmail(emailGiven.trim().toLowerCase());
    // The hash is checked even when there is no such account, so the answer's timing says nothing about it.
    const passwordOk = await verifyPassword(password, user?.encrypted_password || DUMMY_PASSWORD_HASH);
    if (!user || !user.encrypted_password) throw invalidCredentials();
    if (user.is_banned) throw badRequest('user_banned', 'User is banned');
    if (!passwordOk) throw invalidCredentials();
    if (!user.email_confirmed_at) throw badRequest('email_not_confirmed', 'Email not confirmed');
    sendJson(api.res, 200, await this.startSession(api, user));
  }

  /**
   * GoTrue's refresh-token grant: the presented token is revoked and a child issued. A revoked token presented
   * again within the reuse interval gets a fresh child too (a client that lost the answer, two tabs refreshing
   * at once); later, it is a replay, and the whole session ends.
   */
  private async refreshGrant(api: ApiRequest): Promise<void> {
    const body = await this.jsonBody(api);
    const presented = optionalString(body, 'refresh_token');
    if (!presented) throw new AuthApiError(400, 'invalid_request', 'refresh_token required', { oauthError: 'invalid_request' });
    const hash = sha256(presented);
    const next = randomBytes(32).toString('base64url');
    const reuseInterval = this.options.refreshTokenReuseIntervalSeconds;
    type Outcome =
      | { kind: 'issued'; user: UserRow; sessionId: string; sessionCreatedAt: number }
      | { kind: 'refused'; error: AuthApiError };
    const outcome = await this.options.database.asPlatform<Outcome>(async (sql) => {
      const { rows } = await sql.query<{
        id: string; revoked: boolean | null; age_s: number; session_id: string | null; session_found: boolean;
        session_expired: boolean; session_created: string | null; user_id: string | null;
      }>(
        `select rt.id::text as id, rt.revoked, extract(epoch from (now() - rt.updated_at))::float8 as age_s,
                rt.session_id::text as session_id, s.id is not null as session_found,
                coalesce(s.not_after <= now(), false) as session_expired,
                floor(extract(epoch from s.created_at))::int8::text as session_created, u.id::text as user_id
           from auth.refresh_tokens rt
           left join auth.sessions s on s.id = rt.session_id
           left join auth.users u on u.id::text = rt.user_id and u.deleted_at is null
          where rt.token = $1
          for update of rt`,
        [hash],
      );
      const token = rows[0];
      if (!token || !token.user_id) {
        return { kind: 'refused', error: badRequest('refresh_token_not_found', 'Invalid Refresh Token: Refresh Token Not Found') };
      }
      const user = (await this.findUserById(sql, token.user_id))!;
      if (user.is_banned) return { kind: 'refused', error: badRequest('user_banned', 'Invalid Refresh Token: User Banned') };
      if (!token.session_id || !token.session_found) {
        await sql.query('delete from auth.refresh_tokens where id = $1::int8', [token.id]);
        return { kind: 'refused', error: badRequest('session_not_found', 'Invalid Refresh Token: No Valid Session Found') };
      }
      if (token.session_expired) return { kind: 'refused', error: badRequest('session_expired', 'Invalid Refresh Token: Session Expired') };
      if (token.revoked && Number(token.age_s) > reuseInterval) {
        // A replayed token: whoever holds the newer one may be an attacker, or the attacker is this caller.
        // Ending the session (and every token of it) stops both, as GoTrue's token-family revocation does.
        await sql.query('delete from auth.sessions where id = $1::uuid', [token.session_id]);
        return { kind: 'refused', error: badRequest('refresh_token_already_used', 'Invalid Refresh Token: Already Used') };
      }
      await sql.query('update auth.refresh_tokens set revoked = true, updated_at = now() where id = $1::int8 and revoked is not true', [token.id]);
      await sql.query(
        `insert into auth.refresh_tokens (instance_id, token, user_id, revoked, created_at, updated_at, parent, session_id)
         values ($1::uuid, $2, $3, false, now(), now(), $4, $5::uuid)`,
        [NIL_INSTANCE, sha256(next), user.id, hash, token.session_id],
      );
      await sql.query(`update auth.sessions set refreshed_at = (now() at time zone 'UTC'), updated_at = now() where id = $1::uuid`, [token.session_id]);
      return { kind: 'issued', user, sessionId: token.session_id, sessionCreatedAt: Number(token.session_created) };
    });
    if (outcome.kind === 'refused') throw outcome.error;
    api.res.setHeader('sb-auth-user-id', outcome.user.id);
    api.res.setHeader('sb-auth-session-id', outcome.sessionId);
    sendJson(api.res, 200, this.tokenResponse(outcome.user, outcome.sessionId, outcome.sessionCreatedAt, next));
  }

  // ---- the signed-in user --------------------------------------------------------------------------------

  /** GoTrue's requireAuthentication: a valid JWT whose user (and session, when it names one) still exists. */
  private async requireUser(api: ApiRequest): Promise<VerifiedCaller> {
    const claims = this.verifiedClaims(api);
    const sub = claims.sub;
    if (typeof sub !== 'string' || sub === '') throw new AuthApiError(403, 'bad_jwt', 'invalid claim: missing sub claim');
    if (!UUID.test(sub)) throw badRequest('bad_jwt', 'invalid claim: sub claim must be a UUID');
    const sessionClaim = typeof claims.session_id === 'string' && claims.session_id !== NIL_INSTANCE ? claims.session_id : null;
    if (sessionClaim !== null && !UUID.test(sessionClaim)) throw new AuthApiError(403, 'bad_jwt', 'invalid claim: session_id claim must be a UUID');
    const { user, sessionFound } = await this.options.database.asPlatform(async (sql) => {
      const found = await this.findUserById(sql, sub);
      if (!found || sessionClaim === null) return { user: found, sessionFound: false };
      const session = await sql.query('select 1 from auth.sessions where id = $1::uuid and user_id = $2::uuid', [sessionClaim, sub]);
      return { user: found, sessionFound: session.rows.length > 0 };
    });
    if (!user) throw new AuthApiError(403, 'user_not_found', 'User from sub claim in JWT does not exist');
    if (sessionClaim !== null && !sessionFound) throw new AuthApiError(403, 'session_not_found', 'Session from session_id claim in JWT does not exist');
    if (user.is_banned) throw new AuthApiError(403, 'user_banned', 'User is banned');
    return { claims, user, sessionId: sessionClaim };
  }

  private verifiedClaims(api: ApiRequest): JwtClaims {
    const token = bearerToken(api.header('authorization'));
    if (!token) throw new AuthApiError(401, 'no_authorization', 'This endpoint requires a valid Bearer token');
    const verdict = verifyJwt(token, this.options.jwtSecret);
    if (!verdict.ok) {
      const reason = {
        malformed: 'token is malformed: could not JSON decode header or claims',
        bad_signature: 'token signature is invalid: signature is invalid',
        expired: 'token has invalid claims: token is expired',
      }[verdict.reason];
      throw new AuthApiError(403, 'bad_jwt', `invalid JWT: unable to parse or verify signature, ${reason}`);
    }
    return verdict.claims;
  }

  private async getUser(api: ApiRequest): Promise<void> {
    const { user } = await this.requireUser(api);
    sendJson(api.res, 200, userJson(user));
  }

  private async logout(api: ApiRequest): Promise<void> {
    const scope = api.url.searchParams.get('scope') ?? '';
    if (!['', 'global', 'local', 'others'].includes(scope)) throw badRequest('validation_failed', `Unsupported logout scope ${JSON.stringify(scope)}`);
    const { user, sessionId } = await this.requireUser(api);
    await this.options.database.asPlatform(async (sql) => {
      if (sessionId !== null && scope === 'local') await sql.query('delete from auth.sessions where id = $1::uuid', [sessionId]);
      else if (sessionId !== null && scope === 'others') {
        await sql.query('delete from auth.sessions where user_id = $1::uuid and id <> $2::uuid', [user.id, sessionId]);
      } else await sql.query('delete from auth.sessions where user_id = $1::uuid', [user.id]);
    });
    sendEmpty(api.res, 204);
  }

  // ---- administration (service role only) ----------------------------------------------------------------

  private requireAdmin(api: ApiRequest): void {
    const claims = this.verifiedClaims(api);
    if (typeof claims.role !== 'string' || !ADMIN_ROLES.has(claims.role)) throw new AuthApiError(403, 'not_admin', 'User not allowed');
  }

  private async adminCreateUser(api: ApiRequest): Promise<void> {
    this.requireAdmin(api);
    const body = await this.jsonBody(api);
    const emailGiven = optionalString(body, 'email');
    if (optionalString(body, 'phone')) throw badRequest('validation_failed', 'The local Auth server creates email accounts only; phone numbers are not supported');
    if (!emailGiven) throw badRequest('validation_failed', 'Cannot create a user without either an email or phone');
    if (optionalString(body, 'password_hash')) throw badRequest('validation_failed', 'The local Auth server does not import password hashes; give a password');
    const role = optionalString(body, 'role');
    if (role && role !== 'authenticated') throw badRequest('validation_failed', `The local Auth server creates users with role "authenticated" only, not ${JSON.stringify(role)}`);
    const aud = optionalString(body, 'aud');
    if (aud && aud !== 'authenticated') throw badRequest('validation_failed', `The local Auth server serves audience "authenticated" only, not ${JSON.stringify(aud)}`);
    const id = optionalString(body, 'id');
    if (id && !UUID.test(id)) throw badRequest('validation_failed', 'ID must conform to the uuid v4 format');
    if (id === NIL_INSTANCE) throw badRequest('validation_failed', 'ID cannot be a nil uuid');
    const email = validEmail(emailGiven);
    let password = optionalString(body, 'password');
    if (password) {
      const weak = passwordProblem(password);
      if (weak) throw weak;
    } else {
      password = randomBytes(48).toString('base64url');
    }
    const banDuration = optionalString(body, 'ban_duration');
    let bannedForMs: number | null = null;
    if (banDuration && banDuration !== 'none') {
      bannedForMs = parseGoDuration(banDuration);
      if (bannedForMs === null) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration ${JSON.stringify(banDuration)}`);
    }
    const userMetadata = optionalObject(body, 'user_metadata') ?? {};
    // app_metadata is only ever set here, by the service role: it is where the console's role for a new account
    // comes from, so a self sign-up can never choose it. Keys set to null are removed, as GoTrue merges them.
    const appMetadata: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, { provider: 'email', providers: ['email'] });
    for (const [key, value] of Object.entries(optionalObject(body, 'app_metadata') ?? {})) {
      if (value === null) delete appMetadata[key];
      else appMetadata[key] = value;
    }
    if (await this.findUserByEmail(email)) throw new AuthApiError(422, 'email_exists', 'A user with this email address has already been registered');
    const user = await this.insertUser(
      { ...(id ? { id } : {}), email, passwordHash: await hashPassword(password), userMetadata, appMetadata, confirmed: body.email_confirm === true, bannedForMs },
      'Database error creating new user',
    );
    sendJson(api.res, 200, userJson(user));
  }

  /**
   * GoTrue's PUT /admin/users/{id} for what the console's account management sends: `ban_duration` (a Go
   * duration, or "none" to lift the ban), `app_metadata` and `user_metadata` (merged, null removes a key, as
   * GoTrue merges them) and `password`. Other fields are refused by name rather than ignored.
   */
  private async adminUpdateUser(api: ApiRequest, id: string): Promise<void> {
    this.requireAdmin(api);
    if (!UUID.test(id)) throw new AuthApiError(404, 'validation_failed', 'user_id must be an UUID');
    const body = await this.jsonBody(api);
    const supported = new Set(['ban_duration', 'app_metadata', 'user_metadata', 'password']);
    const unsupported = Object.keys(body).filter((key) => !supported.has(key) && body[key] !== undefined && body[key] !== null);
    if (unsupported.length > 0) {
      throw badRequest('validation_failed', `The local Auth server does not update ${unsupported.join(', ')} (it updates ban_duration, app_metadata, user_metadata and password)`);
    }
    const banDuration = optionalString(body, 'ban_duration');
    let banChange: { lift: true } | { forMs: number } | null = null;
    if (banDuration === 'none') banChange = { lift: true };
    else if (banDuration) {
      const forMs = parseGoDuration(banDuration);
      if (forMs === null) throw badRequest('validation_failed', `invalid format for ban duration: time: invalid duration ${JSON.stringify(banDuration)}`);
      banChange = { forMs };
    }
    const password = optionalString(body, 'password');
    if (password) {
      const weak = passwordProblem(password);
      if (weak) throw weak;
    }
    const passwordHash = password ? await hashPassword(password) : null;
    const appMetadata = optionalObject(body, 'app_metadata');
    const userMetadata = optionalObject(body, 'user_metadata');
    const merge = (current: Record<string, unknown> | null, change: Record<string, unknown>) => {
      const next: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, current ?? {});
      for (const [key, value] of Object.entries(change)) {
        if (value === null) delete next[key];
        else next[key] = value;
      }
      return next;
    };
    const user = await this.options.database.asPlatform(async (sql) => {
      const found = await this.findUserById(sql, id);
      if (!found) return undefined;
      await sql.query(
        `update auth.users set
           banned_until = case when $2::boolean then null
                               when $3::float8 is not null then now() + make_interval(secs => $3::float8 / 1000)
                               else banned_until end,
           encrypted_password = coalesce($4, encrypted_password),
           raw_app_meta_data = coalesce($5::jsonb, raw_app_meta_data),
           raw_user_meta_data = coalesce($6::jsonb, raw_user_meta_data),
           updated_at = now()
         where id = $1::uuid`,
        [
          id,
          banChange !== null && 'lift' in banChange,
          banChange !== null && 'forMs' in banChange ? banChange.forMs : null,
          passwordHash,
          appMetadata ? JSON.stringify(merge(found.raw_app_meta_data, appMetadata)) : null,
          userMetadata ? JSON.stringify(merge(found.raw_user_meta_data, userMetadata)) : null,
        ],
      );
      return this.findUserById(sql, id);
    });
    if (!user) throw new AuthApiError(404, 'user_not_found', 'User not found');
    sendJson(api.res, 200, userJson(user));
  }

  /**
   * GoTrue's POST /recover: a password-reset mail for the address, answered 200 whether or not an account has
   * it (the answer must not tell who has an account). The local server has no mail server: it records the
   * recovery as GoTrue does (a hashed token and recovery_sent_at on the user) and says so in its log, so a
   * reset asked on the embedded backend is visible and never silently lost.
   */
  private async recover(api: ApiRequest): Promise<void> {
    const body = await this.jsonBody(api);
    const email = validEmail(optionalString(body, 'email'));
    const user = await this.findUserByEmail(email);
    if (user) {
      const token = randomBytes(32).toString('base64url');
      await this.options.database.asPlatform((sql) =>
        sql.query(`update auth.users set recovery_token = $2, recovery_sent_at = now() where id = $1::uuid`, [user.id, sha256(token)]),
      );
      this.options.log(`auth: password recovery requested for ${email}; the local Auth server sends no mail (recovery recorded on the account)`);
    }
    sendJson(api.res, 200, {});
  }

  private async adminListUsers(api: ApiRequest): Promise<void> {
    this.requireAdmin(api);
    const pageText = api.url.searchParams.get('page') || '1';
    const perPageText = api.url.searchParams.get('per_page') || '50';
    if (!/^\d+$/.test(pageText) || !/^\d+$/.test(perPageText)) {
      throw badRequest('validation_failed', `Bad Pagination Parameters: strconv.ParseUint: parsing ${JSON.stringify(/^\d+$/.test(pageText) ? perPageText : pageText)}: invalid syntax`);
    }
    const page = Math.max(1, Number(pageText));
    const perPage = Math.max(1, Number(perPageText));
    const { users, total } = await this.options.database.asPlatform(async (sql) => {
      const count = await sql.query<{ n: string }>(`select count(*)::text as n from auth.users where aud = 'authenticated' and deleted_at is null`);
      const list = await sql.query<UserRow>(
        `select ${USER_COLUMNS} from auth.users u where u.aud = 'authenticated' and u.deleted_at is null
          order by u.created_at desc, u.id desc limit $1 offset $2`,
        [perPage, (page - 1) * perPage],
      );
      return { users: list.rows, total: Number(count.rows[0]!.n) };
    });
    const totalPages = Math.ceil(total / perPage);
    const link = (p: number) => `</admin/users?page=${p}&per_page=${perPage}>`;
    const links = [...(totalPages > page ? [`${link(page + 1)}; rel="next"`] : []), `${link(totalPages)}; rel="last"`];
    sendJson(api.res, 200, { users: users.map(userJson), aud: 'authenticated' }, { Link: links.join(', '), 'X-Total-Count': String(total) });
  }

  private async adminGetUser(api: ApiRequest, id: string): Promise<void> {
    this.requireAdmin(api);
    if (!UUID.test(id)) throw new AuthApiError(404, 'validation_failed', 'user_id must be an UUID');
    const user = await this.options.database.asPlatform((sql) => this.findUserById(sql, id));
    if (!user) throw new AuthApiError(404, 'user_not_found', 'User not found');
    sendJson(api.res, 200, userJson(user));
  }

  private async adminDeleteUser(api: ApiRequest, id: string): Promise<void> {
    this.requireAdmin(api);
    if (!UUID.test(id)) throw new AuthApiError(404, 'validation_failed', 'user_id must be an UUID');
    const body = await this.jsonBody(api);
    if (body.should_soft_delete === true) throw badRequest('validation_failed', 'The local Auth server deletes users for good only (should_soft_delete is not supported)');
    try {
      const deleted = await this.options.database.asPlatform((sql) => sql.query('delete from auth.users where id = $1::uuid returning id', [id]));
      if (deleted.rows.length === 0) throw new AuthApiError(404, 'user_not_found', 'User not found');
    } catch (error) {
      if (error instanceof AuthApiError) throw error;
      const pg = pgError(error);
      this.options.log(`auth: deleting user ${id} failed: ${pg ? `${pg.code} ${pg.message}` : String(error)}`);
      throw new AuthApiError(500, 'unexpected_failure', 'Database error deleting user');
    }
    sendJson(api.res, 200, {});
  }
}
