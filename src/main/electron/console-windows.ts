import { randomBytes } from 'node:crypto';
import { BrowserWindow, type WebContents } from 'electron';
import type { ConsoleCore } from '../core/console-core';
import { APP_ORIGIN } from '../security/content-security-policy';
import { bridgeWindow } from './ipc-bridge';
import { mainWindowOptions } from './window-options';

export interface ConsoleWindowsOptions {
  preloadPath: string;
  iconPath: string;
  /** One core per window: each window signs in on its own. `window` is that window while it exists. */
  createCore(mediaKey: string, window: () => BrowserWindow | null): ConsoleCore;
  log(level: 'warn' | 'error', message: string, detail?: unknown): void;
}

/**
 * The console windows and their cores. Each window gets its own core (its own signed-in user) and its own
 * media key, so a window reaches only its own user's files; closing a window disposes its core, and
 * `disposed()` lets the quit sequence wait for every one of those to finish.
 */
export class ConsoleWindows {
  private readonly coresByContents = new Map<number, ConsoleCore>();
  private readonly coresByMediaKey = new Map<string, ConsoleCore>();
  private readonly windows = new Set<BrowserWindow>();
  private readonly disposals = new Set<Promise<void>>();
  private lastFocused: BrowserWindow | null = null;

  constructor(private readonly options: ConsoleWindowsOptions) {}

  coreFor(contents: WebContents): ConsoleCore | undefined {
    return this.coresByContents.get(contents.id);
  }

  coreForMediaKey(key: string): ConsoleCore | undefined {
    return this.coresByMediaKey.get(key);
  }

  cores(): IterableIterator<ConsoleCore> {
    return this.coresByContents.values();
  }

  get count(): number {
    return this.windows.size;
  }

  /** Opens a console window; `onShown` runs once it is on screen (or once its page failed to load, shown anyway). */
  open(onShown?: () => void): BrowserWindow {
    const win = new BrowserWindow(mainWindowOptions(this.options.preloadPath, this.options.iconPath));
    const contents = win.webContents;
    // Read now: once the window is closed its web contents are destroyed and refuse every property access.
    const contentsId = contents.id;
    const mediaKey = randomBytes(18).toString('hex');
    const core = this.options.createCore(mediaKey, () => (win.isDestroyed() ? null : win));
    this.windows.add(win);
    this.coresByContents.set(contentsId, core);
    this.coresByMediaKey.set(mediaKey, core);
    const detach = bridgeWindow(contents, core);

    let shown = false;
    const reveal = () => {
      if (shown || win.isDestroyed()) return;
      shown = true;
      win.show();
      onShown?.();
    };
    win.once('ready-to-show', reveal);
    win.on('focus', () => {
      this.lastFocused = win;
    });
    win.on('closed', () => {
      detach();
      this.windows.delete(win);
      this.coresByContents.delete(contentsId);
      this.coresByMediaKey.delete(mediaKey);
      if (this.lastFocused === win) this.lastFocused = null;
      const disposal = core
        .dispose()
        .catch((error: unknown) => this.options.log('error', 'Closing a window’s session failed', error))
        .finally(() => this.disposals.delete(disposal));
      this.disposals.add(disposal);
    });
    Promise.resolve(win.loadURL(`${APP_ORIGIN}/index.html`)).then(reveal, (error: unknown) => {
      this.options.log('error', 'The console page could not be loaded', error);
      reveal();
    });
    return win;
  }

  /** Restores and focuses the most recently focused window; false when there is none. */
  showMostRecent(): boolean {
    const win = this.lastFocused ?? [...this.windows].at(-1);
    if (!win || win.isDestroyed()) return false;
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
    return true;
  }

  /** Resolves once every closed window's core has finished closing (its local store, its sign-out). */
  async disposed(): Promise<void> {
    while (this.disposals.size > 0) await Promise.allSettled([...this.disposals]);
  }
}
