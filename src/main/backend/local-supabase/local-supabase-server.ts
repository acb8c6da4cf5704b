import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { AuthApi } from './auth-api';
import { apiKeys, verifyJwt } from './jwt';
import type { PlatformDatabase } from './platform-database';
import { RestApi } from './rest-api';
import { StorageApi } from './storage-api';
import { BodyTooLargeError, ClientAbortedError, bearerToken, readBody, sendEmpty, sendJson, type ApiRequest } from './http-util';

/** What the gateway needs from the Realtime server (`RealtimeServer` in realtime-server.ts fits). */
export interface RealtimeEndpoint {
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface LocalSupabaseServerOptions {
  database: PlatformDatabase;
  /** The data folder's JWT secret (loadOrCreateJwtSecret): signs the API keys, access tokens and signed URLs. */
  jwtSecret: string;
  /** Where Storage keeps object bytes. */
  storageDir: string;
  /** Loopback port; 0 (the default) picks a free one. */
  port?: number;
  /** Unexpected failures (a 500 answered) are reported here; defaults to console.error. */
  log?: (message: string) => void;
  /** Mounted at /realtime/v1/websocket. */
  realtime?: RealtimeEndpoint;
  /** Lifetime of the access tokens Auth issues (GoTrue's JWT_EXP; default 3600 s). */
  accessTokenLifetimeSeconds?: number;
  /** How long a rotated refresh token may still be presented (GoTrue's default 10 s); 0 makes any reuse a replay. */
  refreshTokenReuseIntervalSeconds?: number;
  /** Whether POST /auth/v1/signup is open (default true). */
  signupEnabled?: boolean;
  /** PostgREST's db-max-rows for set-returning functions (Supabase's default 1000). */
  maxRows?: number;
  /** Largest JSON body a REST call takes (default 1 MiB). */
  restMaxBodyBytes?: number;
  /** Storage's global upload limit (default 50 MiB, Supabase's free-plan limit); a bucket's limit can lower it. */
  uploadFileSizeLimit?: number;
  /**
   * Edge Functions served at /functions/v1/<name>, made once the server knows its URL and keys (as Supabase
   * gives a function SUPABASE_URL and the keys). Each takes a web Request and answers a Response.
   */
  functions?: (endpoint: LocalSupabaseEndpoint) => Record<string, EdgeFunction>;
}

export type EdgeFunction = (request: Request) => Promise<Response>;

// Edge Functions take bodies up to what Supabase's relay accepts for JSON calls here; the console's are small.
const FUNCTION_BODY_LIMIT = 1 << 20;

export interface LocalSupabaseEndpoint {
  url: string;
  anonKey: string;
  serviceRoleKey: string;
}

// Kong's CORS plugin as Supabase configures it: any origin, the usual methods, the client's requested headers.
const CORS_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS';
const CORS_DEFAULT_HEADERS = 'authorization, x-client-info, apikey, content-type, x-retry-count, x-supabase-api-version, prefer, range, accept-profile, content-profile, x-upsert, cache-control, x-metadata';
const CORS_EXPOSED = 'Content-Encoding, Content-Location, Content-Range, Content-Type, Content-Length, Content-Disposition, Date, Location, Server, Transfer-Encoding, Range-Unit, X-Total-Count, Link, X-Supabase-Api-Version, ETag, Last-Modified, Accept-Ranges, sb-auth-user-id, sb-auth-session-id';
// How long stop() waits for requests already being answered.
const DRAIN_TIMEOUT_MS = 10_000;

/**
 * A local Supabase: one loopback HTTP server that routes /auth/v1, /rest/v1 and /storage/v1 to their APIs
 * and hands WebSocket upgrades on /realtime/v1/websocket to the Realtime server, with the API gateway's
 * rules in front (an anon or service-role `apikey` on Auth, REST and Realtime; CORS as Supabase sends it).
 */
export class LocalSupabaseServer {
  private server: http.Server | null = null;
  private endpoint: LocalSupabaseEndpoint | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly upgraded = new Set<Duplex>();
  private readonly log: (message: string) => void;
  private readonly auth: AuthApi;
  private readonly rest: RestApi;
  private readonly storage: StorageApi;
  private edgeFunctions: Record<string, EdgeFunction> = {};

  constructor(private readonly options: LocalSupabaseServerOptions) {
    this.log = options.log ?? ((message) => console.error(message));
    this.auth = new AuthApi({
      database: options.database,
      jwtSecret: options.jwtSecret,
      issuer: () => `${this.url}/auth/v1`,
      accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
      refreshTokenReuseIntervalSeconds: options.refreshTokenReuseIntervalSeconds ?? 10,
      signupEnabled: options.signupEnabled ?? true,
      log: this.log,
    });
    this.rest = new RestApi({
      database: options.database,
      jwtSecret: options.jwtSecret,
      maxRows: options.maxRows ?? 1000,
      maxBodyBytes: options.restMaxBodyBytes ?? 1 << 20,
      log: this.log,
    });
    this.storage = new StorageApi({
      database: options.database,
      jwtSecret: options.jwtSecret,
      storageDir: options.storageDir,
      uploadFileSizeLimit: options.uploadFileSizeLimit ?? 50 * 1024 * 1024,
      log: this.log,
    });
  }

  /** The base URL (`http://127.0.0.1:PORT`); throws before start(). */
  get url(): string {
    if (!this.endpoint) throw new Error('The local Supabase server is not started.');
    return this.endpoint.url;
  }

  /** Forgets the REST schema cache (as `NOTIFY pgrst, 'reload schema'` does). */
  reloadSchemaCache(): void {
    this.rest.reloadSchemaCache();
  }

  async start(): Promise<LocalSupabaseEndpoint> {
    if (this.endpoint) return this.endpoint;
    const port = this.options.port ?? 0;
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid port ${port} for the local Supabase server.`);
    await this.rest.start();
    try {
      await this.storage.start();
      await this.options.realtime?.start();
    } catch (error) {
      await this.rest.stop();
      throw error;
    }
    const server = http.createServer((req, res) => this.track(this.serve(req, res)));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.upgrade(req, socket, head));
    server.on('clientError', (_error, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    }).catch(async (error: NodeJS.ErrnoException) => {
      await this.options.realtime?.stop();
      await this.rest.stop();
      throw new Error(
        error.code === 'EADDRINUSE' ? `The local Supabase server cannot listen on 127.0.0.1:${port}: the port is in use.` : `The local Supabase server cannot listen: ${error.message}`,
        { cause: error },
      );
    });
    this.server = server;
    const { port: actual } = server.address() as AddressInfo;
    this.endpoint = { url: `http://127.0.0.1:${actual}`, ...apiKeys(this.options.jwtSecret) };
    this.edgeFunctions = this.options.functions?.(this.endpoint) ?? {};
    return this.endpoint;
  }

  /** Stops accepting, lets the requests being answered finish, then closes every connection. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    await this.options.realtime?.stop();
    // Sockets handed to Realtime are no longer the HTTP server's; whatever Realtime left open goes now.
    for (const socket of this.upgraded) socket.destroy();
    const drained = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([drained, new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_TIMEOUT_MS)))]);
    clearTimeout(timer);
    server.closeAllConnections();
    await closed;
    await this.rest.stop();
    this.endpoint = null;
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://127.0.0.1');
      } catch {
        sendJson(res, 400, { message: 'Invalid request URL' });
        return;
      }
      const method = (req.method ?? 'GET').toUpperCase();
      if (req.headers.origin !== undefined) {
        res.setHeader('Access-Control-Allow-Origin', '*');
        res.setHeader('Access-Control-Expose-Headers', CORS_EXPOSED);
      }
      if (method === 'OPTIONS') {
        // A preflight is answered by the gateway, before any key check, as Kong's CORS plugin does.
        sendEmpty(res, 200, {
          'Access-Control-Allow-Origin': '*',
          'Access-Control-Allow-Methods': CORS_METHODS,
          'Access-Control-Allow-Headers': req.headers['access-control-request-headers'] ?? CORS_DEFAULT_HEADERS,
          'Access-Control-Max-Age': '86400',
        });
        return;
      }
      if (url.pathname === '/functions/v1' || url.pathname.startsWith('/functions/v1/')) {
        await this.serveFunction(req, res, url, method);
        return;
      }
      const mount = ['/auth/v1', '/rest/v1', '/storage/v1', '/realtime/v1'].find((m) => url.pathname === m || url.pathname.startsWith(`${m}/`));
      if (!mount) {
        sendJson(res, 404, { message: 'no Route matched with those values' });
        return;
      }
      if (mount !== '/storage/v1' && !this.apiKeyAccepted(req, url, res)) return;
      let sub = url.pathname.slice(mount.length) || '/';
      if (sub.length > 1 && sub.endsWith('/')) sub = sub.slice(0, -1);
      const api: ApiRequest = {
        req,
        res,
        method,
        path: sub,
        url,
        header: (name) => {
          const value = req.headers[name.toLowerCase()];
          return Array.isArray(value) ? value.join(', ') : value;
        },
      };
      if (mount === '/auth/v1') await this.auth.handle(api);
      else if (mount === '/rest/v1') await this.rest.handle(api);
      else if (mount === '/storage/v1') await this.storage.handle(api);
      else sendJson(res, 404, { message: 'The local Supabase server serves Realtime over WebSocket only (/realtime/v1/websocket).' });
    } catch (error) {
      this.log(`local supabase: ${req.method} ${req.url} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error in the local Supabase server' });
      else res.destroy();
    }
  }

  /**
   * /functions/v1/<name>, as Supabase's relay serves a function deployed with verify_jwt (the default): the
   * bearer must be a JWT signed with the project's secret (the anon key, a user's token or the service key),
   * then the function gets the request as it was sent.
   */
  private async serveFunction(req: IncomingMessage, res: ServerResponse, url: URL, method: string): Promise<void> {
    const name = url.pathname.slice('/functions/v1/'.length).split('/')[0] ?? '';
    const fn = Object.hasOwn(this.edgeFunctions, name) ? this.edgeFunctions[name] : undefined;
    if (!fn) {
      sendJson(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found' });
      return;
    }
    const header = req.headers.authorization;
    const token = bearerToken(Array.isArray(header) ? header[0] : header);
    if (!token) {
      sendJson(res, 401, { code: 401, message: 'Missing authorization header' });
      return;
    }
    if (!verifyJwt(token, this.options.jwtSecret).ok) {
      sendJson(res, 401, { code: 401, message: 'Invalid JWT' });
      return;
    }
    let body: Buffer | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      try {
        body = await readBody(req, FUNCTION_BODY_LIMIT);
      } catch (error) {
        if (error instanceof ClientAbortedError) return;
        if (error instanceof BodyTooLargeError) {
          sendJson(res, 413, { code: 413, message: error.message }, { Connection: 'close' });
          return;
        }
        throw error;
      }
    }
    const headers = new Headers();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value === undefined) continue;
      for (const one of Array.isArray(value) ? value : [value]) headers.append(key, one);
    }
    const request = new Request(url.toString(), { method, headers, ...(body && body.length > 0 ? { body: new Uint8Array(body) } : {}) });
    const response = await fn(request);
    const payload = Buffer.from(await response.arrayBuffer());
    const out: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      if (key !== 'content-length' && key !== 'transfer-encoding') out[key] = value;
    });
    res.writeHead(response.status, { ...out, 'Content-Length': String(payload.length) });
    res.end(payload);
  }

  /** Kong's key-auth: an `apikey` header (or query parameter) holding the anon or service-role key. */
  private apiKeyVerdict(req: IncomingMessage, url: URL): { ok: true } | { ok: false; body: Record<string, string> } {
    const header = req.headers.apikey;
    const key = (Array.isArray(header) ? header[0] : header) ?? url.searchParams.get('apikey');
    if (!key) return { ok: false, body: { message: 'No API key found in request', hint: 'No `apikey` request header or url param was found.' } };
    const verdict = verifyJwt(key, this.options.jwtSecret);
    if (!verdict.ok || (verdict.claims.role !== 'anon' && verdict.claims.role !== 'service_role')) {
      return { ok: false, body: { message: 'Invalid API key', hint: 'Double check your Supabase `anon` or `service_role` API key.' } };
    }
    return { ok: true };
  }

  private apiKeyAccepted(req: IncomingMessage, url: URL, res: ServerResponse): boolean {
    const verdict = this.apiKeyVerdict(req, url);
    if (verdict.ok) return true;
    sendJson(res, 401, verdict.body);
    return false;
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const refuse = (status: string, body: unknown) => {
      const text = JSON.stringify(body);
      socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      refuse('400 Bad Request', { message: 'Invalid request URL' });
      return;
    }
    if (url.pathname !== '/realtime/v1/websocket' || !this.options.realtime) {
      refuse('404 Not Found', { message: 'no Route matched with those values' });
      return;
    }
    const verdict = this.apiKeyVerdict(req, url);
    if (!verdict.ok) {
      refuse('401 Unauthorized', verdict.body);
      return;
    }
    this.upgraded.add(socket);
    socket.once('close', () => this.upgraded.delete(socket));
    try {
      this.options.realtime.handleUpgrade(req, socket, head);
    } catch (error) {
      this.log(`local supabase: realtime upgrade failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      socket.destroy();
    }
  }
}
