import { mkdir } from 'node:fs/promises';
import { PGlite, types } from '@electric-sql/pglite';
import { maintainTables, type MaintenanceReport } from './table-maintenance';

/** The roles a request can run as, as PostgREST, Storage and Realtime switch to them. */
export type ApiRole = 'anon' | 'authenticated' | 'service_role';

/** The verified JWT claims of a request (`request.jwt.claims`); `role` picks the database role. */
export interface RequestClaims {
  role: ApiRole;
  sub?: string;
  [claim: string]: unknown;
}

/** What a request handler may run inside its transaction. */
export interface Sql {
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: R[] }>;
  exec(text: string): Promise<unknown>;
}

/**
 * The database behind the local Supabase: PGlite in the data folder, or a PostgreSQL server shaped like the
 * platform (tests; postgres-database.ts, a module of its own so the app never loads node-postgres). Every API request is one transaction that first takes the caller's role and claims, as
 * PostgREST does (`set local role`, `request.jwt.claims`), so RLS and the grants decide exactly as on Supabase.
 */
export interface PlatformDatabase {
  readonly engine: 'pglite' | 'postgres';
  /** One request: role and claims (and any extra settings such as `realtime.topic`) for this transaction only. */
  asRequest<T>(claims: RequestClaims, fn: (sql: Sql) => Promise<T>, settings?: Record<string, string>): Promise<T>;
  /**
   * As the platform's own services (GoTrue's, Storage's and Realtime's database role): accounts, tokens,
   * object bytes' bookkeeping, the deadline sweep. Never for work done on a user's behalf.
   */
  asPlatform<T>(fn: (sql: Sql) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; resolves to the function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

const ROLES: ReadonlySet<string> = new Set<ApiRole>(['anon', 'authenticated', 'service_role']);

/** Takes the caller's role and claims for the current transaction (both databases start every request with it). */
export async function enterRequest(sql: Sql, claims: RequestClaims, settings: Record<string, string>): Promise<void> {
  // The role comes from a verified token, but it is still checked here: it becomes the transaction's role.
  if (!ROLES.has(claims.role)) throw new Error(`Refusing to run a request as role ${JSON.stringify(claims.role)}.`);
  // One round trip: the claims, any extra settings, then the role (set_config('role', …, true) is SET LOCAL ROLE,
  // as PostgREST does it), so every request costs a single statement before its own work.
  const entries = [['request.jwt.claims', JSON.stringify(claims)], ...Object.entries(settings), ['role', claims.role]];
  const calls = entries.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ');
  await sql.query(`select ${calls}`, entries.flat());
}

/** PGlite has one connection: calls are serialised by PGlite itself, each in its own transaction. */
export class PgliteDatabase implements PlatformDatabase {
  readonly engine = 'pglite' as const;
  private constructor(readonly db: PGlite) {}

  /** `dataDir` null keeps the database in memory (tests). */
  static async open(dataDir: string | null): Promise<PgliteDatabase> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    // Timestamps stay text: a JS Date keeps milliseconds, and keyset paging on (created_at, id) needs the
    // microseconds Postgres stores, or two messages of the same millisecond could be skipped.
    const options = { parsers: { [types.TIMESTAMPTZ]: (value: string) => value } };
    const db = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
    await db.exec("set time zone 'UTC'");
    return new PgliteDatabase(db);
  }

  asRequest<T>(claims: RequestClaims, fn: (sql: Sql) => Promise<T>, settings: Record<string, string> = {}): Promise<T> {
    return this.db.transaction(async (tx) => {
      await enterRequest(tx, claims, settings);
      return fn(tx);
    });
  }

  asPlatform<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  /** What autovacuum does on a server, which PGlite lacks (table-maintenance.ts): the tables due, vacuumed or analysed. */
  maintain(): Promise<MaintenanceReport> {
    return maintainTables(this.db);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
