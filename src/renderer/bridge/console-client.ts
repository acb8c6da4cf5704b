import type { SamiaBridge } from '../../shared/ipc/bridge-api';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../shared/ipc/contract';
import type { IpcError } from '../../shared/ipc/errors';
import { createWebShellBridge, takeWebShellToken, type BridgeStatus } from './webshell-bridge';

declare global {
  interface Window {
    samia?: SamiaBridge;
  }
}

/** A failed request, carrying the contract's typed error for the UI to translate. */
export class RequestFailed extends Error {
  constructor(readonly error: IpcError) {
    super(error.code);
    this.name = 'RequestFailed';
  }
}

export interface ConsoleClient {
  call<K extends RequestName>(name: K, input: RequestInput<K>): Promise<RequestOutput<K>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
  /** The raw bridge, for the rare caller that wants the envelope itself (diagnostics, tests). */
  bridge: SamiaBridge;
  /** The link to the main process itself (the web shell's socket can drop and come back; Electron's cannot). */
  link: BridgeStatus;
}

/** Electron's preload bridge: the main process is the window's own, always there. */
const ALWAYS_OPEN: BridgeStatus = { state: () => 'open', onState: () => () => {} };

export function createConsoleClient(bridge: SamiaBridge, link: BridgeStatus = ALWAYS_OPEN): ConsoleClient {
  return {
    bridge,
    link,
    async call(name, input) {
      const result = await bridge.invoke(name, input);
      if (!result.ok) throw new RequestFailed(result.error);
      return result.value;
    },
    on: (name, listener) => bridge.on(name, listener),
  };
}

/** Electron's preload bridge when present, otherwise the web shell's WebSocket bridge. */
export function connectToMain(): ConsoleClient {
  if (window.samia) return createConsoleClient(window.samia);
  const token = takeWebShellToken();
  if (!token) throw new Error('No bridge to the main process: open the URL that the web shell printed, token included.');
  const bridge = createWebShellBridge(token);
  return createConsoleClient(bridge, bridge);
}
