import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app } from './app';
import { invokeMain, makeFrame } from './ipc';
import { ipcMain } from './ipc';
import type { DriverRequest, StandInReply, StandInReport } from './protocol';
import { config, lifecycle, notify, setReportBuilder, state, writeReport } from './runtime';
import { privilegedSchemes, theDefaultSession } from './session';
import { trays } from './tray-and-menu';
import { power, powerMonitor } from './platform-services';
import { allWindows } from './windows';

/**
 * The stand-in Electron *binary*: `node --import register.mjs launch.mjs [app dir] [--switches]`, with
 * STANDIN_EXECUTABLE naming the executable it plays. It decides the app's layout as Electron does
 * (lib/browser/init.ts, default_app): an executable named `electron` runs the app directory given on the
 * command line (not packaged); any other name is a packaged app that loads `resources/app.asar` (or
 * `resources/app` unless the OnlyLoadAppFromAsar fuse is burnt), read from the executable's fuse wire.
 * It sets process.resourcesPath, process.versions.electron and process.exit (= app.exit), loads the
 * package's `main` (an ES module when the package says so), and emits `ready` only once that module has
 * finished evaluating. A driver connected over Node's IPC channel plays the user and the renderer.
 */

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const ONLY_LOAD_APP_FROM_ASAR = 5;

function readFuses(executable: string): string | null {
  try {
    const bytes = readFileSync(executable);
    const at = bytes.indexOf(FUSE_SENTINEL);
    if (at < 0) return null;
    const length = bytes[at + FUSE_SENTINEL.length + 1]!;
    return bytes.subarray(at + FUSE_SENTINEL.length + 2, at + FUSE_SENTINEL.length + 2 + length).toString('latin1');
  } catch {
    return null;
  }
}

function fail(message: string): never {
  console.error(`stand-in electron: ${message}`);
  process.exit(1);
}

const executable = process.env.STANDIN_EXECUTABLE ?? path.join(process.cwd(), 'electron');
const switches = process.argv.slice(2).filter((arg) => arg.startsWith('--'));
const positional = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const switchValue = (name: string) => switches.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
const isPackaged = !/^electron(\.exe)?$/i.test(path.basename(executable));
const resourcesPath =
  config.platform === 'darwin' && isPackaged ? path.resolve(path.dirname(executable), '..', 'Resources') : path.join(path.dirname(executable), 'resources');

let appPath: string;
if (isPackaged) {
  const fuses = readFuses(executable);
  const onlyAsar = fuses?.[ONLY_LOAD_APP_FROM_ASAR] === '1';
  const candidates = onlyAsar ? ['app.asar'] : ['app', 'app.asar'];
  // The test extracts app.asar to a directory of the same name: Node cannot read the archive itself.
  const found = candidates.map((name) => path.join(resourcesPath, name)).find((dir) => existsSync(path.join(dir, 'package.json')));
  if (!found) fail(`Failed to locate a valid package to load (${candidates.join(', ')}) in ${resourcesPath}`);
  appPath = found;
} else {
  const given = positional[0];
  if (!given) fail('usage: electron <app directory>');
  appPath = path.resolve(given);
  if (!existsSync(appPath) || !statSync(appPath).isDirectory()) fail(`Unable to find Electron app at ${appPath}`);
}

const pkg = JSON.parse(readFileSync(path.join(appPath, 'package.json'), 'utf8')) as {
  name?: string;
  productName?: string;
  version?: string;
  main?: string;
  type?: string;
};
const appName = (pkg.productName ?? pkg.name ?? 'Electron').trim();
const defaultAppData =
  config.platform === 'win32'
    ? (process.env.APPDATA ?? path.join(os.homedir(), 'AppData', 'Roaming'))
    : config.platform === 'darwin'
      ? path.join(os.homedir(), 'Library', 'Application Support')
      : (process.env.XDG_CONFIG_HOME ?? path.join(os.homedir(), '.config'));
const userData = switchValue('user-data-dir') ?? path.join(defaultAppData, appName);

state.launch = {
  appPath,
  isPackaged,
  resourcesPath,
  userData: path.resolve(userData),
  appName,
  appVersion: pkg.version ?? '0.0.0',
  reportFile: process.env.STANDIN_REPORT ?? null,
};

if (config.platform !== process.platform) Object.defineProperty(process, 'platform', { value: config.platform });
Object.defineProperty(process, 'resourcesPath', { value: resourcesPath, configurable: true });
Object.defineProperty(process.versions, 'electron', { value: config.electronVersion, enumerable: true });
Object.defineProperty(process, 'type', { value: 'browser', configurable: true });
if (!isPackaged) Object.defineProperty(process, 'defaultApp', { value: true, configurable: true });
process.exit = ((code?: number) => app.exit(code ?? 0)) as typeof process.exit;

// Native addons the app loads (better-sqlite3): Electron's require of a .node file goes through dlopen.
const dlopen = process.dlopen.bind(process);
process.dlopen = ((module: unknown, filename: string, flags?: number) => {
  state.nativeAddons.push(filename);
  return flags === undefined ? dlopen(module as { exports: unknown }, filename) : dlopen(module as { exports: unknown }, filename, flags);
}) as typeof process.dlopen;

// Electron's default for an exception nobody caught in the main process: a dialog, and the app runs on.
const reportUncaught = (error: unknown) => {
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  state.uncaught.push(message);
  console.error(`A JavaScript error occurred in the main process\nUncaught Exception:\n${message}`);
  notify({ event: 'uncaught', message });
};
process.on('uncaughtException', reportUncaught);
process.on('unhandledRejection', reportUncaught);

function report(): StandInReport {
  const ses = theDefaultSession();
  return {
    ready: state.ready,
    platform: config.platform,
    appPath,
    isPackaged,
    resourcesPath,
    userData: state.launch!.userData,
    violations: state.violations,
    calls: state.calls,
    privilegedSchemes,
    handledProtocols: [...ses.protocol.handlers.keys()],
    ipcHandlers: [...ipcMain.handlers.keys()],
    windows: allWindows.map((win) => win.report()),
    trays: trays.map((tray) => ({
      destroyed: tray.isDestroyed(),
      tooltip: tray.tooltip,
      image: { path: tray.image.sourcePath, empty: tray.image.isEmpty(), template: tray.image.isTemplateImage() },
      menu: tray.menu?.items.map((item) => item.label || item.type) ?? [],
    })),
    dialogs: state.dialogs,
    openedExternal: state.openedExternal,
    appUserModelId: state.appUserModelId,
    permissionHandlers: { request: !!ses.permissionRequestHandler, check: !!ses.permissionCheckHandler, device: !!ses.devicePermissionHandler },
    lifecycle: state.lifecycle,
    uncaught: state.uncaught,
    nativeAddons: state.nativeAddons,
    exitCode: state.exitCode,
  };
}
setReportBuilder(report);
process.on('exit', () => writeReport());

const windowById = (id: number) => {
  const win = allWindows.find((candidate) => candidate.id === id);
  if (!win) throw new Error(`stand-in: no window ${id}`);
  return win;
};

const heard = new Map<number, { name: string; payload: unknown }[]>();

async function command(request: DriverRequest): Promise<unknown> {
  switch (request.cmd) {
    case 'state':
      return { ...report(), heard: Object.fromEntries(heard) };
    case 'fetch': {
      const init: RequestInit = { method: request.method ?? 'GET', ...(request.headers ? { headers: request.headers } : {}) };
      const response = await theDefaultSession().protocol.dispatch(request.url, init);
      if (!(response instanceof Response)) return { netError: response.netError };
      const body = Buffer.from(await response.arrayBuffer());
      return { status: response.status, headers: Object.fromEntries(response.headers.entries()), bodyBase64: body.toString('base64') };
    }
    case 'bridge': {
      const win = windowById(request.windowId);
      const world = win.webContents.world;
      const api = world?.mainWorld[request.bridgeKey] as Record<string, (...args: unknown[]) => unknown> | undefined;
      if (!api) throw new Error(`window ${request.windowId} has no window.${request.bridgeKey} (preload: ${JSON.stringify(win.webContents.preload)})`);
      if (request.method === 'on') {
        // The page subscribing to an event: the listener lives here, the driver reads what it heard.
        const name = String(request.args[0]);
        const log = heard.get(win.id) ?? [];
        heard.set(win.id, log);
        api.on!(name, (payload: unknown) => log.push({ name, payload }));
        return null;
      }
      const method = api[request.method];
      if (typeof method !== 'function') throw new Error(`window.${request.bridgeKey}.${request.method} is not a function`);
      return await method(...request.args);
    }
    case 'rawInvoke': {
      const win = windowById(request.windowId);
      const top = win.webContents.mainFrame;
      const frame = request.frame.subframe && top ? makeFrame(request.frame.url, top, win.webContents.id) : makeFrame(request.frame.url, null, win.webContents.id);
      return await invokeMain(win.webContents, frame, request.channel, request.args);
    }
    case 'navigate':
      return { prevented: windowById(request.windowId).webContents.simulateNavigation(request.kind, request.url) };
    case 'attachWebview':
      return { prevented: windowById(request.windowId).webContents.simulateWebviewAttach() };
    case 'windowOpen': {
      const before = state.openedExternal.length;
      const answer = windowById(request.windowId).webContents.simulateWindowOpen(request.url);
      return { action: answer.action, openedExternal: state.openedExternal.slice(before) };
    }
    case 'permissionRequest': {
      const contents = windowById(request.windowId).webContents;
      return await theDefaultSession().requestPermission(contents, request.permission, { requestingUrl: contents.getURL(), isMainFrame: true, ...request.details });
    }
    case 'permissionCheck': {
      const contents = windowById(request.windowId).webContents;
      return theDefaultSession().checkPermission(contents, request.permission, request.requestingOrigin, { isMainFrame: true, requestingUrl: contents.getURL(), ...request.details });
    }
    case 'trayClick': {
      const tray = [...trays].reverse().find((candidate) => !candidate.isDestroyed());
      if (!tray) throw new Error('stand-in: there is no tray');
      if (!request.label) {
        tray.emit('click', {}, {});
        return null;
      }
      const item = tray.menu?.items.find((candidate) => candidate.label === request.label);
      if (!item) throw new Error(`stand-in: the tray menu has no "${request.label}"`);
      item.click();
      return null;
    }
    case 'closeWindow':
      windowById(request.windowId).close();
      return null;
    case 'power': {
      if (request.idleSeconds !== undefined) power.idleSeconds = request.idleSeconds;
      if (request.locked !== undefined) power.locked = request.locked;
      return { emitted: request.emit ? powerMonitor.simulate(request.emit) : null };
    }
    case 'quit':
      app.quit();
      return null;
  }
}

process.on('message', (message: DriverRequest) => {
  void command(message).then(
    (value) => reply({ id: message.id, ok: true, value }),
    (error: unknown) => reply({ id: message.id, ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
const reply = (message: StandInReply) => {
  if (process.connected) process.send?.(message);
};
// The browser's message loop: the process lives until the app quits or exits, whatever else is pending.
setInterval(() => {}, 1 << 30);

const mainFile = path.join(appPath, pkg.main ?? 'index.js');
const esm = (pkg.type === 'module' && !mainFile.endsWith('.cjs')) || mainFile.endsWith('.mjs');
lifecycle('load main');
const loaded = esm ? import(pathToFileURL(mainFile).href) : Promise.resolve().then(() => createRequire(mainFile)(mainFile));
loaded.then(
  () => {
    lifecycle('main evaluated');
    setImmediate(() => {
      app.becomeReady();
      notify({ event: 'ready' });
    });
  },
  (error: unknown) => {
    lifecycle('main failed');
    reportUncaught(error);
    setImmediate(() => {
      app.becomeReady();
      notify({ event: 'ready' });
    });
  },
);
