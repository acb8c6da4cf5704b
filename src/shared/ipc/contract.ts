import { z } from 'zod';
import { CANNED_SHORTCUT_PATTERN } from '../canned/shortcut';
import { SESSION_LIST_MAX } from './list-limits';

/**
 * The IPC contract: every request the renderer may make of the main process, and every event the
 * main process may send it. Main's handlers, the preload bridge and the web shell's bridge are all
 * derived from this one list; adding a capability means adding it here first.
 */

const defineRequest = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });

export const languageSchema = z.enum(['ar', 'en']);
export const roleSchema = z.enum(['client', 'reader', 'monitor', 'admin', 'super_admin']);

export const availabilitySchema = z.enum(['online', 'busy', 'away', 'offline']);
export const profileSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  role: roleSchema,
  preferredLanguage: languageSchema,
  /** The user's own availability and (readers) emergency opt-in, from my_profile(): what their settings forms show. */
  availability: availabilitySchema.optional(),
  emergencyOptIn: z.boolean().optional(),
});
export type Profile = z.infer<typeof profileSchema>;

export const authStateSchema = z.object({
  profile: profileSchema.nullable(),
  backend: z.enum(['embedded', 'supabase']),
  /** Embedded backend with no account yet: the first-run screen creates the first super admin. */
  firstRun: z.boolean(),
  /**
   * The backend is still opening (start-up): the sign-in form is shown and can be filled, and signing in waits for
   * it. auth.changed follows once it is up.
   */
  starting: z.boolean().optional(),
  /** Why nobody is signed in any more, when it was not the user's choice: the session expired or was revoked. */
  signedOutReason: z.enum(['expired']).optional(),
});
export type AuthState = z.infer<typeof authStateSchema>;

const emptyInput = z.object({}).strict();
const uuid = z.uuid();
const isoTime = z.string().max(40);

/** 'note': an internal note, for the session's reader and staff only (never reaches a client's console). */
export const messageTypeSchema = z.enum(['text', 'audio', 'image', 'file', 'system', 'emergency', 'note']);
export const messageStatusSchema = z.enum(['sent', 'pending_approval', 'approved', 'rejected', 'deleted']);

export const messageSchema = z.object({
  id: uuid,
  sessionId: uuid,
  senderId: z.string(),
  type: messageTypeSchema,
  body: z.string().nullable(),
  storagePath: z.string().nullable(),
  mimeType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  durationMs: z.number().nullable(),
  waveform: z.array(z.number()).nullable(),
  replyTo: z.string().nullable(),
  status: messageStatusSchema,
  clientMessageId: z.string().nullable(),
  createdAt: isoTime,
  editedAt: isoTime.nullable(),
  reviewedBy: z.string().nullable(),
  reviewedAt: isoTime.nullable(),
  reviewReason: z.string().nullable(),
});
export type ChatMessage = z.infer<typeof messageSchema>;


export const sessionSchema = z.object({
  id: uuid,
  type: z.enum(['booking', 'emergency', 'support']),
  status: z.enum(['active', 'locked', 'ended']),
  bookingId: z.string().nullable(),
  lastMessageAt: isoTime.nullable(),
  createdAt: isoTime,
  unreadCount: z.number().int().nonnegative(),
  lastReadAt: isoTime.nullable(),
  /**
   * The newest message the user may see (list_sessions' last_message): a one-line preview for the session list.
   * `preview` is the body's start for text (the backend decides how much), null for voice notes, images and files.
   * Optional until every backend sends it; null when the session has no message yet.
   */
  lastMessage: z
    .object({ id: uuid, type: messageTypeSchema, preview: z.string().nullable(), senderId: z.string(), createdAt: isoTime })
    .nullable()
    .optional(),
  /**
   * Since when the session's client has waited for an answer (chat_session_view.waiting_since): their oldest
   * message no reader or staff member has answered since; null when nobody waits. Optional until every backend sends it.
   */
  waitingSince: isoTime.nullable().optional(),
  participants: z.array(
    z.object({
      userId: z.string(),
      displayName: z.string(),
      role: roleSchema,
      roleInSession: z.enum(['client', 'reader', 'staff']),
      availability: z.enum(['online', 'busy', 'away', 'offline']),
      lastReadAt: isoTime.nullable(),
    }),
  ),
});
export type ChatSession = z.infer<typeof sessionSchema>;

/**
 * The console's connection, as one state: the backend answering (requests), the realtime socket (live
 * changes: joined, (re)joining, down) and the machine's network. The renderer shows it in one place.
 */
export const connectionStateSchema = z.object({
  backend: z.enum(['reachable', 'unreachable']),
  realtime: z.enum(['joined', 'joining', 'down']),
  online: z.boolean(),
});
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export const outboxErrorSchema = z.object({ code: z.string(), messageKey: z.string(), permanent: z.boolean() });
export const outboxEntrySchema = z.object({
  clientMessageId: uuid,
  job: z.enum(['message', 'review']),
  sessionId: z.string(),
  kind: z.string(),
  body: z.string().nullable(),
  fileName: z.string().nullable(),
  mimeType: z.string().nullable(),
  sizeBytes: z.number().nullable(),
  durationMs: z.number().nullable(),
  waveform: z.array(z.number()).nullable(),
  replyTo: z.string().nullable(),
  createdAt: z.number(),
  state: z.enum(['queued', 'sending', 'sent', 'failed']),
  attempts: z.number(),
  lastError: outboxErrorSchema.nullable(),
  serverMessageId: z.string().nullable(),
});
export type OutboxItem = z.infer<typeof outboxEntrySchema>;

export const emergencySchema = z.object({
  id: uuid,
  sessionId: uuid,
  clientId: uuid,
  state: z.enum(['ringing', 'accepted', 'escalated', 'acknowledged', 'resolved', 'cancelled']),
  escalationLevel: z.number().int(),
  escalateAt: isoTime.nullable(),
  acceptedBy: z.string().nullable(),
  acknowledgedBy: z.string().nullable(),
  resolvedBy: z.string().nullable(),
  resolutionNote: z.string().nullable(),
  createdAt: isoTime,
});
export type Emergency = z.infer<typeof emergencySchema>;

/** The console's message alert sounds (renderer `sounds/<name>.wav`); 'none' plays nothing. */
export const messageSoundSchema = z.enum(['chime', 'bell', 'pulse', 'none']);
export const alertPreferencesSchema = z.object({
  language: languageSchema,
  privacy: z.enum(['full', 'sender', 'count']),
  doNotDisturb: z.boolean(),
  /** Flash the taskbar entry (bounce the dock on macOS) for a new message while the window is not focused. */
  flashFrame: z.boolean(),
  messageSound: messageSoundSchema,
  /** Percent, 0-100. */
  soundVolume: z.number().int().min(0).max(100),
  /** How often a client still waiting past the console's reply target is reminded of again. */
  reminderRepeatMinutes: z.number().int().min(1).max(120),
});
export const emergencyAlertSchema = z.object({
  id: z.string(),
  sessionId: z.string(),
  state: z.enum(['ringing', 'escalated']),
  escalationLevel: z.number().int().nonnegative(),
  clientName: z.string().nullable(),
  createdAt: isoTime,
  lastAlertAt: isoTime,
  alertCount: z.number().int().positive(),
});

/** One of a client's sessions as client_history returns it: a date line, never its content. */
export const clientHistorySessionSchema = z.object({
  sessionId: uuid,
  type: z.enum(['booking', 'emergency', 'support']),
  status: z.enum(['active', 'locked', 'ended']),
  createdAt: isoTime,
  lastActivityAt: isoTime,
  readers: z.array(z.object({ userId: z.string(), displayName: z.string() })),
  tookPart: z.boolean(),
});
export type ClientHistorySession = z.infer<typeof clientHistorySessionSchema>;

export const reviewPackSchema = z.object({
  id: z.string(),
  label: z.string(),
  downloadedAt: z.number(),
  total: z.number().int(),
  pending: z.number().int(),
  decided: z.number().int(),
  applied: z.number().int(),
  superseded: z.number().int(),
});
export const reviewItemSchema = z.object({
  messageId: z.string(),
  packId: z.string(),
  sessionId: z.string(),
  senderId: z.string(),
  senderName: z.string().nullable(),
  createdAt: z.string(),
  mimeType: z.string(),
  sizeBytes: z.number(),
  durationMs: z.number().nullable(),
  waveform: z.array(z.number()).nullable(),
  storagePath: z.string(),
  state: z.string(),
  decision: z.enum(['approve', 'reject']).nullable(),
  reason: z.string().nullable(),
});

// Reviewer and reader figures, and the audit-log viewer (admins; figures_* and list_audit_log in SQL).
const seconds = z.number().nonnegative().nullable();
export const figuresRangeSchema = z
  .object({ from: z.iso.datetime({ offset: true }), to: z.iso.datetime({ offset: true }) })
  .strict()
  .refine((r) => Date.parse(r.from) < Date.parse(r.to), { message: 'from must be before to', path: ['to'] });
export const figuresSchema = z.object({
  /** Per reviewer, then one row for everyone (reviewerId null). */
  reviewers: z.array(
    z.object({
      reviewerId: z.string().nullable(),
      reviewerName: z.string().nullable(),
      decisions: z.number().int(),
      approvals: z.number().int(),
      rejections: z.number().int(),
      decisionP50Seconds: seconds,
      decisionP90Seconds: seconds,
    }),
  ),
  /** Per reader, then one row for everyone (readerId null), which alone counts unanswered waits. */
  readers: z.array(
    z.object({
      readerId: z.string().nullable(),
      readerName: z.string().nullable(),
      notesDecided: z.number().int(),
      notesRejected: z.number().int(),
      rejectionRate: z.number().nullable(),
      replies: z.number().int(),
      unanswered: z.number().int(),
      replyP50Seconds: seconds,
      replyP90Seconds: seconds,
    }),
  ),
  /** Per reason for everyone (readerId null), then per reader and reason. */
  reasons: z.array(
    z.object({
      readerId: z.string().nullable(),
      readerName: z.string().nullable(),
      reason: z.string().nullable(),
      rejections: z.number().int(),
      decisions: z.number().int(),
      rate: z.number(),
    }),
  ),
});
export type Figures = z.infer<typeof figuresSchema>;
export const auditEntrySchema = z.object({
  id: z.string(),
  createdAt: isoTime,
  tableName: z.string(),
  rowId: z.string().nullable(),
  action: z.string(),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  oldValues: z.unknown().nullable(),
  newValues: z.unknown().nullable(),
  sourceTable: z.string().nullable(),
  sourceId: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditCursorSchema = z.object({ createdAt: isoTime, id: z.string().regex(/^\d{1,19}$/) }).strict();
export const auditQuerySchema = z
  .object({
    before: auditCursorSchema.optional(),
    actorId: uuid.optional(),
    action: z.string().trim().min(1).max(200).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    limit: z.number().int().min(1).max(200).optional(),
  })
  .strict();
export type AuditQuery = z.infer<typeof auditQuerySchema>;
// ---- canned replies and triage (supabase/migrations/20261201002200_canned_replies.sql, 20261201002300_session_triage.sql) ----

/** A canned reply: the body keeps its placeholders ({client_name}, {reader_name}, {date}); the composer fills them. */
export const cannedReplySchema = z.object({
  id: uuid,
  /** Shared replies (no owner) are written by admins and read by every reader and staff member. */
  shared: z.boolean(),
  language: languageSchema,
  shortcut: z.string(),
  title: z.string(),
  body: z.string(),
  updatedAt: isoTime,
});
export type CannedReply = z.infer<typeof cannedReplySchema>;

/** The user's own triage of one session, with marks and snoozes that have ended already off. */
export const sessionTriageSchema = z.object({
  sessionId: uuid,
  muted: z.boolean(),
  markedUnread: z.boolean(),
  /** Snoozed until this time (null: not by time). */
  snoozedUntil: isoTime.nullable(),
  /** Snoozed until the session's client writes again. */
  snoozedUntilReply: z.boolean(),
});
export type SessionTriage = z.infer<typeof sessionTriageSchema>;

const wallClock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/);
/** Do-not-disturb, per user in SQL (it follows them to every computer): emergencies ring whatever it says. */
export const doNotDisturbSchema = z.object({
  /** On until turned off. */
  manual: z.boolean(),
  /** On until this time. */
  until: isoTime.nullable(),
  /** On every day from start to end (wall-clock HH:MM in timeZone; an end before the start runs past midnight). */
  schedule: z.object({ start: wallClock, end: wallClock, timeZone: z.string().min(1).max(64) }).nullable(),
});
export type DoNotDisturb = z.infer<typeof doNotDisturbSchema>;
export const triageStateSchema = z.object({ sessions: z.array(sessionTriageSchema), doNotDisturb: doNotDisturbSchema });
export type TriageState = z.infer<typeof triageStateSchema>;

/**
 * The absolute cap on a message body or caption at the IPC boundary (also the setting's own upper bound in
 * app_settings). The limit users meet is console.message.max_body_length, checked by the outbox and by SQL.
 */
export const MESSAGE_BODY_HARD_MAX = 100_000;
const messageBody = z.string().min(1).max(MESSAGE_BODY_HARD_MAX);

const password = z.string().min(1).max(1024);
const displayName = z.string().trim().min(1).max(80);
/** Attachments cross IPC as base64 so the web shell's JSON bridge can carry them too. */
const base64 = z.string().max(28 * 1024 * 1024).regex(/^[A-Za-z0-9+/]*={0,2}$/);
// File names never carry path separators or control characters.
// eslint-disable-next-line no-control-regex
const fileName = z.string().min(1).max(255).regex(/^[^/\\\u0000-\u001f]+$/);

/** An account as super admins manage it (admin-accounts' ManagedAccount). */
export const managedAccountSchema = z.object({
  id: uuid,
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  preferredLanguage: languageSchema,
  disabled: z.boolean(),
  bannedUntil: isoTime.nullable(),
  createdAt: isoTime,
  lastSignInAt: isoTime.nullable(),
});
export type ManagedAccount = z.infer<typeof managedAccountSchema>;

/** One audited change of an account (account:create|disable|enable|password_reset, role_change). */
export const accountChangeSchema = z.object({
  id: z.number().int(),
  action: z.string(),
  actorId: z.string().nullable(),
  oldValues: z.record(z.string(), z.unknown()).nullable(),
  newValues: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoTime,
});
export type AccountChange = z.infer<typeof accountChangeSchema>;
/** The review queue: who is listening to a pending voice note, until when (a soft lock; see review_claims in SQL). */
export const reviewClaimSchema = z.object({
  messageId: z.string(),
  claimedBy: z.string(),
  claimedByName: z.string().nullable(),
  claimedAt: isoTime,
  expiresAt: isoTime,
});
export type ReviewClaim = z.infer<typeof reviewClaimSchema>;
/** What happened to one note of a bulk approval; `detail` names who decided first or who holds the claim. */
export const bulkApproveResultSchema = z.object({
  messageId: z.string(),
  outcome: z.enum(['approved', 'already_decided', 'claimed', 'not_found', 'own_message', 'not_reviewable']),
  errorCode: z.string().nullable(),
  reviewedByName: z.string().nullable(),
  claimedByName: z.string().nullable(),
  expiresAt: isoTime.nullable(),
});
export type BulkApproveResult = z.infer<typeof bulkApproveResultSchema>;
export const rejectionReasonSchema = z.object({
  id: z.string(),
  labelEn: z.string(),
  labelAr: z.string(),
  position: z.number().int(),
  active: z.boolean(),
});
export type RejectionReason = z.infer<typeof rejectionReasonSchema>;
const reasonLabel = z.string().trim().min(1).max(200);

export const requests = {
  'app.info': defineRequest(
    emptyInput,
    z.object({
      name: z.string(),
      version: z.string(),
      shell: z.enum(['electron', 'webshell']),
      backend: z.enum(['embedded', 'supabase']),
    }),
  ),
  /** The connection as it is now (then connection.changed on every change). */
  'connection.getState': defineRequest(emptyInput, connectionStateSchema),
  /** Diagnostics: echoes a text through the whole contract (used by the connection check and tests). */
  'app.ping': defineRequest(
    z.object({ text: z.string().max(2000) }).strict(),
    z.object({ text: z.string(), receivedAt: z.iso.datetime() }),
  ),
  'auth.getState': defineRequest(emptyInput, authStateSchema),
  'auth.signIn': defineRequest(
    z.object({ email: z.email().max(320), password: z.string().min(1).max(1024) }).strict(),
    authStateSchema,
  ),
  'auth.signOut': defineRequest(emptyInput, authStateSchema),
  'auth.createFirstAccount': defineRequest(
    z.object({ email: z.email().max(320), password, displayName, preferredLanguage: languageSchema }).strict(),
    authStateSchema,
  ),
  'accounts.create': defineRequest(
    z.object({ email: z.email().max(320), password, displayName, role: roleSchema, preferredLanguage: languageSchema.optional() }).strict(),
    z.object({ id: uuid }),
  ),
  'profile.setAvailability': defineRequest(
    z.object({ availability: z.enum(['online', 'busy', 'away', 'offline']), emergencyOptIn: z.boolean().optional() }).strict(),
    profileSchema,
  ),
  /**
   * The user chose the interface language: stored in their profile (profiles.preferred_language), so it follows
   * the account to every computer and is applied at the next sign-in. Answers the updated profile.
   */
  'profile.setLanguage': defineRequest(z.object({ language: languageSchema }).strict(), profileSchema),
  /**
   * The user's SESSION_LIST_MAX most recently active sessions (list_sessions' own limit). `refreshing`: these are the
   * rows the console kept from its last run, shown while the backend's list is read; that list follows as the
   * sessions.listed event and replaces them.
   */
  'sessions.list': defineRequest(emptyInput, z.object({ sessions: z.array(sessionSchema).max(SESSION_LIST_MAX), refreshing: z.boolean().optional() })),
  'sessions.openSupport': defineRequest(z.object({ userId: uuid.optional() }).strict(), z.object({ id: uuid })),
  'sessions.assignReader': defineRequest(z.object({ sessionId: uuid, readerId: uuid }).strict(), z.object({ ok: z.literal(true) })),
  'sessions.join': defineRequest(z.object({ sessionId: uuid }).strict(), z.object({ ok: z.literal(true) })),
  'sessions.markRead': defineRequest(z.object({ sessionId: uuid }).strict(), z.object({ readAt: isoTime })),
  'sessions.typing': defineRequest(z.object({ sessionId: uuid }).strict(), z.object({ ok: z.literal(true) })),
  /** The session's tab was closed: its typing topic is left (opening the session again joins it again). */
  'sessions.viewClosed': defineRequest(z.object({ sessionId: uuid }).strict(), z.object({ ok: z.literal(true) })),
  /** A page of history, newest first: served from the local cache at once, then reconciled (messages.changed). */
  'messages.page': defineRequest(
    z.object({ sessionId: uuid, before: z.object({ createdAt: isoTime, id: uuid }).strict().optional(), limit: z.number().int().min(1).max(200).optional() }).strict(),
    z.object({ messages: z.array(messageSchema), pending: z.array(outboxEntrySchema) }),
  ),
  'messages.sendText': defineRequest(
    z.object({ sessionId: uuid, body: messageBody, replyTo: uuid.nullable().optional() }).strict(),
    outboxEntrySchema,
  ),
  'messages.sendFile': defineRequest(
    z
      .object({
        sessionId: uuid,
        kind: z.enum(['audio', 'image', 'file']),
        fileName,
        mimeType: z.string().min(3).max(127),
        bytesBase64: base64,
        durationMs: z.number().int().positive().max(4 * 3600_000).optional(),
        waveform: z.array(z.number().min(0).max(1)).max(4096).optional(),
        body: z.string().max(MESSAGE_BODY_HARD_MAX).nullable().optional(),
        replyTo: uuid.nullable().optional(),
      })
      .strict(),
    outboxEntrySchema,
  ),
  'messages.retry': defineRequest(z.object({ clientMessageId: uuid }).strict(), outboxEntrySchema),
  'messages.cancel': defineRequest(z.object({ clientMessageId: uuid }).strict(), z.object({ ok: z.literal(true) })),
  'messages.edit': defineRequest(z.object({ messageId: uuid, body: messageBody }).strict(), messageSchema),
  'messages.delete': defineRequest(z.object({ messageId: uuid }).strict(), messageSchema),
  /** A URL the renderer can give <audio>/<img>: served by the main process from its cache, with range requests. */
  'media.url': defineRequest(z.object({ storagePath: z.string().min(1).max(1024) }).strict(), z.object({ url: z.string() })),
  'media.get': defineRequest(z.object({ storagePath: z.string().min(1).max(1024) }).strict(), z.object({ bytesBase64: z.string() })),
  'drafts.get': defineRequest(z.object({ sessionId: uuid }).strict(), z.object({ body: z.string(), replyTo: z.string().nullable() })),
  'drafts.set': defineRequest(z.object({ sessionId: uuid, body: z.string().max(MESSAGE_BODY_HARD_MAX), replyTo: uuid.nullable().optional() }).strict(), z.object({ ok: z.literal(true) })),
  'reviews.pending': defineRequest(emptyInput, z.object({ messages: z.array(messageSchema) })),
  /**
   * A voice note from a downloaded review pack goes through the outbox (works offline; the server's first-wins
   * rule settles it when it syncs); any other is decided on the server at once, and a second reviewer is told.
   */
  'reviews.decide': defineRequest(
    z.object({ messageId: uuid, decision: z.enum(['approve', 'reject']), reason: z.string().trim().max(500).optional() }).strict(),
    z.discriminatedUnion('via', [
      z.object({ via: z.literal('server'), message: messageSchema }),
      z.object({ via: z.literal('outbox'), entry: outboxEntrySchema }),
    ]),
  ),
  /** Support staff take pending voice notes (metadata and audio) with them to review offline. */
  'reviews.downloadPack': defineRequest(
    z.object({ label: z.string().trim().min(1).max(120), limit: z.number().int().min(1).max(500).optional() }).strict(),
    z.object({ packId: z.string(), imported: z.number().int(), alreadyHeld: z.number().int() }),
  ),
  'reviews.packs': defineRequest(emptyInput, z.object({ packs: z.array(reviewPackSchema) })),
  'reviews.packItems': defineRequest(z.object({ packId: z.string().min(1).max(128) }).strict(), z.object({ items: z.array(reviewItemSchema) })),
  'reviews.removePack': defineRequest(z.object({ packId: z.string().min(1).max(128) }).strict(), z.object({ ok: z.literal(true) })),
  'settings.get': defineRequest(emptyInput, z.object({ settings: z.record(z.string(), z.union([z.string(), z.number(), z.array(z.string())])) })),
  'accounts.list': defineRequest(
    z.object({ role: roleSchema.optional() }).strict(),
    z.object({
      people: z.array(
        z.object({ id: uuid, displayName: z.string(), role: roleSchema, availability: z.enum(['online', 'busy', 'away', 'offline']), emergencyOptIn: z.boolean() }),
      ),
    }),
  ),
  /** A typed console limit (rate limits, size and duration limits, escalation timings): super admins only. */
  'settings.set': defineRequest(
    z.object({ key: z.string().regex(/^console\.[a-z0-9_.]+$/).max(120), value: z.string().max(200) }).strict(),
    z.object({ ok: z.literal(true) }),
  ),
  'emergencies.list': defineRequest(emptyInput, z.object({ emergencies: z.array(emergencySchema) })),
  'emergencies.request': defineRequest(emptyInput, emergencySchema),
  'emergencies.accept': defineRequest(z.object({ callId: uuid }).strict(), emergencySchema),
  'emergencies.acknowledge': defineRequest(z.object({ callId: uuid }).strict(), emergencySchema),
  'emergencies.resolve': defineRequest(z.object({ callId: uuid, note: z.string().trim().min(1).max(2000) }).strict(), emergencySchema),
  'alerts.getPreferences': defineRequest(emptyInput, alertPreferencesSchema),
  'alerts.setPreferences': defineRequest(alertPreferencesSchema.partial().strict(), alertPreferencesSchema),
  'alerts.openEmergencies': defineRequest(emptyInput, z.object({ emergencies: z.array(emergencyAlertSchema) })),
  /** The renderer says which session it shows and whether its window has focus (the web shell has no OS window). */
  'app.setViewState': defineRequest(z.object({ focused: z.boolean(), visibleSessionId: uuid.nullable() }).strict(), z.object({ ok: z.literal(true) })),
  /** The backend in use and the one saved for the next start (the settings screen). Never returns the key itself. */
  'app.backendSettings': defineRequest(
    emptyInput,
    z.object({
      current: z.enum(['embedded', 'supabase']),
      saved: z.object({ kind: z.enum(['embedded', 'supabase']), url: z.string().nullable() }).nullable(),
      fromEnvironment: z.boolean(),
    }),
  ),
  'app.saveBackendSettings': defineRequest(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('embedded') }).strict(),
      z.object({ kind: z.literal('supabase'), url: z.string().min(8).max(300), anonKey: z.string().min(20).max(2000) }).strict(),
    ]),
    z.object({ restartRequired: z.literal(true) }),
  ),
  /** Reviewer and reader figures over [from, to): admins only. */
  'figures.get': defineRequest(figuresRangeSchema, figuresSchema),
  /**
   * The same figures as a CSV file (UTF-8 with a BOM). In Electron the main process asks where to save it and writes
   * it; the web shell has no file system of the user's, so it answers the document for the page to download.
   */
  'figures.exportCsv': defineRequest(
    figuresRangeSchema,
    z.discriminatedUnion('via', [
      z.object({ via: z.literal('dialog'), saved: z.boolean(), fileName: z.string().nullable() }),
      z.object({ via: z.literal('download'), fileName: z.string(), csv: z.string() }),
    ]),
  ),
  /** A page of the audit log, newest first (admins only); `next` is the cursor of the following page, null at the end. */
  'audit.list': defineRequest(auditQuerySchema, z.object({ entries: z.array(auditEntrySchema), next: auditCursorSchema.nullable() })),
  /**
   * Full-text search over the messages the user may read (Arabic and English; the backend folds diacritics, letter
   * forms and case), newest first, in one session or across all; `before` is the last hit of the previous page.
   */
  'search.messages': defineRequest(
    z
      .object({
        query: z.string().trim().min(1).max(200),
        sessionId: uuid.optional(),
        before: z.object({ createdAt: isoTime, id: uuid }).strict().optional(),
        limit: z.number().int().min(1).max(50).optional(),
      })
      .strict(),
    z.object({ messages: z.array(messageSchema), hasMore: z.boolean() }),
  ),
  /** A search hit in context: the message with the messages around it, oldest first. */
  'search.context': defineRequest(
    z.object({ messageId: uuid, before: z.number().int().min(1).max(200).optional(), after: z.number().int().min(1).max(200).optional() }).strict(),
    z.object({ messages: z.array(messageSchema) }),
  ),
  'shell.openExternal': defineRequest(
    z.object({ url: z.url({ protocol: /^https?$/ }).max(4096) }).strict(),
    z.object({ opened: z.boolean() }),
  ),
  // ---- internal notes and client history (readers and staff) ----
  /** An internal note in a session: never shown to its client. `mentions`: staff (or the session's reader) to notify. */
  'notes.add': defineRequest(
    z.object({ sessionId: uuid, body: messageBody, mentions: z.array(uuid).max(20).optional() }).strict(),
    messageSchema,
  ),
  /** Whom a note in this session may mention: staff, and the session's reader. */
  'notes.mentionCandidates': defineRequest(
    z.object({ sessionId: uuid }).strict(),
    z.object({ people: z.array(z.object({ id: uuid, displayName: z.string(), role: roleSchema })) }),
  ),
  /** A client's sessions (dates, readers; no content of sessions the user did not take part in) and the notes about them. */
  'history.client': defineRequest(
    z.object({ clientId: uuid }).strict(),
    z.object({ sessions: z.array(clientHistorySessionSchema), notes: z.array(messageSchema) }),
  ),
  /**
   * The page's own activity, for presence where the shell has no OS idle time (the web shell): seconds since the
   * last input event in the page (0 for input now, and when the page comes into view). Sent on input (at most every
   * few seconds) and periodically; the core decides idle against console.presence.idle_minutes.
   */
  'presence.activity': defineRequest(z.object({ idleSeconds: z.number().int().min(0).max(7 * 86_400) }).strict(), z.object({ ok: z.literal(true) })),
  // Account management (super admins), through the admin-accounts Edge Function; every change audited.
  'accounts.manage.list': defineRequest(
    z.object({ search: z.string().max(320).optional() }).strict(),
    z.object({ accounts: z.array(managedAccountSchema) }),
  ),
  'accounts.manage.setRole': defineRequest(z.object({ userId: uuid, role: roleSchema }).strict(), managedAccountSchema),
  'accounts.manage.setDisabled': defineRequest(z.object({ userId: uuid, disabled: z.boolean() }).strict(), managedAccountSchema),
  'accounts.manage.sendPasswordReset': defineRequest(z.object({ userId: uuid }).strict(), managedAccountSchema),
  'accounts.manage.history': defineRequest(z.object({ userId: uuid }).strict(), z.object({ history: z.array(accountChangeSchema) })),
  /** Review queue (staff): claim the note one listens to (renewed while it stays open), let go of it, see who holds which. */
  'reviews.claim': defineRequest(z.object({ messageId: uuid }).strict(), reviewClaimSchema),
  /** Without messageId: every claim of this user (leaving the queue). */
  'reviews.release': defineRequest(z.object({ messageId: uuid.optional() }).strict(), z.object({ released: z.number().int() })),
  'reviews.claims': defineRequest(emptyInput, z.object({ claims: z.array(reviewClaimSchema) })),
  'reviews.pendingCount': defineRequest(emptyInput, z.object({ count: z.number().int().nonnegative() })),
  'reviews.bulkApprove': defineRequest(
    z.object({ messageIds: z.array(uuid).min(1).max(500) }).strict(),
    z.object({ results: z.array(bulkApproveResultSchema) }),
  ),
  /** A rejection with a reason from the list, a free text, or both (the sender reads it in their language). */
  'reviews.reject': defineRequest(
    z.object({ messageId: uuid, reasonId: uuid.optional(), note: z.string().trim().max(1000).optional() }).strict(),
    z.object({ message: messageSchema }),
  ),
  'reviews.reasons': defineRequest(z.object({ includeArchived: z.boolean().optional() }).strict(), z.object({ reasons: z.array(rejectionReasonSchema) })),
  /** Admins: add a reason (no id: both labels) or change one (what is given); active false archives it. */
  'reviews.saveReason': defineRequest(
    z.object({ id: uuid.optional(), labelEn: reasonLabel.optional(), labelAr: reasonLabel.optional(), position: z.number().int().min(0).max(10000).optional(), active: z.boolean().optional() }).strict(),
    rejectionReasonSchema,
  ),
  // ---- canned replies and triage ----
  /** The user's own canned replies and the shared ones. */
  'canned.list': defineRequest(emptyInput, z.object({ replies: z.array(cannedReplySchema) })),
  /** Creates (no id) or changes a reply; `shared` is for admins and never changes on an existing reply. */
  'canned.save': defineRequest(
    z
      .object({
        id: uuid.optional(),
        shared: z.boolean(),
        language: languageSchema,
        shortcut: z.string().trim().regex(CANNED_SHORTCUT_PATTERN),
        title: z.string().trim().min(1).max(80),
        body: z.string().min(1).max(MESSAGE_BODY_HARD_MAX),
      })
      .strict(),
    cannedReplySchema,
  ),
  'canned.delete': defineRequest(z.object({ id: uuid }).strict(), z.object({ ok: z.literal(true) })),
  /** The user's triage of their sessions and their do-not-disturb (then triage.changed on every change). */
  'triage.get': defineRequest(emptyInput, triageStateSchema),
  'triage.markUnread': defineRequest(z.object({ sessionId: uuid, unread: z.boolean() }).strict(), sessionTriageSchema),
  'triage.mute': defineRequest(z.object({ sessionId: uuid, muted: z.boolean() }).strict(), sessionTriageSchema),
  /** Until a time, or until the client's next message; neither wakes the session now. */
  'triage.snooze': defineRequest(z.object({ sessionId: uuid, until: isoTime.nullable().optional(), untilReply: z.boolean().optional() }).strict(), sessionTriageSchema),
  'triage.setDoNotDisturb': defineRequest(doNotDisturbSchema.strict(), doNotDisturbSchema),
} as const;

export const events = {
  'auth.changed': authStateSchema,
  'app.connection': z.object({ online: z.boolean() }),
  /** One place for the connection: the OS network, the backend answering, the realtime channels joined. */
  'connection.changed': connectionStateSchema,
  /** A message arrived or changed (sent, reviewed, edited, deleted), already cached locally. */
  'messages.changed': z.object({ messages: z.array(messageSchema) }),
  /** An outbox row moved: queued, sending, sent (with the server id), failed (with the reason), cancelled. */
  'outbox.changed': z.object({ entry: outboxEntrySchema.nullable(), clientMessageId: uuid, state: z.enum(['queued', 'sending', 'sent', 'failed', 'cancelled']) }),
  /**
   * One session changed: `session` is its new row to merge (null: the user may no longer see it). With `sessionId`
   * null the whole list is stale (after a catch-up) and is fetched again once.
   */
  'sessions.changed': z.object({ sessionId: z.string().nullable(), session: sessionSchema.nullable().optional() }),
  /** The backend's list, replacing the cached one sessions.list answered with (`refreshing`) after sign-in. */
  'sessions.listed': z.object({ sessions: z.array(sessionSchema) }),
  'sessions.typing': z.object({ sessionId: uuid, userId: uuid }),
  'emergencies.changed': z.object({ emergency: emergencySchema.nullable() }),
  /** Every open emergency this user is alerted to, oldest first; an empty list closes the in-app modal. */
  'alerts.emergencies': z.object({
    emergencies: z.array(emergencyAlertSchema),
    changedId: z.string().nullable(),
    reason: z.enum(['raised', 'repeated', 'escalated', 'updated', 'handled', 'cleared']),
  }),
  /** The renderer plays the siren (the main process has no audio output); once per command, not looping. */
  'alerts.siren': z.object({ action: z.enum(['play', 'stop']), sound: z.literal('siren') }),
  /** A message alert or reply reminder: the renderer plays the chosen sound once at `volume` percent. */
  'alerts.sound': z.object({ sound: messageSoundSchema.exclude(['none']), volume: z.number().int().min(0).max(100) }),
  /** What others now see of someone (the `presence` broadcast): every participant and people list showing them follows. */
  'presence.changed': z.object({ userId: uuid, availability: availabilitySchema }),
  /** A notification was clicked: open what it was about. */
  'alerts.activate': z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('session'), sessionId: z.string() }),
    z.object({ kind: z.literal('note'), sessionId: z.string(), messageId: z.string() }),
    z.object({ kind: z.literal('emergency'), emergencyId: z.string(), sessionId: z.string() }),
    z.object({ kind: z.literal('inbox') }),
  ]),
  /** A review claim began, was renewed or ended (claim null) on staff:approvals. */
  'reviews.claimChanged': z.object({ messageId: z.string(), claim: reviewClaimSchema.nullable() }),
  /** How many voice notes wait for a decision (staff): the Approvals tab and the tray. */
  'reviews.pendingCount': z.object({ count: z.number().int().nonnegative() }),
  /** The user's triage or do-not-disturb changed (here, on another device at sign-in, or a snooze ended). */
  'triage.changed': triageStateSchema,
} as const;

export type RequestName = keyof typeof requests;
export type EventName = keyof typeof events;
export type RequestInput<K extends RequestName> = z.input<(typeof requests)[K]['input']>;
export type RequestOutput<K extends RequestName> = z.output<(typeof requests)[K]['output']>;
export type EventPayload<K extends EventName> = z.output<(typeof events)[K]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export const isRequestName = (name: unknown): name is RequestName =>
  typeof name === 'string' && Object.hasOwn(requests, name);
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && Object.hasOwn(events, name);
