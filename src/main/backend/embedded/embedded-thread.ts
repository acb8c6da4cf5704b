import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SchemaError } from '../../schema/index';
import { EmbeddedClientSide } from './embedded-client-side';
import type { LocalApi } from './embedded-server';
import type { EmbeddedSupabaseOptions } from './embedded-supabase';
import { startupMark } from '../../core/startup-trace';
import type { FromThread, ThreadError, ThreadOptions, ToThread } from './embedded-thread-protocol';

export type EmbeddedThreadOptions = Omit<EmbeddedSupabaseOptions, 'database'>;

/** How long a stop waits for the thread to close the database before ending it. */
const STOP_DEADLINE_MS = 10_000;

/**
 * The embedded backend as the shells run it: the local Supabase (EmbeddedServer: PGlite and its API servers) in a
 * worker thread of its own, as Signal Desktop keeps its database in one, and the console's supabase-js adapter on
 * this thread, reaching it over loopback as it would reach a Supabase project. Opening the database, the schema
 * check and every query then run beside the console's work instead of holding it: the page is served and drawn
 * while PGlite opens, and a long query or a maintenance pass no longer delays IPC or realtime delivery.
 */
export class EmbeddedSupabaseThread extends EmbeddedClientSide {
  api: LocalApi | null = null;
  private worker: Worker | null = null;
  private starting: Promise<void> | null = null;
  private stopping: Promise<void> | null = null;

  constructor(private readonly options: EmbeddedThreadOptions) {
    super();
  }

  async start(): Promise<void> {
    if (this.inner) return;
    this.starting ??= this.open().finally(() => (this.starting = null));
    await this.starting;
  }

  private async open(): Promise<void> {
    const { secretStore, log, ...server } = this.options;
    const script = threadScript();
    const workerData: ThreadOptions = { ...server, log: Boolean(log) };
    const worker = 'source' in script ? new Worker(script.source, { eval: true, workerData }) : new Worker(script.file, { workerData });
    this.worker = worker;
    startupMark('backend thread created');
    // Node loads its fetch (undici) at first use, some 50-100 ms of this thread; supabase-js needs it as soon as the
    // backend answers, so it is loaded now, while the backend's thread opens the database.
    if (typeof globalThis.fetch !== 'function') {
      void worker.terminate();
      throw new Error('This Node.js has no fetch; the console needs Node.js 20 or later.');
    }
    // supabase-js too, which a shell that started this thread first has not loaded yet.
    const client = import('./embedded-supabase');
    client.catch(() => {});
    const api = await new Promise<LocalApi>((resolve, reject) => {
      worker.on('message', (message: FromThread) => {
        if (message.kind === 'log') log?.(message.message);
        else if (message.kind === 'started') resolve(message.api);
        else if (message.kind === 'failed') reject(fromThreadError(message.error));
      });
      worker.once('error', (error) => {
        reject(error);
        log?.(`the embedded backend's thread failed: ${error.stack ?? error.message}`);
      });
      worker.once('exit', (code) => {
        // Before 'started' this rejects the start; afterwards the backend is gone and every request fails as
        // unreachable, which the console shows.
        reject(new Error(`The embedded backend's thread exited (code ${code}) before it started.`));
        if (this.worker !== worker) return;
        if (this.api && !this.stopping) log?.(`the embedded backend's thread exited unexpectedly (code ${code})`);
        this.worker = null;
      });
    }).catch(async (error: unknown) => {
      await worker.terminate().catch(() => {});
      this.worker = null;
      throw error;
    });
    const { embeddedClientBackend } = await client;
    this.api = api;
    this.inner = embeddedClientBackend(api, secretStore);
  }

  async stop(): Promise<void> {
    this.stopping ??= this.close();
    await this.stopping;
    this.stopping = null;
  }

  private async close(): Promise<void> {
    // A start under way is let finish first: ending the thread while PGlite opens would lose its files.
    await this.starting?.catch(() => {});
    await this.inner?.stop();
    this.inner = null;
    const worker = this.worker;
    if (worker) {
      const stopped = new Promise<void>((resolve) => {
        worker.on('message', (message: FromThread) => message.kind === 'stopped' && resolve());
        worker.once('exit', () => resolve());
      });
      worker.postMessage({ kind: 'stop' } satisfies ToThread);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), STOP_DEADLINE_MS)));
      if ((await Promise.race([stopped, late])) === 'late') this.options.log?.('the embedded backend did not stop in time; its thread is ended');
      clearTimeout(timer);
      await worker.terminate();
      this.worker = null;
    }
    this.api = null;
  }
}

function fromThreadError(error: ThreadError): Error {
  const rebuilt = error.name === 'SchemaError' ? new SchemaError(error.message, error.file) : new Error(error.message);
  if (error.name !== 'SchemaError') rebuilt.name = error.name;
  if (error.stack) rebuilt.stack = error.stack;
  if (error.code) (rebuilt as NodeJS.ErrnoException).code = error.code;
  return rebuilt;
}

/**
 * The thread's script. Built (out/main/): embedded-thread.js, an entry of its own beside index.js and webshell.js,
 * found from this module, which the bundler may have put in out/main/chunks/. From the sources (through tsx): the
 * entry's TypeScript, loaded through tsx's loader in the thread.
 */
function threadScript(): { file: URL } | { source: string } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) {
    const entry = pathToFileURL(path.join(path.dirname(here), 'embedded-thread-entry.ts')).href;
    return { source: `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });` };
  }
  for (const dir of [path.dirname(here), path.dirname(path.dirname(here))]) {
    const file = path.join(dir, 'embedded-thread.js');
    if (existsSync(file)) return { file: pathToFileURL(file) };
  }
  throw new Error(`The embedded backend's thread script (embedded-thread.js) is not beside ${here}: rebuild with \`npx electron-vite build\`.`);
}
