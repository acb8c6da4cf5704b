import { describe, expect, it } from 'vitest';
import type { WaitingClient } from '../../../src/main/alerts';
import { iso, message, setup } from './setup';

const MINUTE = 60_000;

function waiting(clock: { now(): number }, overrides: Partial<WaitingClient> = {}): WaitingClient {
  return { sessionId: 's-1', clientName: 'Layla', waitingSince: new Date(clock.now()).toISOString(), ...overrides };
}

describe('AlertCenter: sound, flashing and the badge for messages', () => {
  it('plays the chosen sound at the chosen volume, and none for "none" or volume 0', () => {
    const { center, platform } = setup({ preferences: { messageSound: 'bell', soundVolume: 35 } });
    center.messageReceived(message({ sessionId: 's-1' }));
    center.setPreferences({ messageSound: 'none' });
    center.messageReceived(message({ sessionId: 's-2' }));
    center.setPreferences({ messageSound: 'pulse', soundVolume: 0 });
    center.messageReceived(message({ sessionId: 's-3' }));
    expect(platform.recordsOf('sound').map(({ sound, volume }) => [sound, volume])).toEqual([['bell', 35]]);
    expect(platform.recordsOf('notification.show')).toHaveLength(3);
  });

  it('flashes the frame for a new message only while the window is not focused, and only if enabled', () => {
    const { center, platform, visibleSessions } = setup({ focused: false });
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(platform.recordsOf('frame.attention')).toHaveLength(1);
    platform.setWindowFocused(true);
    visibleSessions.add('s-9');
    center.messageReceived(message({ sessionId: 's-2' }));
    expect(platform.recordsOf('frame.attention')).toHaveLength(1);
    platform.setWindowFocused(false);
    center.setPreferences({ flashFrame: false });
    center.messageReceived(message({ sessionId: 's-3' }));
    expect(platform.recordsOf('frame.attention')).toHaveLength(1);
    // The emergency flash is another matter: it keeps flashing until someone acts, whatever this preference says.
    expect(platform.recordsOf('frame.flash')).toHaveLength(0);
  });

  it('makes no sound and no flash under do-not-disturb', () => {
    const { center, platform } = setup({ preferences: { doNotDisturb: true } });
    center.messageReceived(message());
    expect(platform.recordsOf('sound')).toHaveLength(0);
    expect(platform.recordsOf('frame.attention')).toHaveLength(0);
  });

  it('records each badge change and clears it at zero', () => {
    const { center, platform } = setup();
    center.setUnreadCount(3);
    center.setUnreadCount(3);
    center.setUnreadCount(120);
    center.setUnreadCount(0);
    expect(platform.recordsOf('badge').map((r) => r.count)).toEqual([0, 3, 120, 0]);
    expect(platform.badgeCount()).toBe(0);
  });
});

describe('AlertCenter: reminders for a client waiting past the reply target', () => {
  it('reminds once the target has passed, then every repeat interval, until the client is answered', () => {
    const { center, platform, clock } = setup({ preferences: { reminderRepeatMinutes: 5 } });
    center.setReplyTarget(15);
    center.setWaitingClients([waiting(clock)]);
    clock.advance(15 * MINUTE - 1);
    expect(platform.recordsOf('notification.show')).toHaveLength(0);
    clock.advance(1);
    expect(platform.notification('reminder:s-1')).toEqual({
      id: 'reminder:s-1',
      title: `${iso('Layla')} is waiting for a reply`,
      body: 'Waiting for 15 minutes; the reply target is 15 min.',
      urgency: 'normal',
      silent: true,
    });
    expect(platform.recordsOf('sound')).toHaveLength(1);
    expect(platform.recordsOf('frame.attention')).toHaveLength(1);
    clock.advance(5 * MINUTE);
    clock.advance(5 * MINUTE);
    const shows = platform.recordsOf('notification.show');
    expect(shows.map((s) => (s.at - shows[0]!.at) / MINUTE)).toEqual([0, 5, 10]);
    expect(shows.at(-1)!.notification.body).toBe('Waiting for 25 minutes; the reply target is 15 min.');

    // Answered: the client is no longer in the list; the reminder goes and never comes back.
    center.setWaitingClients([]);
    expect(platform.notification('reminder:s-1')).toBeUndefined();
    clock.advance(60 * MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(3);
  });

  it('reminds at once of a client already waiting longer than the target (a sign-in late in the day)', () => {
    const { center, platform, clock } = setup();
    center.setReplyTarget(10);
    center.setWaitingClients([waiting(clock, { waitingSince: new Date(clock.now() - 42 * MINUTE).toISOString() })]);
    clock.advance(0);
    expect(platform.notification('reminder:s-1')?.body).toBe('Waiting for 42 minutes; the reply target is 10 min.');
  });

  it('starts the clock again when the client writes again after an answer', () => {
    const { center, platform, clock } = setup();
    center.setReplyTarget(5);
    center.setWaitingClients([waiting(clock)]);
    clock.advance(5 * MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(1);
    clock.advance(MINUTE);
    center.setWaitingClients([waiting(clock)]);
    expect(platform.notification('reminder:s-1')).toBeUndefined();
    clock.advance(5 * MINUTE - 1);
    expect(platform.recordsOf('notification.show')).toHaveLength(1);
    clock.advance(1);
    expect(platform.recordsOf('notification.show')).toHaveLength(2);
  });

  it('respects do-not-disturb, and reminds of what is overdue when it is turned off', () => {
    const { center, platform, clock } = setup({ preferences: { doNotDisturb: true } });
    center.setReplyTarget(1);
    center.setWaitingClients([waiting(clock)]);
    clock.advance(30 * MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(0);
    center.setPreferences({ doNotDisturb: false });
    clock.advance(0);
    expect(platform.recordsOf('notification.show')).toHaveLength(1);
    expect(platform.notification('reminder:s-1')?.body).toBe('Waiting for 30 minutes; the reply target is 1 min.');
  });

  it('does not notify while the conversation is open in a focused window, but keeps reminding if it stays unanswered', () => {
    const { center, platform, clock, visibleSessions } = setup({ focused: true, preferences: { reminderRepeatMinutes: 2 } });
    visibleSessions.add('s-1');
    center.setReplyTarget(1);
    center.setWaitingClients([waiting(clock)]);
    clock.advance(MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(0);
    visibleSessions.clear();
    clock.advance(2 * MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(1);
  });

  it('has no reminders without a reply target, names nobody at the "count" privacy level, and speaks Arabic', () => {
    const none = setup();
    none.center.setWaitingClients([waiting(none.clock)]);
    none.clock.advance(24 * 60 * MINUTE);
    expect(none.platform.records.filter((r) => r.kind === 'notification.show')).toHaveLength(0);

    const count = setup({ preferences: { privacy: 'count' } });
    count.center.setReplyTarget(1);
    count.center.setWaitingClients([waiting(count.clock)]);
    count.clock.advance(MINUTE);
    expect(count.platform.notification('reminder:s-1')?.title).toBe('A client is waiting for a reply');
    expect(JSON.stringify(count.platform.records)).not.toContain('Layla');

    const ar = setup({ preferences: { language: 'ar' } });
    ar.center.setReplyTarget(2);
    ar.center.setWaitingClients([waiting(ar.clock)]);
    ar.clock.advance(2 * MINUTE);
    expect(ar.platform.notification('reminder:s-1')).toMatchObject({ title: `${iso('Layla')} ينتظر الرد`, body: 'ينتظر منذ دقيقتين؛ هدف الرد 2 د.' });
  });

  it('opens the session when the reminder is clicked, and clears everything on dispose', () => {
    const { center, platform, clock } = setup();
    center.setReplyTarget(1);
    const first = waiting(clock);
    center.setWaitingClients([first]);
    clock.advance(30_000);
    center.setWaitingClients([first, waiting(clock, { sessionId: 's-2', clientName: 'Sara' })]);
    clock.advance(30_000);
    platform.click('reminder:s-1');
    expect(platform.rendererEvents('alerts.activate')).toEqual([{ kind: 'session', sessionId: 's-1' }]);
    clock.advance(30_000);
    expect(platform.notification('reminder:s-2')?.title).toBe(`${iso('Sara')} is waiting for a reply`);
    center.dispose();
    expect(platform.visibleNotifications()).toEqual([]);
    clock.advance(60 * MINUTE);
    expect(platform.recordsOf('notification.show')).toHaveLength(2);
  });

  it('gathers the reminders that come due together into one notification and one call for attention', () => {
    const { center, platform, clock } = setup();
    center.setReplyTarget(10);
    // A sign-in late in the day: three clients already past the target, the longest 40 minutes.
    center.setWaitingClients([
      waiting(clock, { sessionId: 's-1', waitingSince: new Date(clock.now() - 12 * MINUTE).toISOString() }),
      waiting(clock, { sessionId: 's-2', clientName: 'Sara', waitingSince: new Date(clock.now() - 40 * MINUTE).toISOString() }),
      waiting(clock, { sessionId: 's-3', clientName: 'Omar', waitingSince: new Date(clock.now() - 25 * MINUTE).toISOString() }),
    ]);
    clock.advance(0);
    expect(platform.recordsOf('notification.show').map((r) => r.notification.id)).toEqual(['reminder:several']);
    expect(platform.notification('reminder:several')).toMatchObject({
      title: '3 clients are waiting for a reply',
      body: 'The longest has waited 40 minutes; the reply target is 10 min.',
    });
    platform.click('reminder:several');
    expect(platform.rendererEvents('alerts.activate')).toEqual([{ kind: 'session', sessionId: 's-2' }]);
  });

  it('refuses a bad target or list with a specific error', () => {
    const { center, clock } = setup();
    expect(() => center.setReplyTarget(0)).toThrow(/Reply target must be a positive whole number of minutes or null, got 0/);
    expect(() => center.setReplyTarget(1.5)).toThrow(/got 1.5/);
    expect(() => center.setWaitingClients([waiting(clock, { waitingSince: 'yesterday' })])).toThrow(/waitingSince must be an ISO timestamp, got "yesterday"/);
    expect(() => center.setWaitingClients([waiting(clock), waiting(clock)])).toThrow(/listed twice/);
    expect(center.waitingSessions()).toEqual([]);
  });
});
