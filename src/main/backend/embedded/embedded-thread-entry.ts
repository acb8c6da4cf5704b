import v8 from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { SchemaError } from '../../schema/index';
import { EmbeddedServer } from './embedded-server';
import { WASM_TIERING_BUDGET, type FromThread, type ThreadError, type ThreadOptions, type ToThread } from './embedded-thread-protocol';
import { startupMark } from '../../core/startup-trace';

// The embedded backend's thread (started by embedded-thread.ts): the local Supabase, PGlite and its API servers,
// off the console's thread, so opening the database and answering requests never hold the page or the IPC.

startupMark('backend thread: modules loaded');

if (!parentPort) throw new Error('embedded-thread-entry runs as a worker thread of the console (embedded-thread.ts).');
const port = parentPort;
const post = (message: FromThread) => port.postMessage(message);
const { log, ...options } = workerData as ThreadOptions;

function toThreadError(error: unknown): ThreadError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error) };
  const code = (error as NodeJS.ErrnoException).code;
  return {
    name: error.name,
    message: error.message,
    ...(error.stack ? { stack: error.stack } : {}),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error instanceof SchemaError && error.file ? { file: error.file } : {}),
  };
}

v8.setFlagsFromString(`--wasm-tiering-budget=${WASM_TIERING_BUDGET}`);
const server = new EmbeddedServer({ ...options, ...(log ? { log: (message: string) => post({ kind: 'log', message }) } : {}) });

port.on('message', (message: ToThread) => {
  if (message.kind !== 'stop') return;
  void server
    .stop()
    .catch((error: unknown) => post({ kind: 'log', message: `stopping the embedded backend failed: ${String(error)}` }))
    .finally(() => {
      post({ kind: 'stopped' });
      port.close();
    });
});

try {
  post({ kind: 'started', api: await server.start() });
} catch (error) {
  post({ kind: 'failed', error: toThreadError(error) });
  port.close();
}
