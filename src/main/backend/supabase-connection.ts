import { randomUUID } from 'node:crypto';
import { createClient, isAuthRetryableFetchError, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import { AppError } from '../../shared/ipc/errors';
import type { Database } from '../../shared/db/database.types';
import type { AccountChange, AdminAccountsAnswer, AdminAccountsError, AdminAccountsRequest, ManagedAccount } from '../../../supabase/functions/admin-accounts/contract.ts';
import type {
  AuditLogQuery,
  Availability,
  Backend,
  ChangesPage,
  EmergencyRow,
  Language,
  MessageCursor,
  MessageRow,
  NewAccount,
  ProfileRow,
  RealtimeListener,
  RealtimeSubscription,
  RejectionReasonInput,
  Role,
  SendMessageInput,
  UserConnection,
} from './backend-port';
import { authError, storageError, toAppError } from './backend-errors';
import type { SecretStore } from './secret-stores';
import { isoTimestamp, toBulkApproveRow, toClientHistorySession, toEmergencyRow, toMessageRow, toProfileRow, toRejectionReasonRow, toReviewClaimRow, toSessionRow } from './row-mapping';
import { toAuditEntry, toFigures } from './figures-mapping';
import { toCannedReply, toDoNotDisturb, toSessionTriage } from './replies-triage-rows';
import type { CannedReply, DoNotDisturb } from '../../shared/ipc/contract';

/** messages_changed_since's answer as the port shapes it. */
function toChangesPage(data: unknown): ChangesPage {
  const page = data as { messages: Row[] | null; cursor: string; complete: boolean };
  return { messages: (page.messages ?? []).map(toMessageRow), cursor: String(page.cursor), complete: Boolean(page.complete) };
}

export interface SupabaseBackendOptions {
  /** What the console shows: a Supabase project, or the local Supabase of the embedded backend. */
  kind: 'embedded' | 'supabase';
  url: string;
  anonKey: string;
  /** One store per account slot; the key names the slot so several users can be signed in (web shell). */
  secretStore: (slot: string) => SecretStore;
  /**
   * The backend makes its first super admin from the console's first-run screen (embedded: the admin-accounts
   * function allows `first_run` there). On a Supabase project the owner makes the first one (docs/backend.md).
   */
  firstRun?: boolean;
}

type Client = SupabaseClient<Database>;
type Functions = Database['public']['Functions'];
type Row = Record<string, unknown>;

const STAFF_ROLES: ReadonlySet<Role> = new Set(['monitor', 'admin', 'super_admin']);
/** Channels a console holds whatever the platform's size: the inbox, staff topics, and typing of open sessions. */
export const MAX_SESSION_CHANNELS = 20;
const STORAGE_BUCKET = 'chat-files';

/** Node 20 has no global WebSocket: realtime-js needs `ws` given to it there (Node 22+ and Electron have one). */
const realtimeTransport = () => (typeof globalThis.WebSocket === 'undefined' ? { transport: WebSocket as never } : {});

const noRow = (what: string) =>
  new AppError({ code: 'backend.invalid', messageKey: 'errors.backend.invalid' }, { permanent: true, detail: `${what} returned no row` });

const expired = () => new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: false });

/**
 * The one adapter: a Supabase project or the embedded local Supabase, through supabase-js v2 in the main
 * process, with the anon key and the user's session (never the service-role key), so every call is subject
 * to the RLS and RPC rules of the migrations. Every read and write is an RPC.
 */
export class SupabaseBackend implements Backend {
  readonly kind: 'embedded' | 'supabase';
  private readonly connections = new Set<SupabaseUserConnection>();
  private firstRun: Promise<unknown> = Promise.resolve();
  private readonly anon: Client;

  constructor(private readonly options: SupabaseBackendOptions) {
    this.kind = options.kind;
    this.anon = this.newClient(null);
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.close()));
  }

  private newClient(slot: string | null): Client {
    return createClient<Database>(this.options.url, this.options.anonKey, {
      auth: slot
        ? {
            storage: this.options.secretStore(slot),
            storageKey: `samia-console-${slot}`,
            persistSession: true,
            autoRefreshToken: true,
            detectSessionInUrl: false,
          }
        : { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: realtimeTransport(),
    });
  }

  async needsFirstRun(): Promise<boolean> {
    if (!this.options.firstRun) return false;
    const { data, error } = await this.anon.rpc('needs_first_run');
    if (error) throw toAppError(error);
    return data === true;
  }

  async createFirstAccount(account: Omit<NewAccount, 'role'>): Promise<UserConnection> {
    const firstRunDone = () => new AppError({ code: 'auth.first_run_done', messageKey: 'errors.auth.first_run_done' }, { permanent: true });
    if (!this.options.firstRun) throw firstRunDone();
    // Serialised here and re-checked: two first-run screens of this console cannot both create a super admin.
    const attempt = this.firstRun.then(async () => {
      if (!(await this.needsFirstRun())) throw firstRunDone();
      try {
        await invokeAdminAccounts(this.anon, {
          action: 'first_run',
          email: account.email,
          password: account.password,
          displayName: account.displayName,
          ...(account.preferredLanguage ? { preferredLanguage: account.preferredLanguage } : {}),
        });
      } catch (error) {
        // The function re-checks under its own lock: another console of this backend may have been first.
        if (error instanceof AppError && error.code === 'SA524') throw firstRunDone();
        throw error;
      }
    });
    this.firstRun = attempt.catch(() => {});
    await attempt;
    return this.signIn(account.email, account.password);
  }

  async signIn(email: string, password: string): Promise<UserConnection> {
    // A slot of its own, named at random: a kept sign-in is found again by it at the next start (restore).
    const slot = randomUUID();
    const client = this.newClient(slot);
    const { data, error } = await client.auth.signInWithPassword({ email: email.trim(), password });
    if (error || !data.session) throw authError(error);
    return this.connect(client, slot, data.user.id);
  }

  /**
   * The session a sign-in left in `slot`, taken up again (a kept sign-in, at the next start): supabase-js reads it
   * from the slot's store and renews its access token if that has expired. Refused (the session revoked or ended,
   * nothing in the slot, another user's): auth.required. The backend unreachable: backend.unavailable, and a later
   * attempt can succeed.
   */
  async restore(slot: string, userId: string): Promise<UserConnection> {
    const client = this.newClient(slot);
    try {
      const { data, error } = await client.auth.getSession();
      if (error && isAuthRetryableFetchError(error)) throw authError(error);
      if (error || !data.session || data.session.user.id !== userId) throw expired();
      return await this.connect(client, slot, userId);
    } catch (failure) {
      // This attempt's client renews nothing more (the next attempt makes its own).
      await client.auth.stopAutoRefresh();
      throw failure;
    }
  }

  /** A session begun or taken up: the console needs the role and the change cursor before it shows anything, read together. */
  private async connect(client: Client, slot: string, userId: string): Promise<UserConnection> {
    const [profileRow, changes] = await Promise.all([rpcRow(client, 'my_profile', {}), rpc(client, 'messages_changed_since', {})]);
    const { cursor } = toChangesPage(changes);
    const connection = new SupabaseUserConnection(client, slot, userId, toProfileRow(profileRow), cursor, () => this.connections.delete(connection));
    this.connections.add(connection);
    return connection;
  }

  /** The OS went to sleep or woke up: token refresh timers must not fire against a dead network. */
  setPowerState(awake: boolean): void {
    for (const connection of this.connections) connection.setAutoRefresh(awake);
  }
}

const accountOf = (answer: AdminAccountsAnswer): ManagedAccount => {
  if (!('account' in answer)) throw noRow('admin-accounts');
  return answer.account;
};

/**
 * The admin-accounts Edge Function (supabase/functions/admin-accounts), through supabase-js: the caller's own
 * session token goes with it, never a service key. Its refusals come back as the SAnnn codes and GoTrue codes
 * the rest of the adapter maps.
 */
async function invokeAdminAccounts(client: Client, request: AdminAccountsRequest): Promise<AdminAccountsAnswer> {
  let result: { data: unknown; error: unknown };
  try {
    result = await client.functions.invoke('admin-accounts', { body: request });
  } catch (error) {
    throw toAppError(error);
  }
  if (!result.error) return result.data as AdminAccountsAnswer;
  const context = (result.error as { context?: unknown }).context;
  if (context instanceof Response) {
    const body = (await context.json().catch(() => null)) as { error?: AdminAccountsError; message?: string } | null;
    const refusal = body?.error;
    if (refusal && typeof refusal === 'object') {
      if (refusal.source === 'auth') throw authError({ code: refusal.code, status: refusal.status });
      throw toAppError({ code: refusal.code, message: refusal.message, details: refusal.details });
    }
    // The relay's own refusal (no or expired token): the session must be renewed or the user sign in again.
    if (context.status === 401) throw expired();
  }
  throw toAppError(result.error);
}

async function rpc<F extends keyof Functions & string>(client: Client, name: F, args: Functions[F]['Args']): Promise<Functions[F]['Returns']> {
  let result: { data: unknown; error: unknown };
  try {
    result = await (client.rpc as (fn: string, args: unknown) => PromiseLike<{ data: unknown; error: unknown }>)(name, args);
  } catch (error) {
    throw toAppError(error);
  }
  if (result.error) throw toAppError(result.error);
  return result.data as Functions[F]['Returns'];
}

async function rpcRows<F extends keyof Functions & string>(client: Client, name: F, args: Functions[F]['Args']): Promise<Row[]> {
  const data = (await rpc(client, name, args)) as unknown;
  return Array.isArray(data) ? (data as Row[]) : data ? [data as Row] : [];
}

async function rpcRow<F extends keyof Functions & string>(client: Client, name: F, args: Functions[F]['Args']): Promise<Row> {
  const [row] = await rpcRows(client, name, args);
  if (!row) throw noRow(name);
  return row;
}

class SupabaseUserConnection implements UserConnection {
  private closed = false;
  private lost = false;
  private readonly expiryListeners = new Set<() => void>();
  private readonly subscriptions = new Set<ChannelSet>();
  private readonly stopAuthListener: () => void;
  /** The role the sign-in found: which fixed realtime topics this connection joins. */
  private readonly role: Role;

  constructor(
    private readonly client: Client,
    readonly slot: string,
    readonly userId: string,
    readonly signedInProfile: ProfileRow,
    readonly signedInCursor: string,
    private readonly onClose: () => void,
  ) {
    this.role = signedInProfile.role;
    // supabase-js renews the realtime token itself on TOKEN_REFRESHED; what it does not do is tell anyone
    // that the session is gone (refresh refused, revoked elsewhere). Calls would then go out as anon.
    const { data } = client.auth.onAuthStateChange((event) => {
      if (event === 'SIGNED_OUT' && !this.closed) this.sessionLost();
    });
    this.stopAuthListener = () => data.subscription.unsubscribe();
  }

  private sessionLost() {
    if (this.lost) return;
    this.lost = true;
    for (const listener of this.expiryListeners) listener();
  }

  private guard() {
    if (this.closed || this.lost) throw expired();
  }

  private async call<F extends keyof Functions & string>(name: F, args: Functions[F]['Args']) {
    this.guard();
    return rpc(this.client, name, args);
  }

  private async rows<F extends keyof Functions & string>(name: F, args: Functions[F]['Args']) {
    this.guard();
    return rpcRows(this.client, name, args);
  }

  private async row<F extends keyof Functions & string>(name: F, args: Functions[F]['Args']) {
    this.guard();
    return rpcRow(this.client, name, args);
  }

  onExpired(listener: () => void) {
    this.expiryListeners.add(listener);
    if (this.lost) queueMicrotask(listener);
    return () => this.expiryListeners.delete(listener);
  }

  async profile() {
    return toProfileRow(await this.row('my_profile', {}));
  }

  async listSessions() {
    return (await this.rows('list_sessions', {})).map(toSessionRow);
  }

  async getSession(sessionId: string) {
    try {
      const [row] = await this.rows('get_session', { p_session_id: sessionId });
      return row ? toSessionRow(row) : null;
    } catch (error) {
      // Not there, or no longer the user's to read: the same answer, by design of the RPC.
      if (error instanceof AppError && error.code === 'SA404') return null;
      throw error;
    }
  }

  async getSessions(sessionIds: readonly string[]) {
    if (sessionIds.length === 0) return [];
    return (await this.rows('get_sessions', { p_session_ids: [...sessionIds] })).map(toSessionRow);
  }

  async listMessages(sessionId: string, options: { before?: MessageCursor; limit?: number } = {}) {
    const rows = await this.rows('list_messages', {
      p_session_id: sessionId,
      ...(options.before ? { p_before_created_at: options.before.createdAt, p_before_id: options.before.id } : {}),
      ...(options.limit ? { p_limit: options.limit } : {}),
    });
    return rows.map(toMessageRow);
  }

  async messagesChangedSince(cursor: string | null): Promise<ChangesPage> {
    return toChangesPage(await this.call('messages_changed_since', cursor ? { p_cursor: cursor } : {}));
  }

  async figures(from: string, to: string) {
    const range = { p_from: from, p_to: to };
    const [reviewers, readers, reasons] = await Promise.all([
      this.rows('figures_reviewers', range),
      this.rows('figures_readers', range),
      this.rows('figures_rejection_reasons', range),
    ]);
    return toFigures(reviewers, readers, reasons);
  }

  async auditLog(query: AuditLogQuery) {
    const rows = await this.rows('list_audit_log', {
      p_limit: query.limit,
      ...(query.before ? { p_before_created_at: query.before.createdAt, p_before_entry_id: Number(query.before.id) } : {}),
      ...(query.actorId ? { p_actor_id: query.actorId } : {}),
      ...(query.action ? { p_action: query.action } : {}),
      ...(query.from ? { p_from: query.from } : {}),
      ...(query.to ? { p_to: query.to } : {}),
    });
    return rows.map(toAuditEntry);
  }

  async searchMessages(query: string, options: { sessionId?: string; before?: MessageCursor; limit?: number } = {}) {
    const rows = await this.rows('search_messages', {
      p_query: query,
      ...(options.sessionId ? { p_session_id: options.sessionId } : {}),
      ...(options.before ? { p_before_created_at: options.before.createdAt, p_before_id: options.before.id } : {}),
      ...(options.limit ? { p_limit: options.limit } : {}),
    });
    return rows.map(toMessageRow);
  }

  async messageContext(messageId: string, options: { before?: number; after?: number } = {}) {
    const rows = await this.rows('message_context', {
      p_message_id: messageId,
      ...(options.before ? { p_before: options.before } : {}),
      ...(options.after ? { p_after: options.after } : {}),
    });
    return rows.map(toMessageRow);
  }

  async pendingAudio(limit?: number) {
    return (await this.rows('pending_audio', limit ? { p_limit: limit } : {})).map(toMessageRow);
  }

  async uploadFile(storagePath: string, bytes: Uint8Array, mimeType: string) {
    this.guard();
    const { error } = await this.client.storage.from(STORAGE_BUCKET).upload(storagePath, bytes, { contentType: mimeType, upsert: false });
    if (error) throw storageError(error);
  }

  async downloadFile(storagePath: string) {
    this.guard();
    const { data, error } = await this.client.storage.from(STORAGE_BUCKET).download(storagePath);
    if (error || !data) throw storageError(error);
    return new Uint8Array(await data.arrayBuffer());
  }

  async sendMessage(input: SendMessageInput): Promise<MessageRow> {
    return toMessageRow(
      await this.row('send_message', {
        p_session_id: input.sessionId,
        p_type: input.type,
        p_client_message_id: input.clientMessageId,
        p_body: input.body ?? undefined,
        p_storage_path: input.file?.storagePath,
        p_mime_type: input.file?.mimeType,
        p_size_bytes: input.file?.sizeBytes,
        p_duration_ms: input.file?.durationMs ?? undefined,
        p_waveform: input.file?.waveform ?? undefined,
        p_reply_to: input.replyTo ?? undefined,
      }),
    );
  }

  async editMessage(messageId: string, body: string) {
    return toMessageRow(await this.row('edit_message', { p_message_id: messageId, p_body: body }));
  }

  async deleteMessage(messageId: string) {
    return toMessageRow(await this.row('delete_message', { p_message_id: messageId }));
  }

  async markRead(sessionId: string, readAt?: string) {
    const at = await this.call('mark_read', { p_session_id: sessionId, ...(readAt ? { p_read_at: readAt } : {}) });
    return isoTimestamp(at) ?? new Date().toISOString();
  }

  async reviewAudio(messageId: string, decision: 'approve' | 'reject', reason?: string) {
    return toMessageRow(await this.row('review_audio', { p_message_id: messageId, p_decision: decision, ...(reason ? { p_reason: reason } : {}) }));
  }

  async openSupportSession(userId?: string) {
    const row = await this.row('open_support_session', userId ? { p_user_id: userId } : {});
    return { id: String(row.id) };
  }

  async openBookingSession(bookingId: string) {
    const row = await this.row('open_booking_session', { p_booking_id: bookingId });
    return { id: String(row.id) };
  }

  async joinSession(sessionId: string) {
    await this.call('join_session', { p_session_id: sessionId });
  }

  async assignReader(sessionId: string, readerId: string) {
    await this.call('assign_reader', { p_session_id: sessionId, p_reader_id: readerId });
  }

  async requestEmergency() {
    return toEmergencyRow(await this.row('request_emergency', {}));
  }

  async listEmergencies(): Promise<EmergencyRow[]> {
    return (await this.rows('list_emergencies', {})).map(toEmergencyRow);
  }

  async acceptEmergency(callId: string) {
    return toEmergencyRow(await this.row('accept_emergency', { p_call_id: callId }));
  }

  async acknowledgeEmergency(callId: string) {
    return toEmergencyRow(await this.row('acknowledge_emergency', { p_call_id: callId }));
  }

  async resolveEmergency(callId: string, note: string) {
    return toEmergencyRow(await this.row('resolve_emergency', { p_call_id: callId, p_note: note }));
  }

  async advanceEmergencies() {
    return Number(await this.call('advance_emergencies', {}));
  }

  async setAvailability(availability: Availability, emergencyOptIn?: boolean) {
    await this.call('set_availability', { p_availability: availability, ...(emergencyOptIn === undefined ? {} : { p_emergency_opt_in: emergencyOptIn }) });
  }

  async setPresence(availability: Availability) {
    const row = await this.row('set_presence', { p_availability: availability });
    return { availability: row.availability as Availability, choice: row.availability_choice as Availability };
  }

  async presenceHeartbeat() {
    const row = await this.row('presence_heartbeat', {});
    return { availability: row.availability as Availability, choice: row.availability_choice as Availability };
  }

  async setPreferredLanguage(language: Language) {
    await this.call('set_preferred_language', { p_language: language });
  }

  async setRole(userId: string, role: Role) {
    await this.call('set_role', { p_user_id: userId, p_role: role });
  }

  async setConsoleSetting(key: string, value: string) {
    await this.call('set_console_setting', { p_key: key, p_value: value });
  }

  async consoleSettings() {
    return ((await this.call('get_console_settings', {})) ?? {}) as Record<string, string | number | string[]>;
  }

  async listPeople(role?: Role) {
    return (await this.rows('list_people', role ? { p_role: role } : {})).map((row) => {
      const p = toProfileRow(row);
      return { id: p.id, displayName: p.displayName, role: p.role, availability: p.availability, emergencyOptIn: p.emergencyOptIn };
    });
  }

  private async accounts(request: AdminAccountsRequest): Promise<AdminAccountsAnswer> {
    this.guard();
    return invokeAdminAccounts(this.client, request);
  }

  async createAccount(account: NewAccount): Promise<{ id: string }> {
    // An early check for a clearer message; the function and the database decide (authorize_account_action):
    // admins create client, reader and monitor accounts, super admins any. Read from profiles, never claims.
    const me = await this.profile();
    const allowed = me.role === 'super_admin' || (me.role === 'admin' && (account.role === 'client' || account.role === 'reader' || account.role === 'monitor'));
    if (!allowed) throw new AppError({ code: 'auth.forbidden', messageKey: 'errors.auth.forbidden' }, { permanent: true, params: { role: account.role } });
    const answer = await this.accounts({
      action: 'create',
      email: account.email.trim(),
      password: account.password,
      displayName: account.displayName.trim(),
      role: account.role,
      preferredLanguage: account.preferredLanguage ?? 'en',
    });
    return { id: accountOf(answer).id };
  }

  async listAccounts(search?: string, limit?: number): Promise<ManagedAccount[]> {
    const answer = await this.accounts({ action: 'list', ...(search ? { search } : {}), ...(limit ? { limit } : {}) });
    if (!('accounts' in answer)) throw noRow('admin-accounts list');
    return answer.accounts;
  }

  async setAccountRole(userId: string, role: Role): Promise<ManagedAccount> {
    return accountOf(await this.accounts({ action: 'set_role', userId, role }));
  }

  async setAccountDisabled(userId: string, disabled: boolean): Promise<ManagedAccount> {
    return accountOf(await this.accounts({ action: disabled ? 'disable' : 'enable', userId }));
  }

  async sendPasswordReset(userId: string): Promise<ManagedAccount> {
    return accountOf(await this.accounts({ action: 'send_password_reset', userId }));
  }

  async accountHistory(userId: string): Promise<AccountChange[]> {
    const answer = await this.accounts({ action: 'history', userId });
    if (!('history' in answer)) throw noRow('admin-accounts history');
    return answer.history;
  }

  async claimReview(messageId: string) {
    return toReviewClaimRow(await this.row('claim_review', { p_message_id: messageId }));
  }

  async releaseReview(messageId?: string) {
    return Number(await this.call('release_review', messageId ? { p_message_id: messageId } : {}));
  }

  async reviewClaims() {
    return (await this.rows('review_claims', {})).map(toReviewClaimRow);
  }

  async pendingReviewCount() {
    return Number(await this.call('pending_review_count', {}));
  }

  async bulkApprove(messageIds: string[]) {
    return (await this.rows('bulk_approve', { p_message_ids: messageIds })).map(toBulkApproveRow);
  }

  async rejectAudio(messageId: string, reasonId?: string, note?: string) {
    return toMessageRow(await this.row('reject_audio', { p_message_id: messageId, ...(reasonId ? { p_reason_id: reasonId } : {}), ...(note ? { p_note: note } : {}) }));
  }

  async listRejectionReasons(includeArchived?: boolean) {
    return (await this.rows('list_rejection_reasons', includeArchived ? { p_include_archived: true } : {})).map(toRejectionReasonRow);
  }

  async saveRejectionReason(input: RejectionReasonInput) {
    return toRejectionReasonRow(
      await this.row('save_rejection_reason', {
        ...(input.id ? { p_id: input.id } : {}),
        ...(input.labelEn !== undefined ? { p_label_en: input.labelEn } : {}),
        ...(input.labelAr !== undefined ? { p_label_ar: input.labelAr } : {}),
        ...(input.position !== undefined ? { p_position: input.position } : {}),
        ...(input.active !== undefined ? { p_active: input.active } : {}),
      }),
    );
  }

  subscribe(listener: RealtimeListener): RealtimeSubscription {
    const fixed = [`user:${this.userId}`, ...(STAFF_ROLES.has(this.role) ? ['staff:approvals', 'staff:emergencies', 'staff:sessions'] : [])];
    const set = new ChannelSet(this.client, listener, fixed);
    this.subscriptions.add(set);
    return {
      setOpenSessions: (ids) => set.setSessions(ids),
      close: () => {
        set.close();
        this.subscriptions.delete(set);
      },
    };
  }

  /**
   * Typing goes through the database, never as a client broadcast: a channel's write access is checked once, at
   * join, so no policy could bound what a client sends on it. The RPC checks the session, rate-limits, and sends
   * the fixed payload {user_id, session_id} as `typing` on session:{id} to the other participants.
   */
  async broadcastTyping(sessionId: string) {
    await this.call('broadcast_typing', { p_session_id: sessionId });
  }

  async addNote(input: { sessionId: string; clientMessageId: string; body: string; mentions?: readonly string[] }) {
    return toMessageRow(
      await this.row('add_note', {
        p_session_id: input.sessionId,
        p_client_message_id: input.clientMessageId,
        p_body: input.body,
        ...(input.mentions && input.mentions.length > 0 ? { p_mentions: [...input.mentions] } : {}),
      }),
    );
  }

  // ---- canned replies and triage ----

  async listCannedReplies() {
    return (await this.rows('list_canned_replies', {})).map(toCannedReply);
  }

  async saveCannedReply(reply: Omit<CannedReply, 'id' | 'updatedAt'> & { id?: string }) {
    return toCannedReply(
      await this.row('save_canned_reply', {
        p_language: reply.language,
        p_shortcut: reply.shortcut,
        p_title: reply.title,
        p_body: reply.body,
        p_shared: reply.shared,
        ...(reply.id ? { p_id: reply.id } : {}),
      }),
    );
  }

  async noteMentionCandidates(sessionId: string) {
    return (await this.rows('note_mention_candidates', { p_session_id: sessionId })).map((row) => {
      const p = toProfileRow(row);
      return { id: p.id, displayName: p.displayName, role: p.role };
    });
  }

  async clientHistory(clientId: string) {
    const [sessions, notes] = await Promise.all([
      this.rows('client_history', { p_client_id: clientId }),
      this.rows('client_notes', { p_client_id: clientId }),
    ]);
    return { sessions: sessions.map(toClientHistorySession), notes: notes.map(toMessageRow) };
  }

  async deleteCannedReply(id: string) {
    await this.call('delete_canned_reply', { p_id: id });
  }

  async listSessionTriage() {
    return (await this.rows('list_session_triage', {})).map(toSessionTriage);
  }

  async markSessionUnread(sessionId: string, unread: boolean) {
    return toSessionTriage(await this.row('mark_session_unread', { p_session_id: sessionId, p_unread: unread }));
  }

  async muteSession(sessionId: string, muted: boolean) {
    return toSessionTriage(await this.row('mute_session', { p_session_id: sessionId, p_muted: muted }));
  }

  async snoozeSession(sessionId: string, snooze: { until?: string | null; untilReply?: boolean }) {
    return toSessionTriage(
      await this.row('snooze_session', {
        p_session_id: sessionId,
        ...(snooze.until ? { p_until: snooze.until } : {}),
        p_until_reply: snooze.untilReply === true,
      }),
    );
  }

  async getDoNotDisturb() {
    const [row] = await this.rows('get_do_not_disturb', {});
    return toDoNotDisturb(row);
  }

  async setDoNotDisturb(plan: DoNotDisturb) {
    const [row] = await this.rows('set_do_not_disturb', {
      p_manual: plan.manual,
      ...(plan.until ? { p_until: plan.until } : {}),
      ...(plan.schedule ? { p_schedule_start: plan.schedule.start, p_schedule_end: plan.schedule.end, p_time_zone: plan.schedule.timeZone } : {}),
    });
    return toDoNotDisturb(row);
  }

  setAutoRefresh(on: boolean) {
    void (on ? this.client.auth.startAutoRefresh() : this.client.auth.stopAutoRefresh());
  }

  async signOut() {
    await this.close();
    // Local scope: this console's session only; the user's other machines stay signed in.
    await this.client.auth.signOut({ scope: 'local' }).catch(() => {});
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.stopAuthListener();
    for (const set of this.subscriptions) set.close();
    this.subscriptions.clear();
    // A kept session is taken up by a client of its own next time: this one must not renew (rotate) its tokens meanwhile.
    await this.client.auth.stopAutoRefresh();
    await this.client.removeAllChannels().catch(() => {});
    this.onClose();
  }
}

/**
 * The realtime channels of one subscriber: the fixed topics, plus the typing topics of the sessions the user
 * has open, under a fixed budget (Supabase allows 100 channels per connection). Channel status is reported
 * so the core can catch up from its server-side cursor after every (re)join.
 */
class ChannelSet {
  private readonly channels = new Map<string, RealtimeChannel>();
  private readonly joined = new Set<string>();
  private readonly rejoinTimers = new Map<string, NodeJS.Timeout>();
  private readonly rejoinAttempts = new Map<string, number>();
  private closed = false;

  constructor(
    private readonly client: Client,
    private readonly listener: RealtimeListener,
    private readonly fixed: readonly string[],
  ) {
    for (const topic of fixed) this.join(topic);
  }

  private report() {
    const fixedJoined = this.fixed.every((topic) => this.joined.has(topic));
    this.listener.onStatus?.(fixedJoined ? 'joined' : this.channels.size > 0 ? 'joining' : 'down');
  }

  private join(topic: string) {
    if (this.channels.has(topic) || this.closed) return;
    const channel = this.client
      .channel(topic, { config: { private: true, broadcast: { self: false } } })
      .on('broadcast', { event: '*' }, (message: { event: string; payload?: Record<string, unknown> }) =>
        this.listener.onEvent({ topic, event: message.event, payload: message.payload ?? {} }),
      );
    this.channels.set(topic, channel);
    channel.subscribe((status) => {
      if (this.closed || this.channels.get(topic) !== channel) return;
      const wasJoined = this.joined.has(topic);
      if (status === 'SUBSCRIBED') {
        this.joined.add(topic);
        this.rejoinAttempts.delete(topic);
      } else this.joined.delete(topic);
      // realtime-js retries a refused or timed-out join by itself, but a channel the server closed (token expired,
      // access revoked on renewal) is gone for good: a new one is subscribed, with backoff.
      if (status === 'CLOSED') this.rejoinLater(topic, channel);
      // A fixed topic (re)joined: whatever was broadcast while it was down must be fetched.
      if (status === 'SUBSCRIBED' && this.fixed.includes(topic)) this.listener.onJoined?.(topic);
      if (wasJoined !== this.joined.has(topic) || status !== 'SUBSCRIBED') this.report();
    });
    this.report();
  }

  private rejoinLater(topic: string, channel: RealtimeChannel) {
    this.channels.delete(topic);
    void this.client.removeChannel(channel);
    const attempt = (this.rejoinAttempts.get(topic) ?? 0) + 1;
    this.rejoinAttempts.set(topic, attempt);
    const delay = Math.min(1_000 * 2 ** (attempt - 1), 30_000);
    const timer = setTimeout(() => {
      this.rejoinTimers.delete(topic);
      this.join(topic);
    }, delay);
    timer.unref?.();
    this.rejoinTimers.set(topic, timer);
  }

  private leave(topic: string) {
    const timer = this.rejoinTimers.get(topic);
    if (timer) clearTimeout(timer);
    this.rejoinTimers.delete(topic);
    this.rejoinAttempts.delete(topic);
    const channel = this.channels.get(topic);
    if (!channel) return;
    this.channels.delete(topic);
    this.joined.delete(topic);
    void this.client.removeChannel(channel);
  }

  setSessions(ids: readonly string[]) {
    const wanted = new Set(ids.slice(-MAX_SESSION_CHANNELS).map((id) => `session:${id}`));
    for (const topic of new Set([...this.channels.keys(), ...this.rejoinTimers.keys()])) {
      if (topic.startsWith('session:') && !wanted.has(topic)) this.leave(topic);
    }
    for (const topic of wanted) this.join(topic);
  }

  close() {
    this.closed = true;
    for (const topic of new Set([...this.channels.keys(), ...this.rejoinTimers.keys()])) this.leave(topic);
  }
}
