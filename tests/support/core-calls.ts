import { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createConsoleCore, type ConsoleCore, type ShellServices } from '../../src/main/core/console-core';
import type { EventName, EventPayload } from '../../src/shared/ipc/contract';

/** What a core emitted to its page, in order, as a test records it (core.events.attach). */
export type RecordedEvents = { name: string; payload: unknown }[];

/** A request as the page makes it; a refusal is thrown with its IPC error's fields (code, messageKey). */
export async function callCore<T = unknown>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'test' });
  if (!result.ok) throw Object.assign(new Error(`${name}: ${result.error.code}`), result.error);
  return result.value as T;
}

/** The first recorded event of that name that matches, waiting for it up to `ms`. */
export async function waitForEvent<K extends EventName>(
  events: RecordedEvents,
  name: K,
  match: (payload: EventPayload<K>) => boolean = () => true,
  ms = 20_000,
): Promise<EventPayload<K>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = events.find((e) => e.name === name && match(e.payload as EventPayload<K>));
    if (found) return found.payload as EventPayload<K>;
    if (Date.now() > deadline) throw new Error(`no ${name} event matched`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A core as the web shell makes one for a page (no OS: alerts recorded headless), recording what it emits. */
export function startRecordedCore(services: Pick<ShellServices, 'backend' | 'dataDir' | 'keptSignIn'>): { core: ConsoleCore; events: RecordedEvents } {
  const events: RecordedEvents = [];
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'test',
    version: 'test',
    ...services,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    log: () => {},
  });
  core.events.attach((name, payload) => events.push({ name, payload }));
  return { core, events };
}
