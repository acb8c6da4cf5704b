/**
 * The messages between the desktop test (the driver, in its own process) and the stand-in Electron running
 * the built app (tests/desktop/electron-stand-in/launch.ts). The driver acts as the user and as the
 * renderer would: it asks the stand-in to load pages, call the preload's bridge, navigate, ask for
 * permissions, click the tray, quit. Types only: both sides import this file.
 */

export type DriverCommand =
  | { cmd: 'state' }
  | { cmd: 'fetch'; url: string; method?: string; headers?: Record<string, string> }
  /** Calls `window[bridgeKey][method](...args)` in the window's main world, as the page's own script would. */
  | { cmd: 'bridge'; windowId: number; bridgeKey: string; method: string; args: unknown[] }
  /** A compromised renderer sending IPC itself, from a frame the driver describes. */
  | { cmd: 'rawInvoke'; windowId: number; frame: { url: string; subframe: boolean }; channel: string; args: unknown[] }
  | { cmd: 'navigate'; windowId: number; url: string; kind: 'will-navigate' | 'will-redirect' }
  | { cmd: 'attachWebview'; windowId: number }
  | { cmd: 'windowOpen'; windowId: number; url: string }
  | { cmd: 'permissionRequest'; windowId: number; permission: string; details: Record<string, unknown> }
  | { cmd: 'permissionCheck'; windowId: number; permission: string; requestingOrigin: string; details: Record<string, unknown> }
  | { cmd: 'trayClick'; label?: string }
  | { cmd: 'closeWindow'; windowId: number }
  /** The OS's idle time and lock as powerMonitor reports them, and its events (lock-screen: macOS and Windows only). */
  | { cmd: 'power'; idleSeconds?: number; locked?: boolean; emit?: 'lock-screen' | 'unlock-screen' | 'suspend' | 'resume' }
  | { cmd: 'quit' };

export type DriverRequest = DriverCommand & { id: number };

export type StandInReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string };

/** Pushed by the stand-in as things happen, so the driver waits on events rather than on time. */
export type StandInEvent =
  | { event: 'ready' }
  | { event: 'window-created'; windowId: number }
  | { event: 'page-loaded'; windowId: number; url: string }
  | { event: 'window-shown'; windowId: number }
  | { event: 'window-closed'; windowId: number }
  | { event: 'dialog'; title: string; content: string }
  | { event: 'uncaught'; message: string };

export interface WindowReport {
  id: number;
  webContentsId: number;
  url: string;
  visible: boolean;
  destroyed: boolean;
  everShown: boolean;
  options: Record<string, unknown>;
  webPreferences: Record<string, unknown>;
  preload: { path: string; loaded: boolean; error: string | null; exposed: string[] } | null;
  page: {
    status: number;
    headers: Record<string, string>;
    subresources: { url: string; status: number; contentType: string }[];
  } | null;
  hasWindowOpenHandler: boolean;
  /** What the renderer received on each IPC channel (webContents.send), in order. */
  received: { channel: string; args: unknown[] }[];
}

export interface StandInReport {
  ready: boolean;
  platform: string;
  appPath: string;
  isPackaged: boolean;
  resourcesPath: string;
  userData: string;
  /** Electron's rules the app broke (each also threw, or was logged, as Electron would). */
  violations: string[];
  /** Every Electron call that matters to the lifecycle, in order, with whether the app was ready. */
  calls: { api: string; ready: boolean }[];
  privilegedSchemes: { scheme: string; privileges: Record<string, boolean> }[];
  handledProtocols: string[];
  ipcHandlers: string[];
  windows: WindowReport[];
  trays: { destroyed: boolean; tooltip: string; image: { path: string | null; empty: boolean; template: boolean }; menu: string[] }[];
  dialogs: { title: string; content: string }[];
  openedExternal: string[];
  appUserModelId: string | null;
  permissionHandlers: { request: boolean; check: boolean; device: boolean };
  lifecycle: string[];
  uncaught: string[];
  /** better-sqlite3 (or any native addon) files the process loaded. */
  nativeAddons: string[];
  exitCode: number | null;
}
