import type { IncomingMessage, ServerResponse } from 'node:http';

/** What the gateway hands each API: the parsed request and where it is mounted. */
export interface ApiRequest {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  /** Path below the API's mount point, always starting with "/" ("/token", "/rpc/list_sessions"). */
  path: string;
  url: URL;
  /** Lower-case header → value (repeated headers joined with ", "). */
  header(name: string): string | undefined;
}

/** The body was larger than the endpoint accepts; each API renders it in its own error format. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body too large (max ${limit} bytes)`);
    this.name = 'BodyTooLargeError';
  }
}

/** The client went away before its body arrived: nothing to answer, nothing to report. */
export class ClientAbortedError extends Error {
  constructor() {
    super('The client aborted the request.');
    this.name = 'ClientAbortedError';
  }
}

// After answering "too large" the rest of the upload is read and dropped for a short while, so the client
// receives the answer instead of a reset; a client that keeps sending past that is disconnected.
const DRAIN_AFTER_REFUSAL_MS = 3_000;

/**
 * Reads the whole body, refusing (BodyTooLargeError) as soon as it exceeds `limit` bytes, whether the
 * client declared that size in Content-Length or streams it.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      discardRest(req);
      reject(new BodyTooLargeError(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const onData = (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        chunks.length = 0;
        req.off('data', onData);
        discardRest(req);
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(chunks, size));
    });
    req.once('error', (error) => {
      if (done) return;
      done = true;
      reject(error);
    });
    req.once('aborted', () => {
      if (done) return;
      done = true;
      reject(new ClientAbortedError());
    });
  });
}

function discardRest(req: IncomingMessage): void {
  req.resume();
  const timer = setTimeout(() => req.socket.destroy(), DRAIN_AFTER_REFUSAL_MS);
  timer.unref();
  req.once('end', () => clearTimeout(timer));
}

/** Sends a JSON body (already serialised when `body` is a string). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const payload = Buffer.from(text, 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
    ...headers,
  });
  res.end(payload);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': '0' });
  res.end();
}

/** `Authorization: Bearer <token>` → the token; anything else → null. */
export function bearerToken(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return match ? match[1]! : null;
}

/** Parses a JSON body, returning a reason instead of throwing so each API can word its own error. */
export function parseJson(body: Buffer): { ok: true; value: unknown } | { ok: false; reason: string } {
  const text = body.toString('utf8');
  if (text.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error) };
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A database error's fields, from PGlite or node-postgres (both use pg-protocol's DatabaseError). */
export interface PgErrorFields {
  code: string;
  message: string;
  detail?: string;
  hint?: string;
}

export function pgError(error: unknown): PgErrorFields | null {
  if (!error || typeof error !== 'object') return null;
  const e = error as { code?: unknown; message?: unknown; detail?: unknown; hint?: unknown };
  if (typeof e.code !== 'string' || !/^[0-9A-Z]{5}$/.test(e.code)) return null;
  return {
    code: e.code,
    message: typeof e.message === 'string' ? e.message : '',
    ...(typeof e.detail === 'string' ? { detail: e.detail } : {}),
    ...(typeof e.hint === 'string' ? { hint: e.hint } : {}),
  };
}
