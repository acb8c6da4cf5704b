import { describe, expect, it } from 'vitest';
import { emergency, iso, message, setup } from './setup';

const alertsOf = (platform: ReturnType<typeof setup>['platform'], id = 'e-1') =>
  platform.recordsOf('notification.show').filter((record) => record.notification.id === `emergency:${id}`);

describe('AlertCenter: emergencies', () => {
  it('alerts at once with every channel: critical notification, siren, flash, badge, in-app modal', () => {
    const { center, platform, clock } = setup();
    center.emergencyUpdated(emergency());
    expect(platform.visibleNotifications()).toEqual([
      {
        id: 'emergency:e-1',
        title: 'Emergency call',
        body: `${iso('Omar')} needs help now. Open the console to respond.`,
        urgency: 'critical',
        silent: false,
      },
    ]);
    expect(platform.recordsOf('siren.play')).toHaveLength(1);
    expect(platform.isFlashing()).toBe(true);
    expect(platform.badgeCount()).toBe(1);
    expect(platform.rendererEvents('alerts.emergencies')).toEqual([
      {
        reason: 'raised',
        changedId: 'e-1',
        emergencies: [
          {
            id: 'e-1',
            sessionId: 'es-1',
            state: 'ringing',
            escalationLevel: 0,
            clientName: 'Omar',
            createdAt: '2025-03-01T09:00:00.000Z',
            lastAlertAt: new Date(clock.now()).toISOString(),
            alertCount: 1,
          },
        ],
      },
    ]);
  });

  it('speaks Arabic and hides the name at the count privacy level', () => {
    const named = setup({ preferences: { language: 'ar', privacy: 'sender' } });
    named.center.emergencyUpdated(emergency());
    expect(named.platform.notification('emergency:e-1')).toMatchObject({
      title: 'مكالمة طوارئ',
      body: `${iso('Omar')} بحاجة إلى مساعدة الآن. افتح وحدة التحكم للاستجابة.`,
    });
    const anonymous = setup({ preferences: { language: 'ar', privacy: 'count' } });
    anonymous.center.emergencyUpdated(emergency());
    expect(anonymous.platform.notification('emergency:e-1')?.body).toBe('عميل بحاجة إلى مساعدة الآن. افتح وحدة التحكم للاستجابة.');
    // The in-app modal is inside the signed-in console: it still names the client.
    expect(anonymous.platform.rendererEvents('alerts.emergencies')[0]?.emergencies[0]?.clientName).toBe('Omar');
    const unknownClient = setup();
    unknownClient.center.emergencyUpdated(emergency({ clientName: undefined }));
    expect(unknownClient.platform.notification('emergency:e-1')?.body).toBe('A client needs help now. Open the console to respond.');
  });

  it('repeats every 30 s until someone acts, then stops everything', () => {
    const { center, platform, clock } = setup();
    const start = clock.now();
    center.emergencyUpdated(emergency());
    clock.advance(29_999);
    expect(alertsOf(platform)).toHaveLength(1);
    clock.advance(1);
    expect(alertsOf(platform)).toHaveLength(2);
    clock.advance(90_000);
    const alerts = alertsOf(platform);
    expect(alerts.map((record) => record.at - start)).toEqual([0, 30_000, 60_000, 90_000, 120_000]);
    expect(alerts.slice(1).every((record) => record.replaced && record.notification.urgency === 'critical')).toBe(true);
    expect(platform.recordsOf('siren.play').map((record) => record.at - start)).toEqual([0, 30_000, 60_000, 90_000, 120_000]);
    const modal = platform.rendererEvents('alerts.emergencies');
    expect(modal.map((event) => event.reason)).toEqual(['raised', 'repeated', 'repeated', 'repeated', 'repeated']);
    expect(modal.at(-1)?.emergencies[0]?.alertCount).toBe(5);

    clock.advance(5_000);
    center.emergencyHandled('e-1');
    expect(platform.visibleNotifications()).toEqual([]);
    expect(platform.isSirenPlaying()).toBe(false);
    expect(platform.isFlashing()).toBe(false);
    expect(platform.badgeCount()).toBe(0);
    expect(platform.rendererEvents('alerts.emergencies').at(-1)).toEqual({ emergencies: [], changedId: 'e-1', reason: 'handled' });
    expect(clock.pendingTimers()).toBe(0);

    const recorded = platform.records.length;
    clock.advance(300_000);
    expect(platform.records.length).toBe(recorded);
  });

  it.each(['accepted', 'acknowledged', 'resolved', 'cancelled'] as const)('stops when the emergency becomes %s', (state) => {
    const { center, platform, clock } = setup();
    center.emergencyUpdated(emergency());
    clock.advance(10_000);
    center.emergencyUpdated(emergency({ state }));
    clock.advance(120_000);
    expect(alertsOf(platform)).toHaveLength(1);
    expect(platform.visibleNotifications()).toEqual([]);
    expect(platform.isSirenPlaying()).toBe(false);
    expect(platform.badgeCount()).toBe(0);
  });

  it('re-alerts at once on escalation and restarts the 30 s cycle from there', () => {
    const { center, platform, clock } = setup();
    const start = clock.now();
    center.emergencyUpdated(emergency());
    clock.advance(12_000);
    center.emergencyUpdated(emergency({ state: 'escalated', escalationLevel: 1 }));
    expect(platform.notification('emergency:e-1')).toMatchObject({ title: 'Emergency escalated (level 1)', urgency: 'critical' });
    expect(platform.rendererEvents('alerts.emergencies').at(-1)).toMatchObject({
      reason: 'escalated',
      emergencies: [{ state: 'escalated', escalationLevel: 1, alertCount: 2 }],
    });
    clock.advance(20_000);
    center.emergencyUpdated(emergency({ state: 'escalated', escalationLevel: 2 }));
    clock.advance(30_000);
    expect(alertsOf(platform).map((record) => record.at - start)).toEqual([0, 12_000, 32_000, 62_000]);
    expect(platform.notification('emergency:e-1')?.title).toBe('Emergency escalated (level 2)');
  });

  it('shows the Arabic escalation title', () => {
    const { center, platform } = setup({ preferences: { language: 'ar' } });
    center.emergencyUpdated(emergency({ state: 'escalated', escalationLevel: 2 }));
    expect(platform.notification('emergency:e-1')?.title).toBe('تصعيد طوارئ (المستوى 2)');
  });

  it('treats an update that is not an escalation as news for the modal only', () => {
    const { center, platform, clock } = setup();
    center.emergencyUpdated(emergency({ clientName: null }));
    clock.advance(3_000);
    center.emergencyUpdated(emergency({ clientName: 'Omar K.' }));
    expect(alertsOf(platform)).toHaveLength(1);
    expect(platform.recordsOf('siren.play')).toHaveLength(1);
    expect(platform.rendererEvents('alerts.emergencies').at(-1)).toMatchObject({
      reason: 'updated',
      emergencies: [{ clientName: 'Omar K.', alertCount: 1 }],
    });
    // A stale update with a lower level never lowers what the console shows.
    center.emergencyUpdated(emergency({ state: 'escalated', escalationLevel: 3 }));
    center.emergencyUpdated(emergency({ state: 'escalated', escalationLevel: 1 }));
    expect(center.openEmergencies()[0]?.escalationLevel).toBe(3);
  });

  it('tracks several emergencies individually', () => {
    const { center, platform, clock } = setup();
    const start = clock.now();
    center.emergencyUpdated(emergency({ id: 'e-1', sessionId: 'es-1', createdAt: '2025-03-01T09:00:00.000Z' }));
    clock.advance(10_000);
    center.emergencyUpdated(emergency({ id: 'e-2', sessionId: 'es-2', clientName: 'Huda', createdAt: '2025-03-01T09:00:10.000Z' }));
    expect(platform.visibleNotifications().map((n) => n.id)).toEqual(['emergency:e-1', 'emergency:e-2']);
    expect(platform.badgeCount()).toBe(2);
    clock.advance(35_000);
    expect(alertsOf(platform, 'e-1').map((r) => r.at - start)).toEqual([0, 30_000]);
    expect(alertsOf(platform, 'e-2').map((r) => r.at - start)).toEqual([10_000, 40_000]);

    center.emergencyHandled('e-1');
    expect(platform.isSirenPlaying()).toBe(true);
    expect(platform.isFlashing()).toBe(true);
    expect(platform.badgeCount()).toBe(1);
    expect(platform.rendererEvents('alerts.emergencies').at(-1)).toMatchObject({
      reason: 'handled',
      changedId: 'e-1',
      emergencies: [{ id: 'e-2' }],
    });
    clock.advance(30_000);
    expect(alertsOf(platform, 'e-1')).toHaveLength(2);
    expect(alertsOf(platform, 'e-2')).toHaveLength(3);

    center.emergencyHandled('e-2');
    expect(platform.isSirenPlaying()).toBe(false);
    expect(platform.isFlashing()).toBe(false);
    expect(platform.badgeCount()).toBe(0);
  });

  it('lists open emergencies oldest first in the modal', () => {
    const { center } = setup();
    center.emergencyUpdated(emergency({ id: 'late', createdAt: '2025-03-01T09:05:00.000Z' }));
    center.emergencyUpdated(emergency({ id: 'early', createdAt: '2025-03-01T08:55:00.000Z' }));
    expect(center.openEmergencies().map((e) => e.id)).toEqual(['early', 'late']);
  });

  it('sounds one siren for alerts that land together', () => {
    const { center, platform, clock } = setup();
    center.emergencyUpdated(emergency({ id: 'e-1' }));
    center.emergencyUpdated(emergency({ id: 'e-2' }));
    clock.advance(1_000);
    center.emergencyUpdated(emergency({ id: 'e-3' }));
    expect(platform.recordsOf('siren.play')).toHaveLength(1);
    clock.advance(1_000);
    center.emergencyUpdated(emergency({ id: 'e-4' }));
    expect(platform.recordsOf('siren.play')).toHaveLength(2);
    expect(alertsOf(platform, 'e-3')).toHaveLength(1);
  });

  it('alerts through do-not-disturb and a focused window', () => {
    const { center, platform, visibleSessions } = setup({ focused: true, preferences: { doNotDisturb: true } });
    visibleSessions.add('es-1');
    center.emergencyUpdated(emergency());
    expect(alertsOf(platform)).toHaveLength(1);
    expect(platform.recordsOf('siren.play')).toHaveLength(1);
    center.messageReceived(message({ sessionId: 's-5' }));
    expect(platform.visibleNotifications().map((n) => n.id)).toEqual(['emergency:e-1']);
  });

  it('opens the emergency when its notification is clicked', () => {
    const { center, platform } = setup();
    center.emergencyUpdated(emergency());
    platform.click('emergency:e-1');
    expect(platform.isWindowFocused()).toBe(true);
    expect(platform.rendererEvents('alerts.activate')).toEqual([{ kind: 'emergency', emergencyId: 'e-1', sessionId: 'es-1' }]);
  });

  it('ignores handling of an emergency it never alerted', () => {
    const { center, platform } = setup();
    const before = platform.records.length;
    center.emergencyHandled('e-unknown');
    center.emergencyUpdated(emergency({ id: 'e-other', state: 'resolved' }));
    expect(platform.records.length).toBe(before);
  });

  it('reconciles with a full list after a reconnect: missing ones are handled, new ones alert', () => {
    const { center, platform } = setup();
    center.emergencyUpdated(emergency({ id: 'e-1' }));
    center.emergencyUpdated(emergency({ id: 'e-2' }));
    center.syncEmergencies([emergency({ id: 'e-2' }), emergency({ id: 'e-3' })]);
    expect(center.openEmergencies().map((e) => e.id)).toEqual(['e-2', 'e-3']);
    expect(platform.visibleNotifications().map((n) => n.id)).toEqual(['emergency:e-2', 'emergency:e-3']);
    expect(alertsOf(platform, 'e-2')).toHaveLength(1);
    expect(platform.badgeCount()).toBe(2);
  });

  it('refuses a bad emergency and a bad list without changing anything', () => {
    const { center } = setup();
    center.emergencyUpdated(emergency({ id: 'e-1' }));
    expect(() => center.emergencyUpdated(emergency({ state: 'lost' as never }))).toThrow(/unknown emergency state "lost"/);
    expect(() => center.emergencyUpdated(emergency({ escalationLevel: -1 }))).toThrow(/escalationLevel/);
    expect(() => center.emergencyUpdated(emergency({ createdAt: 'yesterday' }))).toThrow(/createdAt must be an ISO timestamp/);
    expect(() => center.syncEmergencies([emergency({ id: 'e-9' }), emergency({ id: '' })])).toThrow(/emergency id/);
    expect(center.openEmergencies().map((e) => e.id)).toEqual(['e-1']);
  });
});

describe('AlertCenter: badge', () => {
  it('is unread messages plus open emergencies, and is only pushed when it changes', () => {
    const { center, platform } = setup();
    center.setUnreadCount(3);
    center.emergencyUpdated(emergency({ id: 'e-1' }));
    center.emergencyUpdated(emergency({ id: 'e-2' }));
    expect(platform.badgeCount()).toBe(5);
    expect(center.badgeCount()).toBe(5);
    center.setUnreadCount(1);
    expect(platform.badgeCount()).toBe(3);
    center.emergencyHandled('e-1');
    expect(platform.badgeCount()).toBe(2);
    center.setUnreadCount(1);
    center.emergencyUpdated(emergency({ id: 'e-2', clientName: 'Omar K.' }));
    expect(platform.recordsOf('badge').map((record) => record.count)).toEqual([0, 3, 4, 5, 3, 2]);
    center.emergencyUpdated(emergency({ id: 'e-2', state: 'accepted' }));
    center.setUnreadCount(0);
    expect(platform.badgeCount()).toBe(0);
  });

  it('refuses a negative or fractional unread count', () => {
    const { center, platform } = setup();
    expect(() => center.setUnreadCount(-1)).toThrow(/non-negative integer/);
    expect(() => center.setUnreadCount(2.5)).toThrow(/non-negative integer/);
    expect(platform.badgeCount()).toBe(0);
  });
});

describe('AlertCenter: dispose', () => {
  it('stops every timer and the siren and takes everything off screen', () => {
    const { center, platform, clock } = setup();
    center.setUnreadCount(4);
    center.messageReceived(message({ sessionId: 's-1' }));
    center.messageReceived(message({ sessionId: 's-1' }));
    center.emergencyUpdated(emergency({ id: 'e-1' }));
    center.emergencyUpdated(emergency({ id: 'e-2' }));
    expect(clock.pendingTimers()).toBe(3);

    center.dispose();
    expect(clock.pendingTimers()).toBe(0);
    expect(platform.isSirenPlaying()).toBe(false);
    expect(platform.isFlashing()).toBe(false);
    expect(platform.visibleNotifications()).toEqual([]);
    expect(platform.badgeCount()).toBe(0);
    expect(platform.rendererEvents('alerts.emergencies').at(-1)).toEqual({ emergencies: [], changedId: null, reason: 'cleared' });

    const recorded = platform.records.length;
    clock.advance(600_000);
    center.messageReceived(message());
    center.emergencyUpdated(emergency({ id: 'e-3' }));
    center.setUnreadCount(9);
    center.dispose();
    expect(platform.records.length).toBe(recorded);
  });

  it('leaves nothing to stop when nothing was alerting', () => {
    const { center, platform } = setup();
    center.dispose();
    expect(platform.records.map((record) => record.kind)).toEqual(['badge']);
  });
});
