import path from 'node:path';
import { app, BrowserWindow, net, powerMonitor, shell, type WebContents } from 'electron';
import type { Backend } from '../backend/backend-port';
import { createBackend } from '../backend/create-backend';
import { safeStorageSecrets } from './safe-storage-secrets';
import { ElectronAlertPlatform } from './electron-alert-platform';
import { createConsoleCore, type ConsoleCore } from '../core/console-core';
import { backendConfigFromEnvironment } from '../core/backend-config';
import { APP_ORIGIN, MEDIA_PROTOCOL } from '../security/content-security-policy';
import { isOpenableExternalUrl } from '../security/url-policy';
import { handleAppProtocol, handleMediaProtocol, registerPrivilegedSchemes } from './app-protocol';
import { randomBytes } from 'node:crypto';
import { hardenWebContents } from './hardening';
import { bridgeWindow, registerInvokeHandler } from './ipc-bridge';
import { ConsoleTray } from './tray';
import { mainWindowOptions } from './window-options';

// The Electron shell stays thin: windows, IPC registration, protocol, tray. Behaviour lives in the core.

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  registerPrivilegedSchemes();
  hardenWebContents();

  const resources = app.isPackaged ? process.resourcesPath : path.join(app.getAppPath(), 'resources');
  const iconPath = path.join(resources, 'icon.png');
  const rendererDir = path.join(app.getAppPath(), 'out/renderer');
  const preloadPath = path.join(app.getAppPath(), 'out/preload/index.cjs');
  const cores = new Map<number, ConsoleCore>();
  let mainWindow: BrowserWindow | null = null;
  let tray: ConsoleTray | null = null;
  const dataDir = path.join(app.getPath('userData'), 'data');
  const backend: Backend = createBackend(backendConfigFromEnvironment(process.env, dataDir), {
    supabaseDir: app.isPackaged ? path.join(process.resourcesPath, 'supabase') : path.join(app.getAppPath(), 'supabase'),
    secretStore: safeStorageSecrets(app.getPath('userData')),
    log: (message) => console.info(message),
  });

  const mediaKeys = new Map<string, ConsoleCore>();
  const createCore = (mediaKey: string) =>
    createConsoleCore({
      mediaBaseUrl: `${MEDIA_PROTOCOL}://${mediaKey}/`,
      shell: 'electron',
      appName: app.getName(),
      version: app.getVersion(),
      backend,
      dataDir,
      createAlertPlatform: (emitToRenderer) =>
        new ElectronAlertPlatform({
          window: () => mainWindow,
          tray: () => tray,
          emitToRenderer,
          iconPath,
          log: (level, message) => console[level](message),
        }),
      openExternal: async (url) => {
        if (!isOpenableExternalUrl(url)) return false;
        await shell.openExternal(url);
        return true;
      },
      log: (level, message, detail) => console[level](message, detail ?? ''),
    });

  const createWindow = () => {
    const win = new BrowserWindow(mainWindowOptions(preloadPath, iconPath));
    const contents: WebContents = win.webContents;
    const mediaKey = randomBytes(18).toString('hex');
    const core = createCore(mediaKey);
    cores.set(contents.id, core);
    mediaKeys.set(mediaKey, core);
    const detach = bridgeWindow(contents, core);
    win.once('ready-to-show', () => win.show());
    win.on('closed', () => {
      detach();
      cores.delete(contents.id);
      mediaKeys.delete(mediaKey);
      void core.dispose();
      if (mainWindow === win) mainWindow = null;
    });
    void win.loadURL(`${APP_ORIGIN}/index.html`);
    return win;
  };

  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });

  void app.whenReady().then(async () => {
    await backend.start();
    // Token refresh and the outbox pause while the machine sleeps or the network is gone.
    powerMonitor.on('suspend', () => backend.setPowerState?.(false));
    powerMonitor.on('resume', () => backend.setPowerState?.(true));
    const reportConnectivity = () => {
      for (const core of cores.values()) core.setOnline(net.isOnline());
    };
    setInterval(reportConnectivity, 5_000).unref();
    handleAppProtocol(rendererDir);
    handleMediaProtocol((key) => mediaKeys.get(key));
    registerInvokeHandler((contents) => cores.get(contents.id));
    mainWindow = createWindow();
    tray = new ConsoleTray(path.join(resources, 'tray.png'), () => mainWindow);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => {
    tray?.destroy();
    void backend.stop();
  });
}
