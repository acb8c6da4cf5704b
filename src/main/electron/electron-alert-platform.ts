import { app, nativeImage, Notification, type BrowserWindow, type NativeImage } from 'electron';
import type {
  AlertNotification,
  AlertPlatform,
  AlertRendererEmit,
  AlertRendererEventName,
  AlertRendererEvents,
  PlayableSound,
} from '../alerts/alert-platform';
import { badgeLabel, renderBadgePng } from './badge-overlay';

export interface ElectronAlertPlatformDeps {
  /** The console window; null while it does not exist (before creation, after close). */
  window: () => BrowserWindow | null;
  /** The ConsoleTray (its setBadge shows the count beside and over the tray icon); null until the tray exists. */
  tray: () => { setBadge(count: number): void; setPendingReviews?(text: string): void } | null;
  /** Forwards to the core's IPC event of the same name for this window. */
  emitToRenderer: AlertRendererEmit;
  iconPath?: string;
  log(level: 'warn' | 'error', message: string, detail?: unknown): void;
}

/**
 * The alert port on Electron. The siren is played by the console's own renderer (an `alerts.siren`
 * event; the window's autoplay policy is Electron's default, no gesture required): the main process
 * has no audio output, and the renderer is there whenever there is a console to alert, whereas a
 * hidden audio window would be a second renderer to secure and keep alive for one sound.
 */
export class ElectronAlertPlatform implements AlertPlatform {
  // Electron drops click handlers of notifications that get garbage-collected: keep each until it closes.
  private readonly shown = new Map<string, Notification>();
  private warnedUnsupported = false;
  /** An emergency keeps the frame flashing: a message's flash must not stop it when the window gets focus. */
  private emergencyFlashing = false;
  /** The window a message flash waits on to be focused (then it stops), so one listener is registered per flash. */
  private attentionWindow: BrowserWindow | null = null;
  private readonly overlays = new Map<string, NativeImage>();

  constructor(private readonly deps: ElectronAlertPlatformDeps) {}

  showNotification(alert: AlertNotification): void {
    if (!Notification.isSupported()) {
      if (!this.warnedUnsupported) this.deps.log('warn', 'OS notifications are not supported here; alerts show in the console only.');
      this.warnedUnsupported = true;
      return;
    }
    // No cross-platform "replace by tag" in Electron: close the previous one with this id, then show.
    this.closeNotification(alert.id);
    const critical = alert.urgency === 'critical';
    const notification = new Notification({
      title: alert.title,
      body: alert.body,
      silent: alert.silent,
      urgency: critical ? 'critical' : 'normal',
      timeoutType: critical ? 'never' : 'default',
      ...(this.deps.iconPath ? { icon: this.deps.iconPath } : {}),
    });
    notification.on('click', () => alert.onClick?.());
    notification.on('close', () => {
      if (this.shown.get(alert.id) === notification) this.shown.delete(alert.id);
    });
    notification.on('failed', (_event, error) => this.deps.log('warn', `Notification "${alert.id}" could not be shown`, error));
    this.shown.set(alert.id, notification);
    notification.show();
  }

  closeNotification(id: string): void {
    const notification = this.shown.get(id);
    this.shown.delete(id);
    notification?.close();
  }

  playSiren(): void {
    this.deps.emitToRenderer('alerts.siren', { action: 'play', sound: 'siren' });
  }

  stopSiren(): void {
    this.deps.emitToRenderer('alerts.siren', { action: 'stop', sound: 'siren' });
  }

  playSound(sound: PlayableSound, volume: number): void {
    this.deps.emitToRenderer('alerts.sound', { sound, volume });
  }

  setFrameFlashing(flashing: boolean): void {
    this.emergencyFlashing = flashing;
    const win = this.liveWindow();
    win?.flashFrame(flashing);
  }

  requestAttention(): void {
    // macOS: one bounce of the dock icon ('informational'); flashFrame there bounces until the app is active,
    // which is for emergencies.
    if (process.platform === 'darwin') {
      app.dock?.bounce('informational');
      return;
    }
    const win = this.liveWindow();
    if (!win || win.isFocused()) return;
    win.flashFrame(true);
    if (this.attentionWindow === win) return;
    this.attentionWindow = win;
    // Windows and Linux keep flashing until told to stop: stop once the person is looking (unless an emergency flashes).
    win.once('focus', () => {
      this.attentionWindow = null;
      if (!this.emergencyFlashing && !win.isDestroyed()) win.flashFrame(false);
    });
  }

  setBadgeCount(count: number): void {
    const label = badgeLabel(count);
    this.deps.tray()?.setBadge(count);
    if (process.platform === 'win32') {
      // Windows has no badge count: an overlay icon on the window's taskbar button carries it.
      const win = this.liveWindow();
      if (!win) return;
      if (label === '') win.setOverlayIcon(null, '');
      else win.setOverlayIcon(this.overlayFor(label, count), `${app.getName()}: ${label}`);
      return;
    }
    // macOS: the dock; Linux: the Unity launcher (false where the desktop has none, which is fine: the tray shows it).
    app.setBadgeCount(count);
  }

  setPendingReviews(_count: number, text: string): void {
    this.deps.tray()?.setPendingReviews?.(text);
  }

  isWindowFocused(): boolean {
    const win = this.liveWindow();
    return win !== null && win.isVisible() && win.isFocused();
  }

  focusWindow(): void {
    const win = this.liveWindow();
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  }

  emitToRenderer<K extends AlertRendererEventName>(name: K, payload: AlertRendererEvents[K]): void {
    this.deps.emitToRenderer(name, payload);
  }

  /** One image per label (at most 100), with a 2× representation for high-DPI taskbars. */
  private overlayFor(label: string, count: number): NativeImage {
    let image = this.overlays.get(label);
    if (!image) {
      image = nativeImage.createFromBuffer(renderBadgePng(count, 16), { scaleFactor: 1 });
      image.addRepresentation({ scaleFactor: 2, buffer: renderBadgePng(count, 32) });
      this.overlays.set(label, image);
    }
    return image;
  }

  private liveWindow(): BrowserWindow | null {
    const win = this.deps.window();
    return win && !win.isDestroyed() ? win : null;
  }
}
