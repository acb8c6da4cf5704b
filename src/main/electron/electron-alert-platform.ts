import { app, Notification, type BrowserWindow } from 'electron';
import type {
  AlertNotification,
  AlertPlatform,
  AlertRendererEmit,
  AlertRendererEventName,
  AlertRendererEvents,
} from '../alerts/alert-platform';

export interface ElectronAlertPlatformDeps {
  /** The console window; null while it does not exist (before creation, after close). */
  window: () => BrowserWindow | null;
  /** The lead's ConsoleTray (its setBadge also sets the dock/launcher badge); null until the tray exists. */
  tray: () => { setBadge(count: number): void } | null;
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

  setFrameFlashing(flashing: boolean): void {
    const win = this.liveWindow();
    win?.flashFrame(flashing);
  }

  setBadgeCount(count: number): void {
    const tray = this.deps.tray();
    if (tray) tray.setBadge(count);
    else app.setBadgeCount(count);
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

  private liveWindow(): BrowserWindow | null {
    const win = this.deps.window();
    return win && !win.isDestroyed() ? win : null;
  }
}
