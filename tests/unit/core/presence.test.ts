import { describe, expect, it } from 'vitest';
import {
  PageActivity,
  PresenceTracker,
  idleMinutesFrom,
  initialPresence,
  nextPresence,
  shownAvailability,
  type ActivitySignal,
  type ActivitySource,
  type PresenceClock,
  type PresenceReply,
  type PresenceSignal,
  type PresenceState,
} from '../../../src/main/core/presence';
import type { Availability } from '../../../src/main/backend/backend-port';

/** A clock the test moves by hand: intervals fire as time passes, never on their own. */
class ManualClock implements PresenceClock {
  time = 1_000_000;
  private readonly intervals = new Map<number, { run: () => void; every: number; next: number }>();
  private nextId = 1;
  now = () => this.time;
  setInterval = (run: () => void, every: number) => {
    const id = this.nextId++;
    this.intervals.set(id, { run, every, next: this.time + every });
    return id;
  };
  clearInterval = (handle: unknown) => {
    this.intervals.delete(handle as number);
  };
  get active() {
    return this.intervals.size;
  }
  async advance(ms: number) {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.intervals.values()].filter((i) => i.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.time = due.next;
      due.next += due.every;
      due.run();
      await settle();
    }
    this.time = end;
    await settle();
  }
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

/** The OS as the test plays it: idle seconds, the lock, and signals. */
class FakeActivity implements ActivitySource {
  idle = 0;
  locked: boolean | undefined = undefined;
  private listener: ((signal: ActivitySignal) => void) | null = null;
  idleSeconds = () => this.idle;
  isLocked = () => this.locked;
  subscribe(listener: (signal: ActivitySignal) => void) {
    this.listener = listener;
    return () => {
      this.listener = null;
    };
  }
  signal(signal: ActivitySignal) {
    this.listener?.(signal);
  }
  get subscribed() {
    return this.listener !== null;
  }
}

/** The server as set_presence / presence_heartbeat answer, with the SQL rule of what may be shown. */
class FakeServer {
  availability: Availability = 'offline';
  choice: Availability = 'online';
  writes: Availability[] = [];
  heartbeats = 0;
  failNext = 0;
  show = async (availability: Availability): Promise<PresenceReply> => {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('backend.unavailable');
    }
    const allowed = availability === this.choice || availability === 'offline' || (availability === 'away' && (this.choice === 'online' || this.choice === 'busy'));
    if (!allowed) throw Object.assign(new Error('presence.not_chosen'), { code: 'SA500' });
    this.writes.push(availability);
    this.availability = availability;
    return { availability, choice: this.choice };
  };
  heartbeat = async (): Promise<PresenceReply> => {
    this.heartbeats++;
    return { availability: this.availability, choice: this.choice };
  };
}

function setUp(idleMinutes = 5) {
  const clock = new ManualClock();
  const activity = new FakeActivity();
  const server = new FakeServer();
  const choices: Availability[] = [];
  const settings = { idleMinutes };
  const tracker = new PresenceTracker({
    activity,
    publisher: server,
    idleMinutes: () => settings.idleMinutes,
    clock,
    pollMs: 5_000,
    heartbeatMs: 60_000,
    onChoice: (c) => choices.push(c),
  });
  return { clock, activity, server, tracker, choices, settings };
}

describe('the presence state machine', () => {
  const run = (...signals: PresenceSignal[]): PresenceState => signals.reduce(nextPresence, initialPresence);

  it('shows offline until signed in, then the choice', () => {
    expect(shownAvailability(initialPresence)).toBe('offline');
    for (const choice of ['online', 'busy', 'away', 'offline'] as const) {
      expect(shownAvailability(run({ type: 'signedIn', choice }))).toBe(choice);
    }
  });

  it('turns online and busy into away while idle, locked or asleep, and restores the choice after', () => {
    for (const choice of ['online', 'busy'] as const) {
      for (const [away, back] of [
        ['idle', 'active'],
        ['locked', 'unlocked'],
        ['suspended', 'resumed'],
      ] as const) {
        const gone = run({ type: 'signedIn', choice }, { type: away });
        expect(shownAvailability(gone), `${choice} ${away}`).toBe('away');
        expect(shownAvailability(nextPresence(gone, { type: back })), `${choice} ${back}`).toBe(choice);
      }
    }
  });

  it('leaves away and appear-offline as chosen, whatever the activity', () => {
    for (const choice of ['away', 'offline'] as const) {
      for (const signal of ['idle', 'locked', 'suspended', 'active', 'unlocked', 'resumed'] as const) {
        expect(shownAvailability(run({ type: 'signedIn', choice }, { type: signal }))).toBe(choice);
      }
    }
  });

  it('stays away while any cause holds: unlocking an idle machine is input, but idle alone keeps it away', () => {
    const idleAndLocked = run({ type: 'signedIn', choice: 'online' }, { type: 'idle' }, { type: 'locked' });
    // Unlocking takes input: idle ends too.
    expect(shownAvailability(nextPresence(idleAndLocked, { type: 'unlocked' }))).toBe('online');
    const lockedAndAsleep = run({ type: 'signedIn', choice: 'online' }, { type: 'locked' }, { type: 'suspended' });
    expect(shownAvailability(nextPresence(lockedAndAsleep, { type: 'resumed' }))).toBe('away');
  });

  it('a new choice is input (whoever chose is at the keyboard); signing out shows offline and keeps the choice', () => {
    const idle = run({ type: 'signedIn', choice: 'online' }, { type: 'idle' });
    expect(shownAvailability(nextPresence(idle, { type: 'chosen', choice: 'busy' }))).toBe('busy');
    const out = nextPresence(run({ type: 'signedIn', choice: 'busy' }), { type: 'signedOut' });
    expect(shownAvailability(out)).toBe('offline');
    expect(out.choice).toBe('busy');
  });
});

describe('the presence tracker', () => {
  it('shows the choice at sign-in, away after the idle time, the choice again on input, offline on stop', async () => {
    const { clock, activity, server, tracker } = setUp(5);
    await tracker.start('online');
    expect(server.writes).toEqual(['online']);
    activity.idle = 299;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online']);
    activity.idle = 300;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online', 'away']);
    activity.idle = 0;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online', 'away', 'online']);
    await tracker.stop();
    expect(server.writes).toEqual(['online', 'away', 'online', 'offline']);
    expect(clock.active).toBe(0);
    expect(activity.subscribed).toBe(false);
  });

  it('follows the screen lock and sleep as they happen, and a lock that is only polled (Linux)', async () => {
    const { clock, activity, server, tracker } = setUp();
    server.choice = 'busy';
    await tracker.start('busy');
    activity.signal('locked');
    await settle();
    activity.signal('unlocked');
    await settle();
    activity.signal('suspended');
    await settle();
    activity.signal('resumed');
    await settle();
    expect(server.writes).toEqual(['busy', 'away', 'busy', 'away', 'busy']);
    activity.locked = true;
    await clock.advance(5_000);
    activity.locked = false;
    await clock.advance(5_000);
    expect(server.writes.slice(-2)).toEqual(['away', 'busy']);
  });

  it('writes only changes, one at a time, and the latest state wins', async () => {
    const { activity, server, tracker } = setUp();
    await tracker.start('online');
    activity.signal('locked');
    activity.signal('unlocked');
    activity.signal('locked');
    await settle();
    expect(server.writes.at(-1)).toBe('away');
    expect(tracker.shown).toBe('away');
    const before = server.writes.length;
    activity.signal('locked');
    await settle();
    expect(server.writes.length).toBe(before);
  });

  it('applies a changed idle setting at the next check', async () => {
    const { clock, activity, server, tracker, settings } = setUp(5);
    await tracker.start('online');
    activity.idle = 90;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online']);
    settings.idleMinutes = 1;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online', 'away']);
  });

  it('keeps appear-offline offline however active the user is', async () => {
    const { clock, activity, server, tracker } = setUp();
    server.choice = 'offline';
    await tracker.start('offline');
    activity.idle = 10_000;
    await clock.advance(5_000);
    activity.signal('locked');
    await settle();
    expect(server.writes).toEqual(['offline']);
  });

  it('a failed write is tried again at the next check', async () => {
    const { clock, activity, server, tracker } = setUp();
    await tracker.start('online');
    server.failNext = 1;
    activity.signal('locked');
    await settle();
    expect(server.availability).toBe('online');
    await clock.advance(5_000);
    expect(server.availability).toBe('away');
  });

  it('renews the lease every minute, and shows itself again when the server swept it offline', async () => {
    const { clock, server, tracker } = setUp();
    await tracker.start('online');
    await clock.advance(60_000);
    expect(server.heartbeats).toBe(1);
    expect(server.writes).toEqual(['online']);
    // The console was cut off past the lease: the sweep turned it offline.
    server.availability = 'offline';
    await clock.advance(60_000);
    expect(server.heartbeats).toBe(2);
    expect(server.writes).toEqual(['online', 'online']);
  });

  it('two consoles of one user: the more present one wins, without a write war', async () => {
    const { clock, activity, server, tracker } = setUp();
    await tracker.start('online');
    activity.signal('locked');
    await settle();
    // The user's other console is in use and shows online.
    server.availability = 'online';
    await clock.advance(60_000);
    expect(server.writes).toEqual(['online', 'away']);
    expect(server.availability).toBe('online');
  });

  it('adopts a choice made on another console (its heartbeat says so) and tells the shell', async () => {
    const { clock, server, tracker, choices, activity } = setUp();
    await tracker.start('online');
    server.choice = 'busy';
    server.availability = 'busy';
    await clock.advance(60_000);
    expect(choices).toEqual(['busy']);
    activity.signal('locked');
    await settle();
    activity.signal('unlocked');
    await settle();
    expect(server.writes.slice(-2)).toEqual(['away', 'busy']);
  });

  it('a choice made here: already shown by set_availability, so only a needed "away" is written', async () => {
    const { clock, activity, server, tracker } = setUp();
    await tracker.start('online');
    server.choice = 'busy';
    server.availability = 'busy';
    await tracker.choose('busy');
    expect(server.writes).toEqual(['online']);
    activity.idle = 600;
    await clock.advance(5_000);
    expect(server.writes).toEqual(['online', 'away']);
  });

  it('refused because the choice changed elsewhere (presence.not_chosen): learns the choice at once and shows it', async () => {
    const { activity, server, tracker, choices } = setUp();
    await tracker.start('online');
    server.choice = 'offline';
    server.availability = 'offline';
    activity.signal('locked');
    await settle();
    expect(choices).toEqual(['offline']);
    expect(tracker.shown).toBe('offline');
    expect(server.writes).toEqual(['online']);
  });

  it('stopping before signing in writes nothing; stopping twice writes offline once', async () => {
    const { server, tracker } = setUp();
    await tracker.stop();
    expect(server.writes).toEqual([]);
    await tracker.start('online');
    await tracker.stop();
    await tracker.stop();
    expect(server.writes).toEqual(['online', 'offline']);
  });
});

describe('the page as activity source (web shell)', () => {
  it('idle time runs on from the last report, and a report of input resets it', () => {
    const clock = { time: 0, now() {
      return this.time;
    } };
    const page = new PageActivity(clock);
    const signals: ActivitySignal[] = [];
    page.subscribe((s) => signals.push(s));
    expect(page.idleSeconds()).toBe(0);
    clock.time = 10_000;
    expect(page.idleSeconds()).toBe(10);
    page.report({ idleSeconds: 400 });
    expect(page.idleSeconds()).toBe(400);
    clock.time = 15_000;
    expect(page.idleSeconds()).toBe(405);
    page.report({ idleSeconds: 0 });
    expect(page.idleSeconds()).toBe(0);
    expect(signals).toEqual(['changed', 'changed']);
  });

  it('a tracker on the page source turns away on a report of a long quiet, and back on input', async () => {
    const clock = new ManualClock();
    const page = new PageActivity(clock);
    const server = new FakeServer();
    const tracker = new PresenceTracker({ activity: page, publisher: server, idleMinutes: () => 5, clock });
    await tracker.start('online');
    page.report({ idleSeconds: 360 });
    await settle();
    page.report({ idleSeconds: 0 });
    await settle();
    expect(server.writes).toEqual(['online', 'away', 'online']);
    await tracker.stop();
  });
});

describe('console.presence.idle_minutes', () => {
  it('is read as whole minutes, 5 where the backend has none, and refused when unusable', () => {
    expect(idleMinutesFrom({ 'console.presence.idle_minutes': 7 })).toBe(7);
    expect(idleMinutesFrom({ 'console.presence.idle_minutes': '2' })).toBe(2);
    expect(idleMinutesFrom({})).toBe(5);
    expect(idleMinutesFrom(null)).toBe(5);
    expect(() => idleMinutesFrom({ 'console.presence.idle_minutes': 0 })).toThrow(/positive whole number/);
    expect(() => idleMinutesFrom({ 'console.presence.idle_minutes': 'soon' })).toThrow(/positive whole number/);
  });
});
