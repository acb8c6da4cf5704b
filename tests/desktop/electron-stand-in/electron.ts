/**
 * TEST DOUBLE — stands in for the `electron` module of Electron 41's main process, because the Electron
 * binary cannot be downloaded on these build machines. The desktop test runs the BUILT main
 * bundle (out/main/index.js, or the one inside the packaged app.asar) under plain Node with `electron`
 * resolved to this module (loader-hooks.ts). It enforces Electron's documented lifecycle rules, with
 * Electron's own error messages, so code that would fail in Electron fails here:
 *
 * - before `ready`: `session.defaultSession` / `fromPartition` (and so `protocol.handle`) throw "Session can
 *   only be received when app is ready"; `new BrowserWindow`, `new Tray`, `new Notification` throw; dialogs
 *   other than showErrorBox throw; on Linux `safeStorage.isEncryptionAvailable()` is false and encryptString
 *   throws; `getSelectedStorageBackend()` is 'unknown';
 * - after `ready`: `protocol.registerSchemesAsPrivileged`, `app.enableSandbox` throw;
 * - `ready` is emitted only once the entry module has finished evaluating (a top-level await on
 *   whenReady() never returns);
 * - quit / exit follow shell/browser/browser.cc (see app.ts); the process ends right after 'quit', so work
 *   the app did not await is lost, as in Electron;
 * - destroyed windows and web contents refuse every call; a second ipcMain.handle for a channel throws;
 *   platform-only APIs exist only on their platform;
 * - preloads run as sandboxed preloads (CommonJS in a function wrapper, `require` limited to the sandbox's
 *   modules), contextBridge needs contextIsolation, IPC carries structured clones.
 *
 * Every rule broken is also recorded (report.violations) for the test to show.
 */
import { app } from './app';
import { ipcMain } from './ipc';
import { nativeImage, NativeImage } from './native-image';
import { dialog, net, Notification, powerMonitor, safeStorage, screen, shell } from './platform-services';
import { protocol, session } from './session';
import { Menu, MenuItem, Tray } from './tray-and-menu';
import { BrowserWindow, WebContents } from './windows';

const webContents = {
  getAllWebContents: () => BrowserWindow.getAllWindows().map((win) => win.webContents),
  fromId: (id: number) => BrowserWindow.getAllWindows().find((win) => win.webContents.id === id)?.webContents,
};

/** Renderer-only modules are undefined in the main process, as in Electron. */
const contextBridge = undefined;
const ipcRenderer = undefined;

export {
  app,
  BrowserWindow,
  contextBridge,
  dialog,
  ipcMain,
  ipcRenderer,
  Menu,
  MenuItem,
  nativeImage,
  NativeImage,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  webContents,
  WebContents,
};

export default {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  MenuItem,
  nativeImage,
  net,
  Notification,
  powerMonitor,
  protocol,
  safeStorage,
  screen,
  session,
  shell,
  Tray,
  webContents,
};
