import { beforeEach, describe, expect, it, vi } from 'vitest';

// Test double: the Electron binary is not installed on these machines (DESIGN §7), so 'electron' is
// replaced by a stand-in that records what the platform asks of Notification, app and the window.
const electron = vi.hoisted(() => {
  class FakeNotification {
    static supported = true;
    static created: FakeNotification[] = [];
    static isSupported() {
      return FakeNotification.supported;
    }
    readonly listeners = new Map<string, (...args: unknown[]) => void>();
    shown = false;
    closed = false;
    constructor(readonly options: Record<string, unknown>) {
      FakeNotification.created.push(this);
    }
    on(event: string, listener: (...args: unknown[]) => void) {
      this.listeners.set(event, listener);
      return this;
    }
    show() {
      this.shown = true;
    }
    close() {
      this.closed = true;
      this.listeners.get('close')?.({});
    }
  }
  return { Notification: FakeNotification, app: { setBadgeCount: vi.fn() } };
});
vi.mock('electron', () => electron);

const { ElectronAlertPlatform } = await import('../../../src/main/electron/electron-alert-platform');

function fakeWindow() {
  return {
    destroyed: false,
    minimized: true,
    focused: false,
    visible: true,
    flashFrame: vi.fn(),
    isDestroyed() {
      return this.destroyed;
    },
    isMinimized() {
      return this.minimized;
    },
    isFocused() {
      return this.focused;
    },
    isVisible() {
      return this.visible;
    },
    restore: vi.fn(),
    show: vi.fn(),
    focus: vi.fn(),
  };
}

function setup(options: { tray?: boolean } = {}) {
  const win = fakeWindow();
  const tray = { setBadge: vi.fn() };
  const emitted: [string, unknown][] = [];
  const log = vi.fn();
  const platform = new ElectronAlertPlatform({
    window: () => win as never,
    tray: () => (options.tray === false ? null : tray),
    emitToRenderer: (name, payload) => emitted.push([name, payload]),
    iconPath: '/res/icon.png',
    log,
  });
  return { platform, win, tray, emitted, log };
}

beforeEach(() => {
  electron.Notification.created.length = 0;
  electron.Notification.supported = true;
  electron.app.setBadgeCount.mockClear();
});

describe('ElectronAlertPlatform (against a stand-in for Electron)', () => {
  it('shows emergencies as critical notifications that never time out', () => {
    const { platform } = setup();
    platform.showNotification({ id: 'emergency:e', title: 'T', body: 'B', urgency: 'critical', silent: false });
    platform.showNotification({ id: 'message:s', title: 'T', body: 'B', urgency: 'normal', silent: true });
    const [critical, normal] = electron.Notification.created;
    expect(critical?.options).toEqual({ title: 'T', body: 'B', silent: false, urgency: 'critical', timeoutType: 'never', icon: '/res/icon.png' });
    expect(normal?.options).toMatchObject({ urgency: 'normal', timeoutType: 'default', silent: true });
    expect(critical?.shown && normal?.shown).toBe(true);
  });

  it('replaces a notification with the same id and routes clicks to the newest', () => {
    const { platform } = setup();
    const clicks: string[] = [];
    platform.showNotification({ id: 'x', title: '1', body: '', urgency: 'normal', silent: false, onClick: () => clicks.push('1') });
    platform.showNotification({ id: 'x', title: '2', body: '', urgency: 'normal', silent: true, onClick: () => clicks.push('2') });
    const [first, second] = electron.Notification.created;
    expect(first?.closed).toBe(true);
    second?.listeners.get('click')?.({});
    expect(clicks).toEqual(['2']);
    platform.closeNotification('x');
    expect(second?.closed).toBe(true);
  });

  it('sends the siren to the renderer, which plays it', () => {
    const { platform, emitted } = setup();
    platform.playSiren();
    platform.stopSiren();
    expect(emitted).toEqual([
      ['alerts.siren', { action: 'play', sound: 'siren' }],
      ['alerts.siren', { action: 'stop', sound: 'siren' }],
    ]);
  });

  it('sets the badge through the tray, or on the app before the tray exists', () => {
    const withTray = setup();
    withTray.platform.setBadgeCount(4);
    expect(withTray.tray.setBadge).toHaveBeenCalledWith(4);
    expect(electron.app.setBadgeCount).not.toHaveBeenCalled();
    const withoutTray = setup({ tray: false });
    withoutTray.platform.setBadgeCount(2);
    expect(electron.app.setBadgeCount).toHaveBeenCalledWith(2);
  });

  it('flashes, reports focus and brings the window back, and leaves a destroyed window alone', () => {
    const { platform, win } = setup();
    platform.setFrameFlashing(true);
    expect(win.flashFrame).toHaveBeenCalledWith(true);
    expect(platform.isWindowFocused()).toBe(false);
    win.focused = true;
    expect(platform.isWindowFocused()).toBe(true);
    platform.focusWindow();
    expect(win.restore).toHaveBeenCalled();
    expect(win.focus).toHaveBeenCalled();
    win.destroyed = true;
    platform.setFrameFlashing(false);
    expect(win.flashFrame).toHaveBeenCalledTimes(1);
    expect(platform.isWindowFocused()).toBe(false);
  });

  it('warns once and carries on when the OS has no notifications', () => {
    const { platform, log } = setup();
    electron.Notification.supported = false;
    platform.showNotification({ id: 'a', title: 'T', body: 'B', urgency: 'critical', silent: false });
    platform.showNotification({ id: 'b', title: 'T', body: 'B', urgency: 'critical', silent: false });
    expect(electron.Notification.created).toHaveLength(0);
    expect(log).toHaveBeenCalledTimes(1);
  });
});
