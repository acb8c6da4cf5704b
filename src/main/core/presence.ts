import type { Availability } from '../backend/backend-port';

/**
 * Presence: what others see of a signed-in user, following the user's own choice (online, busy, away, or offline =
 * appear offline) and what the user is doing. This module owns the rules; both shells feed it (Electron from
 * powerMonitor, the web shell from what its page reports) and the SQL layer only checks that what a console shows
 * follows the choice (public.set_presence).
 *
 *   signed out (sign-out, window or page closed, quit)  -> offline
 *   idle (no input for console.presence.idle_minutes),
 *   screen locked, or machine asleep                     -> away, when the choice is online or busy
 *   otherwise                                            -> the choice
 */

export interface PresenceState {
  choice: Availability;
  signedIn: boolean;
  idle: boolean;
  locked: boolean;
  asleep: boolean;
}

export type PresenceSignal =
  | { type: 'signedIn'; choice: Availability }
  | { type: 'signedOut' }
  | { type: 'chosen'; choice: Availability }
  | { type: 'idle' }
  | { type: 'active' }
  | { type: 'locked' }
  | { type: 'unlocked' }
  | { type: 'suspended' }
  | { type: 'resumed' };

export const initialPresence: PresenceState = { choice: 'online', signedIn: false, idle: false, locked: false, asleep: false };

/** The pure transition: the state after one signal. */
export function nextPresence(state: PresenceState, signal: PresenceSignal): PresenceState {
  switch (signal.type) {
    case 'signedIn':
      return { choice: signal.choice, signedIn: true, idle: false, locked: false, asleep: false };
    case 'signedOut':
      return { ...state, signedIn: false };
    case 'chosen':
      // Choosing is input: whoever chose is at the keyboard.
      return { ...state, choice: signal.choice, idle: false };
    case 'idle':
      return { ...state, idle: true };
    case 'active':
      return { ...state, idle: false };
    case 'locked':
      return { ...state, locked: true };
    // Unlocking and waking take input: the user is back.
    case 'unlocked':
      return { ...state, locked: false, idle: false };
    case 'suspended':
      return { ...state, asleep: true };
    case 'resumed':
      return { ...state, asleep: false, idle: false };
  }
}

/** What others see in a state. */
export function shownAvailability(state: PresenceState): Availability {
  if (!state.signedIn) return 'offline';
  if ((state.choice === 'online' || state.choice === 'busy') && (state.idle || state.locked || state.asleep)) return 'away';
  return state.choice;
}

/** How present an availability says someone is: where two consoles of one user disagree, the more present wins. */
const PRESENT_RANK: Record<Availability, number> = { offline: 0, away: 1, busy: 2, online: 2 };

/** What the source of activity tells the tracker as it happens. `changed`: its idle time may have jumped (a report). */
export type ActivitySignal = 'changed' | 'locked' | 'unlocked' | 'suspended' | 'resumed';

/** Where activity comes from: the OS (Electron's powerMonitor) or the page (the web shell). */
export interface ActivitySource {
  /** Seconds since the user's last input, as this source knows it. */
  idleSeconds(): number;
  /** True while the screen is locked, where the source can tell by asking (polled with the idle time); undefined: cannot tell. */
  isLocked?(): boolean | undefined;
  subscribe(listener: (signal: ActivitySignal) => void): () => void;
}

export interface PresenceClock {
  now(): number;
  setInterval(run: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemClock: PresenceClock = {
  now: () => Date.now(),
  setInterval: (run, ms) => {
    const handle = setInterval(run, ms);
    handle.unref?.();
    return handle;
  },
  clearInterval: (handle) => clearInterval(handle as NodeJS.Timeout),
};

/** The server's answer to a presence write or a heartbeat (public.set_presence / public.presence_heartbeat). */
export interface PresenceReply {
  availability: Availability;
  choice: Availability;
}

export interface PresencePublisher {
  /** Shows `availability` to others (public.set_presence). */
  show(availability: Availability): Promise<PresenceReply>;
  /** Renews the lease (public.presence_heartbeat). */
  heartbeat(): Promise<PresenceReply>;
}

export interface PresenceTrackerOptions {
  activity: ActivitySource;
  publisher: PresencePublisher;
  /** console.presence.idle_minutes, as last read (read at every check, so a changed setting applies at once). */
  idleMinutes(): number;
  clock?: PresenceClock;
  /** How often idleness is checked. */
  pollMs?: number;
  /** How often the lease is renewed: well inside the server's lease (180 s). */
  heartbeatMs?: number;
  /** The choice was changed elsewhere (another console of this user): the renderer shows the new one. */
  onChoice?(choice: Availability): void;
  log?(message: string, detail?: unknown): void;
}

export const PRESENCE_POLL_MS = 5_000;
export const PRESENCE_HEARTBEAT_MS = 60_000;

/**
 * Drives the state machine for one signed-in user of one window or page: feeds it the activity source's signals
 * and idle time, and keeps the server showing what it says, one write at a time (the latest state wins; a failed
 * write is tried again at the next check). Renews the lease every minute.
 */
export class PresenceTracker {
  private state: PresenceState = initialPresence;
  /** What the server was last told (or answered); null: unknown, tell it. */
  private published: Availability | null = null;
  private writing: Promise<void> | null = null;
  private writeAgain = false;
  private timers: unknown[] = [];
  private detach: (() => void) | null = null;
  private readonly clock: PresenceClock;

  constructor(private readonly options: PresenceTrackerOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get shown(): Availability {
    return shownAvailability(this.state);
  }

  get current(): PresenceState {
    return this.state;
  }

  /** Signed in: shows the user's choice (or away, if they are already idle) and starts following activity. */
  start(choice: Availability): Promise<void> {
    this.apply({ type: 'signedIn', choice });
    this.checkIdle();
    this.detach = this.options.activity.subscribe((signal) => this.onActivity(signal));
    this.timers.push(this.clock.setInterval(() => this.checkIdle(), this.options.pollMs ?? PRESENCE_POLL_MS));
    this.timers.push(this.clock.setInterval(() => void this.beat(), this.options.heartbeatMs ?? PRESENCE_HEARTBEAT_MS));
    return this.flush();
  }

  /** The user chose an availability (already stored by set_availability, which also shows it). */
  choose(choice: Availability, alreadyShown = true): Promise<void> {
    if (alreadyShown) this.published = choice;
    this.apply({ type: 'chosen', choice });
    return this.flush();
  }

  /** Signing out, closing or quitting: shows offline (awaited, so callers bound it) and stops following activity. */
  async stop(): Promise<void> {
    for (const timer of this.timers.splice(0)) this.clock.clearInterval(timer);
    this.detach?.();
    this.detach = null;
    if (!this.state.signedIn) return;
    this.apply({ type: 'signedOut' });
    await this.flush();
  }

  private onActivity(signal: ActivitySignal) {
    if (!this.state.signedIn) return;
    if (signal === 'changed') this.checkIdle();
    else if (signal === 'locked') this.apply({ type: 'locked' });
    else if (signal === 'unlocked') this.apply({ type: 'unlocked' });
    else if (signal === 'suspended') this.apply({ type: 'suspended' });
    else this.apply({ type: 'resumed' });
    void this.flush();
  }

  /** Idle time and (where the source can tell) the lock, against the setting. */
  private checkIdle() {
    if (!this.state.signedIn) return;
    const thresholdSeconds = this.options.idleMinutes() * 60;
    const idle = this.options.activity.idleSeconds() >= thresholdSeconds;
    if (idle !== this.state.idle) this.apply({ type: idle ? 'idle' : 'active' });
    const locked = this.options.activity.isLocked?.();
    if (locked !== undefined && locked !== this.state.locked) this.apply({ type: locked ? 'locked' : 'unlocked' });
    void this.flush();
  }

  private apply(signal: PresenceSignal) {
    this.state = nextPresence(this.state, signal);
  }

  /** Tells the server what the state shows, if it differs from what it was last told; one write at a time. */
  private flush(): Promise<void> {
    if (this.writing) {
      this.writeAgain = true;
      return this.writing;
    }
    if (this.shown === this.published) return Promise.resolve();
    this.writing = (async () => {
      do {
        this.writeAgain = false;
        const wanted = this.shown;
        if (wanted === this.published) continue;
        try {
          const reply = await this.options.publisher.show(wanted);
          this.published = reply.availability;
          this.adoptChoice(reply.choice);
        } catch (error) {
          this.published = null;
          // The choice changed on another console (presence.not_chosen): learn it now. The server away: the next
          // check writes again.
          if ((error as { code?: unknown }).code === 'SA500') queueMicrotask(() => void this.beat());
          else this.options.log?.('presence: could not show availability', error);
          return;
        }
      } while (this.writeAgain);
    })().finally(() => {
      this.writing = null;
    });
    return this.writing;
  }

  /** Renews the lease; puts right what the server shows when it says less than this console (swept, or another console). */
  private async beat(): Promise<void> {
    if (!this.state.signedIn) return;
    try {
      const reply = await this.options.publisher.heartbeat();
      this.adoptChoice(reply.choice);
      this.published = PRESENT_RANK[reply.availability] < PRESENT_RANK[this.shown] ? null : this.shown;
    } catch (error) {
      this.options.log?.('presence: heartbeat failed', error);
      return;
    }
    await this.flush();
  }

  private adoptChoice(choice: Availability) {
    if (!this.state.signedIn || choice === this.state.choice) return;
    // Not `chosen`: a choice made on another console says nothing about input here.
    this.state = { ...this.state, choice };
    this.options.onChoice?.(choice);
  }
}

/**
 * The web shell's source: the page reports its own input and visibility (presence.activity), since a browser page
 * sees no OS idle time. Idle time between reports runs on this process's clock.
 */
export class PageActivity implements ActivitySource {
  private idleAt: { seconds: number; at: number };
  private readonly listeners = new Set<(signal: ActivitySignal) => void>();

  constructor(private readonly clock: Pick<PresenceClock, 'now'> = systemClock) {
    // Before the first report the page has just been opened or signed in: that was input.
    this.idleAt = { seconds: 0, at: clock.now() };
  }

  /** A report from the page: seconds since its last input event (the page counts coming into view as input). */
  report(report: { idleSeconds: number }) {
    this.idleAt = { seconds: report.idleSeconds, at: this.clock.now() };
    for (const listener of this.listeners) listener('changed');
  }

  idleSeconds(): number {
    return this.idleAt.seconds + Math.max(0, this.clock.now() - this.idleAt.at) / 1000;
  }

  subscribe(listener: (signal: ActivitySignal) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

/** console.presence.idle_minutes from the console settings (5 where the backend has no such setting yet). */
export const IDLE_MINUTES_SETTING = 'console.presence.idle_minutes';
export function idleMinutesFrom(settings: Record<string, unknown> | null): number {
  const value = settings?.[IDLE_MINUTES_SETTING];
  if (value === undefined || value === null) return 5;
  const minutes = typeof value === 'string' ? Number(value) : value;
  if (typeof minutes !== 'number' || !Number.isInteger(minutes) || minutes <= 0) {
    throw new TypeError(`The console setting ${IDLE_MINUTES_SETTING} must be a positive whole number of minutes, got ${JSON.stringify(value)}.`);
  }
  return minutes;
}
