import { createClient, type SupabaseClient, type SupportedStorage } from '@supabase/supabase-js';
import { AppError } from '../../../shared/ipc/errors';
import type {
  Availability,
  Backend,
  EmergencyRow,
  MessageCursor,
  MessageRow,
  NewAccount,
  RealtimeEvent,
  Role,
  SendMessageInput,
  UserConnection,
} from '../backend-port';
import { toAppError } from '../backend-errors';
import { isoTimestamp, MESSAGE_COLUMNS, toEmergencyRow, toMessageRow, toProfileRow, toSessionRow } from '../row-mapping';

/**
 * Where supabase-js keeps the session (tokens). The Electron shell passes a store encrypted with
 * safeStorage; the web shell and tests keep it in memory. Tokens never leave the main process.
 */
export type SecretStore = SupportedStorage;

export class MemorySecretStore implements SecretStore {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

export interface SupabaseBackendOptions {
  url: string;
  anonKey: string;
  /** One store per account slot; the key names the slot so several users can be signed in (web shell). */
  secretStore: (slot: string) => SecretStore;
  /** For tests that point supabase-js at a stand-in server. */
  fetch?: typeof fetch;
}

const STAFF_ROLES: ReadonlySet<Role> = new Set(['monitor', 'admin', 'super_admin']);

type Result<T> = { data: T | null; error: unknown };

/** Unwraps a supabase-js result, turning its error into the typed error the renderer translates. */
async function unwrap<T>(pending: PromiseLike<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await pending;
  } catch (error) {
    throw toAppError(error);
  }
  if (result.error) throw toAppError(result.error);
  return result.data as T;
}

const single = <T>(rows: T | T[] | null): T => {
  const row = Array.isArray(rows) ? rows[0] : rows;
  if (!row) throw new AppError({ code: 'backend.invalid', messageKey: 'errors.backend.invalid' }, { permanent: true });
  return row;
};

/**
 * A Supabase project through supabase-js v2, in the main process only: the anon key and the user's session,
 * never the service-role key, so every call is subject to the same RLS and RPC rules as the embedded backend.
 */
export class SupabaseBackend implements Backend {
  readonly kind = 'supabase' as const;
  private readonly connections = new Set<SupabaseUserConnection>();
  private slot = 0;

  constructor(private readonly options: SupabaseBackendOptions) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    await Promise.all([...this.connections].map((connection) => connection.close()));
  }

  async needsFirstRun(): Promise<boolean> {
    // Accounts on Supabase come from the platform's own sign-up and admin tools.
    return false;
  }

  async createFirstAccount(): Promise<UserConnection> {
    throw new AppError({ code: 'auth.first_run_done', messageKey: 'errors.auth.first_run_done' }, { permanent: true });
  }

  private newClient(slot: string): SupabaseClient {
    return createClient(this.options.url, this.options.anonKey, {
      auth: {
        storage: this.options.secretStore(slot),
        storageKey: `samia-console-${slot}`,
        persistSession: true,
        autoRefreshToken: true,
        detectSessionInUrl: false,
      },
      global: this.options.fetch ? { fetch: this.options.fetch } : {},
    });
  }

  async signIn(email: string, password: string): Promise<UserConnection> {
    const client = this.newClient(String(++this.slot));
    const { data, error } = await client.auth.signInWithPassword({ email: email.trim(), password });
    if (error || !data.session) {
      throw new AppError({ code: 'auth.invalid_credentials', messageKey: 'errors.auth.invalid_credentials' }, { permanent: true, cause: error });
    }
    // Realtime's private channels are authorised with the user's access token, refreshed with it.
    await client.realtime.setAuth(data.session.access_token);
    const profile = toProfileRow(
      single(await unwrap(client.from('profiles').select('id,display_name,role,preferred_language,emergency_opt_in,availability').eq('id', data.user.id).limit(1))),
    );
    const connection = new SupabaseUserConnection(client, data.user.id, profile.role, () => this.connections.delete(connection));
    this.connections.add(connection);
    return connection;
  }

  /** The OS went to sleep or woke up: token refresh timers must not fire against a dead network. */
  setPowerState(awake: boolean): void {
    for (const connection of this.connections) connection.setAutoRefresh(awake);
  }
}

class SupabaseUserConnection implements UserConnection {
  private readonly channels = new Set<ReturnType<SupabaseClient['channel']>>();

  constructor(
    private readonly client: SupabaseClient,
    readonly userId: string,
    private readonly role: Role,
    private readonly onClose: () => void,
  ) {}

  private rpc<T>(name: string, args: Record<string, unknown> = {}): Promise<T> {
    return unwrap(this.client.rpc(name, args) as unknown as PromiseLike<Result<T>>);
  }

  /** An RPC returning a chat message, narrowed to the columns participants may read. */
  private async messageRpc(name: string, args: Record<string, unknown>): Promise<MessageRow> {
    const row = await unwrap(this.client.rpc(name, args).select(MESSAGE_COLUMNS).single() as unknown as PromiseLike<Result<Record<string, unknown>>>);
    return toMessageRow(row);
  }

  async profile() {
    return toProfileRow(
      single(
        await unwrap(
          this.client.from('profiles').select('id,display_name,role,preferred_language,emergency_opt_in,availability').eq('id', this.userId).limit(1),
        ),
      ),
    );
  }

  async listSessions() {
    const [sessions, unread] = await Promise.all([
      unwrap(
        this.client
          .from('chat_sessions')
          .select('id,type,status,booking_id,last_message_at,created_at,chat_participants(user_id,role_in_session,joined_at,last_read_at)')
          .order('last_message_at', { ascending: false, nullsFirst: false })
          .limit(500),
      ),
      this.rpc<{ session_id: string; unread_count: number; last_read_at: string | null }[]>('unread_counts'),
    ]);
    const unreadBySession = new Map((unread ?? []).map((row) => [row.session_id, row]));
    // Names and roles come from profile_cards, the view of profiles every participant may read (profiles itself is not).
    const ids = [...new Set((sessions ?? []).flatMap((row) => ((row.chat_participants as { user_id: string }[] | null) ?? []).map((p) => p.user_id)))];
    const cards = ids.length
      ? ((await unwrap(this.client.from('profile_cards').select('id,display_name,role,availability').in('id', ids))) as Record<string, unknown>[])
      : [];
    const cardById = new Map(cards.map((card) => [String(card.id), card]));
    return (sessions ?? []).map((row: Record<string, unknown>) => {
      const counts = unreadBySession.get(String(row.id));
      const participants = ((row.chat_participants as Record<string, unknown>[] | null) ?? []).map((p) => {
        const profile = cardById.get(String(p.user_id)) ?? {};
        return {
          userId: String(p.user_id),
          displayName: String(profile.display_name ?? ''),
          role: (profile.role ?? 'client') as Role,
          roleInSession: p.role_in_session as 'client' | 'reader' | 'staff',
          availability: (profile.availability ?? 'offline') as Availability,
          lastReadAt: (p.last_read_at as string | null) ?? null,
        };
      });
      return toSessionRow({ ...row, unread_count: counts?.unread_count ?? 0, last_read_at: counts?.last_read_at ?? null, participants });
    });
  }

  async listMessages(sessionId: string, options: { before?: MessageCursor; limit?: number } = {}) {
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
    let query = this.client.from('chat_messages').select(MESSAGE_COLUMNS).eq('session_id', sessionId);
    if (options.before) {
      const { createdAt, id } = options.before;
      query = query.or(`created_at.lt.${createdAt},and(created_at.eq.${createdAt},id.lt.${id})`);
    }
    const rows = await unwrap(query.order('created_at', { ascending: false }).order('id', { ascending: false }).limit(limit));
    return ((rows ?? []) as unknown as Record<string, unknown>[]).map(toMessageRow);
  }

  async messagesChangedSince(since: string, limit = 1000) {
    const rows = await unwrap(
      this.client
        .from('chat_messages')
        .select(MESSAGE_COLUMNS)
        .or(`created_at.gt.${since},edited_at.gt.${since},reviewed_at.gt.${since}`)
        .order('created_at')
        .order('id')
        .limit(Math.min(limit, 5000)),
    );
    return ((rows ?? []) as unknown as Record<string, unknown>[]).map(toMessageRow);
  }

  async pendingAudio(limit = 200) {
    const rows = await unwrap(
      this.client.from('chat_messages').select(MESSAGE_COLUMNS).eq('status', 'pending_approval').order('created_at').order('id').limit(Math.min(limit, 1000)),
    );
    return ((rows ?? []) as unknown as Record<string, unknown>[]).map(toMessageRow);
  }

  async uploadFile(storagePath: string, bytes: Uint8Array, mimeType: string) {
    const { error } = await this.client.storage.from('chat-files').upload(storagePath, bytes, { contentType: mimeType, upsert: false });
    if (!error) return;
    const status = String((error as { statusCode?: unknown }).statusCode ?? (error as { status?: unknown }).status ?? '');
    if (status === '409' || /already exists|duplicate/i.test(error.message)) {
      throw new AppError({ code: 'storage.already_exists', messageKey: 'errors.storage.already_exists' }, { permanent: true, cause: error });
    }
    if (status === '413' || /maximum allowed size/i.test(error.message)) {
      throw new AppError({ code: 'storage.too_large', messageKey: 'errors.storage.too_large' }, { permanent: true, cause: error });
    }
    if (status === '415' || /mime type/i.test(error.message)) {
      throw new AppError({ code: 'storage.mime_not_allowed', messageKey: 'errors.storage.mime_not_allowed' }, { permanent: true, cause: error });
    }
    throw toAppError(error);
  }

  async downloadFile(storagePath: string) {
    const blob = await unwrap(this.client.storage.from('chat-files').download(storagePath));
    return new Uint8Array(await (blob as Blob).arrayBuffer());
  }

  async sendMessage(input: SendMessageInput): Promise<MessageRow> {
    return this.messageRpc('send_message', {
      p_session_id: input.sessionId,
      p_type: input.type,
      p_client_message_id: input.clientMessageId,
      p_body: input.body ?? null,
      p_storage_path: input.file?.storagePath ?? null,
      p_mime_type: input.file?.mimeType ?? null,
      p_size_bytes: input.file?.sizeBytes ?? null,
      p_duration_ms: input.file?.durationMs ?? null,
      p_waveform: input.file?.waveform ?? null,
      p_reply_to: input.replyTo ?? null,
    });
  }

  async editMessage(messageId: string, body: string) {
    return this.messageRpc('edit_message', { p_message_id: messageId, p_body: body });
  }

  async deleteMessage(messageId: string) {
    return this.messageRpc('delete_message', { p_message_id: messageId });
  }

  async markRead(sessionId: string, readAt?: string) {
    return isoTimestamp(await this.rpc('mark_read', { p_session_id: sessionId, p_read_at: readAt ?? null })) ?? new Date().toISOString();
  }

  async reviewAudio(messageId: string, decision: 'approve' | 'reject', reason?: string) {
    return this.messageRpc('review_audio', { p_message_id: messageId, p_decision: decision, p_reason: reason ?? null });
  }

  async openSupportSession(userId?: string) {
    const row = await this.rpc<Record<string, unknown>>('open_support_session', { p_user_id: userId ?? null });
    return { id: String(row.id) };
  }

  async joinSession(sessionId: string) {
    await this.rpc('join_session', { p_session_id: sessionId });
  }

  async assignReader(sessionId: string, readerId: string) {
    await this.rpc('assign_reader', { p_session_id: sessionId, p_reader_id: readerId });
  }

  async requestEmergency() {
    return toEmergencyRow(await this.rpc('request_emergency'));
  }

  async listEmergencies(): Promise<EmergencyRow[]> {
    const rows = await unwrap(this.client.from('emergency_calls').select('*').order('created_at', { ascending: true }).limit(500));
    return ((rows ?? []) as Record<string, unknown>[]).map(toEmergencyRow);
  }

  async acceptEmergency(callId: string) {
    return toEmergencyRow(await this.rpc('accept_emergency', { p_call_id: callId }));
  }

  async acknowledgeEmergency(callId: string) {
    return toEmergencyRow(await this.rpc('acknowledge_emergency', { p_call_id: callId }));
  }

  async resolveEmergency(callId: string, note: string) {
    return toEmergencyRow(await this.rpc('resolve_emergency', { p_call_id: callId, p_note: note }));
  }

  async advanceEmergencies() {
    return Number(await this.rpc('advance_emergencies'));
  }

  async setAvailability(availability: Availability, emergencyOptIn?: boolean) {
    await this.rpc('set_availability', { p_availability: availability, p_emergency_opt_in: emergencyOptIn ?? null });
  }

  async setRole(userId: string, role: Role) {
    await this.rpc('set_role', { p_user_id: userId, p_role: role });
  }

  async setConsoleSetting(key: string, value: string) {
    const rows = await unwrap(this.client.from('app_settings').update({ value }).eq('key', key).select('key'));
    if (!rows || (rows as unknown[]).length === 0) {
      throw new AppError({ code: 'SA470', messageKey: 'settings.unknown_key' }, { permanent: true, params: { key } });
    }
  }

  async consoleSettings() {
    return (await this.rpc<Record<string, string | number | string[]>>('get_console_settings')) ?? {};
  }

  async listPeople(role?: Role) {
    let query = this.client.from('profile_cards').select('id,display_name,role,availability,emergency_opt_in');
    if (role) query = query.eq('role', role);
    const rows = (await unwrap(query.order('display_name').limit(1000))) as Record<string, unknown>[];
    return rows.map((row) => {
      const p = toProfileRow(row);
      return { id: p.id, displayName: p.displayName, role: p.role, availability: p.availability, emergencyOptIn: p.emergencyOptIn };
    });
  }

  async createAccount(_account: NewAccount): Promise<{ id: string }> {
    // Creating users needs the service-role key, which never ships in the app: accounts come from the platform.
    throw new AppError({ code: 'auth.accounts_managed_by_platform', messageKey: 'errors.auth.accounts_managed_by_platform' }, { permanent: true });
  }

  subscribe(onEvent: (event: RealtimeEvent) => void, sessionIds: () => readonly string[] = () => []) {
    const topics = [`user:${this.userId}`, ...(STAFF_ROLES.has(this.role) ? ['staff:approvals', 'staff:emergencies', 'staff:sessions'] : [])];
    const subscribed = new Map<string, ReturnType<SupabaseClient['channel']>>();
    const join = (topic: string) => {
      if (subscribed.has(topic)) return;
      const channel = this.client
        .channel(topic, { config: { private: true } })
        .on('broadcast', { event: '*' }, (message: { event: string; payload?: Record<string, unknown> }) =>
          onEvent({ topic, event: message.event, payload: message.payload ?? {} }),
        )
        .subscribe();
      subscribed.set(topic, channel);
      this.channels.add(channel);
    };
    topics.forEach(join);
    // Typing topics follow the sessions the user has open; a handful of channels however many sessions exist.
    const refresh = setInterval(() => sessionIds().forEach((id) => join(`session:${id}`)), 1000);
    refresh.unref?.();
    return () => {
      clearInterval(refresh);
      for (const channel of subscribed.values()) {
        void this.client.removeChannel(channel);
        this.channels.delete(channel);
      }
    };
  }

  async broadcastTyping(sessionId: string) {
    const channel = this.client.channel(`session:${sessionId}`, { config: { private: true } });
    await channel.send({ type: 'broadcast', event: 'typing', payload: { user_id: this.userId, session_id: sessionId } });
  }

  setAutoRefresh(on: boolean) {
    void (on ? this.client.auth.startAutoRefresh() : this.client.auth.stopAutoRefresh());
  }

  async signOut() {
    await this.close();
    await this.client.auth.signOut();
  }

  async close() {
    for (const channel of this.channels) await this.client.removeChannel(channel);
    this.channels.clear();
    this.onClose();
  }
}
