import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as timers from 'node:timers';
import * as url from 'node:url';
import vm from 'node:vm';
import { nativeImage } from './native-image';
import { called, violation } from './runtime';

/**
 * Stands in for Electron's IPC: ipcMain's invoke handlers (one per channel; a second registration throws),
 * and the renderer side the driver plays: each loaded page gets a world in which the window's preload runs
 * as Electron runs a sandboxed preload (wrapped in a function; `require` limited to electron, events,
 * timers and url; no Node), with contextBridge and ipcRenderer. Arguments and results cross as structured
 * clones, as over Electron's IPC.
 */

type InvokeHandler = (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown;

export interface SenderFrame {
  readonly url: string;
  readonly origin: string;
  readonly parent: SenderFrame | null;
  readonly top: SenderFrame;
  readonly frames: SenderFrame[];
  readonly processId: number;
  readonly routingId: number;
  readonly frameTreeNodeId: number;
  readonly name: string;
  readonly detached: boolean;
  isDestroyed(): boolean;
}

export interface IpcMainInvokeEvent {
  type: 'frame';
  sender: unknown;
  senderFrame: SenderFrame | null;
  frameId: number;
  processId: number;
}

let nextFrameId = 1;

/** Stands in for WebFrameMain: the top frame of a page, or a subframe under it. */
export function makeFrame(frameUrl: string, parent: SenderFrame | null, processId: number): SenderFrame {
  const id = nextFrameId++;
  let origin = 'null';
  try {
    origin = new URL(frameUrl).origin;
  } catch {
    // An unparsable URL has an opaque origin.
  }
  const frame: SenderFrame = {
    url: frameUrl,
    origin,
    parent,
    get top() {
      return parent ? parent.top : frame;
    },
    frames: [],
    processId,
    routingId: id,
    frameTreeNodeId: id,
    name: '',
    detached: false,
    isDestroyed: () => false,
  };
  parent?.frames.push(frame);
  return frame;
}

class IpcMain extends EventEmitter {
  readonly handlers = new Map<string, InvokeHandler>();

  constructor() {
    super();
    this.on('error', () => {});
  }

  handle(channel: string, handler: InvokeHandler): void {
    called(`ipcMain.handle(${channel})`);
    if (this.handlers.has(channel)) throw violation(`Attempted to register a second handler for '${channel}'`);
    if (typeof handler !== 'function') throw violation(`Expected handler to be a function, but found type '${typeof handler}'`, TypeError);
    this.handlers.set(channel, handler);
  }

  handleOnce(channel: string, handler: InvokeHandler): void {
    this.handle(channel, (event, ...args) => {
      this.removeHandler(channel);
      return handler(event, ...args);
    });
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }
}

export const ipcMain = new IpcMain();

/** A renderer's `ipcRenderer.invoke` reaching the main process, as lib/browser/ipc-dispatch.ts answers it. */
export async function invokeMain(sender: unknown, frame: SenderFrame, channel: string, args: unknown[]): Promise<unknown> {
  const event: IpcMainInvokeEvent = { type: 'frame', sender, senderFrame: frame, frameId: frame.routingId, processId: frame.processId };
  const handler = ipcMain.handlers.get(channel);
  let reply: { result?: unknown; error?: string };
  if (!handler) {
    const error = new Error(`No handler registered for '${channel}'`);
    console.error(`Error occurred in handler for '${channel}':`, error);
    reply = { error: error.toString() };
  } else {
    try {
      reply = { result: structuredClone(await Promise.resolve(handler(event, ...structuredClone(args)))) };
    } catch (error) {
      console.error(`Error occurred in handler for '${channel}':`, error);
      reply = { error: String(error) };
    }
  }
  if (reply.error !== undefined) throw new Error(`Error invoking remote method '${channel}': ${reply.error}`);
  return reply.result;
}

/** What crosses Electron's context bridge: functions are proxied, everything else is copied. */
function bridged(value: unknown, depth = 0): unknown {
  if (depth > 100) throw new Error('stand-in: object too deep for the context bridge');
  if (typeof value === 'function') {
    const fn = value as (...args: unknown[]) => unknown;
    return (...args: unknown[]) => bridged(fn(...args.map((arg) => bridged(arg, depth + 1))), depth + 1);
  }
  if (value instanceof Promise) return value.then((resolved) => bridged(resolved, depth + 1));
  if (value instanceof Error) return new Error(value.message);
  if (Array.isArray(value)) return value.map((item) => bridged(item, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, bridged(item, depth + 1)]));
  }
  return value;
}

type RendererListener = (event: { sender: unknown; senderId: number }, ...args: unknown[]) => void;

/** One page's renderer: its main world (what the preload exposed) and its ipcRenderer listeners. */
export class RendererWorld {
  readonly mainWorld: Record<string, unknown> = {};
  readonly received: { channel: string; args: unknown[] }[] = [];
  private readonly listeners = new EventEmitter();

  constructor(
    readonly sender: unknown,
    readonly frame: SenderFrame,
    private readonly contextIsolation: boolean,
  ) {
    this.listeners.on('error', () => {});
  }

  readonly ipcRenderer = {
    invoke: (channel: string, ...args: unknown[]) => invokeMain(this.sender, this.frame, channel, args),
    send: (channel: string, ...args: unknown[]) => {
      ipcMain.emit(channel, { type: 'frame', sender: this.sender, senderFrame: this.frame }, ...structuredClone(args));
    },
    sendSync: () => {
      throw new Error('stand-in: sendSync is not supported (the app does not use it)');
    },
    on: (channel: string, listener: RendererListener) => {
      this.listeners.on(channel, listener);
      return this.ipcRenderer;
    },
    once: (channel: string, listener: RendererListener) => {
      this.listeners.once(channel, listener);
      return this.ipcRenderer;
    },
    off: (channel: string, listener: RendererListener) => {
      this.listeners.off(channel, listener);
      return this.ipcRenderer;
    },
    removeListener: (channel: string, listener: RendererListener) => {
      this.listeners.off(channel, listener);
      return this.ipcRenderer;
    },
    removeAllListeners: (channel?: string) => {
      this.listeners.removeAllListeners(channel);
      return this.ipcRenderer;
    },
  };

  readonly contextBridge = {
    exposeInMainWorld: (key: string, api: unknown) => {
      if (!this.contextIsolation) throw new Error('contextBridge API can only be used when contextIsolation is enabled');
      if (key in this.mainWorld) throw new Error('Cannot bind an API on top of an existing property on the window object');
      this.mainWorld[key] = bridged(api);
    },
  };

  /** webContents.send reaching this page: delivered asynchronously, as IPC is. */
  deliver(channel: string, args: unknown[]): void {
    const copy = structuredClone(args);
    this.received.push({ channel, args: copy });
    setImmediate(() => this.listeners.emit(channel, { sender: this.ipcRenderer, senderId: 0 }, ...copy));
  }

  listenerCount(channel: string): number {
    return this.listeners.listenerCount(channel);
  }
}

/**
 * Runs a preload as Electron runs a sandboxed one (lib/sandboxed_renderer/preload.ts): the file's text in
 * a function `(require, process, exports, module, Buffer, global, setImmediate, clearImmediate)`, with a
 * `require` that knows only the sandbox's modules. An ES module preload fails here as it fails there.
 */
export function runSandboxedPreload(world: RendererWorld, file: string): void {
  const electron = { contextBridge: world.contextBridge, ipcRenderer: world.ipcRenderer, nativeImage, webFrame: {}, webUtils: {}, crashReporter: {} };
  const modules: Record<string, () => unknown> = {
    electron: () => electron,
    'electron/common': () => electron,
    'electron/renderer': () => electron,
    events: () => EventEmitter,
    'node:events': () => EventEmitter,
    timers: () => timers,
    'node:timers': () => timers,
    url: () => url,
    'node:url': () => url,
  };
  const preloadRequire = (name: string) => {
    const load = modules[name];
    if (!load) throw new Error(`module not found: ${name}`);
    return load();
  };
  const preloadProcess = Object.assign(new EventEmitter(), { platform: process.platform, type: 'renderer', sandboxed: true, contextIsolated: true });
  const source = readFileSync(file, 'utf8');
  const context = vm.createContext({ console });
  const wrapper = new vm.Script(`(function(require, process, exports, module, Buffer, global, setImmediate, clearImmediate) {\n${source}\n})`, {
    filename: file,
  }).runInContext(context) as (...args: unknown[]) => void;
  const module = { exports: {} };
  wrapper(preloadRequire, preloadProcess, module.exports, module, Buffer, context, setImmediate, clearImmediate);
}

/** An unsandboxed preload (sandbox: false) gets Node's require, as Electron gives it. */
export function runNodePreload(world: RendererWorld, file: string): void {
  const nodeRequire = createRequire(file);
  const electron = { contextBridge: world.contextBridge, ipcRenderer: world.ipcRenderer, nativeImage };
  const source = readFileSync(file, 'utf8');
  const wrapper = new vm.Script(`(function(require, exports, module, __filename, __dirname) {\n${source}\n})`, { filename: file }).runInThisContext() as (
    ...args: unknown[]
  ) => void;
  const module = { exports: {} };
  const requireWithElectron = (name: string) => (name === 'electron' ? electron : nodeRequire(name));
  wrapper(requireWithElectron, module.exports, module, file, file.replace(/[/\\][^/\\]*$/, ''));
}
