import type {
  AlertNotification,
  AlertPlatform,
  AlertRendererEventName,
  AlertRendererEvents,
  PlayableSound,
} from './alert-platform';

/** One thing the headless platform was asked to do, with the time it was asked (ms since the epoch, per its clock). */
export type AlertRecord =
  | { at: number; kind: 'notification.show'; notification: RecordedNotification; replaced: boolean }
  | { at: number; kind: 'notification.close'; id: string; wasShown: boolean }
  | { at: number; kind: 'siren.play' }
  | { at: number; kind: 'siren.stop' }
  | { at: number; kind: 'frame.flash'; flashing: boolean }
  | { at: number; kind: 'frame.attention' }
  | { at: number; kind: 'sound'; sound: PlayableSound; volume: number }
  | { at: number; kind: 'badge'; count: number }
  | { at: number; kind: 'reviews.pending'; count: number; text: string }
  | { at: number; kind: 'window.focus' }
  | { at: number; kind: 'renderer'; name: AlertRendererEventName; payload: AlertRendererEvents[AlertRendererEventName] };

export type AlertRecordKind = AlertRecord['kind'];
export type RecordedNotification = Omit<AlertNotification, 'onClick'>;

export interface HeadlessAlertPlatformOptions {
  /** Time stamped on each record; tests pass their fake clock's. */
  now?: () => number;
  /** Whether the console counts as focused at start (default false: a page nobody is looking at). */
  focused?: boolean;
  /**
   * Where renderer events go besides the record. The web shell passes its event hub here so the
   * page still gets the emergency modal, the siren and notification clicks, with no OS involved.
   */
  emitToRenderer?: <K extends AlertRendererEventName>(name: K, payload: AlertRendererEvents[K]) => void;
}

/**
 * The alert platform of the web shell and the tests: it never touches the OS, it records every
 * request with a timestamp and keeps the resulting state (what is on screen, badge, flashing, siren)
 * so a test or a page can inspect it.
 */
export class HeadlessAlertPlatform implements AlertPlatform {
  readonly records: AlertRecord[] = [];
  private readonly now: () => number;
  private readonly forward: HeadlessAlertPlatformOptions['emitToRenderer'];
  private readonly visible = new Map<string, AlertNotification>();
  private focused: boolean;
  private badge = 0;
  private pendingReviews = { count: 0, text: '' };
  private flashing = false;
  private sirenPlaying = false;

  constructor(options: HeadlessAlertPlatformOptions = {}) {
    this.now = options.now ?? Date.now;
    this.focused = options.focused ?? false;
    this.forward = options.emitToRenderer;
  }

  showNotification(notification: AlertNotification): void {
    const replaced = this.visible.has(notification.id);
    this.visible.set(notification.id, notification);
    this.records.push({ at: this.now(), kind: 'notification.show', notification: withoutClick(notification), replaced });
  }

  closeNotification(id: string): void {
    const wasShown = this.visible.delete(id);
    this.records.push({ at: this.now(), kind: 'notification.close', id, wasShown });
  }

  // As on Electron, the siren sounds in the page: the web shell's page is the console's renderer.
  playSiren(): void {
    this.sirenPlaying = true;
    this.records.push({ at: this.now(), kind: 'siren.play' });
    this.forward?.('alerts.siren', { action: 'play', sound: 'siren' });
  }

  stopSiren(): void {
    this.sirenPlaying = false;
    this.records.push({ at: this.now(), kind: 'siren.stop' });
    this.forward?.('alerts.siren', { action: 'stop', sound: 'siren' });
  }

  setFrameFlashing(flashing: boolean): void {
    this.flashing = flashing;
    this.records.push({ at: this.now(), kind: 'frame.flash', flashing });
  }

  requestAttention(): void {
    this.records.push({ at: this.now(), kind: 'frame.attention' });
  }

  // Like the siren, the page plays it: the record says what the console asked for, the event makes the sound.
  playSound(sound: PlayableSound, volume: number): void {
    this.records.push({ at: this.now(), kind: 'sound', sound, volume });
    this.forward?.('alerts.sound', { sound, volume });
  }

  setBadgeCount(count: number): void {
    this.badge = count;
    this.records.push({ at: this.now(), kind: 'badge', count });
  }

  setPendingReviews(count: number, text: string): void {
    this.pendingReviews = { count, text };
    this.records.push({ at: this.now(), kind: 'reviews.pending', count, text });
  }

  isWindowFocused(): boolean {
    return this.focused;
  }

  focusWindow(): void {
    this.focused = true;
    this.records.push({ at: this.now(), kind: 'window.focus' });
  }

  emitToRenderer<K extends AlertRendererEventName>(name: K, payload: AlertRendererEvents[K]): void {
    this.records.push({ at: this.now(), kind: 'renderer', name, payload });
    this.forward?.(name, payload);
  }

  // ---- inspection and simulated user actions ----

  /** The web shell reports page focus here; tests use it to stand in for the user switching windows. */
  setWindowFocused(focused: boolean): void {
    this.focused = focused;
  }

  /** Notifications currently on screen (shown and neither closed nor replaced away), oldest first. */
  visibleNotifications(): RecordedNotification[] {
    return [...this.visible.values()].map(withoutClick);
  }

  notification(id: string): RecordedNotification | undefined {
    const shown = this.visible.get(id);
    return shown && withoutClick(shown);
  }

  /** Simulates the user clicking a notification on screen: the OS removes it and the click handler runs. */
  click(id: string): void {
    const shown = this.visible.get(id);
    if (!shown) throw new Error(`No notification "${id}" is on screen to click.`);
    this.visible.delete(id);
    shown.onClick?.();
  }

  /** The voice notes waiting for review as the tray would show them. */
  pendingReviewsState(): { count: number; text: string } {
    return { ...this.pendingReviews };
  }

  badgeCount(): number {
    return this.badge;
  }

  isFlashing(): boolean {
    return this.flashing;
  }

  isSirenPlaying(): boolean {
    return this.sirenPlaying;
  }

  recordsOf<K extends AlertRecordKind>(kind: K): Extract<AlertRecord, { kind: K }>[] {
    return this.records.filter((record): record is Extract<AlertRecord, { kind: K }> => record.kind === kind);
  }

  rendererEvents<K extends AlertRendererEventName>(name: K): AlertRendererEvents[K][] {
    return this.recordsOf('renderer')
      .filter((record) => record.name === name)
      .map((record) => record.payload as AlertRendererEvents[K]);
  }

  /** Forgets the history (not the current state) so a test can look at what happens next only. */
  clearRecords(): void {
    this.records.length = 0;
  }
}

function withoutClick(notification: AlertNotification): RecordedNotification {
  const { onClick: _onClick, ...rest } = notification;
  return rest;
}
