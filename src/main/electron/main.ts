import path from 'node:path';
import { app, dialog, Menu, net, powerMonitor, session, shell, type BrowserWindow } from 'electron';
import type { Backend } from '../backend/backend-port';
import { createBackend } from '../backend/create-backend';
import { createConsoleCore } from '../core/console-core';
import { saveCsvWithDialog } from './csv-save-dialog';
import { backendConfigFromEnvironment, backendIdentity } from '../core/backend-config';
import { MEDIA_PROTOCOL } from '../security/content-security-policy';
import { isOpenableExternalUrl } from '../security/url-policy';
import { APP_ID, NEW_WINDOW_SWITCH } from './app-identity';
import { handleAppProtocol, handleMediaProtocol, registerPrivilegedSchemes } from './app-protocol';
import { ConsoleWindows } from './console-windows';
import { ElectronAlertPlatform } from './electron-alert-platform';
import { applyPermissionPolicy, hardenWebContents } from './hardening';
import { registerInvokeHandler } from './ipc-bridge';
import { openLoadingWindow } from './loading-window';
import { checkSqliteLoads, selectSqliteAddon, sqliteAddonPath } from './native-sqlite';
import { safeStorageSecrets } from './safe-storage-secrets';
import { KeptSignIns } from '../core/kept-sign-in';
import { ConsoleTray, trayImage } from './tray';
import { powerMonitorActivity } from './presence-activity';
import { withDeadline } from '../core/deadline';
import { startConsoleBackend, type StartingBackend } from '../core/console-startup';

// The Electron shell stays thin: windows, IPC registration, protocol, tray. Behaviour lives in the core.
//
// Electron's order matters here. Before `ready`, only what Electron allows or requires then: the
// AppUserModelID, the single-instance lock, privileged schemes, and event listeners. Sessions, protocol
// handlers, windows, the tray and safeStorage exist only once the app is ready, so everything else runs
// in `whenReady`. Nothing awaits `whenReady` at the top level: Electron emits `ready` only after this
// module has finished evaluating.

/** How long quitting waits for the windows' sessions and the backend to close before giving up on them. */
const SHUTDOWN_DEADLINE_MS = 20_000;
/**
 * Quitting while the backend still starts (the window is open meanwhile) first lets that start finish, for at most
 * this long: stopping half-started PGlite would lose its files, and a first start applies every migration.
 */
const START_WAIT_DEADLINE_MS = 120_000;

const log = (level: 'info' | 'warn' | 'error', message: string, detail?: unknown) =>
  detail === undefined ? console[level](message) : console[level](message, detail);

// Windows shows toasts only for a process whose AppUserModelID matches its Start-menu shortcut's.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);

if (!app.requestSingleInstanceLock({ newWindow: process.argv.includes(NEW_WINDOW_SWITCH) })) {
  // Another console runs with this profile: it opens or focuses a window (`second-instance`); this one leaves.
  app.quit();
} else {
  runConsole();
}

function runConsole(): void {
  registerPrivilegedSchemes();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));

  const layout = { isPackaged: app.isPackaged, appPath: app.getAppPath(), resourcesPath: process.resourcesPath };
  const resources = layout.isPackaged ? layout.resourcesPath : path.join(layout.appPath, 'resources');
  const iconPath = path.join(resources, 'icon.png');
  const rendererDir = path.join(layout.appPath, 'out/renderer');
  const preloadPath = path.join(layout.appPath, 'out/preload/index.cjs');

  let backend: Backend | null = null;
  let backendStarting: Promise<void> | null = null;
  let starting: StartingBackend | null = null;
  // The sign-in kept across restarts (with the tokens, encrypted with the OS keyring); made once the app is ready.
  let keptSignIn: KeptSignIns | null = null;
  let loadingWindow: BrowserWindow | null = null;
  let tray: ConsoleTray | null = null;
  let connectivityTimer: ReturnType<typeof setInterval> | null = null;
  let quitting = false;
  let startFailed = false;

  const windows = new ConsoleWindows({
    preloadPath,
    iconPath,
    log,
    createCore: (mediaKey, window) =>
      createConsoleCore({
        mediaBaseUrl: `${MEDIA_PROTOCOL}://${mediaKey}/`,
        shell: 'electron',
        appName: app.getName(),
        version: app.getVersion(),
        // Windows open once the start has begun (console-startup.ts): the sign-in form is drawn while it opens.
        backend: starting!,
        dataDir: dataDir(),
        ...(keptSignIn ? { keptSignIn } : {}),
        createAlertPlatform: (emitToRenderer) =>
          new ElectronAlertPlatform({
            window,
            tray: () => tray,
            emitToRenderer,
            iconPath,
            log: (level, message, detail) => log(level, message, detail),
          }),
        openExternal: async (url) => {
          if (!isOpenableExternalUrl(url)) return false;
          await shell.openExternal(url);
          return true;
        },
        // Presence follows the OS: idle time, screen lock, sleep. Windows open only once the app is ready.
        createActivitySource: () => powerMonitorActivity(powerMonitor),
        saveCsv: (fileName, csv) => saveCsvWithDialog(window(), fileName, csv),
        log,
      }),
  });

  function dataDir(): string {
    return path.join(app.getPath('userData'), 'data');
  }

  const closeLoadingWindow = () => {
    const closing = loadingWindow;
    loadingWindow = null;
    // Closing the loading window must never keep the console window from showing.
    try {
      if (closing && !closing.isDestroyed()) closing.close();
    } catch (error) {
      log('warn', 'The loading window could not be closed', error);
    }
  };

  const openConsoleWindow = () => windows.open(closeLoadingWindow);

  const showConsole = () => {
    if (windows.showMostRecent()) return;
    if (loadingWindow && !loadingWindow.isDestroyed()) loadingWindow.focus();
    else if (app.isReady() && starting && !quitting) openConsoleWindow();
  };

  app.on('second-instance', (_event, _argv, _cwd, additionalData) => {
    const wantsNewWindow = (additionalData as { newWindow?: unknown } | undefined)?.newWindow === true;
    if (wantsNewWindow && starting && !quitting) openConsoleWindow();
    else showConsole();
  });

  async function start(): Promise<void> {
    applyPermissionPolicy(session.defaultSession);
    handleAppProtocol(rendererDir);
    handleMediaProtocol((key) => windows.coreForMediaKey(key));
    registerInvokeHandler((contents) => windows.coreFor(contents));
    loadingWindow = openLoadingWindow(iconPath, (message, error) => log('warn', message, error));

    const selected = selectSqliteAddon(layout);
    checkSqliteLoads(selected, sqliteAddonPath(layout), (message) => log('error', message));

    const userData = app.getPath('userData');
    const config = backendConfigFromEnvironment(process.env, dataDir());
    const secrets = safeStorageSecrets(userData, (level, message) => log(level, message));
    keptSignIn = new KeptSignIns(secrets, backendIdentity(config));
    // The start-up order both shells share: the backend opens, and the console window shows the sign-in form meanwhile.
    starting = startConsoleBackend({
      kind: config.kind,
      dataDir: dataDir(),
      open: async () => {
        const created = await createBackend(config, {
          supabaseDir: layout.isPackaged ? path.join(layout.resourcesPath, 'supabase') : path.join(layout.appPath, 'supabase'),
          secretStore: secrets,
          log: (message) => log('info', message),
        });
        backend = created;
        await created.start();
        return created;
      },
    });
    backendStarting = starting.ready.then(() => {});
    openConsoleWindow();
    tray = new ConsoleTray(trayImage(resources), { show: showConsole, newWindow: openConsoleWindow });
    let started: Backend;
    try {
      started = await starting.ready;
    } finally {
      backendStarting = null;
    }
    // The loading window was closed (or Quit chosen) while the backend started: the quit sequence owns it now.
    if (quitting) return;
    // As `supabase start` prints them: the clients' app, the simulator or a script can use the embedded backend too.
    if (started.api) {
      log('info', `Local Supabase API: ${started.api.url}`);
      log('info', `anon key: ${started.api.anonKey}`);
    }

    // Token refresh and the outbox pause while the machine sleeps.
    powerMonitor.on('suspend', () => started.setPowerState?.(false));
    powerMonitor.on('resume', () => started.setPowerState?.(true));
    connectivityTimer = setInterval(() => {
      for (const core of windows.cores()) core.setOnline(net.isOnline());
    }, 5_000);

    // The OS's own "New window" entries: the dock menu on macOS, the taskbar's jump list on Windows (a second
    // launch with --new-window, handed to this instance by the single-instance lock).
    if (process.platform === 'darwin') app.dock?.setMenu(Menu.buildFromTemplate([{ label: 'New Window', click: openConsoleWindow }]));
    if (process.platform === 'win32') {
      app.setUserTasks([
        {
          program: process.execPath,
          arguments: layout.isPackaged ? NEW_WINDOW_SWITCH : `"${layout.appPath}" ${NEW_WINDOW_SWITCH}`,
          iconPath: process.execPath,
          iconIndex: 0,
          title: 'New window',
          description: 'Open another console window',
        },
      ]);
    }
    app.on('activate', () => {
      if (windows.count === 0 && !quitting) openConsoleWindow();
    });
  }

  /** The backend could not start (or the shell around it could not be set up): say so, and leave with status 1. */
  async function failStart(error: unknown): Promise<void> {
    // Quit was chosen while starting: the quit sequence closes what there is and exits.
    if (quitting) return;
    startFailed = true;
    log('error', 'The console could not start', error);
    const detail = error instanceof Error ? error.message : String(error);
    dialog.showErrorBox(
      'SAMIA TAROT Console could not start',
      `The console could not start its backend, so it will close.\nتعذّر تشغيل وحدة التحكم، وستُغلق الآن.\n\n${detail}\n\nData folder: ${dataDir()}`,
    );
    // Whatever the half-started backend holds is released, but never at the price of a process that stays
    // behind without a window (it would keep the single-instance lock and silence every later launch).
    const outcome = await withDeadline(stopBackend(), SHUTDOWN_DEADLINE_MS).catch((stopError: unknown) => {
      log('error', 'Closing the half-started backend failed', stopError);
      return 'failed' as const;
    });
    if (outcome === 'timed out') log('error', 'Closing the half-started backend did not finish in time.');
    app.exit(1);
  }

  async function stopBackend(): Promise<void> {
    // A start still under way is awaited first: stopping half-started PGlite would lose its files.
    await backendStarting?.catch(() => {});
    await backend?.stop();
  }

  /** Everything that must close cleanly before the process ends: each window's local store, then the backend. */
  async function shutDown(): Promise<void> {
    if (connectivityTimer) clearInterval(connectivityTimer);
    tray?.destroy();
    await windows.disposed();
    await stopBackend();
  }

  app.on('window-all-closed', () => {
    // A failed start exits through its own dialog; macOS apps stay in the dock until Quit.
    if (startFailed || quitting) return;
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('before-quit', () => {
    quitting = true;
  });

  // Electron ends the process right after `will-quit` unless it is prevented, and PGlite and SQLite would close
  // uncleanly: hold the quit, close everything, then exit.
  let exiting: Promise<void> | null = null;
  app.on('will-quit', (event) => {
    event.preventDefault();
    quitting = true;
    const startFinished = backendStarting ? withDeadline(backendStarting.catch(() => {}), START_WAIT_DEADLINE_MS) : Promise.resolve();
    exiting ??= startFinished.then(() => withDeadline(shutDown(), SHUTDOWN_DEADLINE_MS)).then(
      (outcome) => {
        if (outcome === 'timed out') log('error', `Quitting: the backend did not close within ${SHUTDOWN_DEADLINE_MS / 1000} s; leaving anyway.`);
        app.exit(outcome === 'done' ? 0 : 1);
      },
      (error: unknown) => {
        log('error', 'Quitting: closing the backend failed', error);
        app.exit(1);
      },
    );
  });

  void app
    .whenReady()
    .then(start)
    .catch((error: unknown) => failStart(error))
    .catch((error: unknown) => {
      log('error', 'The console could not report its failed start', error);
      app.exit(1);
    });
}

