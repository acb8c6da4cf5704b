import { EventEmitter } from 'node:events';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { allWindows, BrowserWindow, preventable, windowHooks } from './windows';
import { setQuitRole } from './tray-and-menu';
import { called, config, endProcess, launchFacts, lifecycle, state, violation } from './runtime';

/**
 * Stands in for Electron's `app` with the lifecycle of shell/browser/browser.cc:
 * - `ready` comes once the entry module has finished evaluating (the launcher emits it); `whenReady()`
 *   resolves then. Awaiting it at the top level of an ES module entry therefore never ends, as in Electron.
 * - `quit()`: 'before-quit' (preventable), every window closed ('close' may cancel the quit), then
 *   'will-quit' (preventable: the quit is cancelled and a later `quit()` starts over), then 'quit' and the
 *   process ends, without waiting for anything the app left running. 'window-all-closed' is not emitted
 *   while quitting; without a listener of the app's own, closing the last window quits.
 * - `exit(code)`: windows destroyed without 'close', no 'before-quit' / 'will-quit', 'quit', then the end.
 * - Platform-only APIs exist only on their platform (setAppUserModelId, setUserTasks: Windows; dock: macOS).
 * - The single-instance lock is held per userData folder across processes; a second instance's argv,
 *   working directory and additional data reach the first as 'second-instance'.
 */

const PATH_NAMES = new Set([
  'home', 'appData', 'assets', 'userData', 'sessionData', 'temp', 'exe', 'module', 'desktop', 'documents', 'downloads',
  'music', 'pictures', 'videos', 'recent', 'logs', 'crashDumps',
]);

class App extends EventEmitter {
  private readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private exiting = false;
  private pendingExitCode = 0;
  private paths = new Map<string, string>();
  private lockOwned: { lockFile: string; socketPath: string; server: net.Server } | null = null;
  badgeCount = 0;
  name = '';

  constructor() {
    super();
    this.readyPromise = new Promise((resolve) => {
      this.resolveReady = resolve;
    });
    // lib/browser/init.ts: quit when all windows are closed and the app listens to nothing else.
    this.on('window-all-closed', () => {
      if (this.listenerCount('window-all-closed') === 1) this.quit();
    });
    windowHooks.emitApp = (name, ...args) => {
      this.emit(name, ...args);
    };
    windowHooks.windowGone = () => this.windowGone();
    windowHooks.closeCancelled = () => {
      // A prevented close cancels a quit in progress (Browser::OnWindowCloseCancelled).
      if (state.quitting && !this.exiting) state.quitting = false;
    };
    setQuitRole(() => this.quit());
  }

  /** Called by the launcher once the entry module has been evaluated. */
  becomeReady(): void {
    if (state.shutDown) return;
    this.emit('will-finish-launching');
    mkdirSync(this.getPath('userData'), { recursive: true });
    state.ready = true;
    lifecycle('ready');
    this.resolveReady();
    this.emit('ready', preventable(), {});
  }

  isReady(): boolean {
    return state.ready;
  }

  whenReady(): Promise<void> {
    called('app.whenReady');
    return this.readyPromise;
  }

  get isPackaged(): boolean {
    return launchFacts().isPackaged;
  }

  getAppPath(): string {
    return launchFacts().appPath;
  }

  getName(): string {
    return this.name || launchFacts().appName;
  }

  setName(name: string): void {
    this.name = name;
  }

  getVersion(): string {
    return launchFacts().appVersion;
  }

  getLocale(): string {
    return 'en-US';
  }

  getSystemLocale(): string {
    return 'en-US';
  }

  getPath(name: string): string {
    if (!PATH_NAMES.has(name)) throw violation(`Failed to get '${name}' path`);
    const set = this.paths.get(name);
    if (set) return set;
    const facts = launchFacts();
    switch (name) {
      case 'userData':
        return facts.userData;
      case 'sessionData':
        return this.getPath('userData');
      case 'temp':
        return os.tmpdir();
      case 'home':
        return os.homedir();
      case 'logs':
        return path.join(this.getPath('userData'), 'logs');
      case 'exe':
        return process.execPath;
      case 'appData':
        return path.dirname(facts.userData);
      default:
        return path.join(os.tmpdir(), `stand-in-${name}`);
    }
  }

  setPath(name: string, value: string): void {
    if (!PATH_NAMES.has(name)) throw violation(`Failed to set path: ${name}`);
    if (!path.isAbsolute(value)) throw violation(`Path must be absolute: ${value}`);
    this.paths.set(name, value);
  }

  readonly commandLine = {
    appendSwitch: () => {},
    appendArgument: () => {},
    hasSwitch: (name: string) => process.argv.some((arg) => arg === `--${name}` || arg.startsWith(`--${name}=`)),
    getSwitchValue: (name: string) => process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ?? '',
  };

  enableSandbox(): void {
    called('app.enableSandbox');
    if (state.ready) throw violation('app.enableSandbox() can only be called before app is ready');
  }

  disableHardwareAcceleration(): void {
    called('app.disableHardwareAcceleration');
    if (state.ready) throw violation('app.disableHardwareAcceleration() can only be called before app is ready');
  }

  setBadgeCount(count?: number): boolean {
    this.badgeCount = count ?? 0;
    return config.platform === 'darwin' || config.platform === 'linux';
  }

  getBadgeCount(): number {
    return this.badgeCount;
  }

  focus(): void {}

  hide(): void {}

  relaunch(): void {
    violation('stand-in: app.relaunch is not supported');
  }

  // ── single instance ──

  requestSingleInstanceLock(additionalData?: Record<string, unknown>): boolean {
    called('app.requestSingleInstanceLock');
    if (this.lockOwned) return true;
    const userData = this.getPath('userData');
    mkdirSync(userData, { recursive: true });
    const lockFile = path.join(userData, 'StandInSingletonLock');
    const hash = createHash('sha256').update(path.resolve(userData)).digest('hex').slice(0, 16);
    const socketPath = process.platform === 'win32' ? `\\\\.\\pipe\\stand-in-singleton-${hash}` : path.join(os.tmpdir(), `stand-in-singleton-${hash}.sock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
        const server = net.createServer((socket) => {
          let text = '';
          socket.setEncoding('utf8');
          socket.on('data', (chunk: string) => (text += chunk));
          socket.on('end', () => {
            const message = JSON.parse(text) as { argv: string[]; cwd: string; additionalData: unknown };
            if (!state.shutDown) this.emit('second-instance', preventable(), message.argv, message.cwd, message.additionalData);
            socket.end();
          });
        });
        if (process.platform !== 'win32') rmSync(socketPath, { force: true });
        server.listen(socketPath);
        server.unref();
        this.lockOwned = { lockFile, socketPath, server };
        process.on('exit', () => this.releaseSingleInstanceLock());
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const owner = Number(readFileSync(lockFile, 'utf8'));
        if (owner && owner !== process.pid && isAlive(owner)) {
          // Chromium's process singleton hands the command line to the first instance before returning.
          const message = JSON.stringify({ argv: process.argv, cwd: process.cwd(), additionalData: additionalData ?? {} });
          const script = "const s=require('net').connect(process.argv[1],()=>s.end(process.argv[2]));s.on('error',()=>process.exit(1));s.on('close',()=>process.exit(0));";
          spawnSync(process.execPath, ['-e', script, socketPath, message], { stdio: 'ignore' });
          return false;
        }
        unlinkSync(lockFile);
      }
    }
    return false;
  }

  hasSingleInstanceLock(): boolean {
    return this.lockOwned !== null;
  }

  releaseSingleInstanceLock(): void {
    const owned = this.lockOwned;
    if (!owned) return;
    this.lockOwned = null;
    owned.server.close();
    rmSync(owned.lockFile, { force: true });
    if (process.platform !== 'win32') rmSync(owned.socketPath, { force: true });
  }

  // ── quitting ──

  quit(): void {
    called('app.quit');
    lifecycle('app.quit()');
    if (state.quitting || state.shutDown) return;
    const event = preventable();
    this.emit('before-quit', event);
    lifecycle('before-quit');
    if (event.defaultPrevented) return;
    state.quitting = true;
    const open = BrowserWindow.getAllWindows();
    if (open.length === 0) this.notifyAndShutdown();
    else for (const win of open) win.close();
  }

  exit(code = 0): void {
    called('app.exit');
    lifecycle(`app.exit(${code})`);
    if (state.shutDown) return;
    if (!state.ready) endProcess(code);
    this.exiting = true;
    state.quitting = true;
    this.pendingExitCode = code;
    const open = BrowserWindow.getAllWindows();
    if (open.length === 0) this.shutdown(code);
    else for (const win of open) win.destroy();
  }

  private windowGone(): void {
    if (BrowserWindow.getAllWindows().length > 0 || state.shutDown) return;
    if (this.exiting) this.shutdown(this.pendingExitCode);
    else if (state.quitting) this.notifyAndShutdown();
    else {
      lifecycle('window-all-closed');
      this.emit('window-all-closed', preventable());
    }
  }

  private notifyAndShutdown(): void {
    if (state.shutDown) return;
    const event = preventable();
    this.emit('will-quit', event);
    lifecycle('will-quit');
    if (event.defaultPrevented) {
      state.quitting = false;
      return;
    }
    this.shutdown(0);
  }

  /** Browser::Shutdown: 'quit', then the message loop ends after the task that got here; nothing later runs. */
  private shutdown(code: number): void {
    if (state.shutDown) return;
    lifecycle('quit');
    this.emit('quit', preventable(), code);
    state.shutDown = true;
    setImmediate(() => endProcess(code));
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const app = new App();

// Platform-only members, present only where Electron has them.
const appWithPlatformApis = app as App & Record<string, unknown>;
if (config.platform === 'win32') {
  appWithPlatformApis.setAppUserModelId = (id: string) => {
    called('app.setAppUserModelId');
    if (typeof id !== 'string' || id.length === 0) throw violation('app.setAppUserModelId expects a non-empty string', TypeError);
    state.appUserModelId = id;
  };
  appWithPlatformApis.setUserTasks = () => true;
  appWithPlatformApis.setJumpList = () => 'ok';
}
if (config.platform === 'darwin') {
  appWithPlatformApis.dock = {
    setMenu: () => {},
    setBadge: () => {},
    getBadge: () => '',
    show: async () => {},
    hide: () => {},
    bounce: () => 0,
    isVisible: () => true,
  };
}

export { allWindows };
