import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

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
  // Like Electron's: an image from PNG bytes (size read from the header) that takes extra scale representations.
  class FakeNativeImage {
    readonly representations: { scaleFactor: number; width: number; height: number }[] = [];
    constructor(buffer: Buffer, scaleFactor: number) {
      this.addRepresentation({ scaleFactor, buffer });
    }
    addRepresentation(options: { scaleFactor: number; buffer: Buffer }) {
      const png = options.buffer;
      if (png.toString('latin1', 1, 4) !== 'PNG' || png.toString('ascii', 12, 16) !== 'IHDR') throw new Error('not a PNG');
      this.representations.push({ scaleFactor: options.scaleFactor, width: png.readUInt32BE(16), height: png.readUInt32BE(20) });
    }
  }
  const app: { setBadgeCount: ReturnType<typeof vi.fn>; getName: () => string; dock?: { bounce: ReturnType<typeof vi.fn> } } = {
    setBadgeCount: vi.fn(),
    getName: () => 'SAMIA TAROT Console',
  };
  return {
    Notification: FakeNotification,
    app,
    nativeImage: { createFromBuffer: (buffer: Buffer, options: { scaleFactor?: number } = {}) => new FakeNativeImage(buffer, options.scaleFactor ?? 1) },
  };
});
vi.mock('electron', () => electron);

const { ElectronAlertPlatform } = await import('../../../src/main/electron/electron-alert-platform');

function fakeWindow() {
  const focusListeners: (() => void)[] = [];
  return {
    destroyed: false,
    minimized: true,
    focused: false,
    visible: true,
    flashFrame: vi.fn(),
    setOverlayIcon: vi.fn(),
    once(event: string, listener: () => void) {
      if (event === 'focus') focusListeners.push(listener);
      return this;
    },
    /** The user brings the window to the front. */
    gainFocus() {
      this.focused = true;
      for (const listener of focusListeners.splice(0)) listener();
    },
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

const realPlatform = process.platform;
function onPlatform(platform: NodeJS.Platform) {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true });
  // Electron has app.dock on macOS only.
  if (platform === 'darwin') electron.app.dock = { bounce: vi.fn() };
  else delete electron.app.dock;
}

beforeEach(() => {
  electron.Notification.created.length = 0;
  electron.Notification.supported = true;
  electron.app.setBadgeCount.mockClear();
  onPlatform('linux');
});
afterEach(() => onPlatform(realPlatform));

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

  it.each(['darwin', 'linux'] as const)('%s: the unread count is the dock or launcher badge (and the tray), cleared at zero', (os) => {
    onPlatform(os);
    const { platform, tray, win } = setup();
    platform.setBadgeCount(4);
    platform.setBadgeCount(0);
    expect(electron.app.setBadgeCount.mock.calls).toEqual([[4], [0]]);
    expect(tray.setBadge.mock.calls).toEqual([[4], [0]]);
    expect(win.setOverlayIcon).not.toHaveBeenCalled();
    // Before the tray exists the badge is set all the same.
    setup({ tray: false }).platform.setBadgeCount(2);
    expect(electron.app.setBadgeCount).toHaveBeenLastCalledWith(2);
  });

  it('win32: the unread count is an overlay icon drawn with the number (setBadgeCount does nothing there), cleared at zero', () => {
    onPlatform('win32');
    const { platform, tray, win } = setup();
    platform.setBadgeCount(7);
    platform.setBadgeCount(250);
    platform.setBadgeCount(7);
    platform.setBadgeCount(0);
    expect(electron.app.setBadgeCount).not.toHaveBeenCalled();
    expect(tray.setBadge.mock.calls).toEqual([[7], [250], [7], [0]]);
    const calls = win.setOverlayIcon.mock.calls as [{ representations: unknown[] } | null, string][];
    expect(calls.map(([, description]) => description)).toEqual(['SAMIA TAROT Console: 7', 'SAMIA TAROT Console: 99+', 'SAMIA TAROT Console: 7', '']);
    expect(calls[0]![0]!.representations).toEqual([
      { scaleFactor: 1, width: 16, height: 16 },
      { scaleFactor: 2, width: 32, height: 32 },
    ]);
    // The same count reuses its image; zero clears the overlay.
    expect(calls[2]![0]).toBe(calls[0]![0]);
    expect(calls[3]![0]).toBeNull();
  });

  it.each(['win32', 'linux'] as const)('%s: a new message flashes the taskbar entry until the window is focused', (os) => {
    onPlatform(os);
    const { platform, win } = setup();
    platform.requestAttention();
    platform.requestAttention();
    expect(win.flashFrame.mock.calls).toEqual([[true], [true]]);
    win.gainFocus();
    expect(win.flashFrame).toHaveBeenLastCalledWith(false);
    // Focused already: nothing to draw the eye to.
    platform.requestAttention();
    expect(win.flashFrame).toHaveBeenCalledTimes(3);
  });

  it('a message flash stopping on focus leaves an emergency flash alone', () => {
    const { platform, win } = setup();
    platform.setFrameFlashing(true);
    platform.requestAttention();
    win.gainFocus();
    expect(win.flashFrame.mock.calls).toEqual([[true], [true]]);
  });

  it('darwin: a new message bounces the dock once (informational); emergencies use flashFrame', () => {
    onPlatform('darwin');
    const { platform, win } = setup();
    platform.requestAttention();
    expect(electron.app.dock!.bounce).toHaveBeenCalledWith('informational');
    expect(win.flashFrame).not.toHaveBeenCalled();
    platform.setFrameFlashing(true);
    expect(win.flashFrame).toHaveBeenCalledWith(true);
  });

  it('sends message sounds to the renderer, which plays them', () => {
    const { platform, emitted } = setup();
    platform.playSound('bell', 40);
    expect(emitted).toEqual([['alerts.sound', { sound: 'bell', volume: 40 }]]);
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
