// The local Supabase server over a real database, for the tests in this folder: PGlite in memory (what the
// console runs) or a throwaway PostgreSQL 15 (tests/support/postgres-server.ts), with the compatibility layer
// and the migrations applied, reached through the real supabase-js.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import WebSocket from 'ws';
import { createClient, type SupabaseClient } from '@supabase/supabase-js';
import { PgliteDatabase, type PlatformDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { PostgresDatabase } from '../../../src/main/backend/local-supabase/postgres-database';
import { LocalSupabaseServer, type LocalSupabaseServerOptions } from '../../../src/main/backend/local-supabase/local-supabase-server';
import { applySchema, fromPg } from '../../../src/main/schema/index';
import { postgres15Missing, startPostgres, type PostgresServer } from '../../support/postgres-server';

export type EngineName = 'pglite' | 'postgres';

/** The engines to run on; PostgreSQL 15 only where its binaries are installed (the reason is printed otherwise). */
export const engines: EngineName[] = postgres15Missing() ? ['pglite'] : ['pglite', 'postgres'];
if (postgres15Missing()) console.warn(`local-supabase tests: PostgreSQL 15 leg skipped: ${postgres15Missing()}`);

export const PASSWORD = 'correct horse battery staple';

export interface Database {
  engine: EngineName;
  database: PlatformDatabase;
  /** As the platform (superuser): fixtures and checks only. */
  sql<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<R[]>;
  /** Several statements without parameters, as the platform. */
  exec(text: string): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(engine: EngineName): Promise<Database> {
  if (engine === 'pglite') {
    const database = await PgliteDatabase.open(null);
    await applySchema({ exec: (s) => database.db.exec(s), query: (s, p) => database.db.query(s, p) }, { target: 'compat' });
    return {
      engine,
      database,
      sql: async <R>(text: string, params?: unknown[]) => (await database.db.query<R>(text, params)).rows,
      exec: async (text) => {
        await database.db.exec(text);
      },
      close: () => database.close(),
    };
  }
  const server: PostgresServer = await startPostgres();
  const admin = new pg.Client({ connectionString: server.url });
  admin.on('notice', () => undefined);
  await admin.connect();
  await applySchema(fromPg(admin), { target: 'compat' });
  await admin.query("alter database postgres set time zone 'UTC'");
  const database = new PostgresDatabase(server.url);
  return {
    engine,
    database,
    sql: async <R>(text: string, params?: unknown[]) => (await admin.query(text, params)).rows as R[],
    exec: async (text) => {
      await admin.query(text);
    },
    close: async () => {
      await database.close();
      await admin.end();
      await server.stop();
    },
  };
}

export interface Harness extends Database {
  server: LocalSupabaseServer;
  url: string;
  anonKey: string;
  serviceRoleKey: string;
  jwtSecret: string;
  storageDir: string;
  /** A fresh client with the anon key and no session. */
  client(): SupabaseClient;
  /** A client with the service-role key (what only the main process may hold). */
  admin(): SupabaseClient;
  /** Signs a new account up through the API and gives back its signed-in client. */
  signUp(name?: string): Promise<{ client: SupabaseClient; userId: string; email: string; accessToken: string; refreshToken: string }>;
  /** Another server on the same database (other options), stopped with the harness. */
  secondServer(options: Partial<LocalSupabaseServerOptions>): Promise<{ url: string; anonKey: string; serviceRoleKey: string; server: LocalSupabaseServer }>;
  logs: string[];
}

export function clientFor(url: string, key: string): SupabaseClient {
  return createClient(url, key, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
    // Node 20 has no global WebSocket: supabase-js needs one even when no channel is used.
    realtime: { transport: WebSocket as never },
  });
}

export async function startHarness(engine: EngineName, options: Partial<LocalSupabaseServerOptions> = {}): Promise<Harness> {
  const db = await openDatabase(engine);
  const jwtSecret = randomBytes(32).toString('base64url');
  const storageDir = mkdtempSync(path.join(tmpdir(), 'samia-local-storage-'));
  const logs: string[] = [];
  const extra: LocalSupabaseServer[] = [];
  const make = (more: Partial<LocalSupabaseServerOptions>) =>
    new LocalSupabaseServer({ database: db.database, jwtSecret, storageDir, log: (m) => logs.push(m), ...options, ...more });
  const server = make({});
  const { url, anonKey, serviceRoleKey } = await server.start();
  return {
    ...db,
    server,
    url,
    anonKey,
    serviceRoleKey,
    jwtSecret,
    storageDir,
    logs,
    client: () => clientFor(url, anonKey),
    admin: () => clientFor(url, serviceRoleKey),
    async signUp(name = 'user') {
      const client = clientFor(url, anonKey);
      const email = `${name}-${randomUUID().slice(0, 8)}@samia.test`;
      const { data, error } = await client.auth.signUp({ email, password: PASSWORD, options: { data: { display_name: name } } });
      if (error || !data.session || !data.user) throw error ?? new Error('sign-up returned no session');
      return { client, userId: data.user.id, email, accessToken: data.session.access_token, refreshToken: data.session.refresh_token };
    },
    async secondServer(more) {
      const second = make(more);
      extra.push(second);
      return { ...(await second.start()), server: second };
    },
    async close() {
      for (const s of extra) await s.stop();
      await server.stop();
      await db.close();
      rmSync(storageDir, { recursive: true, force: true });
    },
  };
}

/** The claims of a JWT, unverified (tests inspect what the server issued). */
export function decodeJwt(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** An HS256 JWT signed with any secret, and an unsigned `alg: none` one, for the adversarial cases. */
export { signJwt } from '../../../src/main/backend/local-supabase/jwt';
export function unsignedJwt(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
}
