import { AppError, IPC_ERROR } from '../../shared/ipc/errors';
import type { AuthState } from '../../shared/ipc/contract';
import { createDispatcher, type RequestHandlers } from '../ipc/dispatcher';
import { EventHub } from '../ipc/event-hub';
import { isOpenableExternalUrl } from '../security/url-policy';
import type { BackendConfig } from './backend-config';

/** What the core needs from the shell it runs in (Electron, or the web shell's Node host). */
export interface ShellServices {
  shell: 'electron' | 'webshell';
  appName: string;
  version: string;
  backend: BackendConfig;
  /** Opens a web link in the OS browser; the URL has already been checked to be http(s). */
  openExternal(url: string): Promise<boolean>;
  log(level: 'info' | 'warn' | 'error', message: string, detail?: unknown): void;
}

/** Per-call facts the transport vouches for (the sender frame has already been checked). */
export interface CallContext {
  /** Identifies the window or web shell page that made the call. */
  origin: string;
}

/**
 * The main-process core, independent of Electron: the request handlers and the event hub.
 * The Electron shell and the web shell each create one per window or page and carry the
 * contract to it; neither adds behaviour of its own.
 */
export function createConsoleCore(services: ShellServices) {
  const hub = new EventHub();
  let authState: AuthState = { profile: null, backend: services.backend.kind };

  const handlers: RequestHandlers<CallContext> = {
    'app.info': () => ({
      name: services.appName,
      version: services.version,
      shell: services.shell,
      backend: services.backend.kind,
    }),
    'app.ping': ({ text }) => ({ text, receivedAt: new Date().toISOString() }),
    'auth.getState': () => authState,
    'auth.signIn': () => {
      // Accounts live behind the backend port, which is not part of this build yet: refuse plainly.
      throw new AppError(IPC_ERROR.notAvailable, {
        params: { feature: 'auth.signIn' },
        permanent: true,
        detail: 'Signing in needs the backend port, which this build does not include yet.',
      });
    },
    'auth.signOut': () => {
      authState = { profile: null, backend: services.backend.kind };
      hub.emit('auth.changed', authState);
      return authState;
    },
    'shell.openExternal': async ({ url }) => {
      if (!isOpenableExternalUrl(url)) return { opened: false };
      return { opened: await services.openExternal(url) };
    },
  };

  const dispatch = createDispatcher(handlers, {
    onInternalError: (name, error) => services.log('error', `IPC request ${name} failed`, error),
  });

  return {
    dispatch,
    events: hub,
    async dispose() {
      // Nothing to release yet; the backend, outbox and alerts will hang off this.
    },
  };
}

export type ConsoleCore = ReturnType<typeof createConsoleCore>;
