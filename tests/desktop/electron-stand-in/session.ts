import { EventEmitter } from 'node:events';
import { called, requireReady, state, violation } from './runtime';

/**
 * Stands in for Electron's session and protocol modules with their lifecycle rules:
 * `session.defaultSession` (and so `protocol.handle`, which is `session.defaultSession.protocol.handle`)
 * throws "Session can only be received when app is ready" before ready; `registerSchemesAsPrivileged`
 * throws after it. Protocol handlers get a WHATWG Request and must answer with a Response, as in Electron.
 */

type ProtocolHandler = (request: Request) => Response | Promise<Response>;
type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: Record<string, unknown>) => void;
type PermissionCheckHandler = (contents: unknown, permission: string, requestingOrigin: string, details: Record<string, unknown>) => boolean;

export interface CustomScheme {
  scheme: string;
  privileges: Record<string, boolean>;
}

export const privilegedSchemes: CustomScheme[] = [];

const KNOWN_PRIVILEGES = new Set([
  'standard', 'secure', 'bypassCSP', 'allowServiceWorkers', 'supportFetchAPI', 'corsEnabled', 'stream', 'codeCache',
]);

export class Protocol {
  readonly handlers = new Map<string, ProtocolHandler>();

  handle(scheme: string, handler: ProtocolHandler): void {
    called(`protocol.handle(${scheme})`);
    if (typeof handler !== 'function') throw violation(`protocol.handle: the handler for ${scheme} is not a function`, TypeError);
    if (this.handlers.has(scheme)) throw violation(`Failed to register protocol: ${scheme}`);
    this.handlers.set(scheme, handler);
  }

  unhandle(scheme: string): void {
    if (!this.handlers.delete(scheme)) throw violation(`Failed to unhandle protocol: ${scheme}`);
  }

  isProtocolHandled(scheme: string): boolean {
    return this.handlers.has(scheme) || ['http', 'https', 'file', 'data'].includes(scheme);
  }

  /**
   * What Chromium does with a request for one of these schemes: the handler's Response, or Electron's net
   * error when the handler throws or answers something that is not a Response.
   */
  async dispatch(url: string, init: RequestInit = {}): Promise<Response | { netError: string }> {
    const scheme = new URL(url).protocol.replace(/:$/, '');
    const handler = this.handlers.get(scheme);
    if (!handler) return { netError: 'ERR_UNKNOWN_URL_SCHEME' };
    try {
      const response = await handler(new Request(url, init));
      if (!(response instanceof Response)) return { netError: 'ERR_UNEXPECTED' };
      if (response.type === 'error') return { netError: 'ERR_FAILED' };
      return response;
    } catch (error) {
      console.error(`stand-in: the ${scheme}: handler threw`, error);
      return { netError: 'ERR_UNEXPECTED' };
    }
  }
}

export class Session extends EventEmitter {
  readonly protocol = new Protocol();
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: PermissionCheckHandler | null = null;
  devicePermissionHandler: ((details: unknown) => boolean) | null = null;

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    called('session.setPermissionRequestHandler');
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: PermissionCheckHandler | null): void {
    called('session.setPermissionCheckHandler');
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: ((details: unknown) => boolean) | null): void {
    called('session.setDevicePermissionHandler');
    this.devicePermissionHandler = handler;
  }

  /** Electron grants every permission when no handler is set: the request is answered as Chromium would. */
  requestPermission(contents: unknown, permission: string, details: Record<string, unknown>): Promise<boolean> {
    const handler = this.permissionRequestHandler;
    if (!handler) return Promise.resolve(true);
    return new Promise((resolve) => {
      let answered = false;
      handler(contents, permission, (granted) => {
        if (answered) throw violation('permission request callback called twice');
        if (typeof granted !== 'boolean') throw violation('permission request callback must be called with a boolean', TypeError);
        answered = true;
        resolve(granted);
      }, details);
    });
  }

  checkPermission(contents: unknown, permission: string, requestingOrigin: string, details: Record<string, unknown>): boolean {
    const handler = this.permissionCheckHandler;
    if (!handler) return true;
    const answer = handler(contents, permission, requestingOrigin, details);
    if (typeof answer !== 'boolean') throw violation('the permission check handler must return a boolean', TypeError);
    return answer;
  }
}

let defaultSession: Session | null = null;

export function theDefaultSession(): Session {
  defaultSession ??= new Session();
  return defaultSession;
}

export const session = {
  get defaultSession(): Session {
    requireReady('session.defaultSession', 'Session can only be received when app is ready', TypeError);
    return theDefaultSession();
  },
  fromPartition(partition: string): Session {
    requireReady(`session.fromPartition(${partition})`, 'Session can only be received when app is ready', TypeError);
    return theDefaultSession();
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: CustomScheme[]): void {
    called('protocol.registerSchemesAsPrivileged');
    if (state.ready) throw violation('protocol.registerSchemesAsPrivileged should be called before app is ready');
    if (!Array.isArray(schemes)) throw violation('protocol.registerSchemesAsPrivileged expects an array', TypeError);
    for (const entry of schemes) {
      if (typeof entry?.scheme !== 'string' || !/^[a-z][a-z0-9+.-]*$/i.test(entry.scheme)) throw violation(`Invalid scheme: ${String(entry?.scheme)}`);
      for (const key of Object.keys(entry.privileges ?? {})) {
        if (!KNOWN_PRIVILEGES.has(key)) throw violation(`Unknown privilege for scheme ${entry.scheme}: ${key}`);
      }
      privilegedSchemes.push({ scheme: entry.scheme, privileges: { ...entry.privileges } });
    }
  },
  handle(scheme: string, handler: ProtocolHandler): void {
    session.defaultSession.protocol.handle(scheme, handler);
  },
  unhandle(scheme: string): void {
    session.defaultSession.protocol.unhandle(scheme);
  },
  isProtocolHandled(scheme: string): boolean {
    return session.defaultSession.protocol.isProtocolHandled(scheme);
  },
};

export function isStandardScheme(scheme: string): boolean {
  return privilegedSchemes.some((entry) => entry.scheme === scheme && entry.privileges.standard === true);
}
