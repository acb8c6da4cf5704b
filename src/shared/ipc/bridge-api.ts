import type { Envelope } from './errors';
import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from './contract';

/**
 * What the renderer sees as `window.samia`: exposed by the preload in Electron and recreated over
 * the loopback WebSocket in the web shell. It carries envelopes, not exceptions, because Electron
 * flattens thrown errors into strings on their way across processes.
 */
export interface SamiaBridge {
  invoke<K extends RequestName>(name: K, input: RequestInput<K>): Promise<Envelope<RequestOutput<K>>>;
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): () => void;
}

/** The frames of the web shell's WebSocket protocol. */
export type BridgeClientFrame = { kind: 'request'; id: number; name: string; input: unknown };
export type BridgeServerFrame =
  | { kind: 'response'; id: number; result: Envelope<unknown> }
  | { kind: 'event'; name: string; payload: unknown };
