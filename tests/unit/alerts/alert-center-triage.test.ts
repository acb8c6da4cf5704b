import { describe, expect, it } from 'vitest';
import type { SessionTriageAlert, WaitingClient } from '../../../src/main/alerts';
import { doNotDisturbActive, inSchedule, nextPlanChange } from '../../../src/main/alerts';
import { emergency, message, setup } from './setup';

const MINUTE = 60_000;
// The fake clock starts at 2025-03-01T09:00:00Z; Cairo is UTC+2 then (no daylight saving in March 2025).
const START = Date.parse('2025-03-01T09:00:00.000Z');

const triage = (overrides: Partial<SessionTriageAlert> & { sessionId: string }): SessionTriageAlert => ({
  muted: false,
  markedUnread: false,
  snoozedUntil: null,
  snoozedUntilReply: false,
  ...overrides,
});
const waiting = (clock: { now(): number }, sessionId: string): WaitingClient => ({
  sessionId,
  clientName: 'Layla',
  waitingSince: new Date(clock.now()).toISOString(),
});
const interruptions = (platform: ReturnType<typeof setup>['platform']) => ({
  notifications: platform.recordsOf('notification.show').length,
  sounds: platform.recordsOf('sound').length,
  flashes: platform.recordsOf('frame.attention').length,
});

describe('AlertCenter: muted and snoozed sessions', () => {
  it('a muted session makes no notification, sound or flash and stays out of the badge; others still alert', () => {
    const { center, platform } = setup();
    center.setSessionTriage([triage({ sessionId: 's-muted', muted: true })]);
    center.messageReceived(message({ sessionId: 's-muted' }));
    expect(interruptions(platform)).toEqual({ notifications: 0, sounds: 0, flashes: 0 });
    center.setUnreadCounts(new Map([['s-muted', 4], ['s-2', 1]]));
    expect(platform.badgeCount()).toBe(1);
    center.messageReceived(message({ sessionId: 's-2' }));
    expect(interruptions(platform)).toEqual({ notifications: 1, sounds: 1, flashes: 1 });
  });

  it('emergencies still ring for a muted session and during do-not-disturb', () => {
    const { center, platform } = setup({ preferences: { doNotDisturb: true } });
    center.setSessionTriage([triage({ sessionId: 'es-1', muted: true })]);
    center.setDoNotDisturbPlan({ manual: true, until: null, schedule: null });
    center.emergencyUpdated(emergency({ sessionId: 'es-1' }));
    expect(platform.recordsOf('siren.play')).toHaveLength(1);
    expect(platform.recordsOf('frame.flash').at(-1)?.flashing).toBe(true);
    expect(platform.recordsOf('notification.show')[0]?.notification.urgency).toBe('critical');
    expect(platform.badgeCount()).toBe(1);
  });

  it('muting takes down the session\'s notification on screen; unmuting lets the next message alert', () => {
    const { center, platform } = setup();
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(platform.visibleNotifications()).toHaveLength(1);
    center.setSessionTriage([triage({ sessionId: 's-1', muted: true })]);
    expect(platform.visibleNotifications()).toHaveLength(0);
    center.setSessionTriage([]);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(platform.visibleNotifications()).toHaveLength(1);
  });

  it('a snooze until a time keeps quiet until then, after which the session alerts and counts again', () => {
    const { center, platform, clock } = setup();
    center.setSessionTriage([triage({ sessionId: 's-1', snoozedUntil: new Date(START + 30 * MINUTE).toISOString() })]);
    center.setUnreadCounts(new Map([['s-1', 2]]));
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(0);
    expect(platform.badgeCount()).toBe(0);
    clock.advance(30 * MINUTE);
    // The center woke by itself at the snooze's end: the badge counts the session again.
    expect(platform.badgeCount()).toBe(2);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(1);
  });

  it('a snooze until the next message keeps quiet until the core says the client wrote (the triage list changes)', () => {
    const { center, platform } = setup();
    center.setSessionTriage([triage({ sessionId: 's-1', snoozedUntilReply: true })]);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(0);
    center.setSessionTriage([triage({ sessionId: 's-1', snoozedUntilReply: false })]);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(1);
  });

  it('a session marked unread counts as one in the badge until it has unread messages of its own', () => {
    const { center, platform } = setup();
    center.setUnreadCounts(new Map([['s-1', 0], ['s-2', 3]]));
    center.setSessionTriage([triage({ sessionId: 's-1', markedUnread: true }), triage({ sessionId: 's-3', markedUnread: true })]);
    expect(platform.badgeCount()).toBe(5);
    center.setUnreadCounts(new Map([['s-1', 2], ['s-2', 3]]));
    expect(platform.badgeCount()).toBe(6);
  });

  it('no reply reminder for a muted or snoozed session; a snoozed one is reminded of once the snooze ends', () => {
    // The plain session's repeat stays away from the snooze's end, so each reminder is one notification of its own.
    const { center, platform, clock } = setup({ preferences: { reminderRepeatMinutes: 45 } });
    center.setReplyTarget(10);
    center.setSessionTriage([
      triage({ sessionId: 's-muted', muted: true }),
      triage({ sessionId: 's-snoozed', snoozedUntil: new Date(START + 60 * MINUTE).toISOString() }),
    ]);
    center.setWaitingClients([waiting(clock, 's-muted'), waiting(clock, 's-snoozed'), waiting(clock, 's-plain')]);
    const reminded = () => new Set(platform.recordsOf('notification.show').map((r) => r.notification.id));
    clock.advance(30 * MINUTE);
    expect([...reminded()]).toEqual(['reminder:s-plain']);
    clock.advance(30 * MINUTE);
    expect([...reminded()].sort()).toEqual(['reminder:s-plain', 'reminder:s-snoozed']);
  });

  it('refuses malformed triage specifically', () => {
    const { center } = setup();
    expect(() => center.setSessionTriage([triage({ sessionId: '' })])).toThrow(/sessionId/);
    expect(() => center.setSessionTriage([triage({ sessionId: 's', snoozedUntil: 'tomorrow' })])).toThrow(/snoozedUntil/);
    expect(() => center.setSessionTriage([triage({ sessionId: 's' }), triage({ sessionId: 's' })])).toThrow(/twice/);
  });
});

describe('AlertCenter: the do-not-disturb plan (timer, schedule)', () => {
  it('a timer silences messages, sounds, flashes and reminders until it ends; the badge still counts', () => {
    const { center, platform, clock } = setup();
    center.setReplyTarget(10);
    center.setDoNotDisturbPlan({ manual: false, until: new Date(START + 60 * MINUTE).toISOString(), schedule: null });
    expect(center.isDoNotDisturb()).toBe(true);
    center.setWaitingClients([waiting(clock, 's-1')]);
    center.messageReceived(message({ sessionId: 's-2' }));
    center.setUnreadCounts(new Map([['s-2', 1]]));
    clock.advance(59 * MINUTE);
    expect(interruptions(platform)).toEqual({ notifications: 0, sounds: 0, flashes: 0 });
    expect(platform.badgeCount()).toBe(1);
    clock.advance(1 * MINUTE);
    expect(center.isDoNotDisturb()).toBe(false);
    // The reminder that was due during the quiet hour comes when it ends.
    expect(platform.recordsOf('notification.show').map((r) => r.notification.id)).toEqual(['reminder:s-1']);
  });

  it('a daily schedule in the user\'s time zone, across midnight', () => {
    const { center, platform, clock } = setup();
    // 09:00 UTC is 11:00 in Cairo: inside 10:30-12:00, outside 12:00-10:30 the next day.
    center.setDoNotDisturbPlan({ manual: false, until: null, schedule: { start: '10:30', end: '12:00', timeZone: 'Africa/Cairo' } });
    expect(center.isDoNotDisturb()).toBe(true);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(0);
    clock.advance(60 * MINUTE);
    expect(center.isDoNotDisturb()).toBe(false);
    center.messageReceived(message({ sessionId: 's-1' }));
    expect(interruptions(platform).notifications).toBe(1);
    const night = { start: '22:00', end: '07:00', timeZone: 'Africa/Cairo' };
    expect(inSchedule(night, Date.parse('2025-03-01T21:30:00Z'))).toBe(true); // 23:30 in Cairo
    expect(inSchedule(night, Date.parse('2025-03-02T04:59:00Z'))).toBe(true); // 06:59
    expect(inSchedule(night, Date.parse('2025-03-02T05:00:00Z'))).toBe(false); // 07:00
    expect(nextPlanChange({ manual: false, until: null, schedule: night }, Date.parse('2025-03-01T09:00:00Z'))).toBe(Date.parse('2025-03-01T20:00:00Z'));
  });

  it('the manual switch stays on until turned off; a past timer is off', () => {
    expect(doNotDisturbActive({ manual: true, until: null, schedule: null }, START)).toBe(true);
    expect(doNotDisturbActive({ manual: false, until: new Date(START - 1).toISOString(), schedule: null }, START)).toBe(false);
    const { center } = setup();
    expect(() => center.setDoNotDisturbPlan({ manual: false, until: null, schedule: { start: '25:00', end: '07:00', timeZone: 'Africa/Cairo' } })).toThrow(/HH:MM/);
    expect(() => center.setDoNotDisturbPlan({ manual: false, until: null, schedule: { start: '22:00', end: '07:00', timeZone: 'Mars/Olympus' } })).toThrow(/time zone/);
    expect(() => center.setDoNotDisturbPlan({ manual: false, until: null, schedule: { start: '22:00', end: '22:00', timeZone: 'UTC' } })).toThrow(/different/);
  });
});
