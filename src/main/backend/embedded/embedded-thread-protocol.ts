import type { EmbeddedServerOptions, LocalApi } from './embedded-server';

// The messages between the console's thread and the embedded backend's (embedded-thread.ts, embedded-thread-entry.ts).

/** What the thread starts with (its workerData): the server's options that can cross a thread. */
export type ThreadOptions = Omit<EmbeddedServerOptions, 'database' | 'log'> & { log: boolean };

export type ToThread = { kind: 'stop' };

/** An error as it crosses the thread: what the console logs and what onSavedPort reads (`code`). */
export interface ThreadError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  file?: string;
}

export type FromThread =
  | { kind: 'started'; api: LocalApi }
  | { kind: 'failed'; error: ThreadError }
  | { kind: 'log'; message: string }
  | { kind: 'stopped' };

/**
 * The V8 flag the thread sets before PGlite compiles: how much a WebAssembly function runs before V8 optimises it
 * (TurboFan, on background threads). At V8's default (1.8 M) that is most of PGlite's one-off start-up code and
 * first queries, compiled while the page loads and the user signs in, taking the cores from both. At this budget
 * only code that stays hot is optimised: measured on a data folder of 500 sessions and 100,000 messages, the first
 * list_sessions took 530-540 ms instead of 730-780, and the next ones the same as at the default (255-300 ms).
 * Process-wide (V8 has one set of flags), which only PGlite's WebAssembly notices.
 */
export const WASM_TIERING_BUDGET = 1_000_000_000;
