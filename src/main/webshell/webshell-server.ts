import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEBSHELL_BRIDGE_PATH, WEBSHELL_TOKEN_PARAM } from '../../shared/ipc/channels';
import type { BridgeServerFrame } from '../../shared/ipc/bridge-api';
import { IPC_ERROR } from '../../shared/ipc/errors';
import { contentTypeOf, resolveRendererFile } from '../security/static-files';
import { rendererSecurityHeaders } from '../security/content-security-policy';
import type { ConsoleCore } from '../core/console-core';
import { rangeResponse } from '../media/range-response';
import { startupMark } from '../core/startup-trace';

export interface WebShellOptions {
  /** The renderer's build output (index.html and assets). */
  rendererDir: string;
  /**
   * Creates the core for one connected page; several pages mean several signed-in users. It may resolve later (the
   * CLI serves the page while the backend is still starting): the page's calls wait for it, in the order they came.
   */
  createCore(pageId: string, mediaBaseUrl: string): ConsoleCore | Promise<ConsoleCore>;
  port?: number;
  /** The CLI keeps it in the data folder (a page left open survives a restart); otherwise a fresh random token. */
  token?: string;
  log?: (message: string) => void;
}

export interface WebShell {
  url: string;
  /** The URL a browser opens: the token rides in the fragment, which is never sent over HTTP. */
  pageUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MAX_FRAME_BYTES = 16 * 1024 * 1024;
const LOOPBACK_HOST = '127.0.0.1';

const isLoopbackAddress = (address: string | undefined) =>
  address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';

function tokensMatch(expected: string, given: string | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The web shell: serves the renderer over loopback HTTP and carries the IPC contract over a WebSocket
 * that only opens for a page presenting this run's token, from this server's own origin.
 * It is how the console runs where the Electron binary is absent (DESIGN §7).
 */
export async function startWebShell(options: WebShellOptions): Promise<WebShell> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => {});
  let origin = '';
  let headers: Record<string, string> = {};

  const server = http.createServer((req, res) => {
    if (!isLoopbackAddress(req.socket.remoteAddress)) {
      res.writeHead(403).end();
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (req.url === '/' || req.url?.startsWith('/assets/')) startupMark(`page requested ${req.url === '/' ? 'the document' : 'an asset'}`);
    if (req.url?.startsWith('/media/')) {
      void serveMedia(req, res);
      return;
    }
    void serveFile(req, res);
  });

  // The renderer's files, read once each and sent in one write. At start-up the embedded backend opens in this same
  // thread (PGlite), and a file streamed in 64 KiB chunks waits for the thread once per chunk: the page's 1 MB bundle
  // would arrive only once the database is open. Keyed by path, size and modification time (a rebuild is served anew).
  const fileCache = new Map<string, { key: string; body: Buffer }>();
  async function rendererFile(file: string, info: { size: number; mtimeMs: number }): Promise<Buffer> {
    const key = `${info.size}:${info.mtimeMs}`;
    const cached = fileCache.get(file);
    if (cached?.key === key) return cached.body;
    const body = await readFile(file);
    fileCache.set(file, { key, body });
    return body;
  }

  // Each page's media lives under an unguessable key of its own; a key serves only its own signed-in user's files.
  const mediaRoutes = new Map<string, ConsoleCore>();
  /** Per page: closes its core once (the page left, or the shell is closing); awaited by close(). */
  const pageDisposals = new Set<() => Promise<void>>();

  async function serveMedia(req: http.IncomingMessage, res: http.ServerResponse) {
    const [, , key, encoded] = new URL(req.url ?? '/', origin).pathname.split('/');
    const core = key ? mediaRoutes.get(key) : undefined;
    if (!core || !encoded) {
      res.writeHead(404, headers).end();
      return;
    }
    try {
      const { filePath, mimeType } = await core.mediaFile(decodeURIComponent(encoded));
      const range = await rangeResponse(filePath, req.headers.range ?? null, mimeType, req.method === 'HEAD');
      res.writeHead(range.status, range.headers);
      if (range.body) range.body.pipe(res);
      else res.end();
    } catch {
      // Not found and not allowed look the same, as in Storage.
      res.writeHead(404, headers).end();
    }
  }

  async function serveFile(req: http.IncomingMessage, res: http.ServerResponse) {
    const requested = new URL(req.url ?? '/', origin).pathname;
    let file = resolveRendererFile(options.rendererDir, requested);
    if (!file) {
      res.writeHead(400, headers).end();
      return;
    }
    let info = await stat(file).catch(() => null);
    if (!info?.isFile()) {
      // Single-page app: routes without a file get the shell document, assets that are missing get a 404.
      if (requested.startsWith('/assets/')) {
        res.writeHead(404, headers).end();
        return;
      }
      file = resolveRendererFile(options.rendererDir, '/index.html')!;
      info = await stat(file).catch(() => null);
      if (!info?.isFile()) {
        res.writeHead(500, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('The renderer is not built. Run `npm run build` first.');
        return;
      }
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(file), 'Content-Length': String(info.size), 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    let body: Buffer;
    try {
      body = await rendererFile(file, info);
    } catch {
      // Removed or replaced between the stat and the read (a rebuild under way): the next request finds it.
      res.writeHead(503, headers).end();
      return;
    }
    res.writeHead(200, {
      ...headers,
      'Content-Type': contentTypeOf(file),
      'Content-Length': String(body.length),
      'Cache-Control': 'no-store',
    });
    res.end(body);
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  let nextPage = 0;

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    const refuse = (status: number, reason: string) => {
      log(`web shell refused a bridge connection: ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (!isLoopbackAddress(req.socket.remoteAddress)) return refuse(403, 'not loopback');
    if (url.pathname !== WEBSHELL_BRIDGE_PATH) return refuse(404, 'unknown path');
    if (!tokensMatch(token, url.searchParams.get(WEBSHELL_TOKEN_PARAM))) return refuse(401, 'missing or wrong token');
    // A page from another origin must not ride a leaked token (cross-site WebSocket hijacking).
    if (req.headers.origin !== origin) return refuse(403, `foreign origin ${String(req.headers.origin)}`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      startupMark('page connected');
      attachPage(ws, `page-${++nextPage}`);
    });
  });

  function attachPage(ws: WebSocket, pageId: string) {
    const mediaKey = randomBytes(18).toString('base64url');
    const send = (frame: BridgeServerFrame) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    };
    let closed = false;
    let detach = () => {};
    const attached: Promise<ConsoleCore | null> = Promise.resolve()
      .then(() => options.createCore(pageId, `${origin}/media/${mediaKey}/`))
      .then(
        (core) => {
          // The page has gone already: its disposal, waiting on this promise, closes the core.
          if (closed) return core;
          mediaRoutes.set(mediaKey, core);
          detach = core.events.attach((name, payload) => send({ kind: 'event', name, payload }));
          return core;
        },
        (error: unknown) => {
          // No core, no calls to answer: the page sees its link drop (the CLI ends when its backend cannot start).
          log(`web shell could not create the core of ${pageId}: ${String(error)}`);
          ws.close(1011, 'console unavailable');
          return null;
        },
      );
    ws.on('message', (data, isBinary) => {
      void handleFrame(data, isBinary);
    });
    async function handleFrame(data: unknown, isBinary: boolean) {
      let frame: { kind?: unknown; id?: unknown; name?: unknown; input?: unknown };
      try {
        if (isBinary) throw new Error('binary frame');
        frame = JSON.parse(String(data)) as typeof frame;
      } catch {
        send({ kind: 'response', id: -1, result: { ok: false, error: IPC_ERROR.malformedFrame } });
        return;
      }
      const id = typeof frame.id === 'number' && Number.isSafeInteger(frame.id) ? frame.id : -1;
      if (frame.kind !== 'request' || id < 0) {
        send({ kind: 'response', id, result: { ok: false, error: IPC_ERROR.malformedFrame } });
        return;
      }
      const core = await attached;
      if (!core) return;
      const result = await core.dispatch(frame.name, frame.input, { origin: pageId });
      send({ kind: 'response', id, result });
    }
    let disposed: Promise<void> | null = null;
    const dispose = () =>
      (disposed ??= attached
        .then((core) => core?.dispose())
        .catch((error: unknown) => log(`web shell could not close the core of ${pageId}: ${String(error)}`))
        .finally(() => pageDisposals.delete(dispose)));
    pageDisposals.add(dispose);
    ws.on('close', () => {
      closed = true;
      mediaRoutes.delete(mediaKey);
      detach();
      void dispose();
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, LOOPBACK_HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://${LOOPBACK_HOST}:${port}`;
  headers = rendererSecurityHeaders({ connectSources: [`ws://${LOOPBACK_HOST}:${port}`] });

  return {
    url: origin,
    pageUrl: `${origin}/#${WEBSHELL_TOKEN_PARAM}=${token}`,
    token,
    port,
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      // Each page's core closes its local store (the session list's last write included) before close resolves: the
      // CLI ends the process right after.
      await Promise.all([...pageDisposals].map((dispose) => dispose()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
