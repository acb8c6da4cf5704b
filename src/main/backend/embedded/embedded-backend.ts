import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { AppError } from '../../../shared/ipc/errors';
import { applySchema, type ApplyResult } from '../../schema/index';
import type {
  Availability,
  Backend,
  EmergencyRow,
  MessageCursor,
  NewAccount,
  RealtimeEvent,
  Role,
  SendMessageInput,
  UserConnection,
} from '../backend-port';
import { toAppError } from '../backend-errors';
import { isoTimestamp, MESSAGE_COLUMNS, toEmergencyRow, toMessageRow, toProfileRow, toSessionRow } from '../row-mapping';
import { EmbeddedDatabase, type Sql, type UserClaims } from './embedded-database';
import { EmbeddedRealtime } from './embedded-realtime';
import { EmbeddedStorage } from './embedded-storage';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../local-supabase/password-hash';

export interface EmbeddedBackendOptions {
  /** Folder for the database and stored files; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** Where supabase/compat and supabase/migrations are read from (packaged apps ship them as resources). */
  supabaseDir?: string;
  /** How often the main process runs the emergency deadline sweep (pg_cron's job on Supabase). */
  emergencySweepMs?: number;
  log?: (message: string) => void;
}

const SESSION_LIFETIME_S = 12 * 3600;
const STAFF_ROLES: ReadonlySet<Role> = new Set(['monitor', 'admin', 'super_admin']);
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const invalidCredentials = () =>
  new AppError({ code: 'auth.invalid_credentials', messageKey: 'errors.auth.invalid_credentials' }, { permanent: true });

/** Runs a backend call, turning whatever Postgres says into the typed error the renderer translates. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toAppError(error);
  }
}

/**
 * The embedded backend: PGlite in the app's data folder with the compatibility layer and the very same
 * migrations as Supabase, local accounts with Supabase-shaped claims, files on disk under storage policies,
 * and realtime through LISTEN/NOTIFY re-read under each subscriber's claims.
 */
export class EmbeddedBackend implements Backend {
  readonly kind = 'embedded' as const;
  private database: EmbeddedDatabase | null = null;
  private realtime: EmbeddedRealtime | null = null;
  private storage: EmbeddedStorage | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  schema: ApplyResult | null = null;

  constructor(private readonly options: EmbeddedBackendOptions) {}

  private get db(): EmbeddedDatabase {
    if (!this.database) throw new Error('The embedded backend is not started.');
    return this.database;
  }

  async start(): Promise<void> {
    if (this.database) return;
    const dataDir = this.options.dataDir;
    const database = await EmbeddedDatabase.open(dataDir ? path.join(dataDir, 'pgdata') : null);
    try {
      // Version check: only migrations not yet recorded are applied; an edited migration stops the start.
      this.schema = await applySchema(
        { exec: (sql) => database.db.exec(sql), query: (sql, params) => database.db.query(sql, params) },
        { target: 'compat', ...(this.options.supabaseDir ? { supabaseDir: this.options.supabaseDir } : {}), log: this.options.log },
      );
    } catch (error) {
      await database.close();
      throw error;
    }
    this.database = database;
    this.storage = new EmbeddedStorage(database, dataDir ? path.join(dataDir, 'storage') : path.join(process.cwd(), '.tmp', `storage-${randomUUID()}`));
    this.realtime = new EmbeddedRealtime(database);
    await this.realtime.start();
    const sweepMs = this.options.emergencySweepMs ?? 5_000;
    if (sweepMs > 0) {
      this.sweepTimer = setInterval(() => void this.advanceEmergencies().catch(() => {}), sweepMs);
      this.sweepTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.realtime?.stop();
    await this.database?.close();
    this.database = null;
  }

  /**
   * The deadline sweep, as the platform (pg_cron's role on Supabase). Idempotent. It also drops delivered
   * broadcasts: Supabase Realtime keeps `realtime.messages` in short-lived partitions, and a console that
   * runs all day must not grow that table without end.
   */
  async advanceEmergencies(): Promise<number> {
    const { rows } = await this.db.asService(async (sql) => {
      await sql.query(`delete from realtime.messages where inserted_at < now() - interval '15 minutes'`);
      return sql.query<{ n: number }>('select public.advance_emergencies() as n');
    });
    return Number(rows[0]?.n ?? 0);
  }

  async needsFirstRun(): Promise<boolean> {
    const { rows } = await this.db.asService((sql) => sql.query<{ n: number }>('select count(*)::int as n from auth.users'));
    return rows[0]?.n === 0;
  }

  async createFirstAccount(account: Omit<NewAccount, 'role'>): Promise<UserConnection> {
    await this.db.asService(async (sql) => {
      // Serialised and re-checked inside the transaction: two first-run screens cannot both create a super admin.
      await sql.query('select pg_advisory_xact_lock(72011241)');
      const { rows } = await sql.query<{ n: number }>('select count(*)::int as n from auth.users');
      if (rows[0]?.n !== 0) {
        throw new AppError({ code: 'auth.first_run_done', messageKey: 'errors.auth.first_run_done' }, { permanent: true });
      }
      await this.insertAccount(sql, { ...account, role: 'super_admin' });
    });
    return this.signIn(account.email, account.password);
  }

  /** Creates an account as the platform would; only callers that have already been authorised reach here. */
  private async insertAccount(sql: Sql, account: NewAccount): Promise<string> {
    const email = account.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw new AppError({ code: 'auth.invalid_email', messageKey: 'errors.auth.invalid_email' }, { permanent: true });
    if (account.password.length < 10) {
      throw new AppError({ code: 'auth.weak_password', messageKey: 'errors.auth.weak_password' }, { permanent: true, params: { min: 10 } });
    }
    const displayName = account.displayName.trim();
    if (!displayName) throw new AppError({ code: 'auth.display_name_required', messageKey: 'errors.auth.display_name_required' }, { permanent: true });
    const existing = await sql.query('select 1 from auth.users where lower(email) = $1', [email]);
    if (existing.rows.length > 0) throw new AppError({ code: 'auth.email_taken', messageKey: 'errors.auth.email_taken' }, { permanent: true });
    const id = randomUUID();
    const hash = await hashPassword(account.password);
    await sql.query(
      `insert into auth.users (id, aud, role, email, encrypted_password, email_confirmed_at, confirmed_at,
                               raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
       values ($1, 'authenticated', 'authenticated', $2, $3, now(), now(),
               '{"provider":"email","providers":["email"]}', jsonb_build_object('display_name', $4::text), now(), now())`,
      [id, email, hash, displayName],
    );
    await sql.query(
      `insert into public.profiles (id, display_name, role, preferred_language) values ($1, $2, $3, $4)`,
      [id, displayName, account.role, account.preferredLanguage ?? 'en'],
    );
    return id;
  }

  async signIn(email: string, password: string): Promise<UserConnection> {
    const normalized = email.trim().toLowerCase();
    const { rows } = await this.db.asService((sql) =>
      sql.query<{ id: string; encrypted_password: string | null; banned_until: string | null; deleted_at: string | null }>(
        'select id, encrypted_password, banned_until, deleted_at from auth.users where lower(email) = $1',
        [normalized],
      ),
    );
    const user = rows[0];
    const ok = await verifyPassword(password, user?.encrypted_password ?? DUMMY_PASSWORD_HASH);
    if (!user || !ok || user.deleted_at) throw invalidCredentials();
    if (user.banned_until && new Date(user.banned_until) > new Date()) {
      throw new AppError({ code: 'auth.banned', messageKey: 'errors.auth.banned' }, { permanent: true });
    }
    await this.db.asService((sql) => sql.query('update auth.users set last_sign_in_at = now() where id = $1', [user.id]));
    const now = Math.floor(Date.now() / 1000);
    const claims: UserClaims = {
      sub: user.id,
      role: 'authenticated',
      aud: 'authenticated',
      email: normalized,
      session_id: randomUUID(),
      iat: now,
      exp: now + SESSION_LIFETIME_S,
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {},
    };
    const { rows: profiles } = await this.db.asUser(claims, (sql) =>
      sql.query<{ role: Role }>('select role from public.profiles where id = auth.uid()'),
    );
    if (!profiles[0]) throw new AppError({ code: 'SA402', messageKey: 'auth.profile_missing' }, { permanent: true });
    return new EmbeddedUserConnection(this, this.db, this.storage!, this.realtime!, claims, profiles[0].role);
  }

  /** For connections: account creation needs the platform's rights once the caller's role was checked. */
  createAccountAsPlatform(account: NewAccount): Promise<string> {
    return this.db.asService((sql) => this.insertAccount(sql, account));
  }
}

class EmbeddedUserConnection implements UserConnection {
  readonly userId: string;
  private signedOut = false;
  private readonly unsubscribers = new Set<() => void>();

  constructor(
    private readonly backend: EmbeddedBackend,
    private readonly db: EmbeddedDatabase,
    private readonly storage: EmbeddedStorage,
    private readonly realtime: EmbeddedRealtime,
    private readonly claims: UserClaims,
    private readonly role: Role,
  ) {
    this.userId = claims.sub;
  }

  private as<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    if (this.signedOut) {
      return Promise.reject(new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: true }));
    }
    return call(() => this.db.asUser(this.claims, fn));
  }

  private async rpcRow<T>(sqlText: string, params: unknown[], map: (row: Record<string, unknown>) => T): Promise<T> {
    const { rows } = await this.as((sql) => sql.query<Record<string, unknown>>(sqlText, params));
    if (!rows[0]) throw new Error(`RPC returned no row: ${sqlText.split('(')[0]}`);
    return map(rows[0]);
  }

  async profile() {
    return this.rpcRow(
      'select id, display_name, role, preferred_language, emergency_opt_in, availability from public.profiles where id = auth.uid()',
      [],
      toProfileRow,
    );
  }

  async listSessions() {
    const { rows } = await this.as((sql) =>
      sql.query<Record<string, unknown>>(
        `select s.id, s.type, s.status, s.booking_id, s.last_message_at, s.created_at,
                coalesce(u.unread_count, 0) as unread_count, u.last_read_at,
                (select coalesce(json_agg(json_build_object('userId', p.user_id, 'displayName', coalesce(pr.display_name, ''),
                                                           'role', coalesce(pr.role, 'client'), 'roleInSession', p.role_in_session,
                                                           'availability', coalesce(pr.availability, 'offline'), 'lastReadAt', p.last_read_at)
                                          order by p.joined_at), '[]'::json)
                   from public.chat_participants p left join public.profile_cards pr on pr.id = p.user_id
                  where p.session_id = s.id) as participants
           from public.chat_sessions s
           left join public.unread_counts() u on u.session_id = s.id
          where s.status <> 'ended' or s.last_message_at > now() - interval '7 days'
          order by coalesce(s.last_message_at, s.created_at) desc
          limit 500`,
      ),
    );
    return rows.map(toSessionRow);
  }

  async listMessages(sessionId: string, options: { before?: MessageCursor; limit?: number } = {}) {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    const { rows } = await this.as((sql) =>
      options.before
        ? sql.query<Record<string, unknown>>(
            `select ${MESSAGE_COLUMNS} from public.chat_messages
              where session_id = $1 and (created_at, id) < ($2::timestamptz, $3::uuid)
              order by created_at desc, id desc limit $4`,
            [sessionId, options.before.createdAt, options.before.id, limit],
          )
        : sql.query<Record<string, unknown>>(
            `select ${MESSAGE_COLUMNS} from public.chat_messages where session_id = $1 order by created_at desc, id desc limit $2`,
            [sessionId, limit],
          ),
    );
    return rows.map(toMessageRow);
  }

  async messagesChangedSince(since: string, limit = 1000) {
    const { rows } = await this.as((sql) =>
      sql.query<Record<string, unknown>>(
        `select ${MESSAGE_COLUMNS} from public.chat_messages
          where created_at > $1::timestamptz or edited_at > $1::timestamptz or reviewed_at > $1::timestamptz
          order by created_at, id limit $2`,
        [since, Math.min(limit, 5000)],
      ),
    );
    return rows.map(toMessageRow);
  }

  async pendingAudio(limit = 200) {
    const { rows } = await this.as((sql) =>
      sql.query<Record<string, unknown>>(
        `select ${MESSAGE_COLUMNS} from public.chat_messages where status = 'pending_approval' order by created_at, id limit $1`,
        [Math.min(limit, 1000)],
      ),
    );
    return rows.map(toMessageRow);
  }

  uploadFile(storagePath: string, bytes: Uint8Array, mimeType: string) {
    return call(() => this.storage.upload(this.claims, storagePath, bytes, mimeType));
  }

  downloadFile(storagePath: string) {
    return call(() => this.storage.download(this.claims, storagePath));
  }

  sendMessage(input: SendMessageInput) {
    return this.rpcRow(
      `select ${MESSAGE_COLUMNS} from public.send_message(p_session_id => $1, p_type => $2, p_client_message_id => $3, p_body => $4,
              p_storage_path => $5, p_mime_type => $6, p_size_bytes => $7, p_duration_ms => $8, p_waveform => $9::real[], p_reply_to => $10)`,
      [
        input.sessionId,
        input.type,
        input.clientMessageId,
        input.body ?? null,
        input.file?.storagePath ?? null,
        input.file?.mimeType ?? null,
        input.file?.sizeBytes ?? null,
        input.file?.durationMs ?? null,
        input.file?.waveform ?? null,
        input.replyTo ?? null,
      ],
      toMessageRow,
    );
  }

  editMessage(messageId: string, body: string) {
    return this.rpcRow(`select ${MESSAGE_COLUMNS} from public.edit_message($1, $2)`, [messageId, body], toMessageRow);
  }

  deleteMessage(messageId: string) {
    return this.rpcRow(`select ${MESSAGE_COLUMNS} from public.delete_message($1)`, [messageId], toMessageRow);
  }

  async markRead(sessionId: string, readAt?: string) {
    const { rows } = await this.as((sql) =>
      sql.query<{ at: string }>('select public.mark_read($1, $2::timestamptz) as at', [sessionId, readAt ?? null]),
    );
    return isoTimestamp(rows[0]?.at) ?? new Date().toISOString();
  }

  reviewAudio(messageId: string, decision: 'approve' | 'reject', reason?: string) {
    return this.rpcRow(`select ${MESSAGE_COLUMNS} from public.review_audio($1, $2, $3)`, [messageId, decision, reason ?? null], toMessageRow);
  }

  async openSupportSession(userId?: string) {
    return this.rpcRow('select * from public.open_support_session($1)', [userId ?? null], (row) => ({ id: String(row.id) }));
  }

  async joinSession(sessionId: string) {
    await this.as((sql) => sql.query('select * from public.join_session($1)', [sessionId]));
  }

  async assignReader(sessionId: string, readerId: string) {
    await this.as((sql) => sql.query('select * from public.assign_reader($1, $2)', [sessionId, readerId]));
  }

  requestEmergency() {
    return this.rpcRow('select * from public.request_emergency()', [], toEmergencyRow);
  }

  async listEmergencies(): Promise<EmergencyRow[]> {
    const { rows } = await this.as((sql) =>
      sql.query<Record<string, unknown>>(
        `select * from public.emergency_calls
          order by (state in ('ringing', 'escalated')) desc, escalation_level desc, created_at
          limit 500`,
      ),
    );
    return rows.map(toEmergencyRow);
  }

  acceptEmergency(callId: string) {
    return this.rpcRow('select * from public.accept_emergency($1)', [callId], toEmergencyRow);
  }

  acknowledgeEmergency(callId: string) {
    return this.rpcRow('select * from public.acknowledge_emergency($1)', [callId], toEmergencyRow);
  }

  resolveEmergency(callId: string, note: string) {
    return this.rpcRow('select * from public.resolve_emergency($1, $2)', [callId, note], toEmergencyRow);
  }

  async advanceEmergencies() {
    const { rows } = await this.as((sql) => sql.query<{ n: number }>('select public.advance_emergencies() as n'));
    return Number(rows[0]?.n ?? 0);
  }

  async setAvailability(availability: Availability, emergencyOptIn?: boolean) {
    await this.as((sql) => sql.query('select * from public.set_availability($1, $2)', [availability, emergencyOptIn ?? null]));
  }

  async setRole(userId: string, role: Role) {
    await this.as((sql) => sql.query('select * from public.set_role($1, $2)', [userId, role]));
  }

  async setConsoleSetting(key: string, value: string) {
    const { rows } = await this.as((sql) =>
      sql.query('update public.app_settings set value = $2 where key = $1 returning key', [key, value]),
    );
    if (rows.length === 0) throw new AppError({ code: 'SA470', messageKey: 'settings.unknown_key' }, { permanent: true, params: { key } });
  }

  async consoleSettings() {
    const { rows } = await this.as((sql) => sql.query<{ s: Record<string, string | number | string[]> }>('select public.get_console_settings() as s'));
    return rows[0]?.s ?? {};
  }

  async listPeople(role?: Role) {
    const { rows } = await this.as((sql) =>
      sql.query<Record<string, unknown>>(
        `select id, display_name, role, availability, emergency_opt_in from public.profile_cards
          where $1::text is null or role = $1 order by display_name limit 1000`,
        [role ?? null],
      ),
    );
    return rows.map((row) => {
      const p = toProfileRow(row);
      return { id: p.id, displayName: p.displayName, role: p.role, availability: p.availability, emergencyOptIn: p.emergencyOptIn };
    });
  }

  async createAccount(account: NewAccount) {
    // Admins create staff and client accounts; only a super admin creates admins. Checked against profiles, not claims.
    const me = await this.profile();
    const allowed =
      me.role === 'super_admin' || (me.role === 'admin' && (account.role === 'client' || account.role === 'reader' || account.role === 'monitor'));
    if (!allowed || !STAFF_ROLES.has(me.role)) {
      throw new AppError({ code: 'auth.forbidden', messageKey: 'errors.auth.forbidden' }, { permanent: true, params: { role: account.role } });
    }
    const id = await call(() => this.backend.createAccountAsPlatform(account));
    return { id };
  }

  subscribe(onEvent: (event: RealtimeEvent) => void, sessionIds: () => readonly string[] = () => []) {
    // Staff topics are asked for by staff only; RLS on realtime.messages would refuse them to anyone else anyway.
    const fixed = [`user:${this.userId}`, ...(STAFF_ROLES.has(this.role) ? ['staff:approvals', 'staff:emergencies', 'staff:sessions'] : [])];
    const topics = () => [...fixed, ...sessionIds().map((id) => `session:${id}`)];
    const unsubscribe = this.realtime.subscribe({ claims: this.claims, topics, onEvent });
    this.unsubscribers.add(unsubscribe);
    return () => {
      unsubscribe();
      this.unsubscribers.delete(unsubscribe);
    };
  }

  async broadcastTyping(sessionId: string) {
    await this.as((sql) =>
      sql.query(
        `insert into realtime.messages (topic, extension, event, payload, private)
         values ($1, 'broadcast', 'typing', jsonb_build_object('user_id', auth.uid(), 'session_id', $2::uuid), true)`,
        [`session:${sessionId}`, sessionId],
      ),
    );
  }

  async signOut() {
    this.signedOut = true;
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers.clear();
  }
}
