/**
 * Test plumbing, not a stand-in for the backend: a tiny JSON-lines RPC over a
 * loopback TCP socket that carries a signed-in user's UserConnection calls
 * from a child process to the REAL backend (EmbeddedSupabase: PGlite + the
 * real migrations) living in the parent. The crash test needs it because the
 * server must outlive the child it SIGKILLs, and PGlite lives in one process.
 *
 * Every call is forwarded verbatim to the real connection; the answer (or the
 * refusal, with its code, message key, params and permanence) travels back.
 * A call whose connection dies before the answer arrives rejects with a
 * network-like error, which the outbox treats as transient: exactly what a
 * real dropped HTTP request looks like to it.
 *
 * Wire format, one JSON object per line:
 *   child -> parent  {"id": 1, "method": "sendMessage", "args": [...]}
 *   parent -> child  {"id": 1, "ok": true, "value": ...} | {"id": 1, "ok": false, "error": {...}}
 *   parent -> child  {"hello": {"userId": "..."}} once, on connect
 * Uint8Array values travel as {"$bytes": "<base64>"}.
 */
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { AppError } from '../../src/shared/ipc/errors';
import type { UserConnection } from '../../src/main/backend/backend-port';

interface WireError {
  name: string;
  message: string;
  code?: string;
  messageKey?: string;
  params?: AppError['params'];
  permanent?: boolean;
}

type Request = { id: number; method: string; args: unknown[] };
type Response = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

function encode(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Uint8Array ? { $bytes: Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') } : v,
  );
}

function decode(line: string): unknown {
  return JSON.parse(line, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const bytes = (v as { $bytes?: unknown }).$bytes;
      if (typeof bytes === 'string' && Object.keys(v).length === 1) return new Uint8Array(Buffer.from(bytes, 'base64'));
    }
    return v;
  });
}

function toWireError(error: unknown): WireError {
  if (error instanceof AppError) {
    return { name: error.name, message: error.message, code: error.code, messageKey: error.messageKey, params: error.params, permanent: error.permanent };
  }
  const e = error instanceof Error ? error : new Error(String(error));
  return { name: e.name, message: e.message };
}

function fromWireError(wire: WireError): Error {
  if (wire.code && wire.messageKey) {
    return new AppError(
      { code: wire.code, messageKey: wire.messageKey },
      { detail: wire.message, ...(wire.params ? { params: wire.params } : {}), ...(wire.permanent === undefined ? {} : { permanent: wire.permanent }) },
    );
  }
  return Object.assign(new Error(wire.message), { name: wire.name });
}

/** Methods that take a callback or hand out a live handle cannot cross a socket. */
const NOT_FORWARDED = new Set(['subscribe']);

export interface CallRecord {
  method: string;
  args: unknown[];
  /** 1-based count of calls of this method that succeeded on this server, this one included. */
  successes: number;
  /** 1-based number of the socket connection the call came in on (a child that was killed keeps its number). */
  connection: number;
}

/**
 * Decides, once the real call succeeded, whether its answer reaches the caller. Returning 'drop'
 * swallows the answer (the caller's socket is expected to die, e.g. because the hook SIGKILLed it).
 */
export type AfterCallHook = (call: CallRecord, value: unknown) => 'answer' | 'drop';

export interface ConnectionServer {
  readonly port: number;
  /** How many connections were accepted so far; the next one gets this number plus one. */
  readonly connections: number;
  /** Replaced between child runs; counts restart with it. */
  setAfterCall(hook: AfterCallHook | null): void;
  /** Answers are not waited for: calls the real backend is still running when the socket closes complete anyway. */
  close(): Promise<void>;
}

/** Serves one real UserConnection on 127.0.0.1 (a free port). */
export async function serveUserConnection(connection: UserConnection): Promise<ConnectionServer> {
  let hook: AfterCallHook | null = null;
  let successes = new Map<string, number>();
  const sockets = new Set<Socket>();
  let connections = 0;

  const server: Server = createServer((socket) => {
    sockets.add(socket);
    const connectionNumber = ++connections;
    // A SIGKILLed child resets its end; the calls it left running still finish on the server, unanswered.
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
    const write = (payload: unknown) => {
      if (!socket.destroyed) socket.write(`${encode(payload)}\n`);
    };
    write({ hello: { userId: connection.userId } });
    const lines = createInterface({ input: socket });
    lines.on('error', () => {}); // readline re-emits the socket's reset; the socket's own handler already covers it
    lines.on('line', (line) => {
      let request: Request;
      try {
        request = decode(line) as Request;
      } catch {
        socket.destroy();
        return;
      }
      void (async () => {
        const { id, method, args } = request;
        const target = (connection as unknown as Record<string, unknown>)[method];
        if (typeof target !== 'function' || NOT_FORWARDED.has(method)) {
          write({ id, ok: false, error: { name: 'Error', message: `${method} is not forwarded over the test socket` } } satisfies Response);
          return;
        }
        let response: Response;
        try {
          const value: unknown = await (target as (...a: unknown[]) => Promise<unknown>).apply(connection, args);
          const count = (successes.get(method) ?? 0) + 1;
          successes.set(method, count);
          if (hook && hook({ method, args, successes: count, connection: connectionNumber }, value) === 'drop') return;
          response = { id, ok: true, value: value === undefined ? null : value };
        } catch (error) {
          response = { id, ok: false, error: toWireError(error) };
        }
        write(response);
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    setAfterCall(next) {
      hook = next;
      successes = new Map();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface RemoteConnection {
  connection: UserConnection;
  /** Called with the method name and raw answer value as each answer arrives, before the caller sees it. */
  onAnswer: ((method: string, value: unknown) => void) | null;
  close(): void;
}

/**
 * The child's side: a UserConnection whose every method is a call to the parent. If the socket is gone,
 * calls reject with a network-like error (transient for the outbox) instead of hanging.
 */
export async function connectUserConnection(port: number): Promise<RemoteConnection> {
  const socket = connect({ host: '127.0.0.1', port });
  socket.setNoDelay(true);
  const pending = new Map<number, { method: string; resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  let nextId = 1;
  let closedError: Error | null = null;
  const remote: RemoteConnection = { connection: null as unknown as UserConnection, onAnswer: null, close: () => socket.destroy() };

  const failAll = (error: Error) => {
    closedError = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  socket.on('error', (error) => failAll(Object.assign(new Error(`backend socket: ${error.message}`), { code: 'ECONNRESET' })));
  socket.on('close', () => failAll(Object.assign(new Error('backend socket closed'), { code: 'ECONNRESET' })));

  const hello = new Promise<{ userId: string }>((resolve, reject) => {
    const lines = createInterface({ input: socket });
    lines.on('error', () => {}); // the socket's 'error' handler above fails the pending calls
    lines.on('line', (line) => {
      const message = decode(line) as Response | { hello: { userId: string } };
      if ('hello' in message) {
        resolve(message.hello);
        return;
      }
      const waiting = pending.get(message.id);
      if (!waiting) return;
      pending.delete(message.id);
      if (message.ok) {
        remote.onAnswer?.(waiting.method, message.value);
        waiting.resolve(message.value);
      } else {
        waiting.reject(fromWireError(message.error));
      }
    });
    socket.once('close', () => reject(new Error('backend socket closed before the hello')));
  });
  const { userId } = await hello;

  const invoke = (method: string, args: unknown[]) =>
    new Promise<unknown>((resolve, reject) => {
      if (closedError) {
        reject(closedError);
        return;
      }
      const id = nextId++;
      pending.set(id, { method, resolve, reject });
      socket.write(`${encode({ id, method, args } satisfies Request)}\n`);
    });

  remote.connection = new Proxy({ userId } as UserConnection, {
    get(target, property) {
      if (property === 'userId') return target.userId;
      if (typeof property !== 'string' || property === 'then') return undefined;
      if (NOT_FORWARDED.has(property)) {
        return () => {
          throw new Error(`${property} is not forwarded over the test socket`);
        };
      }
      return (...args: unknown[]) => invoke(property, args);
    },
  });
  return remote;
}
