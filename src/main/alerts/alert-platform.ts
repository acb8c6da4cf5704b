/**
 * What the operating system (or the shell standing in for it) can do to get a person's attention.
 * The policy of when to do it lives in AlertCenter; implementations of this port stay dumb so the
 * Electron one can be thin and the headless one can record exactly what the policy asked for.
 */

export type AlertUrgency = 'normal' | 'critical';

export interface AlertNotification {
  /** Stable per subject (`message:<session>`, `messages`, `emergency:<id>`); showing an id already on screen replaces it. */
  id: string;
  title: string;
  body: string;
  /** 'critical' is for emergencies only: it stays on screen until dismissed and may bypass the OS's own quiet hours. */
  urgency: AlertUrgency;
  /** True when the OS should not play its notification sound (updates to a notification already shown). */
  silent: boolean;
  onClick?: () => void;
}

export type EmergencyAlertState = 'ringing' | 'accepted' | 'escalated' | 'acknowledged' | 'resolved' | 'cancelled';
/** The states in which an emergency is still waiting for someone and keeps alerting. */
export type OpenEmergencyState = Extract<EmergencyAlertState, 'ringing' | 'escalated'>;

/** One open emergency as the in-app modal shows it. Plain JSON so it can cross IPC unchanged. */
export interface EmergencyView {
  id: string;
  sessionId: string;
  state: OpenEmergencyState;
  escalationLevel: number;
  /** The in-app modal is inside the signed-in console, so it names the client whatever the OS privacy level. */
  clientName: string | null;
  /** ISO timestamps. */
  createdAt: string;
  lastAlertAt: string;
  /** How many times this emergency has alerted (1 on arrival, +1 per repeat or escalation). */
  alertCount: number;
}

/** 'cleared': the alert center was disposed (sign-out, window closed) and the modal must close. */
export type EmergencyModalReason = 'raised' | 'repeated' | 'escalated' | 'updated' | 'handled' | 'cleared';

export interface EmergencyModalState {
  /** Every open emergency, oldest first; an empty list closes the modal. */
  emergencies: EmergencyView[];
  /** The emergency that caused this event, or null when the list was replaced wholesale. */
  changedId: string | null;
  reason: EmergencyModalReason;
}

/** Played by the renderer: Electron's main process has no audio output of its own. Play once, not looping. */
export interface SirenCommand {
  action: 'play' | 'stop';
  sound: 'siren';
}

/** The sounds a message alert can make (files under the renderer's `sounds/`); 'none' plays nothing. */
export const MESSAGE_SOUNDS = ['chime', 'bell', 'pulse', 'none'] as const;
export type MessageSound = (typeof MESSAGE_SOUNDS)[number];
export type PlayableSound = Exclude<MessageSound, 'none'>;

/** Played by the renderer, once, at `volume` percent (0-100). */
export interface SoundCommand {
  sound: PlayableSound;
  volume: number;
}

/** What a click on a notification asks the renderer to open. */
export type AlertActivation =
  | { kind: 'session'; sessionId: string }
  | { kind: 'note'; sessionId: string; messageId: string }
  | { kind: 'emergency'; emergencyId: string; sessionId: string }
  | { kind: 'inbox' };

/** The renderer events alerts need; the core forwards each to the IPC event of the same name. */
export interface AlertRendererEvents {
  'alerts.emergencies': EmergencyModalState;
  'alerts.siren': SirenCommand;
  'alerts.sound': SoundCommand;
  'alerts.activate': AlertActivation;
}
export type AlertRendererEventName = keyof AlertRendererEvents;
export type AlertRendererEmit = <K extends AlertRendererEventName>(name: K, payload: AlertRendererEvents[K]) => void;

export interface AlertPlatform {
  showNotification(notification: AlertNotification): void;
  closeNotification(id: string): void;
  /** Plays the siren once from the start (about two seconds). */
  playSiren(): void;
  stopSiren(): void;
  /** Flashes the window frame / taskbar entry / dock icon; false stops it. For emergencies: keeps on until stopped. */
  setFrameFlashing(flashing: boolean): void;
  /**
   * A new message while the console is not focused: the taskbar entry flashes until the window is focused
   * (Windows, Linux) or the dock icon bounces once (macOS). Milder than setFrameFlashing, and ends by itself.
   */
  requestAttention(): void;
  /** Plays a message alert sound once at `volume` percent (the renderer plays it, as the siren). */
  playSound(sound: PlayableSound, volume: number): void;
  /**
   * The unread count where the OS shows one: dock (macOS), launcher (Linux, Unity), an overlay icon on the
   * taskbar button (Windows, where the badge count does nothing), and the tray. 0 clears it.
   */
  setBadgeCount(count: number): void;
  /**
   * Voice notes waiting for review (staff): shown beside the unread count in the tray's tooltip, as `text`
   * (already in the user's language; empty at zero). Optional: a platform without a tray ignores it.
   */
  setPendingReviews?(count: number, text: string): void;
  isWindowFocused(): boolean;
  /** Brings the console window to the front (a notification was clicked). */
  focusWindow(): void;
  /** Sends an alert event to the console's renderer (the in-app emergency modal, the siren, navigation). */
  emitToRenderer: AlertRendererEmit;
}
