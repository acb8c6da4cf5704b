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
