import { mkdtemp, mkdir, writeFile, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startWebShell, type WebShell } from '../../../src/main/webshell/webshell-server';
import { HeadlessAlertPlatform } from '../../../src/main/alerts';
import { createConsoleCore } from '../../../src/main/core/console-core';
import { EmbeddedSupabase } from '../../../src/main/backend/embedded/embedded-supabase';

let shell: WebShell;
let backend: EmbeddedSupabase;
let rendererDir: string;

/** A real core on the test's embedded backend, as the web shell's CLI makes one per page. */
const consoleCore = () =>
  createConsoleCore({
    shell: 'webshell',
    appName: 'SAMIA TAROT Console',
    version: '0.0.0-test',
    backend,
    dataDir: rendererDir,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    log: () => {},
  });

beforeAll(async () => {
  rendererDir = await mkdtemp(path.join(os.tmpdir(), 'samia-webshell-'));
  await mkdir(path.join(rendererDir, 'assets'));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>console</title>');
  await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 });
  await backend.start();
  shell = await startWebShell({
    rendererDir,
    createCore: () => consoleCore(),
  });
});

afterAll(async () => {
  await shell.close();
  await backend.stop();
  await rm(rendererDir, { recursive: true, force: true });
});

/** Opens the bridge like a page would; resolves with the socket or rejects with the HTTP status. */
function connect(query: string, origin: string | null = shell.url): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${shell.port}/bridge${query}`, origin ? { origin } : {});
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function request(ws: WebSocket, frame: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    ws.once('message', (data) => resolve(JSON.parse(String(data))));
    ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  });
}

/** A GET with the path sent byte for byte: fetch() would normalise dot segments before sending. */
function rawGet(rawPath: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: shell.port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += String(chunk)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the web shell', () => {
  it('listens on loopback only', () => {
    expect(shell.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(shell.pageUrl).toBe(`${shell.url}/#token=${shell.token}`);
  });

  it('refuses a bridge connection without the token, with a wrong token, or from a foreign origin', async () => {
    await expect(connect('')).rejects.toThrow('HTTP 401');
    await expect(connect('?token=')).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${shell.token.slice(1)}x`)).rejects.toThrow('HTTP 401');
    await expect(connect(`?token=${shell.token}`, 'https://evil.example')).rejects.toThrow('HTTP 403');
    await expect(connect(`?token=${shell.token}`, null)).rejects.toThrow('HTTP 403');
  });

  it('carries a request through the contract and back', async () => {
    const ws = await connect(`?token=${shell.token}`);
    const answer = (await request(ws, { kind: 'request', id: 7, name: 'app.ping', input: { text: 'مرحبا' } })) as {
      id: number;
      result: { ok: boolean; value: { text: string } };
    };
    expect(answer.id).toBe(7);
    expect(answer.result).toMatchObject({ ok: true, value: { text: 'مرحبا' } });
    ws.close();
  });

  it('answers malformed frames and payloads with typed errors and keeps serving', async () => {
    const ws = await connect(`?token=${shell.token}`);
    expect(await request(ws, 'not json')).toMatchObject({ result: { ok: false, error: { code: 'ipc.malformed_frame' } } });
    expect(await request(ws, { kind: 'request', id: 'x', name: 'app.ping' })).toMatchObject({
      result: { error: { code: 'ipc.malformed_frame' } },
    });
    expect(await request(ws, { kind: 'request', id: 1, name: 'app.ping', input: { text: 5 } })).toMatchObject({
      id: 1,
      result: { ok: false, error: { code: 'ipc.invalid_input', issues: [{ path: 'text' }] } },
    });
    expect(await request(ws, { kind: 'request', id: 2, name: 'fs.readFile', input: {} })).toMatchObject({
      id: 2,
      result: { ok: false, error: { code: 'ipc.unknown_request' } },
    });
    expect(await request(ws, { kind: 'request', id: 3, name: 'app.ping', input: { text: 'still here' } })).toMatchObject({
      id: 3,
      result: { ok: true },
    });
    ws.close();
  });

  it('serves the renderer with the security headers, and nothing outside it', async () => {
    const index = await fetch(`${shell.url}/`);
    expect(index.status).toBe(200);
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://127.0.0.1:${shell.port}`);
    expect(index.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${shell.url}/assets/app.js`)).status).toBe(200);
    expect((await fetch(`${shell.url}/assets/missing.js`)).status).toBe(404);
    for (const raw of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd']) {
      const { status, body } = await rawGet(raw);
      expect(body).not.toContain('root:');
      expect([200, 400, 404]).toContain(status);
    }
    expect((await fetch(`${shell.url}/`, { method: 'POST' })).status).toBe(405);
  });
});

describe('the web shell while its backend is still starting', () => {
  const makeCore = consoleCore;
  type Core = ReturnType<typeof makeCore>;
  const deferred = () => {
    let resolve!: (core: Core) => void;
    let reject!: (error: Error) => void;
    const promise = new Promise<Core>((res, rej) => ((resolve = res), (reject = rej)));
    return { promise, resolve, reject };
  };

  async function startingShell(pending: { promise: Promise<Core> }[]) {
    const logged: string[] = [];
    const starting = await startWebShell({ rendererDir, createCore: () => pending.shift()!.promise, log: (m) => logged.push(m) });
    const open = () =>
      new Promise<WebSocket>((resolve, reject) => {
        const ws = new WebSocket(`ws://127.0.0.1:${starting.port}/bridge?token=${starting.token}`, { origin: starting.url });
        ws.once('open', () => resolve(ws));
        ws.once('error', reject);
      });
    return { starting, open, logged };
  }

  it('serves the page at once, and answers the calls made meanwhile, in order, once the core is there', async () => {
    const core = deferred();
    const { starting, open } = await startingShell([core]);
    try {
      expect((await fetch(`${starting.url}/`)).status).toBe(200);
      const ws = await open();
      const answers: { id: number; result: { ok: boolean; value?: { text: string } } }[] = [];
      ws.on('message', (data) => answers.push(JSON.parse(String(data)) as (typeof answers)[number]));
      for (const id of [1, 2, 3]) ws.send(JSON.stringify({ kind: 'request', id, name: 'app.ping', input: { text: `call ${id}` } }));
      // The page's calls are held, not refused, while the backend starts.
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(answers).toEqual([]);
      core.resolve(makeCore());
      await expect.poll(() => answers.length).toBe(3);
      expect(answers.map((a) => [a.id, a.result.ok, a.result.value?.text])).toEqual([
        [1, true, 'call 1'],
        [2, true, 'call 2'],
        [3, true, 'call 3'],
      ]);
      ws.close();
    } finally {
      await starting.close();
    }
  });

  it('disposes of a core that arrives after its page has gone', async () => {
    const core = deferred();
    const { starting, open } = await startingShell([core]);
    try {
      const ws = await open();
      ws.close();
      await new Promise((resolve) => ws.once('close', resolve));
      const late = makeCore();
      let disposed = false;
      const dispose = late.dispose.bind(late);
      late.dispose = async () => {
        disposed = true;
        await dispose();
      };
      core.resolve(late);
      await expect.poll(() => disposed).toBe(true);
    } finally {
      await starting.close();
    }
  });

  it('closes the page link when its core cannot be created (the backend did not start)', async () => {
    const core = deferred();
    const { starting, open, logged } = await startingShell([core]);
    try {
      const ws = await open();
      const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
      core.reject(new Error('the schema check failed'));
      expect(await closed).toBe(1011);
      expect(logged.join('\n')).toContain('the schema check failed');
    } finally {
      await starting.close();
    }
  });
});

describe('closing the web shell', () => {
  it('resolves once every page\'s core has closed (the CLI ends the process right after)', async () => {
    const cores: { closed: boolean }[] = [];
    const closing = await startWebShell({
      rendererDir,
      createCore: () => {
        const core = consoleCore();
        const state = { closed: false };
        cores.push(state);
        const dispose = core.dispose.bind(core);
        core.dispose = async () => {
          // A store's last write takes a while; close() must not resolve before it is done.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await dispose();
          state.closed = true;
        };
        return core;
      },
    });
    const pages = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<WebSocket>((resolve, reject) => {
            const ws = new WebSocket(`ws://127.0.0.1:${closing.port}/bridge?token=${closing.token}`, { origin: closing.url });
            ws.once('open', () => resolve(ws));
            ws.once('error', reject);
          }),
      ),
    );
    for (const ws of pages) expect(await request(ws, { kind: 'request', id: 1, name: 'app.ping', input: { text: 'up' } })).toMatchObject({ result: { ok: true } });
    await closing.close();
    expect(cores).toEqual([{ closed: true }, { closed: true }]);
  });
});
