import { WEBSHELL_BRIDGE_PATH, WEBSHELL_TOKEN_PARAM } from '../../shared/ipc/channels';
import type { BridgeClientFrame, BridgeServerFrame, SamiaBridge } from '../../shared/ipc/bridge-api';
import { IPC_ERROR } from '../../shared/ipc/error-codes';
import type { Envelope } from '../../shared/ipc/errors';

const TOKEN_STORAGE_KEY = 'samia.webshell.token';

/** The token arrives in the URL fragment once; it is kept for reloads of this tab and wiped from the address bar. */
export function takeWebShellToken(): string | null {
  const params = new URLSearchParams(window.location.hash.slice(1));
  const fromHash = params.get(WEBSHELL_TOKEN_PARAM);
  if (fromHash) {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_STORAGE_KEY);
}

/**
 * The same `SamiaBridge` the preload exposes, carried over the web shell's loopback WebSocket.
 * Requests made while the socket is (re)connecting wait for it; if it closes, they fail with a typed error.
 */
export function createWebShellBridge(token: string): SamiaBridge {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}${WEBSHELL_BRIDGE_PATH}?${WEBSHELL_TOKEN_PARAM}=${encodeURIComponent(token)}`;
  const pending = new Map<number, (result: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket;
  let opened: Promise<void>;

  const connect = () => {
    socket = new WebSocket(url);
    opened = new Promise((resolve, reject) => {
      socket.addEventListener('open', () => resolve(), { once: true });
      socket.addEventListener('close', () => reject(new Error('closed')), { once: true });
    });
    opened.catch(() => {});
    socket.addEventListener('message', (event) => {
      let frame: BridgeServerFrame;
      try {
        frame = JSON.parse(String(event.data)) as BridgeServerFrame;
      } catch {
        return;
      }
      if (frame.kind === 'response') {
        pending.get(frame.id)?.(frame.result);
        pending.delete(frame.id);
      } else if (frame.kind === 'event') {
        for (const listener of listeners.get(frame.name) ?? []) listener(frame.payload);
      }
    });
    socket.addEventListener('close', () => {
      for (const resolve of pending.values()) resolve({ ok: false, error: IPC_ERROR.disconnected });
      pending.clear();
    });
  };
  connect();

  return {
    async invoke(name, input) {
      try {
        await opened;
      } catch {
        return { ok: false, error: IPC_ERROR.disconnected } as never;
      }
      const id = nextId++;
      const frame: BridgeClientFrame = { kind: 'request', id, name, input };
      return new Promise((resolve) => {
        pending.set(id, resolve as (result: Envelope<unknown>) => void);
        socket.send(JSON.stringify(frame));
      });
    },
    on(name, listener) {
      const set = listeners.get(name) ?? new Set();
      set.add(listener as (payload: unknown) => void);
      listeners.set(name, set);
      return () => set.delete(listener as (payload: unknown) => void);
    },
  };
}
