import type { ChatMessage, ChatSession, DoNotDisturb, SessionTriage, TriageState } from '../../shared/ipc/contract';
import type { UserConnection } from '../backend/backend-port';
import type { AlertCenter } from '../alerts';
import type { EventHub } from '../ipc/event-hub';

const inEffect = (entry: SessionTriage) => entry.muted || entry.markedUnread || entry.snoozedUntil !== null || entry.snoozedUntilReply;

/**
 * One user's triage (muted, snoozed, marked-unread sessions) and do-not-disturb, as stored for them in SQL
 * (public.session_triage, public.do_not_disturb): loaded at sign-in, changed through the RPCs, handed to the alert
 * center (which keeps quiet accordingly, emergencies excepted) and to the renderer (triage.changed).
 */
export class SessionTriageState {
  private readonly sessions = new Map<string, SessionTriage>();
  private doNotDisturb: DoNotDisturb = { manual: false, until: null, schedule: null };
  private closed = false;

  constructor(
    private readonly connection: UserConnection,
    private readonly alerts: AlertCenter,
    private readonly hub: EventHub,
  ) {}

  /** Reads both from the server (sign-in, and after a reconnect: another device may have changed them). */
  async load(): Promise<TriageState> {
    const [sessions, doNotDisturb] = await Promise.all([this.connection.listSessionTriage(), this.connection.getDoNotDisturb()]);
    this.sessions.clear();
    for (const entry of sessions) this.sessions.set(entry.sessionId, entry);
    this.doNotDisturb = doNotDisturb;
    this.apply();
    return this.state();
  }

  state(): TriageState {
    return { sessions: [...this.sessions.values()].map((entry) => ({ ...entry })), doNotDisturb: { ...this.doNotDisturb } };
  }

  async markUnread(sessionId: string, unread: boolean): Promise<SessionTriage> {
    return this.put(await this.connection.markSessionUnread(sessionId, unread));
  }

  async mute(sessionId: string, muted: boolean): Promise<SessionTriage> {
    return this.put(await this.connection.muteSession(sessionId, muted));
  }

  async snooze(sessionId: string, snooze: { until?: string | null; untilReply?: boolean }): Promise<SessionTriage> {
    return this.put(await this.connection.snoozeSession(sessionId, snooze));
  }

  async setDoNotDisturb(plan: DoNotDisturb): Promise<DoNotDisturb> {
    this.doNotDisturb = await this.connection.setDoNotDisturb(plan);
    this.apply();
    return { ...this.doNotDisturb };
  }

  /** The user looked at the session: a mark of unread comes off (the server derives the same from the read). */
  async seen(sessionId: string): Promise<void> {
    if (this.sessions.get(sessionId)?.markedUnread) await this.markUnread(sessionId, false);
  }

  /**
   * A message reached the console, before the alert center hears of it: a session snoozed until its client's next
   * message wakes when its client writes (the server's list_session_triage derives the same), so this message rings.
   */
  messageArrived(message: ChatMessage, session: ChatSession | undefined): void {
    const entry = this.sessions.get(message.sessionId);
    if (!entry?.snoozedUntilReply || !session) return;
    const sender = session.participants.find((p) => p.userId === message.senderId);
    if (sender?.roleInSession !== 'client' || sender.userId === this.connection.userId) return;
    this.put({ ...entry, snoozedUntilReply: false });
  }

  close() {
    this.closed = true;
  }

  private put(entry: SessionTriage): SessionTriage {
    if (inEffect(entry)) this.sessions.set(entry.sessionId, entry);
    else this.sessions.delete(entry.sessionId);
    this.apply();
    return { ...entry };
  }

  private apply() {
    if (this.closed) return;
    this.alerts.setSessionTriage([...this.sessions.values()]);
    this.alerts.setDoNotDisturbPlan(this.doNotDisturb);
    // The settings' switch shows the stored one.
    this.alerts.setPreferences({ doNotDisturb: this.doNotDisturb.manual });
    this.hub.emit('triage.changed', this.state());
  }
}
