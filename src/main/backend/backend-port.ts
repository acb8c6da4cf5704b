import type { AuditEntry, BulkApproveResult, CannedReply, ChatMessage, ChatSession, ClientHistorySession, DoNotDisturb, Emergency, Figures, RejectionReason, ReviewClaim, SessionTriage } from '../../shared/ipc/contract';
import type { AccountChange, ManagedAccount } from '../../../supabase/functions/admin-accounts/contract.ts';

/**
 * The backend port: everything the main process asks of the server side, whichever it is (the embedded
 * PGlite database or a Supabase project). Rules are not here: both implementations call the same SQL
 * functions and read under the same RLS, so a refusal comes from Postgres, the same on both.
 */

export type Role = 'client' | 'reader' | 'monitor' | 'admin' | 'super_admin';
export type Language = 'ar' | 'en';
export type MessageType = ChatMessage['type'];
export type MessageStatus = ChatMessage['status'];
export type Availability = 'online' | 'busy' | 'away' | 'offline';

export interface ProfileRow {
  id: string;
  displayName: string;
  role: Role;
  preferredLanguage: Language;
  emergencyOptIn: boolean;
  availability: Availability;
  /** The user's own choice (my_profile only): what their console shows while they are at work; availability is what others see. */
  availabilityChoice?: Availability;
}

/** How many sessions one get_sessions call takes (its check_limit). */
export const GET_SESSIONS_MAX = 100;

/** A session as the console shows it: the contract's shape (list_sessions / get_session rows, mapped once). */
export type SessionRow = ChatSession;

/** A chat message as the backend returns it; system messages may have no sender. */
export type MessageRow = Omit<ChatMessage, 'senderId'> & { senderId: string | null };

export type EmergencyRow = Emergency;

/** Keyset position in a session's history: strictly older than (createdAt, id). */
export interface MessageCursor {
  createdAt: string;
  id: string;
}

export interface SendMessageInput {
  sessionId: string;
  clientMessageId: string;
  type: Exclude<MessageType, 'system' | 'emergency'>;
  body?: string | null;
  replyTo?: string | null;
  file?: { storagePath: string; mimeType: string; sizeBytes: number; durationMs?: number | null; waveform?: number[] | null };
}

/** A change the server pushed on one of the user's topics; the payload was re-read under the user's own rights. */
export interface RealtimeEvent {
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

export type RealtimeStatus = 'joining' | 'joined' | 'down';

export interface RealtimeListener {
  onEvent(event: RealtimeEvent): void;
  /** The user's fixed topics as a whole: all joined, some (re)joining, or none. */
  onStatus?(status: RealtimeStatus): void;
  /** A fixed topic was (re)joined: what was broadcast while it was down must be fetched from the server cursor. */
  onJoined?(topic: string): void;
}

export interface RealtimeSubscription {
  /** The sessions the user has open: their typing topics are joined (within a fixed budget), the others left. */
  setOpenSessions(sessionIds: readonly string[]): void;
  close(): void;
}

/** One page of what changed after a server-side cursor (opaque); `complete` false means: ask again with `cursor`. */
export interface ChangesPage {
  messages: MessageRow[];
  cursor: string;
  complete: boolean;
}

/** The review queue's rows (..._review_queue.sql), in the contract's shapes. */
export type ReviewClaimRow = ReviewClaim;
export type BulkApproveRow = BulkApproveResult;
export type RejectionReasonRow = RejectionReason;
export interface RejectionReasonInput {
  id?: string;
  labelEn?: string;
  labelAr?: string;
  position?: number;
  active?: boolean;
}

export interface NewAccount {
  email: string;
  password: string;
  displayName: string;
  role: Role;
  preferredLanguage?: Language;
}

/** list_audit_log's arguments: strictly older than `before` (created_at, id), with optional filters. */
export interface AuditLogQuery {
  limit: number;
  before?: { createdAt: string; id: string };
  actorId?: string;
  action?: string;
  from?: string;
  to?: string;
}

/** One signed-in user's view of the backend. Every call runs with that user's rights. */
export interface UserConnection {
  /** The token slot this sign-in's session is kept in: a kept sign-in is taken up again by it (Backend.restore). */
  readonly slot: string;
  readonly userId: string;
  /** The profile as the sign-in read it (the sign-in needs the role): the console starts from it, without asking again. */
  readonly signedInProfile: ProfileRow;
  /**
   * The change cursor as of the sign-in (messagesChangedSince(null), read beside the profile): taken before anything
   * subscribes, so whatever is committed from then on reaches the console, live or by catch-up.
   */
  readonly signedInCursor: string;
  profile(): Promise<ProfileRow>;
  listSessions(): Promise<SessionRow[]>;
  listMessages(sessionId: string, options?: { before?: MessageCursor; limit?: number }): Promise<MessageRow[]>;
  /** One session as listSessions shows it (null if the user may not read it): pushed changes merge with it. */
  getSession(sessionId: string): Promise<SessionRow | null>;
  /** Up to GET_SESSIONS_MAX sessions in one call (get_sessions); those the user may not read are left out. */
  getSessions(sessionIds: readonly string[]): Promise<SessionRow[]>;
  /** Messages created or changed after a server-side cursor (null: start now): what a console fetches after a (re)join. */
  messagesChangedSince(cursor: string | null): Promise<ChangesPage>;
  pendingAudio(limit?: number): Promise<MessageRow[]>;
  /**
   * Messages the user may read matching `query` (search_messages): newest first, within one session or across all,
   * strictly older than `before` when given (keyset). Arabic and Latin folding is the database's.
   */
  searchMessages(query: string, options?: { sessionId?: string; before?: MessageCursor; limit?: number }): Promise<MessageRow[]>;
  /** A message with up to `before` older and `after` newer messages of its session, oldest first (message_context). */
  messageContext(messageId: string, options?: { before?: number; after?: number }): Promise<MessageRow[]>;
  uploadFile(storagePath: string, bytes: Uint8Array, mimeType: string): Promise<void>;
  downloadFile(storagePath: string): Promise<Uint8Array>;
  sendMessage(input: SendMessageInput): Promise<MessageRow>;
  editMessage(messageId: string, body: string): Promise<MessageRow>;
  deleteMessage(messageId: string): Promise<MessageRow>;
  markRead(sessionId: string, readAt?: string): Promise<string>;
  reviewAudio(messageId: string, decision: 'approve' | 'reject', reason?: string): Promise<MessageRow>;
  openSupportSession(userId?: string): Promise<{ id: string }>;
  /** The chat of a platform booking (open_booking_session), with the booking's client and reader; one per booking. */
  openBookingSession(bookingId: string): Promise<{ id: string }>;
  joinSession(sessionId: string): Promise<void>;
  /** Staff put a reader into a client's session (readings that do not come from a platform booking). */
  assignReader(sessionId: string, readerId: string): Promise<void>;
  requestEmergency(note?: string): Promise<EmergencyRow>;
  listEmergencies(): Promise<EmergencyRow[]>;
  acceptEmergency(callId: string): Promise<EmergencyRow>;
  acknowledgeEmergency(callId: string): Promise<EmergencyRow>;
  resolveEmergency(callId: string, note: string): Promise<EmergencyRow>;
  /** Runs the deadline sweep; idempotent, harmless to call from several consoles. */
  advanceEmergencies(): Promise<number>;
  setAvailability(availability: Availability, emergencyOptIn?: boolean): Promise<void>;
  /** What this console shows others now (public.set_presence): the choice, away instead of online or busy, or offline. */
  setPresence(availability: Availability): Promise<{ availability: Availability; choice: Availability }>;
  /** Renews this console's presence lease (public.presence_heartbeat); answers what others see and the choice. */
  presenceHeartbeat(): Promise<{ availability: Availability; choice: Availability }>;
  setPreferredLanguage(language: Language): Promise<void>;
  setRole(userId: string, role: Role): Promise<void>;
  /** A typed console limit in app_settings (`console.*`); super admins only, validated by the migrations. */
  setConsoleSetting(key: string, value: string): Promise<void>;
  /** The typed console limits (rate, size and duration limits, escalation timings) as the SQL layer applies them. */
  consoleSettings(): Promise<Record<string, string | number | string[]>>;
  /** People the user may see (readers for everyone; everyone for staff), for pickers such as "assign reader". */
  listPeople(role?: Role): Promise<{ id: string; displayName: string; role: Role; availability: Availability; emergencyOptIn: boolean }[]>;
  /** Staff and client accounts, through the admin-accounts Edge Function (admins: client, reader, monitor; super admins: any). */
  createAccount(account: NewAccount): Promise<{ id: string }>;
  /** Reviewer and reader figures over [from, to) (figures_reviewers, figures_readers, figures_rejection_reasons): admins only. */
  figures(from: string, to: string): Promise<Figures>;
  /** A page of the audit log, newest first (list_audit_log): admins only. */
  auditLog(query: AuditLogQuery): Promise<AuditEntry[]>;
  // Account management (super admins), through the admin-accounts Edge Function; every change audited.
  /** Every account, or those whose email or name contains `search`. */
  listAccounts(search?: string, limit?: number): Promise<ManagedAccount[]>;
  setAccountRole(userId: string, role: Role): Promise<ManagedAccount>;
  /** Disabled: GoTrue refuses the account's sign-in and token refresh (user_banned) until it is enabled again. */
  setAccountDisabled(userId: string, disabled: boolean): Promise<ManagedAccount>;
  /** A password-reset mail from the platform to the account's address. */
  sendPasswordReset(userId: string): Promise<ManagedAccount>;
  /** What was done to the account and by whom, newest first (audit_log). */
  accountHistory(userId: string): Promise<AccountChange[]>;
  /** Pushes the user's inbox (and staff topics for staff), and the typing topics of the sessions set open. */
  subscribe(listener: RealtimeListener): RealtimeSubscription;
  /** The session could not be kept (refresh refused, revoked): the user must sign in again; the outbox is kept. */
  onExpired(listener: () => void): () => void;
  /** Ephemeral, unpersisted signal (typing) to the other participants of a session. */
  broadcastTyping(sessionId: string): Promise<void>;
  /** An internal note (add_note): the session's reader and staff only; idempotent on clientMessageId. */
  addNote(input: { sessionId: string; clientMessageId: string; body: string; mentions?: readonly string[] }): Promise<MessageRow>;
  /** Whom a note in this session may mention (note_mention_candidates). */
  noteMentionCandidates(sessionId: string): Promise<{ id: string; displayName: string; role: Role }[]>;
  /** A client's sessions (client_history) and the internal notes about them the user may read (client_notes). */
  clientHistory(clientId: string): Promise<{ sessions: ClientHistorySession[]; notes: MessageRow[] }>;
  signOut(): Promise<void>;
  /** This console stops using the session without signing out (the app quits): a kept sign-in stays valid for the next start. */
  close(): Promise<void>;
  /** Review queue (staff): a soft lock on the note one listens to; refused (SA510) while someone else holds it. */
  claimReview(messageId: string): Promise<ReviewClaimRow>;
  /** The user's claim on one note, or all of them (no id); how many ended. */
  releaseReview(messageId?: string): Promise<number>;
  reviewClaims(): Promise<ReviewClaimRow[]>;
  pendingReviewCount(): Promise<number>;
  /** One result per distinct note: one decided or claimed by someone else does not stop the others. */
  bulkApprove(messageIds: string[]): Promise<BulkApproveRow[]>;
  rejectAudio(messageId: string, reasonId?: string, note?: string): Promise<MessageRow>;
  listRejectionReasons(includeArchived?: boolean): Promise<RejectionReasonRow[]>;
  saveRejectionReason(input: RejectionReasonInput): Promise<RejectionReasonRow>;
  // ---- canned replies and triage (20261201002200_canned_replies.sql, 20261201002300_session_triage.sql) ----
  /** The user's own canned replies and the shared ones (clients: none). */
  listCannedReplies(): Promise<CannedReply[]>;
  saveCannedReply(reply: Omit<CannedReply, 'id' | 'updatedAt'> & { id?: string }): Promise<CannedReply>;
  deleteCannedReply(id: string): Promise<void>;
  /** The user's sessions with triage in effect (muted, marked unread, snoozed). */
  listSessionTriage(): Promise<SessionTriage[]>;
  markSessionUnread(sessionId: string, unread: boolean): Promise<SessionTriage>;
  muteSession(sessionId: string, muted: boolean): Promise<SessionTriage>;
  /** Until a time or the client's next message; neither wakes it now. */
  snoozeSession(sessionId: string, snooze: { until?: string | null; untilReply?: boolean }): Promise<SessionTriage>;
  getDoNotDisturb(): Promise<DoNotDisturb>;
  setDoNotDisturb(plan: DoNotDisturb): Promise<DoNotDisturb>;
}

export interface Backend {
  readonly kind: 'embedded' | 'supabase';
  /** The local Supabase API this backend serves (embedded, once started), for the clients' app or a script. */
  readonly api?: { url: string; anonKey: string } | null;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while no account exists at all (embedded only): the first-run screen creates the first super admin. */
  needsFirstRun(): Promise<boolean>;
  createFirstAccount(account: Omit<NewAccount, 'role'>): Promise<UserConnection>;
  signIn(email: string, password: string): Promise<UserConnection>;
  /**
   * Takes up the session a sign-in left in `slot` (a kept sign-in, at the next start), without the password.
   * Rejects with auth.required when the backend no longer takes it, backend.unavailable when it cannot be reached.
   */
  restore(slot: string, userId: string): Promise<UserConnection>;
  /** The OS went to sleep (false) or woke up (true): token refresh pauses meanwhile. */
  setPowerState?(awake: boolean): void;
}
