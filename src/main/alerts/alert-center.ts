import { systemClock, type Clock, type TimerHandle } from '../outbox/clock';
import type {
  AlertActivation,
  AlertNotification,
  AlertPlatform,
  EmergencyAlertState,
  EmergencyModalReason,
  EmergencyView,
  MessageSound,
  OpenEmergencyState,
} from './alert-platform';
import { MESSAGE_SOUNDS } from './alert-platform';
import { alertText, formatDuration, type AlertLanguage } from './alert-strings';
import { NO_DND, doNotDisturbActive, nextPlanChange, sessionQuiet, validatePlan, type DoNotDisturbPlan, type SessionQuiet } from './quiet-hours';

/** How much a notification may reveal on a screen others can see: name and text, name only, or a count only. */
export type AlertPrivacy = 'full' | 'sender' | 'count';

export interface AlertPreferences {
  language: AlertLanguage;
  privacy: AlertPrivacy;
  /**
   * Silences message notifications, their sounds and flashes, and reply reminders (the badge still counts);
   * emergencies alert regardless. The user's do-not-disturb plan (setDoNotDisturbPlan) can also turn it on.
   */
  doNotDisturb: boolean;
  /** Flash the taskbar entry (bounce the dock on macOS) for a new message while the console is not focused. */
  flashFrame: boolean;
  /** The console's own sound for message alerts and reminders; the OS notification itself stays silent. */
  messageSound: MessageSound;
  /** Volume of messageSound, in percent (0-100). The emergency siren always plays at full volume. */
  soundVolume: number;
  /** A client still waiting past the reply target is reminded of again this often, in minutes. */
  reminderRepeatMinutes: number;
}

/** A client waiting for this user's answer, as the core computes it (src/main/core/waiting-clients.ts). */
export interface WaitingClient {
  sessionId: string;
  clientName: string | null;
  /** ISO timestamp of the client's oldest message not yet answered. */
  waitingSince: string;
}

export type AlertMessageType = 'text' | 'audio' | 'image' | 'file' | 'system' | 'emergency';

/** A message that reached this console from someone else (the core filters out the user's own). */
export interface IncomingMessageAlert {
  id: string;
  sessionId: string;
  senderName: string | null;
  type: AlertMessageType;
  body: string | null;
  durationMs?: number | null;
}

/** Someone mentioned this user in an internal note (the note_mention broadcast on their inbox topic). */
export interface NoteMentionAlert {
  messageId: string;
  sessionId: string;
  senderName: string | null;
  /** The note's start, as the server sent it (the mentioned user may read the note). */
  preview: string;
}

/** The user's own triage of one session (session_triage): muted and snoozed sessions keep quiet; marked unread ones count. */
export interface SessionTriageAlert {
  sessionId: string;
  muted: boolean;
  markedUnread: boolean;
  /** ISO timestamp; null: not snoozed by time. */
  snoozedUntil: string | null;
  snoozedUntilReply: boolean;
}

/** An emergency as the backend reports it; the core passes every change it hears about. */
export interface EmergencyAlertInput {
  id: string;
  sessionId: string;
  state: EmergencyAlertState;
  escalationLevel: number;
  /** Optional so the core can pass the contract's Emergency row as is; a later update may fill it in. */
  clientName?: string | null;
  /** ISO timestamp of the call. */
  createdAt: string;
}

export const ALERT_TIMINGS = {
  /** An open emergency alerts again this often until someone acts (DESIGN §4, issue 5). */
  emergencyRepeatMs: 30_000,
  /** At most one notification per subject in this window; later messages update it when the window ends. */
  messageCoalesceMs: 5_000,
  /** Length of resources/siren.wav: two alerts within it share one siren. */
  sirenDurationMs: 2_000,
} as const;

export interface AlertCenterOptions {
  /** True when this session is the one open in the console (a focused window showing it needs no notification). */
  isSessionVisible(sessionId: string): boolean;
  preferences?: Partial<AlertPreferences>;
  clock?: Clock;
  emergencyRepeatMs?: number;
  messageCoalesceMs?: number;
  sirenDurationMs?: number;
}

export const DEFAULT_ALERT_PREFERENCES: Readonly<AlertPreferences> = {
  language: 'en',
  privacy: 'full',
  doNotDisturb: false,
  flashFrame: true,
  messageSound: 'chime',
  soundVolume: 80,
  reminderRepeatMinutes: 5,
};
/** Bounds of the reminder repeat, in minutes: at least one, at most a working day's quarter. */
export const REMINDER_REPEAT_BOUNDS = { min: 1, max: 120 } as const;

const OPEN_EMERGENCY_STATES: ReadonlySet<EmergencyAlertState> = new Set<OpenEmergencyState>(['ringing', 'escalated']);
const EMERGENCY_STATES: ReadonlySet<string> = new Set<EmergencyAlertState>([
  'ringing',
  'accepted',
  'escalated',
  'acknowledged',
  'resolved',
  'cancelled',
]);
const MESSAGE_TYPES: ReadonlySet<string> = new Set<AlertMessageType>(['text', 'audio', 'image', 'file', 'system', 'emergency']);
const PRIVACY_LEVELS: ReadonlySet<string> = new Set<AlertPrivacy>(['full', 'sender', 'count']);
const LANGUAGES: ReadonlySet<string> = new Set<AlertLanguage>(['ar', 'en']);
const SOUNDS: ReadonlySet<string> = new Set<string>(MESSAGE_SOUNDS);
const MINUTE_MS = 60_000;

const COUNT_NOTIFICATION_ID = 'messages';
const PREVIEW_MAX_CHARS = 120;
const NAME_MAX_CHARS = 64;
/** Realtime and the refetch after a reconnect can both deliver a message; remember this many ids to count it once. */
const SEEN_MESSAGE_IDS = 1_000;

interface SessionTally {
  count: number;
  latest: IncomingMessageAlert;
}

interface NotificationSlot {
  lastShownAt: number;
  trailing: TimerHandle | null;
}

interface OpenEmergency {
  view: EmergencyView;
  repeat: TimerHandle | null;
}

interface PendingReminder {
  client: WaitingClient;
  waitingSinceMs: number;
  /** When this wait was last reminded of (ms), or null before the first reminder. */
  lastRemindedAt: number | null;
  timer: TimerHandle | null;
  shown: boolean;
}

/**
 * Decides when and how the console gets someone's attention: new-message notifications (only when
 * the message is not already in front of them, coalesced, at the chosen privacy level, in their
 * language) and emergencies (critical, siren, flashing, badge and in-app modal, repeated until
 * someone acts). Platform-independent: everything the OS does goes through the AlertPlatform port,
 * and all time comes from the injected clock.
 */
export class AlertCenter {
  private readonly clock: Clock;
  private readonly isSessionVisible: (sessionId: string) => boolean;
  private readonly repeatMs: number;
  private readonly coalesceMs: number;
  private readonly sirenDurationMs: number;
  private preferences: AlertPreferences;

  private readonly tallies = new Map<string, SessionTally>();
  private readonly slots = new Map<string, NotificationSlot>();
  private readonly seenMessageIds = new Set<string>();
  private readonly emergencies = new Map<string, OpenEmergency>();
  private readonly reminders = new Map<string, PendingReminder>();
  /** The console's reply-time target in minutes (console.reply.target_minutes); null: no reminders. */
  private replyTargetMinutes: number | null = null;
  /** Unread counts per session (setUnreadCounts); '' holds a total given without sessions (setUnreadCount). */
  private readonly unreadBySession = new Map<string, number>();
  /** The sum of unreadBySession (raw, quiet sessions included): no message alert stays up once it is zero. */
  private unreadTotal = 0;
  /** The badge's message part as last computed; setSessionUnread moves it by one session's share, anything else recomputes it. */
  private badgeMessages: number | null = null;
  /** Do-not-disturb beyond the preference's switch: the user's manual switch, timer and schedule (SQL). */
  private dndPlan: DoNotDisturbPlan = NO_DND;
  private readonly quietSessions = new Map<string, SessionQuiet>();
  private readonly markedUnread = new Set<string>();
  /** Wakes the center when a do-not-disturb period or a snooze ends: reminders and the badge come back. */
  private wakeTimer: TimerHandle | null = null;
  private lastBadge: number | null = null;
  private flashing = false;
  private sirenStartedAt: number | null = null;
  private disposed = false;

  constructor(
    private readonly platform: AlertPlatform,
    options: AlertCenterOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.isSessionVisible = options.isSessionVisible;
    this.repeatMs = positiveDuration(options.emergencyRepeatMs ?? ALERT_TIMINGS.emergencyRepeatMs, 'emergencyRepeatMs');
    this.coalesceMs = nonNegativeDuration(options.messageCoalesceMs ?? ALERT_TIMINGS.messageCoalesceMs, 'messageCoalesceMs');
    this.sirenDurationMs = nonNegativeDuration(options.sirenDurationMs ?? ALERT_TIMINGS.sirenDurationMs, 'sirenDurationMs');
    this.preferences = validatePreferences({ ...DEFAULT_ALERT_PREFERENCES, ...options.preferences });
    this.updateBadge();
  }

  // ---- preferences ----

  getPreferences(): AlertPreferences {
    return { ...this.preferences };
  }

  setPreferences(changes: Partial<AlertPreferences>): void {
    if (this.disposed) return;
    const next = validatePreferences({ ...this.preferences, ...changes });
    const privacyChanged = next.privacy !== this.preferences.privacy;
    const dndChanged = next.doNotDisturb !== this.preferences.doNotDisturb;
    const remindersChanged = dndChanged || next.reminderRepeatMinutes !== this.preferences.reminderRepeatMinutes;
    this.preferences = next;
    // A notification on screen may show more than the new level allows, and coalesced slots are keyed per level.
    if (privacyChanged) {
      this.clearMessageAlerts();
      for (const reminder of this.reminders.values()) this.takeDownReminder(reminder);
    }
    if (remindersChanged || privacyChanged) this.scheduleReminders();
  }

  // ---- reply reminders ----

  /** The console's reply-time target in minutes (console.reply.target_minutes); null turns reminders off. */
  setReplyTarget(minutes: number | null): void {
    if (this.disposed) return;
    if (minutes !== null && !(Number.isInteger(minutes) && minutes > 0)) {
      throw new RangeError(`Reply target must be a positive whole number of minutes or null, got ${String(minutes)}.`);
    }
    if (minutes === this.replyTargetMinutes) return;
    this.replyTargetMinutes = minutes;
    this.scheduleReminders();
  }

  /**
   * Every client now waiting for this user's answer (a complete list: a session not in it has been answered,
   * and its reminder goes). A client waits past the target, then is reminded of every reminderRepeatMinutes.
   */
  setWaitingClients(clients: readonly WaitingClient[]): void {
    if (this.disposed) return;
    const parsed = clients.map((client) => ({ client, waitingSinceMs: validateWaitingClient(client) }));
    const listed = new Set(parsed.map(({ client }) => client.sessionId));
    if (listed.size !== parsed.length) throw new TypeError('Alert input: a session is listed twice among the waiting clients.');
    for (const [sessionId, reminder] of [...this.reminders]) if (!listed.has(sessionId)) this.dropReminder(reminder);
    for (const { client, waitingSinceMs } of parsed) this.keepWaiting(client, waitingSinceMs);
    this.scheduleReminders();
  }

  /**
   * One session's wait changed (a message arrived in it): its client waits (`client`) or no longer does (null). The
   * other sessions' reminders are left as they are, so the work per message does not grow with the sessions followed.
   */
  setSessionWaiting(sessionId: string, client: WaitingClient | null): void {
    if (this.disposed) return;
    requireText(sessionId, 'sessionId');
    if (client === null) {
      const known = this.reminders.get(sessionId);
      if (known) this.dropReminder(known);
      return;
    }
    if (client.sessionId !== sessionId) throw new TypeError('Alert input: the waiting client belongs to another session.');
    const reminder = this.keepWaiting(client, validateWaitingClient(client));
    this.scheduleReminder(reminder);
  }

  private keepWaiting(client: WaitingClient, waitingSinceMs: number): PendingReminder {
    const known = this.reminders.get(client.sessionId);
    if (known && known.waitingSinceMs === waitingSinceMs) {
      known.client = { ...client };
      return known;
    }
    // A new wait (or the client wrote again after an answer): its clock starts over.
    if (known) this.dropReminder(known);
    const reminder: PendingReminder = { client: { ...client }, waitingSinceMs, lastRemindedAt: null, timer: null, shown: false };
    this.reminders.set(client.sessionId, reminder);
    return reminder;
  }

  /** Sessions being reminded of (or waiting to be), for inspection. */
  waitingSessions(): string[] {
    return [...this.reminders.keys()];
  }

  // ---- messages ----

  /** A message from someone else arrived (realtime or refetch; a repeat delivery of the same id counts once). */
  messageReceived(message: IncomingMessageAlert): void {
    if (this.disposed) return;
    validateMessage(message);
    // Emergencies reach the console as emergency calls (emergencyUpdated), not as message notifications.
    if (message.type === 'emergency') return;
    if (this.seenMessageIds.has(message.id)) return;
    this.rememberMessageId(message.id);
    // Muted, snoozed or do-not-disturb: no notification, sound or flash (the unread count still says it came).
    if (this.isDoNotDisturb() || this.isSessionQuiet(message.sessionId)) return;
    if (this.platform.isWindowFocused() && this.isSessionVisible(message.sessionId)) return;

    const tally = this.tallies.get(message.sessionId);
    if (tally) {
      tally.count += 1;
      tally.latest = message;
    } else {
      this.tallies.set(message.sessionId, { count: 1, latest: message });
    }
    this.present(this.slotIdFor(message.sessionId));
  }

  /**
   * A mention in an internal note: its own notification (one per note, never coalesced with messages, since a
   * mention asks this user by name), at the chosen privacy level; silenced by do-not-disturb like messages.
   */
  noteMentioned(mention: NoteMentionAlert): void {
    if (this.disposed) return;
    requireText(mention.messageId, 'mention messageId');
    requireText(mention.sessionId, 'mention sessionId');
    if (typeof mention.preview !== 'string') throw new TypeError('Alert input: a mention preview must be a string.');
    if (this.seenMessageIds.has(`mention:${mention.messageId}`)) return;
    this.rememberMessageId(`mention:${mention.messageId}`);
    if (this.preferences.doNotDisturb) return;
    const { language, privacy } = this.preferences;
    const name = mention.senderName === null ? '' : cleanName(mention.senderName);
    const sender = isolate(name !== '' ? name : alertText(language, 'sender.unknown'));
    const text = cleanText(mention.preview);
    this.platform.showNotification({
      id: `note:${mention.messageId}`,
      title: privacy === 'count' ? alertText(language, 'app.name') : alertText(language, 'note.mention.title', { sender }),
      body: privacy === 'full' && text !== '' ? truncate(text, PREVIEW_MAX_CHARS) : alertText(language, 'note.mention.body.hidden'),
      urgency: 'normal',
      silent: true,
      onClick: () => this.activate({ kind: 'note', sessionId: mention.sessionId, messageId: mention.messageId }),
    });
    this.callAttention();
  }

  /** The user has seen this session (opened it, or read it on another device): its notification goes. */
  sessionRead(sessionId: string): void {
    if (this.disposed) return;
    requireText(sessionId, 'sessionId');
    this.tallies.delete(sessionId);
    // The count-only notification covers every session; once the user is reading, a stale total helps nobody.
    this.dropSlot(this.slotIdFor(sessionId));
  }

  /** The unread total across sessions, as the core computes it from chat_participants.last_read_at. */
  setUnreadCount(count: number): void {
    if (this.disposed) return;
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`Unread count must be a non-negative integer, got ${String(count)}.`);
    this.unreadBySession.clear();
    this.unreadBySession.set('', count);
    this.unreadTotal = count;
    if (count === 0) this.clearMessageAlerts();
    this.updateBadge();
  }

  /** Unread counts per session (a complete list): muted and snoozed sessions stay out of the badge. */
  setUnreadCounts(counts: ReadonlyMap<string, number>): void {
    if (this.disposed) return;
    let total = 0;
    for (const [sessionId, count] of counts) {
      requireText(sessionId, 'unread sessionId');
      if (!Number.isInteger(count) || count < 0) throw new RangeError(`Unread count must be a non-negative integer, got ${String(count)}.`);
      total += count;
    }
    this.unreadBySession.clear();
    for (const [sessionId, count] of counts) this.unreadBySession.set(sessionId, count);
    this.unreadTotal = total;
    if (total === 0) this.clearMessageAlerts();
    this.updateBadge();
  }

  /**
   * One session's unread count changed (a pushed row): the badge follows at a cost that does not grow with the
   * number of sessions (the complete list, setUnreadCounts, is for the list's loads).
   */
  setSessionUnread(sessionId: string, count: number | null): void {
    if (this.disposed) return;
    requireText(sessionId, 'unread sessionId');
    if (count !== null && (!Number.isInteger(count) || count < 0)) throw new RangeError(`Unread count must be a non-negative integer, got ${String(count)}.`);
    // A total given without sessions (setUnreadCount) is replaced by per-session counts.
    if (this.unreadBySession.has('')) {
      this.unreadTotal -= this.unreadBySession.get('')!;
      this.unreadBySession.delete('');
      this.badgeMessages = null;
    }
    const before = this.unreadBySession.get(sessionId);
    if (this.badgeMessages !== null) this.badgeMessages -= this.badgeShare(sessionId, before);
    this.unreadTotal += (count ?? 0) - (before ?? 0);
    if (count === null) this.unreadBySession.delete(sessionId);
    else this.unreadBySession.set(sessionId, count);
    if (this.badgeMessages !== null) this.badgeMessages += this.badgeShare(sessionId, count ?? undefined);
    if (this.unreadTotal === 0) this.clearMessageAlerts();
    this.updateBadge(true);
  }

  // ---- do-not-disturb and triage ----

  /** The user's do-not-disturb plan as stored for them (public.do_not_disturb); emergencies ring whatever it says. */
  setDoNotDisturbPlan(plan: DoNotDisturbPlan): void {
    if (this.disposed) return;
    this.dndPlan = validatePlan(plan);
    this.quietChanged();
  }

  /** Whether message alerts are silenced now (the preference's switch or the plan). */
  isDoNotDisturb(): boolean {
    return this.preferences.doNotDisturb || doNotDisturbActive(this.dndPlan, this.clock.now());
  }

  /**
   * The user's triage of their sessions (a complete list: a session not in it is neither muted, snoozed nor marked).
   * A session that goes quiet loses its notification and reminder on screen.
   */
  setSessionTriage(entries: readonly SessionTriageAlert[]): void {
    if (this.disposed) return;
    const parsed = entries.map(validateTriage);
    const listed = new Set(parsed.map((entry) => entry.sessionId));
    if (listed.size !== parsed.length) throw new TypeError('Alert input: a session is listed twice in the triage.');
    this.quietSessions.clear();
    this.markedUnread.clear();
    for (const entry of parsed) {
      this.quietSessions.set(entry.sessionId, entry.quiet);
      if (entry.markedUnread) this.markedUnread.add(entry.sessionId);
    }
    for (const sessionId of listed) {
      if (!this.isSessionQuiet(sessionId)) continue;
      this.tallies.delete(sessionId);
      this.dropSlot(`message:${sessionId}`);
      const reminder = this.reminders.get(sessionId);
      if (reminder) this.takeDownReminder(reminder);
    }
    this.quietChanged();
  }

  /** Whether this session keeps quiet now (muted, or snoozed); emergencies in it ring regardless. */
  isSessionQuiet(sessionId: string): boolean {
    return sessionQuiet(this.quietSessions.get(sessionId), this.clock.now());
  }

  // ---- emergencies ----

  /**
   * Every change to an emergency this console should hear about. A new open one alerts at once and
   * then every 30 s; an escalation re-alerts at once; a state in which someone has acted ends it.
   */
  emergencyUpdated(input: EmergencyAlertInput): void {
    if (this.disposed) return;
    validateEmergency(input);
    this.applyEmergency(input);
  }

  /** Someone acted (accepted, acknowledged, resolved) or the emergency left the queue; unknown ids are ignored. */
  emergencyHandled(id: string): void {
    if (this.disposed) return;
    requireText(id, 'emergency id');
    this.endEmergency(id);
  }

  /** The complete list of open emergencies after a reconnect or refetch: anything not in it has been handled. */
  syncEmergencies(inputs: readonly EmergencyAlertInput[]): void {
    if (this.disposed) return;
    // Validate everything before changing anything, so one bad row cannot leave the set half-applied.
    inputs.forEach(validateEmergency);
    const listed = new Set(inputs.map((input) => input.id));
    for (const id of [...this.emergencies.keys()]) if (!listed.has(id)) this.endEmergency(id);
    for (const input of inputs) this.applyEmergency(input);
  }

  openEmergencies(): EmergencyView[] {
    return this.emergencyViews();
  }

  /**
   * Emergencies, and the unread messages of sessions that are neither muted nor snoozed. Do-not-disturb keeps the
   * count: a badge interrupts nobody, and what waited during the quiet hours should show when the user looks.
   */
  badgeCount(): number {
    return this.emergencies.size + this.messageBadgeCount();
  }

  private messageBadgeCount(): number {
    let total = 0;
    for (const [sessionId, count] of this.unreadBySession) {
      if (sessionId !== '' && this.isSessionQuiet(sessionId)) continue;
      // A session marked unread counts as one unread message until it is read.
      total += count === 0 && this.markedUnread.has(sessionId) ? 1 : count;
    }
    for (const sessionId of this.markedUnread) {
      if (!this.unreadBySession.has(sessionId) && !this.isSessionQuiet(sessionId)) total += 1;
    }
    return total;
  }

  /** A do-not-disturb period or a snooze began or ended: reminders and the badge follow, and the next end is awaited. */
  private quietChanged(): void {
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.scheduleReminders();
    this.updateBadge();
    const now = this.clock.now();
    const ends: number[] = [];
    const planChange = nextPlanChange(this.dndPlan, now);
    if (planChange !== null) ends.push(planChange);
    for (const quiet of this.quietSessions.values()) if (quiet.snoozedUntil !== null && quiet.snoozedUntil > now) ends.push(quiet.snoozedUntil);
    if (ends.length === 0) return;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = null;
      if (!this.disposed) this.quietChanged();
    }, Math.max(0, Math.min(...ends) - now));
  }

  /** Stops every timer and the siren, takes down what this center put on screen and clears the badge. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.clearMessageAlerts();
    const hadEmergencies = this.emergencies.size > 0;
    for (const [id, emergency] of this.emergencies) {
      if (emergency.repeat) this.clock.clearTimeout(emergency.repeat);
      this.platform.closeNotification(emergencyNotificationId(id));
    }
    this.emergencies.clear();
    if (this.sirenStartedAt !== null) this.platform.stopSiren();
    this.sirenStartedAt = null;
    if (this.flashing) this.platform.setFrameFlashing(false);
    this.flashing = false;
    if (hadEmergencies) this.platform.emitToRenderer('alerts.emergencies', { emergencies: [], changedId: null, reason: 'cleared' });
    for (const reminder of [...this.reminders.values()]) this.dropReminder(reminder);
    if (this.wakeTimer) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.unreadBySession.clear();
    this.unreadTotal = 0;
    this.markedUnread.clear();
    this.quietSessions.clear();
    this.updateBadge();
  }

  // ---- message internals ----

  private slotIdFor(sessionId: string): string {
    return this.preferences.privacy === 'count' ? COUNT_NOTIFICATION_ID : `message:${sessionId}`;
  }

  private present(slotId: string): void {
    const slot = this.slots.get(slotId);
    const now = this.clock.now();
    if (!slot || now - slot.lastShownAt >= this.coalesceMs) {
      this.render(slotId, false);
      return;
    }
    // Already waiting to update: the update will show the latest tally.
    if (slot.trailing) return;
    slot.trailing = this.clock.setTimeout(() => {
      slot.trailing = null;
      if (this.slots.get(slotId) !== slot || this.isDoNotDisturb()) return;
      if (slotId !== COUNT_NOTIFICATION_ID && this.isSessionQuiet(slotId.slice('message:'.length))) return;
      // An update within a burst is silent: the first notification already made the sound.
      this.render(slotId, true);
    }, slot.lastShownAt + this.coalesceMs - now);
  }

  private render(slotId: string, silent: boolean): void {
    const notification = this.buildMessageNotification(slotId);
    if (!notification) return;
    this.platform.showNotification(notification);
    // An update within a burst makes no sound and draws no eye: the first notification did.
    if (!silent) this.callAttention();
    const slot = this.slots.get(slotId);
    if (slot) slot.lastShownAt = this.clock.now();
    else this.slots.set(slotId, { lastShownAt: this.clock.now(), trailing: null });
  }

  private buildMessageNotification(slotId: string): AlertNotification | null {
    const { language, privacy } = this.preferences;
    if (slotId === COUNT_NOTIFICATION_ID) {
      let total = 0;
      for (const tally of this.tallies.values()) total += tally.count;
      if (total === 0) return null;
      return {
        id: slotId,
        title: alertText(language, 'app.name'),
        body: alertText(language, 'message.count.body', { count: total }),
        urgency: 'normal',
        // The console plays the chosen sound (callAttention) at the chosen volume; the OS's would double it.
        silent: true,
        onClick: () => this.activate({ kind: 'inbox' }),
      };
    }
    const sessionId = slotId.slice('message:'.length);
    const tally = this.tallies.get(sessionId);
    if (!tally) return null;
    const sender = isolate(senderLabel(tally.latest, language));
    const onClick = () => this.activate({ kind: 'session', sessionId });
    if (privacy === 'sender') {
      return {
        id: slotId,
        title: alertText(language, 'message.sender.title', { sender, count: tally.count }),
        body: alertText(language, 'message.sender.body'),
        urgency: 'normal',
        silent: true,
        onClick,
      };
    }
    return {
      id: slotId,
      title: alertText(language, 'message.full.title', { sender, count: tally.count }),
      body: previewOf(tally.latest, language),
      urgency: 'normal',
      silent: true,
      onClick,
    };
  }

  private dropSlot(slotId: string): void {
    const slot = this.slots.get(slotId);
    if (!slot) return;
    if (slot.trailing) this.clock.clearTimeout(slot.trailing);
    this.slots.delete(slotId);
    this.platform.closeNotification(slotId);
  }

  private clearMessageAlerts(): void {
    for (const slotId of [...this.slots.keys()]) this.dropSlot(slotId);
    this.tallies.clear();
  }

  /** The chosen sound, and a flash of the taskbar entry (or a dock bounce) when the console is not in front. */
  private callAttention(): void {
    const { messageSound, soundVolume, flashFrame } = this.preferences;
    if (messageSound !== 'none' && soundVolume > 0) this.platform.playSound(messageSound, soundVolume);
    if (flashFrame && !this.platform.isWindowFocused()) this.platform.requestAttention();
  }

  // ---- reminder internals ----

  /** (Re)sets every reminder's timer from the current target, preferences and clock; none while do-not-disturb is on. */
  private scheduleReminders(): void {
    for (const reminder of this.reminders.values()) this.scheduleReminder(reminder);
  }

  private scheduleReminder(reminder: PendingReminder): void {
    if (reminder.timer) this.clock.clearTimeout(reminder.timer);
    reminder.timer = null;
    const dueAt = this.reminderDueAt(reminder);
    if (dueAt === null) return;
    reminder.timer = this.clock.setTimeout(() => {
      reminder.timer = null;
      if (this.reminders.get(reminder.client.sessionId) !== reminder) return;
      this.remindDue(reminder);
    }, Math.max(0, dueAt - this.clock.now()));
  }

  private reminderDueAt(reminder: PendingReminder): number | null {
    // Quiet now: the reminder waits, and quietChanged schedules it again when the period or the snooze ends.
    if (this.replyTargetMinutes === null || this.isDoNotDisturb() || this.isSessionQuiet(reminder.client.sessionId)) return null;
    if (reminder.lastRemindedAt === null) return reminder.waitingSinceMs + this.replyTargetMinutes * MINUTE_MS;
    return reminder.lastRemindedAt + this.preferences.reminderRepeatMinutes * MINUTE_MS;
  }

  /**
   * A reminder came due, and every other one due by now with it (a sign-in late in the day finds many): one of them is
   * one notification, several are one summary, never a burst of notifications and sounds.
   */
  private remindDue(first: PendingReminder): void {
    const now = this.clock.now();
    const due = [first];
    for (const other of this.reminders.values()) {
      if (other === first || other.timer === null) continue;
      const dueAt = this.reminderDueAt(other);
      if (dueAt !== null && dueAt <= now) due.push(other);
    }
    // Someone looking at the conversation needs no notification; the next reminder still comes if they do not answer.
    const shown = due.filter((r) => !(this.platform.isWindowFocused() && this.isSessionVisible(r.client.sessionId)));
    for (const reminder of due) reminder.lastRemindedAt = now;
    if (shown.length === 1) {
      this.platform.showNotification(this.buildReminderNotification(shown[0]!, now));
      shown[0]!.shown = true;
    } else if (shown.length > 1) {
      this.platform.showNotification(this.buildReminderSummary(shown, now));
    }
    if (shown.length > 0) this.callAttention();
    for (const reminder of due) this.scheduleReminder(reminder);
  }

  private buildReminderSummary(reminders: readonly PendingReminder[], now: number): AlertNotification {
    const { language } = this.preferences;
    const longest = reminders.reduce((a, b) => (b.waitingSinceMs < a.waitingSinceMs ? b : a));
    return {
      id: REMINDER_SUMMARY_ID,
      title: alertText(language, 'reminder.summary.title', { count: reminders.length }),
      body: alertText(language, 'reminder.summary.body', {
        count: Math.max(1, Math.floor((now - longest.waitingSinceMs) / MINUTE_MS)),
        target: this.replyTargetMinutes ?? 0,
      }),
      urgency: 'normal',
      silent: true,
      onClick: () => this.activate({ kind: 'session', sessionId: longest.client.sessionId }),
    };
  }

  private buildReminderNotification(reminder: PendingReminder, now: number): AlertNotification {
    const { language, privacy } = this.preferences;
    const { sessionId, clientName } = reminder.client;
    const name = privacy === 'count' || clientName === null ? '' : cleanName(clientName);
    return {
      id: reminderNotificationId(sessionId),
      title: name === '' ? alertText(language, 'reminder.title.anonymous') : alertText(language, 'reminder.title.named', { client: isolate(name) }),
      body: alertText(language, 'reminder.body', {
        count: Math.max(1, Math.floor((now - reminder.waitingSinceMs) / MINUTE_MS)),
        target: this.replyTargetMinutes ?? 0,
      }),
      urgency: 'normal',
      silent: true,
      onClick: () => this.activate({ kind: 'session', sessionId }),
    };
  }

  /** Closes a reminder on screen, keeping its schedule (the privacy level changed). */
  private takeDownReminder(reminder: PendingReminder): void {
    if (!reminder.shown) return;
    reminder.shown = false;
    this.platform.closeNotification(reminderNotificationId(reminder.client.sessionId));
  }

  private dropReminder(reminder: PendingReminder): void {
    if (reminder.timer) this.clock.clearTimeout(reminder.timer);
    reminder.timer = null;
    this.takeDownReminder(reminder);
    this.reminders.delete(reminder.client.sessionId);
  }

  private rememberMessageId(id: string): void {
    this.seenMessageIds.add(id);
    if (this.seenMessageIds.size > SEEN_MESSAGE_IDS) {
      const oldest = this.seenMessageIds.values().next().value;
      if (oldest !== undefined) this.seenMessageIds.delete(oldest);
    }
  }

  private activate(target: AlertActivation): void {
    if (this.disposed) return;
    this.platform.focusWindow();
    this.platform.emitToRenderer('alerts.activate', target);
  }

  // ---- emergency internals ----

  private applyEmergency(input: EmergencyAlertInput): void {
    if (!OPEN_EMERGENCY_STATES.has(input.state)) {
      this.endEmergency(input.id);
      return;
    }
    const state = input.state as OpenEmergencyState;
    const known = this.emergencies.get(input.id);
    if (!known) {
      const emergency: OpenEmergency = {
        view: {
          id: input.id,
          sessionId: input.sessionId,
          state,
          escalationLevel: input.escalationLevel,
          clientName: input.clientName ?? null,
          createdAt: input.createdAt,
          lastAlertAt: input.createdAt,
          alertCount: 0,
        },
        repeat: null,
      };
      this.emergencies.set(input.id, emergency);
      this.alertEmergency(emergency, 'raised');
      return;
    }
    const escalated =
      input.escalationLevel > known.view.escalationLevel || (state === 'escalated' && known.view.state === 'ringing');
    known.view = {
      ...known.view,
      sessionId: input.sessionId,
      state,
      escalationLevel: Math.max(known.view.escalationLevel, input.escalationLevel),
      clientName: input.clientName ?? known.view.clientName,
    };
    if (escalated) this.alertEmergency(known, 'escalated');
    else this.emitModal('updated', input.id);
  }

  private alertEmergency(emergency: OpenEmergency, reason: Extract<EmergencyModalReason, 'raised' | 'repeated' | 'escalated'>): void {
    if (emergency.repeat) this.clock.clearTimeout(emergency.repeat);
    const now = this.clock.now();
    const { id } = emergency.view;
    emergency.view = { ...emergency.view, alertCount: emergency.view.alertCount + 1, lastAlertAt: new Date(now).toISOString() };

    this.platform.showNotification(this.buildEmergencyNotification(emergency.view));
    if (this.sirenStartedAt === null || now - this.sirenStartedAt >= this.sirenDurationMs) {
      this.platform.playSiren();
      this.sirenStartedAt = now;
    }
    // Each alert flashes again: macOS bounces the dock once per request, Windows and Linux keep flashing until stopped.
    this.platform.setFrameFlashing(true);
    this.flashing = true;
    this.updateBadge();
    this.emitModal(reason, id);

    emergency.repeat = this.clock.setTimeout(() => {
      emergency.repeat = null;
      if (this.emergencies.get(id) === emergency) this.alertEmergency(emergency, 'repeated');
    }, this.repeatMs);
  }

  private buildEmergencyNotification(view: EmergencyView): AlertNotification {
    const { language, privacy } = this.preferences;
    const named = privacy !== 'count' && view.clientName !== null && view.clientName.trim() !== '';
    return {
      id: emergencyNotificationId(view.id),
      title:
        view.state === 'escalated' || view.escalationLevel > 0
          ? alertText(language, 'emergency.title.escalated', { level: view.escalationLevel })
          : alertText(language, 'emergency.title'),
      body: named
        ? alertText(language, 'emergency.body.named', { client: isolate(cleanName(view.clientName ?? '')) })
        : alertText(language, 'emergency.body.anonymous'),
      urgency: 'critical',
      // The siren is the emergency sound, but the OS sound stays on as a second channel in case the renderer cannot play.
      silent: false,
      onClick: () => this.activate({ kind: 'emergency', emergencyId: view.id, sessionId: view.sessionId }),
    };
  }

  private endEmergency(id: string): void {
    const emergency = this.emergencies.get(id);
    if (!emergency) return;
    if (emergency.repeat) this.clock.clearTimeout(emergency.repeat);
    this.emergencies.delete(id);
    this.platform.closeNotification(emergencyNotificationId(id));
    if (this.emergencies.size === 0) {
      if (this.sirenStartedAt !== null) this.platform.stopSiren();
      this.sirenStartedAt = null;
      if (this.flashing) this.platform.setFrameFlashing(false);
      this.flashing = false;
    }
    this.updateBadge();
    this.emitModal('handled', id);
  }

  private emitModal(reason: EmergencyModalReason, changedId: string | null): void {
    this.platform.emitToRenderer('alerts.emergencies', { emergencies: this.emergencyViews(), changedId, reason });
  }

  private emergencyViews(): EmergencyView[] {
    return [...this.emergencies.values()]
      .map((emergency) => ({ ...emergency.view }))
      .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt));
  }

  /** A session's share of the badge: its unread count, one if marked unread and read, none while quiet. */
  private badgeShare(sessionId: string, count: number | undefined): number {
    if (this.isSessionQuiet(sessionId)) return 0;
    return (count ?? 0) === 0 ? (this.markedUnread.has(sessionId) ? 1 : 0) : count!;
  }

  private updateBadge(incremental = false): void {
    if (!incremental || this.badgeMessages === null) this.badgeMessages = this.messageBadgeCount();
    const count = this.emergencies.size + this.badgeMessages;
    if (count === this.lastBadge) return;
    this.lastBadge = count;
    this.platform.setBadgeCount(count);
  }
}

function emergencyNotificationId(id: string): string {
  return `emergency:${id}`;
}

/** The one notification for several clients whose reminders came due together. */
const REMINDER_SUMMARY_ID = 'reminder:several';

function reminderNotificationId(sessionId: string): string {
  return `reminder:${sessionId}`;
}

/**
 * Wraps a name in Unicode first-strong isolates: an Arabic name inside an English sentence (or the
 * reverse) would otherwise reorder the punctuation around it.
 */
function isolate(text: string): string {
  return `\u2068${text}\u2069`;
}

function cleanText(text: string): string {
  // Control characters (newlines included) would break the one- or two-line layout of a notification.
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').replace(/\s+/g, ' ').trim();
}

function truncate(text: string, maxChars: number): string {
  const chars = Array.from(text);
  return chars.length <= maxChars ? text : `${chars.slice(0, maxChars - 1).join('')}…`;
}

function cleanName(name: string): string {
  return truncate(cleanText(name), NAME_MAX_CHARS);
}

function senderLabel(message: IncomingMessageAlert, language: AlertLanguage): string {
  const name = message.senderName === null ? '' : cleanName(message.senderName);
  if (name !== '') return name;
  return alertText(language, message.type === 'system' ? 'app.name' : 'sender.unknown');
}

function previewOf(message: IncomingMessageAlert, language: AlertLanguage): string {
  switch (message.type) {
    case 'audio':
      return typeof message.durationMs === 'number' && message.durationMs > 0
        ? alertText(language, 'preview.voiceNote.duration', { duration: formatDuration(message.durationMs) })
        : alertText(language, 'preview.voiceNote');
    case 'image':
      return alertText(language, 'preview.image');
    case 'file':
      return alertText(language, 'preview.file');
    default: {
      const text = cleanText(message.body ?? '');
      return text === '' ? alertText(language, 'preview.text.empty') : truncate(text, PREVIEW_MAX_CHARS);
    }
  }
}

// ---- input checks: the core passes data that came over the network, so refuse it specifically ----

function requireText(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string' || value.trim() === '') throw new TypeError(`Alert input: ${field} must be a non-empty string, got ${JSON.stringify(value)}.`);
}

function validateMessage(message: IncomingMessageAlert): void {
  if (typeof message !== 'object' || message === null) throw new TypeError('Alert input: the message must be an object.');
  requireText(message.id, 'message id');
  requireText(message.sessionId, 'message sessionId');
  if (!MESSAGE_TYPES.has(message.type)) throw new TypeError(`Alert input: unknown message type ${JSON.stringify(message.type)}.`);
  if (message.senderName !== null && typeof message.senderName !== 'string') throw new TypeError('Alert input: senderName must be a string or null.');
  if (message.body !== null && typeof message.body !== 'string') throw new TypeError('Alert input: message body must be a string or null.');
  const duration = message.durationMs;
  if (duration !== undefined && duration !== null && !(typeof duration === 'number' && Number.isFinite(duration) && duration >= 0)) {
    throw new TypeError(`Alert input: durationMs must be a non-negative number, got ${String(duration)}.`);
  }
}

function validateEmergency(input: EmergencyAlertInput): void {
  if (typeof input !== 'object' || input === null) throw new TypeError('Alert input: the emergency must be an object.');
  requireText(input.id, 'emergency id');
  requireText(input.sessionId, 'emergency sessionId');
  if (!EMERGENCY_STATES.has(input.state)) throw new TypeError(`Alert input: unknown emergency state ${JSON.stringify(input.state)}.`);
  if (!Number.isInteger(input.escalationLevel) || input.escalationLevel < 0) {
    throw new TypeError(`Alert input: escalationLevel must be a non-negative integer, got ${String(input.escalationLevel)}.`);
  }
  if (input.clientName !== undefined && input.clientName !== null && typeof input.clientName !== 'string') throw new TypeError('Alert input: clientName must be a string or null.');
  if (typeof input.createdAt !== 'string' || Number.isNaN(Date.parse(input.createdAt))) {
    throw new TypeError(`Alert input: createdAt must be an ISO timestamp, got ${JSON.stringify(input.createdAt)}.`);
  }
}

function validateWaitingClient(client: WaitingClient): number {
  if (typeof client !== 'object' || client === null) throw new TypeError('Alert input: a waiting client must be an object.');
  requireText(client.sessionId, 'waiting client sessionId');
  if (client.clientName !== null && typeof client.clientName !== 'string') throw new TypeError('Alert input: clientName must be a string or null.');
  const since = typeof client.waitingSince === 'string' ? Date.parse(client.waitingSince) : Number.NaN;
  if (Number.isNaN(since)) throw new TypeError(`Alert input: waitingSince must be an ISO timestamp, got ${JSON.stringify(client.waitingSince)}.`);
  return since;
}

function validateTriage(entry: SessionTriageAlert): { sessionId: string; markedUnread: boolean; quiet: SessionQuiet } {
  if (typeof entry !== 'object' || entry === null) throw new TypeError('Alert input: a triage entry must be an object.');
  requireText(entry.sessionId, 'triage sessionId');
  for (const field of ['muted', 'markedUnread', 'snoozedUntilReply'] as const) {
    if (typeof entry[field] !== 'boolean') throw new TypeError(`Alert input: triage ${field} must be true or false.`);
  }
  const until = entry.snoozedUntil === null ? null : typeof entry.snoozedUntil === 'string' ? Date.parse(entry.snoozedUntil) : Number.NaN;
  if (until !== null && Number.isNaN(until)) throw new TypeError(`Alert input: snoozedUntil must be an ISO timestamp or null, got ${JSON.stringify(entry.snoozedUntil)}.`);
  return { sessionId: entry.sessionId, markedUnread: entry.markedUnread, quiet: { muted: entry.muted, snoozedUntil: until, snoozedUntilReply: entry.snoozedUntilReply } };
}

function validatePreferences(preferences: AlertPreferences): AlertPreferences {
  if (!LANGUAGES.has(preferences.language)) throw new TypeError(`Alert preferences: unknown language ${JSON.stringify(preferences.language)}.`);
  if (!PRIVACY_LEVELS.has(preferences.privacy)) throw new TypeError(`Alert preferences: unknown privacy level ${JSON.stringify(preferences.privacy)}.`);
  if (typeof preferences.doNotDisturb !== 'boolean') throw new TypeError('Alert preferences: doNotDisturb must be true or false.');
  if (typeof preferences.flashFrame !== 'boolean') throw new TypeError('Alert preferences: flashFrame must be true or false.');
  if (!SOUNDS.has(preferences.messageSound)) throw new TypeError(`Alert preferences: unknown sound ${JSON.stringify(preferences.messageSound)}.`);
  const volume = preferences.soundVolume;
  if (!Number.isInteger(volume) || volume < 0 || volume > 100) throw new RangeError(`Alert preferences: soundVolume must be a whole percentage from 0 to 100, got ${String(volume)}.`);
  const repeat = preferences.reminderRepeatMinutes;
  if (!Number.isInteger(repeat) || repeat < REMINDER_REPEAT_BOUNDS.min || repeat > REMINDER_REPEAT_BOUNDS.max) {
    throw new RangeError(`Alert preferences: reminderRepeatMinutes must be a whole number from ${REMINDER_REPEAT_BOUNDS.min} to ${REMINDER_REPEAT_BOUNDS.max}, got ${String(repeat)}.`);
  }
  return {
    language: preferences.language,
    privacy: preferences.privacy,
    doNotDisturb: preferences.doNotDisturb,
    flashFrame: preferences.flashFrame,
    messageSound: preferences.messageSound,
    soundVolume: volume,
    reminderRepeatMinutes: repeat,
  };
}

function positiveDuration(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`AlertCenter option ${name} must be a positive number of milliseconds.`);
  return value;
}

function nonNegativeDuration(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`AlertCenter option ${name} must be a non-negative number of milliseconds.`);
  return value;
}
