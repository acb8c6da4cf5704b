import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import WebSocket, { WebSocketServer } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSupabaseServer, type RealtimeEndpoint } from '../../../src/main/backend/local-supabase/local-supabase-server';
import { openDatabase, type Database } from './harness';

/**
 * Test double for the Realtime server (built separately in realtime-server.ts): it only records the upgrades
 * the gateway hands it and completes the handshake with `ws`, which is all the gateway's contract covers.
 */
class RecordingRealtime implements RealtimeEndpoint {
  readonly upgrades: string[] = [];
  started = 0;
  stopped = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  async start() {
    this.started++;
  }
  async stop() {
    this.stopped++;
    for (const client of this.wss.clients) client.terminate();
  }
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    this.upgrades.push(req.url ?? '');
    this.wss.handleUpgrade(req, socket, head, (ws) => ws.send('hello'));
  }
}

describe('the local Supabase gateway', () => {
  let db: Database;
  let server: LocalSupabaseServer;
  let realtime: RecordingRealtime;
  let endpoint: { url: string; anonKey: string; serviceRoleKey: string };
  const jwtSecret = randomBytes(32).toString('base64url');
  const storageDir = mkdtempSync(path.join(tmpdir(), 'samia-gateway-'));

  beforeAll(async () => {
    db = await openDatabase('pglite');
    await db.exec(`create function public.t_slow() returns text language sql as $$ select pg_sleep(0.3)::text || 'done' $$;`);
    realtime = new RecordingRealtime();
    server = new LocalSupabaseServer({ database: db.database, jwtSecret, storageDir, realtime, log: () => {} });
    endpoint = await server.start();
  });
  afterAll(async () => {
    await server?.stop();
    await db?.close();
    rmSync(storageDir, { recursive: true, force: true });
  });

  it('listens on loopback only and prints keys of the anon and service roles', () => {
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const role = (key: string) => JSON.parse(Buffer.from(key.split('.')[1]!, 'base64url').toString()).role;
    expect(role(endpoint.anonKey)).toBe('anon');
    expect(role(endpoint.serviceRoleKey)).toBe('service_role');
    expect(realtime.started).toBe(1);
  });

  it('answers CORS preflights and marks responses for any origin, as Supabase’s gateway does', async () => {
    const preflight = await fetch(`${endpoint.url}/rest/v1/rpc/t_slow`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://localhost:3000', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, apikey, content-type, x-client-info' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('authorization, apikey, content-type, x-client-info');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const res = await fetch(`${endpoint.url}/auth/v1/health`, { headers: { Origin: 'http://localhost:3000', apikey: endpoint.anonKey } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-expose-headers')).toContain('Content-Range');
  });

  it('answers 404 outside the four APIs', async () => {
    const res = await fetch(`${endpoint.url}/graphql/v1`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'no Route matched with those values' });
  });

  it('hands WebSocket upgrades on /realtime/v1/websocket to the Realtime server, with an apikey only', async () => {
    const ws = new WebSocket(`${endpoint.url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${endpoint.anonKey}&vsn=1.0.0`);
    const first = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    expect(first).toBe('hello');
    ws.close();
    expect(realtime.upgrades[0]).toContain('/realtime/v1/websocket?apikey=');

    const refused = async (url: string) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(url);
        socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        socket.once('error', () => resolve(-1));
      });
    expect(await refused(`${endpoint.url.replace('http', 'ws')}/realtime/v1/websocket?vsn=1.0.0`)).toBe(401);
    expect(await refused(`${endpoint.url.replace('http', 'ws')}/rest/v1/websocket?apikey=${endpoint.anonKey}`)).toBe(404);
    expect(realtime.upgrades).toHaveLength(1);
  });

  it('closes WebSockets it handed over when it stops, even those Realtime left open', async () => {
    const lazy: RealtimeEndpoint = { start: async () => {}, stop: async () => {}, handleUpgrade: () => {} };
    const second = new LocalSupabaseServer({ database: db.database, jwtSecret, storageDir, realtime: lazy, log: () => {} });
    const { url, anonKey } = await second.start();
    const ws = new WebSocket(`${url.replace('http', 'ws')}/realtime/v1/websocket?apikey=${anonKey}`);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()).once('error', () => resolve()));
    await new Promise((r) => setTimeout(r, 100));
    await second.stop();
    await closed;
  });

  it('refuses a second server on a port in use with a clear error', async () => {
    const port = Number(new URL(endpoint.url).port);
    const other = new LocalSupabaseServer({ database: db.database, jwtSecret, storageDir, port, log: () => {} });
    await expect(other.start()).rejects.toThrow(/port is in use/);
  });

  it('lets requests being answered finish when it stops, then refuses new connections', async () => {
    const second = new LocalSupabaseServer({ database: db.database, jwtSecret, storageDir, log: () => {} });
    const { url, anonKey } = await second.start();
    const slow = fetch(`${url}/rest/v1/rpc/t_slow`, { method: 'POST', headers: { apikey: anonKey, 'Content-Type': 'application/json' }, body: '{}' });
    await new Promise((r) => setTimeout(r, 50));
    await second.stop();
    const res = await slow;
    expect(res.status).toBe(200);
    expect(await res.json()).toBe('done');
    await expect(fetch(`${url}/auth/v1/health`, { headers: { apikey: anonKey } })).rejects.toThrow();
  });
});
