import type { EventName, EventPayload } from '../../shared/ipc/contract';
import { validateEvent } from './dispatcher';

export type EventListener = <K extends EventName>(name: K, payload: EventPayload<K>) => void;

/** Fans validated contract events out to every attached window or web shell page. */
export class EventHub {
  private readonly listeners = new Set<EventListener>();

  attach(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    const valid = validateEvent(name, payload);
    for (const listener of this.listeners) listener(name, valid);
  }
}
