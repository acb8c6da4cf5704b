import { describe, expect, it } from 'vitest';
import type { AlertRendererEventName, AlertRendererEvents } from '../../../src/main/alerts';
import { HeadlessAlertPlatform } from '../../../src/main/alerts/headless-alert-platform';
import { FakeClock } from './fake-clock';

describe('HeadlessAlertPlatform', () => {
  it('records every request with the time it was made and keeps the resulting state', () => {
    const clock = new FakeClock();
    const start = clock.now();
    const platform = new HeadlessAlertPlatform({ now: () => clock.now() });
    platform.showNotification({ id: 'a', title: 'T', body: 'B', urgency: 'normal', silent: false });
    clock.advance(1_500);
    platform.showNotification({ id: 'a', title: 'T2', body: 'B2', urgency: 'normal', silent: true });
    platform.playSiren();
    platform.setFrameFlashing(true);
    platform.setBadgeCount(7);
    clock.advance(500);
    platform.closeNotification('a');
    platform.closeNotification('never-shown');
    platform.stopSiren();

    expect(platform.records.map((r) => [r.kind, r.at - start])).toEqual([
      ['notification.show', 0],
      ['notification.show', 1_500],
      ['siren.play', 1_500],
      ['frame.flash', 1_500],
      ['badge', 1_500],
      ['notification.close', 2_000],
      ['notification.close', 2_000],
      ['siren.stop', 2_000],
    ]);
    expect(platform.recordsOf('notification.show').map((r) => r.replaced)).toEqual([false, true]);
    expect(platform.recordsOf('notification.close').map((r) => r.wasShown)).toEqual([true, false]);
    expect(platform.visibleNotifications()).toEqual([]);
    expect(platform.badgeCount()).toBe(7);
    expect(platform.isFlashing()).toBe(true);
    expect(platform.isSirenPlaying()).toBe(false);
  });

  it('records message attention, sounds and badge changes as the OS would get them, and forwards sounds to the page', () => {
    const forwarded: [AlertRendererEventName, unknown][] = [];
    const platform = new HeadlessAlertPlatform({ emitToRenderer: (name, payload) => forwarded.push([name, payload]) });
    platform.requestAttention();
    platform.playSound('pulse', 60);
    platform.setBadgeCount(3);
    platform.setBadgeCount(0);
    expect(platform.records.map(({ at: _at, ...rest }) => rest)).toEqual([
      { kind: 'frame.attention' },
      { kind: 'sound', sound: 'pulse', volume: 60 },
      { kind: 'badge', count: 3 },
      { kind: 'badge', count: 0 },
    ]);
    expect(platform.badgeCount()).toBe(0);
    // A message flash ends by itself: it is not the emergency flashing state.
    expect(platform.isFlashing()).toBe(false);
    expect(forwarded).toEqual([['alerts.sound', { sound: 'pulse', volume: 60 }]]);
  });

  it('runs the click handler of a notification on screen and refuses one that is not', () => {
    const platform = new HeadlessAlertPlatform();
    let clicks = 0;
    platform.showNotification({ id: 'a', title: 'T', body: 'B', urgency: 'critical', silent: false, onClick: () => clicks++ });
    expect(JSON.stringify(platform.records)).not.toContain('onClick');
    platform.click('a');
    expect(clicks).toBe(1);
    expect(() => platform.click('a')).toThrow(/No notification "a" is on screen/);
  });

  it('forwards renderer events so the web shell page still gets the modal, siren and clicks', () => {
    const forwarded: [AlertRendererEventName, unknown][] = [];
    const platform = new HeadlessAlertPlatform({
      emitToRenderer: <K extends AlertRendererEventName>(name: K, payload: AlertRendererEvents[K]) => forwarded.push([name, payload]),
    });
    platform.emitToRenderer('alerts.siren', { action: 'play', sound: 'siren' });
    platform.emitToRenderer('alerts.activate', { kind: 'inbox' });
    expect(forwarded).toEqual([
      ['alerts.siren', { action: 'play', sound: 'siren' }],
      ['alerts.activate', { kind: 'inbox' }],
    ]);
    expect(platform.rendererEvents('alerts.siren')).toEqual([{ action: 'play', sound: 'siren' }]);
  });

  it('reports focus as the shell or a test sets it, and focusWindow focuses', () => {
    const platform = new HeadlessAlertPlatform({ focused: true });
    expect(platform.isWindowFocused()).toBe(true);
    platform.setWindowFocused(false);
    expect(platform.isWindowFocused()).toBe(false);
    platform.focusWindow();
    expect(platform.isWindowFocused()).toBe(true);
    platform.clearRecords();
    expect(platform.records).toEqual([]);
  });
});
