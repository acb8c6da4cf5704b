import { WEBSHELL_BRIDGE_PATH, WEBSHELL_TOKEN_PARAM } from '../../shared/ipc/channels';
import type { BridgeClientFrame, BridgeServerFrame, SamiaBridge } from '../../shared/ipc/bridge-api';
import { IPC_ERROR } from '../../shared/ipc/error-codes';
import type { Envelope } from '../../shared/ipc/errors';

const TOKEN_STORAGE_KEY = 'samia.webshell.token';
/** Waits between reconnection attempts: quick at first (a web shell restart takes a moment), then every 10 s. */
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 5000, 10_000] as const;

/** The state of the link to the main process (Electron's preload bridge is always 'open'). */
export type BridgeState = 'connecting' | 'open' | 'closed';

export interface BridgeStatus {
  state(): BridgeState;
  onState(listener: (state: BridgeState) => void): () => void;
}

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
 * The same `SamiaBridge` the preload exposes, carried over the web shell's loopback WebSocket. Requests made
 * while a connection attempt is under way wait for it; when the socket closes, requests fail at once with a
 * typed error and the bridge reconnects by itself (the page says so meanwhile), so a web shell restart on the
 * same address does not leave a dead page.
 */
export function createWebShellBridge(token: string): SamiaBridge & BridgeStatus {
  const url = `${window.location.protocol === 'https:' ? 'wss' : 'ws'}://${window.location.host}${WEBSHELL_BRIDGE_PATH}?${WEBSHELL_TOKEN_PARAM}=${encodeURIComponent(token)}`;
  const pending = new Map<number, (result: Envelope<unknown>) => void>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const stateListeners = new Set<(state: BridgeState) => void>();
  let nextId = 1;
  let socket: WebSocket;
  let opened: Promise<void>;
  let state: BridgeState = 'connecting';
  let attempt = 0;

  const setState = (next: BridgeState) => {
    if (next === state) return;
    state = next;
    for (const listener of stateListeners) listener(next);
  };

  const connect = () => {
    setState('connecting');
    socket = new WebSocket(url);
    opened = new Promise((resolve, reject) => {
      socket.addEventListener(
        'open',
        () => {
          attempt = 0;
          setState('open');
          resolve();
        },
        { once: true },
      );
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
      setState('closed');
      const delay = RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)];
      attempt++;
      setTimeout(connect, delay);
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
      if (socket.readyState !== WebSocket.OPEN) return { ok: false, error: IPC_ERROR.disconnected } as never;
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
    state: () => state,
    onState(listener) {
      stateListeners.add(listener);
      return () => void stateListeners.delete(listener);
    },
  };
}
