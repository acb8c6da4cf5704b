// The realtime server as the local Supabase runs it, for tests: a real database (PGlite, or a throwaway
// PostgreSQL 15) with the compat layer and the migrations, a loopback HTTP server that hands WebSocket
// upgrades to RealtimeServer (standing in for local-supabase-server.ts), people and sessions written with
// the platform's rights, access tokens signed as GoTrue signs them, and stock supabase-js clients.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js';
import { PgliteDatabase, type PlatformDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { PostgresDatabase } from '../../../src/main/backend/local-supabase/postgres-database';
import { apiKeys, signJwt, verifyJwt } from '../../../src/main/backend/local-supabase/jwt';
import { RealtimeServer, type RealtimeLimits } from '../../../src/main/backend/local-supabase/realtime-server';
import { applySchema, fromPg } from '../../../src/main/schema/index';
import { startPostgres, type PostgresServer } from '../../support/postgres-server';

export type EngineName = 'pglite' | 'postgres';
export type ConsoleRole = 'client' | 'reader' | 'monitor' | 'admin' | 'super_admin';

/** Polls until `check` returns something truthy; fails with `what` after `timeoutMs` (never a timing assertion). */
export async function waitFor<T>(what: string, check: () => T | undefined | null | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

export interface ReceivedBroadcast {
  event: string;
  payload: Record<string, unknown>;
  meta?: { id?: string };
}

/** One channel of a test client and everything it saw. */
export interface Subscription {
  topic: string;
  channel: RealtimeChannel;
  statuses: { status: string; message?: string }[];
  broadcasts: ReceivedBroadcast[];
  systems: Record<string, unknown>[];
  presenceEvents: Record<string, unknown>[];
  /** Resolves with the first status after `from` (an index into statuses) that is not "CLOSED"-on-leave. */
  nextStatus(from?: number): Promise<{ status: string; message?: string }>;
  /** Broadcasts with this event. */
  got(event: string): ReceivedBroadcast[];
}

export interface SubscribeOptions {
  self?: boolean;
  ack?: boolean;
  presence?: boolean;
  presenceKey?: string;
  private?: boolean;
}

export class TestClient {
  readonly supabase: SupabaseClient;
  constructor(
    url: string,
    anonKey: string,
    options: { vsn?: '1.0.0' | '2.0.0'; heartbeatIntervalMs?: number },
  ) {
    this.supabase = createClient(url, anonKey, {
      auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
      realtime: {
        // Node 20 has no global WebSocket: the `ws` package, as the console's adapter passes it.
        transport: WebSocket as unknown as never,
        ...(options.vsn ? { vsn: options.vsn } : {}),
        ...(options.heartbeatIntervalMs ? { heartbeatIntervalMs: options.heartbeatIntervalMs } : {}),
      },
    });
  }

  async setAuth(token: string): Promise<void> {
    await this.supabase.realtime.setAuth(token);
  }

  subscribe(subTopic: string, options: SubscribeOptions = {}): Subscription {
    const channel = this.supabase.channel(subTopic, {
      config: {
        private: options.private ?? true,
        broadcast: { self: options.self ?? false, ack: options.ack ?? false },
        presence: { key: options.presenceKey ?? '', enabled: options.presence ?? false },
      },
    });
    const sub: Subscription = {
      topic: subTopic,
      channel,
      statuses: [],
      broadcasts: [],
      systems: [],
      presenceEvents: [],
      nextStatus: (from = 0) => waitFor(`a subscription status of ${subTopic}`, () => sub.statuses[from]),
      got: (event) => sub.broadcasts.filter((b) => b.event === event),
    };
    channel.on('broadcast', { event: '*' }, (message) => sub.broadcasts.push(message as unknown as ReceivedBroadcast));
    channel.on('system', {}, (message: Record<string, unknown>) => sub.systems.push(message));
    if (options.presence) {
      channel.on('presence', { event: 'join' }, (message) => sub.presenceEvents.push({ ...message }));
      channel.on('presence', { event: 'leave' }, (message) => sub.presenceEvents.push({ ...message }));
      channel.on('presence', { event: 'sync' }, () => sub.presenceEvents.push({ event: 'sync' }));
    }
    channel.subscribe((status, error) => sub.statuses.push({ status, ...(error ? { message: error.message } : {}) }));
    return sub;
  }

  async close(): Promise<void> {
    await this.supabase.removeAllChannels();
    await this.supabase.realtime.disconnect();
  }
}

export interface Harness {
  readonly engine: EngineName;
  readonly db: PlatformDatabase;
  realtime: RealtimeServer;
  readonly url: string;
  readonly anonKey: string;
  readonly serviceRoleKey: string;
  readonly secret: string;
  readonly logs: string[];
  /** Destroys the TCP connection of every upgraded socket, as a network drop would. */
  dropSockets(): void;
  person(role: ConsoleRole, name: string): Promise<string>;
  session(participants: [userId: string, roleInSession: 'client' | 'reader' | 'staff'][], type?: 'booking' | 'support'): Promise<string>;
  /** A text message written as the platform: the migrations' triggers broadcast it. */
  text(sessionId: string, senderId: string, body: string): Promise<string>;
  /** A voice note awaiting approval (the storage object first, as uploads come before messages). */
  pendingVoice(sessionId: string, senderId: string): Promise<string>;
  approve(messageId: string, monitorId: string): Promise<void>;
  token(userId: string, options?: { expiresInS?: number }): string;
  client(options?: { vsn?: '1.0.0' | '2.0.0'; heartbeatIntervalMs?: number }): TestClient;
  /** Disconnects every client made so far (after each test, so that a failed test leaves no socket behind). */
  closeClients(): Promise<void>;
  close(): Promise<void>;
}

// The console's own policies let no client write on realtime.messages (typing goes through broadcast_typing, so
// the database decides its event and payload). The server's client broadcasts and presence are Supabase features
// all the same; to exercise them, this test database adds the policy a project would: participants of a session
// may broadcast and track presence on its topic. Test set-up only, never in the migrations.
const TEST_WRITE_POLICY = `
  create policy test_participants_write on realtime.messages for insert to authenticated
    with check (extension in ('broadcast', 'presence') and topic like 'session:%'
                and private.uuid_or_null(substr(topic, 9)) in (select private.my_session_ids()))`;

async function openDatabase(engine: EngineName): Promise<{ db: PlatformDatabase; stop: () => Promise<void> }> {
  if (engine === 'pglite') {
    const db = await PgliteDatabase.open(null);
    await applySchema(db.db, { target: 'compat' });
    await db.db.exec(TEST_WRITE_POLICY);
    return { db, stop: () => db.close() };
  }
  const server: PostgresServer = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  admin.on('notice', () => undefined);
  await admin.connect();
  try {
    await applySchema(fromPg(admin), { target: 'compat' });
    await admin.query(TEST_WRITE_POLICY);
  } finally {
    await admin.end();
  }
  const db = new PostgresDatabase(server.url);
  return {
    db,
    stop: async () => {
      await db.close();
      await server.stop();
    },
  };
}

export async function startHarness(engine: EngineName, limits: Partial<RealtimeLimits> = {}): Promise<Harness> {
  const { db, stop } = await openDatabase(engine);
  const secret = randomBytes(32).toString('base64url');
  const { anonKey, serviceRoleKey } = apiKeys(secret);
  const logs: string[] = [];
  const realtime = new RealtimeServer({ database: db, verifyToken: (token) => verifyJwt(token, secret), log: (m) => logs.push(m), limits });
  await realtime.start();

  const rawSockets = new Set<Duplex>();
  const http: Server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  const clients: TestClient[] = [];
  const harness: Harness = {
    engine,
    db,
    realtime,
    url: '',
    anonKey,
    serviceRoleKey,
    secret,
    logs,
    dropSockets() {
      for (const socket of rawSockets) socket.destroy();
    },
    async person(role, name) {
      const id = randomUUID();
      await db.asPlatform(async (sql) => {
        await sql.query(`insert into auth.users (id, email, aud, role) values ($1, $2, 'authenticated', 'authenticated')`, [id, `${name.toLowerCase()}-${id.slice(0, 8)}@samia.test`]);
        await sql.query(
          `insert into public.profiles (id, display_name, role, availability) values ($1, $2, $3, 'online')
           on conflict (id) do update set display_name = excluded.display_name, role = excluded.role`,
          [id, name, role],
        );
      });
      return id;
    },
    async session(participants, type = 'booking') {
      const id = randomUUID();
      await db.asPlatform(async (sql) => {
        await sql.query(`insert into public.chat_sessions (id, type, created_by) values ($1, $2, $3)`, [id, type, participants[0]![0]]);
        for (const [userId, role] of participants) {
          await sql.query(`insert into public.chat_participants (session_id, user_id, role_in_session) values ($1, $2, $3)`, [id, userId, role]);
        }
      });
      return id;
    },
    async text(sessionId, senderId, body) {
      const { rows } = await db.asPlatform((sql) =>
        sql.query<{ id: string }>(
          `insert into public.chat_messages (session_id, sender_id, type, body, status) values ($1, $2, 'text', $3, 'sent') returning id::text as id`,
          [sessionId, senderId, body],
        ),
      );
      return rows[0]!.id;
    },
    async pendingVoice(sessionId, senderId) {
      const id = randomUUID();
      const path = `${sessionId}/${id}/voice.webm`;
      await db.asPlatform(async (sql) => {
        await sql.query(
          `insert into storage.objects (bucket_id, name, owner, owner_id, metadata) values ('chat-files', $1, $2, $3::uuid, '{"size": 2000, "mimetype": "audio/webm"}')`,
          [path, senderId, senderId],
        );
        await sql.query(
          `insert into public.chat_messages (id, session_id, sender_id, type, storage_path, mime_type, size_bytes, duration_ms, status)
           values ($1, $2, $3, 'audio', $4, 'audio/webm', 2000, 3000, 'pending_approval')`,
          [id, sessionId, senderId, path],
        );
      });
      return id;
    },
    async approve(messageId, monitorId) {
      await db.asPlatform((sql) =>
        sql.query(`update public.chat_messages set status = 'approved', reviewed_by = $2, reviewed_at = now() where id = $1`, [messageId, monitorId]),
      );
    },
    token(userId, { expiresInS = 3600 } = {}) {
      const now = Math.floor(Date.now() / 1000);
      return signJwt(
        {
          aud: 'authenticated',
          exp: now + expiresInS,
          iat: now,
          iss: `${harness.url}/auth/v1`,
          sub: userId,
          email: `${userId.slice(0, 8)}@samia.test`,
          phone: '',
          app_metadata: { provider: 'email', providers: ['email'] },
          user_metadata: {},
          role: 'authenticated',
          aal: 'aal1',
          amr: [{ method: 'password', timestamp: now }],
          session_id: randomUUID(),
          is_anonymous: false,
        },
        secret,
      );
    },
    client(options = {}) {
      const client = new TestClient(harness.url, anonKey, options);
      clients.push(client);
      return client;
    },
    async closeClients() {
      for (const client of clients.splice(0)) await client.close().catch(() => undefined);
    },
    async close() {
      await harness.closeClients();
      await harness.realtime.stop();
      for (const socket of rawSockets) socket.destroy();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await stop();
    },
  };
  http.on('upgrade', (req, socket, head) => {
    rawSockets.add(socket);
    socket.on('close', () => rawSockets.delete(socket));
    harness.realtime.handleUpgrade(req, socket, head);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  (harness as { url: string }).url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return harness;
}

/** A frame as a raw test socket received it: parsed JSON text, or the bytes of a binary frame. */
export type RawFrame = { text: unknown } | { binary: Buffer };

/** A bare WebSocket speaking the wire format by hand, for what supabase-js does not show (exact frames). */
export class RawSocket {
  readonly frames: RawFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      this.frames.push(isBinary ? { binary: bytes } : { text: JSON.parse(bytes.toString('utf8')) as unknown });
    });
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  /** Opens a socket, or resolves with the HTTP status and JSON body of a refused upgrade. */
  static open(url: string): Promise<RawSocket | { status: number; body: unknown }> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const socket = new RawSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) as unknown }));
      });
      ws.once('error', (error) => {
        if (!/Unexpected server response/.test(error.message)) reject(error);
      });
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' || Buffer.isBuffer(message) ? message : JSON.stringify(message));
  }

  next(what: string, match: (frame: RawFrame) => boolean, from = 0): Promise<RawFrame> {
    return waitFor(what, () => this.frames.slice(from).find(match));
  }

  close(): void {
    this.ws.close();
  }
}
