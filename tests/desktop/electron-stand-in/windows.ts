import { EventEmitter } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeFrame, RendererWorld, runNodePreload, runSandboxedPreload, type SenderFrame } from './ipc';
import { called, notify, requireReady, violation } from './runtime';
import { isStandardScheme, theDefaultSession } from './session';
import { NativeImage } from './native-image';
import type { WindowReport } from './protocol';

/**
 * Stands in for BrowserWindow, WebContents and page loading. Windows cannot be created before ready
 * ("Cannot create BrowserWindow before app is ready"); a destroyed window or web contents refuses every
 * call ("Object has been destroyed"), including `webContents.id` read in a 'closed' handler. Loading an
 * app:// page goes through the app's own protocol handler, runs the preload as a sandboxed preload, then
 * requests the page's scripts and styles through the same handler, as Chromium would.
 */

/** Set by the app module: the app-level events and the quit sequence that window closing feeds. */
export const windowHooks = {
  emitApp: (_name: string, ..._args: unknown[]): void => {},
  windowGone: (): void => {},
  closeCancelled: (): void => {},
};

interface PreventableEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
  [key: string]: unknown;
}

export function preventable(fields: Record<string, unknown> = {}): PreventableEvent {
  const event: PreventableEvent = {
    ...fields,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

const NET_ERROR_CODES: Record<string, number> = {
  ERR_FAILED: -2,
  ERR_UNEXPECTED: -9,
  ERR_UNKNOWN_URL_SCHEME: -302,
  ERR_HTTP_RESPONSE_CODE_FAILURE: -379,
  ERR_NAME_NOT_RESOLVED: -105,
  ERR_FILE_NOT_FOUND: -6,
};

let nextWebContentsId = 1;
let nextWindowId = 1;
export const allWindows: BrowserWindow[] = [];

type WindowOpenHandler = (details: Record<string, unknown>) => { action: string } | undefined;

interface PageRecord {
  status: number;
  headers: Record<string, string>;
  subresources: { url: string; status: number; contentType: string }[];
}

async function request(target: string): Promise<Response | { netError: string }> {
  const parsed = new URL(target);
  switch (parsed.protocol) {
    case 'data:':
      return fetch(target);
    case 'file:': {
      const file = fileURLToPath(parsed);
      return existsSync(file) ? new Response(readFileSync(file)) : { netError: 'ERR_FILE_NOT_FOUND' };
    }
    case 'http:':
    case 'https:':
      // The console never loads remote pages; nothing here reaches the network.
      violation(`a window loaded a remote URL: ${target}`);
      return { netError: 'ERR_NAME_NOT_RESOLVED' };
    default:
      return theDefaultSession().protocol.dispatch(target);
  }
}

export class WebContents extends EventEmitter {
  private readonly contentsId = nextWebContentsId++;
  private destroyedFlag = false;
  private currentUrl = '';
  private windowOpenHandler: WindowOpenHandler | null = null;
  world: RendererWorld | null = null;
  topFrame: SenderFrame | null = null;
  page: PageRecord | null = null;
  preload: WindowReport['preload'] = null;
  readonly receivedBeforeWorld: { channel: string; args: unknown[] }[] = [];

  constructor(
    readonly owner: BrowserWindow,
    readonly webPreferences: Record<string, unknown>,
  ) {
    super();
    this.on('error', () => {});
    windowHooks.emitApp('web-contents-created', preventable(), this);
  }

  private alive(): void {
    if (this.destroyedFlag) throw violation('Object has been destroyed', TypeError);
  }

  get id(): number {
    this.alive();
    return this.contentsId;
  }

  get session() {
    this.alive();
    return theDefaultSession();
  }

  get mainFrame(): SenderFrame | null {
    this.alive();
    return this.topFrame;
  }

  /** For the report only: readable after destruction. */
  get reportId(): number {
    return this.contentsId;
  }

  get hasWindowOpenHandler(): boolean {
    return this.windowOpenHandler !== null;
  }

  isDestroyed(): boolean {
    return this.destroyedFlag;
  }

  getURL(): string {
    this.alive();
    return this.currentUrl;
  }

  get currentUrlForReport(): string {
    return this.currentUrl;
  }

  isLoading(): boolean {
    this.alive();
    return false;
  }

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.alive();
    called('webContents.setWindowOpenHandler');
    this.windowOpenHandler = handler;
  }

  send(channel: string, ...args: unknown[]): void {
    this.alive();
    if (typeof channel !== 'string') throw violation('Missing required channel argument', TypeError);
    if (this.world) this.world.deliver(channel, args);
    else this.receivedBeforeWorld.push({ channel, args: structuredClone(args) });
  }

  focus(): void {
    this.alive();
  }

  openDevTools(): void {
    this.alive();
  }

  async loadURL(target: string): Promise<void> {
    this.alive();
    called(`webContents.loadURL(${target.slice(0, target.indexOf(':') + 1)})`);
    let parsed: URL;
    try {
      parsed = new URL(target);
    } catch {
      throw new Error(`ERR_INVALID_URL (-300) loading '${target}'`);
    }
    const scheme = parsed.protocol.replace(/:$/, '');
    this.emit('did-start-loading');
    const response = await request(target);
    if (this.destroyedFlag) throw new Error(`ERR_ABORTED (-3) loading '${target}'`);
    let netError = 'netError' in response ? response.netError : null;
    let body = Buffer.alloc(0);
    if (!netError && response instanceof Response) {
      body = Buffer.from(await response.arrayBuffer());
      if (response.status >= 400 && body.length === 0) netError = 'ERR_HTTP_RESPONSE_CODE_FAILURE';
    }
    if (netError || !(response instanceof Response)) {
      const code = NET_ERROR_CODES[netError ?? 'ERR_FAILED'] ?? -2;
      this.emit('did-fail-load', preventable(), code, netError, target, true);
      throw new Error(`${netError} (${code}) loading '${target}'`);
    }
    if (!['data', 'file', 'http', 'https'].includes(scheme) && !isStandardScheme(scheme)) {
      violation(`${scheme}: pages are loaded from a scheme not registered as standard: their origin is opaque`);
    }
    this.currentUrl = target;
    this.topFrame = makeFrame(target, null, this.contentsId);
    const headers = Object.fromEntries([...response.headers.entries()].map(([key, value]) => [key.toLowerCase(), value]));
    this.page = { status: response.status, headers, subresources: [] };
    this.world = new RendererWorld(this, this.topFrame, this.webPreferences.contextIsolation !== false);
    for (const message of this.receivedBeforeWorld.splice(0)) this.world.received.push(message);
    this.runPreload();
    if ((headers['content-type'] ?? '').startsWith('text/html')) await this.requestSubresources(target, body.toString('utf8'));
    this.emit('dom-ready', preventable());
    this.emit('did-finish-load');
    this.owner.pageLoaded(target);
  }

  private runPreload(): void {
    const file = this.webPreferences.preload;
    if (file === undefined || file === '') return;
    const record = { path: String(file), loaded: false, error: null as string | null, exposed: [] as string[] };
    this.preload = record;
    try {
      if (typeof file !== 'string' || !path.isAbsolute(file)) throw new Error(`the preload path must be absolute: ${String(file)}`);
      if (!existsSync(file)) throw new Error(`ENOENT: no such file, open '${file}'`);
      const sandboxed = this.webPreferences.sandbox !== false && this.webPreferences.nodeIntegration !== true;
      if (sandboxed) runSandboxedPreload(this.world!, file);
      else runNodePreload(this.world!, file);
      record.loaded = true;
    } catch (error) {
      // Electron prints this in the renderer's console and carries on without the preload.
      record.error = String(error);
      console.error(`stand-in renderer: Unable to load preload script: ${String(file)}\n${String(error)}`);
    }
    record.exposed = Object.keys(this.world!.mainWorld);
  }

  private async requestSubresources(pageUrl: string, html: string): Promise<void> {
    const references = [
      ...html.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g),
      ...html.matchAll(/<link\b[^>]*\bhref="([^"]+)"/g),
    ].map((match) => match[1]!);
    for (const reference of references) {
      const target = new URL(reference, pageUrl).href;
      const response = await request(target);
      if (response instanceof Response) {
        await response.arrayBuffer();
        this.page!.subresources.push({ url: target, status: response.status, contentType: response.headers.get('content-type') ?? '' });
      } else {
        this.page!.subresources.push({ url: target, status: 0, contentType: response.netError });
      }
    }
  }

  /** A renderer-initiated navigation or redirect: Electron asks the app first. */
  simulateNavigation(kind: 'will-navigate' | 'will-redirect', target: string): boolean {
    this.alive();
    const event = preventable({ url: target, isMainFrame: true, isSameDocument: false, frame: this.topFrame });
    this.emit(kind, event, target, false, true);
    return event.defaultPrevented;
  }

  simulateWebviewAttach(): boolean {
    this.alive();
    const event = preventable();
    this.emit('will-attach-webview', event, { preload: undefined }, { src: 'https://example.invalid/' });
    return event.defaultPrevented;
  }

  /** window.open / target=_blank: Electron asks the handler; without one it opens a new window. */
  simulateWindowOpen(target: string): { action: string } {
    this.alive();
    if (!this.windowOpenHandler) return { action: 'allow' };
    const answer = this.windowOpenHandler({ url: target, frameName: '', features: '', disposition: 'foreground-tab', referrer: { url: this.currentUrl, policy: 'strict-origin-when-cross-origin' } });
    if (!answer || typeof answer !== 'object' || (answer.action !== 'allow' && answer.action !== 'deny')) {
      violation("The window open handler response must be an object with an 'action' property of 'allow' or 'deny'.");
      return { action: 'deny' };
    }
    return { action: answer.action };
  }

  destroyContents(): void {
    if (this.destroyedFlag) return;
    this.destroyedFlag = true;
    this.emit('destroyed');
  }
}

/** The window options as data: no functions, so the report can carry them. */
function plainOptions(options: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(options, (_key, value: unknown) => (typeof value === 'function' ? '[function]' : value))) as Record<string, unknown>;
}

export class BrowserWindow extends EventEmitter {
  static getAllWindows(): BrowserWindow[] {
    return allWindows.filter((win) => !win.isDestroyed());
  }

  static fromWebContents(contents: WebContents): BrowserWindow | null {
    return allWindows.find((win) => win.webContents === contents && !win.isDestroyed()) ?? null;
  }

  static getFocusedWindow(): BrowserWindow | null {
    return allWindows.find((win) => !win.isDestroyed() && win.focused) ?? null;
  }

  readonly id: number;
  readonly webContents: WebContents;
  readonly options: Record<string, unknown>;
  private destroyed = false;
  private visible: boolean;
  everShown: boolean;
  focused = false;
  private minimized = false;
  private readyToShowEmitted = false;
  title: string;

  constructor(options: Record<string, unknown> = {}) {
    super();
    requireReady('new BrowserWindow', 'Cannot create BrowserWindow before app is ready');
    this.on('error', () => {});
    this.id = nextWindowId++;
    this.options = plainOptions(options);
    this.title = typeof options.title === 'string' ? options.title : '';
    this.visible = options.show !== false;
    this.everShown = this.visible;
    allWindows.push(this);
    this.webContents = new WebContents(this, { ...((options.webPreferences as Record<string, unknown> | undefined) ?? {}) });
    windowHooks.emitApp('browser-window-created', preventable(), this);
    notify({ event: 'window-created', windowId: this.id });
    if (this.visible) notify({ event: 'window-shown', windowId: this.id });
  }

  private alive(): void {
    if (this.destroyed) throw violation('Object has been destroyed', TypeError);
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  loadURL(target: string): Promise<void> {
    this.alive();
    return this.webContents.loadURL(target);
  }

  pageLoaded(target: string): void {
    notify({ event: 'page-loaded', windowId: this.id, url: target });
    if (!this.readyToShowEmitted && !this.destroyed) {
      this.readyToShowEmitted = true;
      this.emit('ready-to-show');
    }
  }

  show(): void {
    this.alive();
    const wasVisible = this.visible;
    this.visible = true;
    this.everShown = true;
    this.minimized = false;
    if (!wasVisible) {
      this.emit('show');
      notify({ event: 'window-shown', windowId: this.id });
    }
    this.focus();
  }

  hide(): void {
    this.alive();
    this.visible = false;
    this.emit('hide');
  }

  isVisible(): boolean {
    this.alive();
    return this.visible;
  }

  focus(): void {
    this.alive();
    for (const other of allWindows) if (other !== this && other.focused) {
      other.focused = false;
      other.emit('blur');
    }
    if (!this.focused) {
      this.focused = true;
      this.emit('focus');
    }
  }

  isFocused(): boolean {
    this.alive();
    return this.focused;
  }

  minimize(): void {
    this.alive();
    this.minimized = true;
  }

  isMinimized(): boolean {
    this.alive();
    return this.minimized;
  }

  restore(): void {
    this.alive();
    this.minimized = false;
  }

  flashFrame(_flag: boolean): void {
    this.alive();
  }

  /** The taskbar overlay (Windows draws it; elsewhere Electron accepts it and does nothing). Kept for the checks. */
  overlayIcon: { image: NativeImage | null; description: string } | null = null;

  setOverlayIcon(overlay: NativeImage | null, description: string): void {
    this.alive();
    // gin's argument conversion: a NativeImage (or null) and a string, or Electron throws.
    if (overlay !== null && !(overlay instanceof NativeImage)) throw violation('Error processing argument at index 0, conversion failure from', TypeError);
    if (typeof description !== 'string') throw violation('Error processing argument at index 1, conversion failure from', TypeError);
    this.overlayIcon = { image: overlay, description };
  }

  setTitle(title: string): void {
    this.alive();
    this.title = title;
  }

  getTitle(): string {
    this.alive();
    return this.title;
  }

  setProgressBar(): void {
    this.alive();
  }

  /** Like clicking the window's close button: 'close' (preventable), then, on a later turn, 'closed'. */
  close(): void {
    this.alive();
    setImmediate(() => {
      if (this.destroyed) return;
      const event = preventable();
      this.emit('close', event);
      if (event.defaultPrevented) windowHooks.closeCancelled();
      else this.destroy();
    });
  }

  /** Closes at once, without 'close'. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.focused = false;
    this.webContents.destroyContents();
    this.emit('closed');
    notify({ event: 'window-closed', windowId: this.id });
    windowHooks.windowGone();
  }

  report(): WindowReport {
    const contents = this.webContents;
    return {
      id: this.id,
      webContentsId: contents.reportId,
      url: contents.currentUrlForReport,
      visible: this.visible,
      destroyed: this.destroyed,
      everShown: this.everShown,
      options: this.options,
      webPreferences: (this.options.webPreferences as Record<string, unknown> | undefined) ?? {},
      preload: contents.preload,
      page: contents.page,
      hasWindowOpenHandler: contents.hasWindowOpenHandler,
      received: contents.world?.received ?? contents.receivedBeforeWorld,
    };
  }
}
