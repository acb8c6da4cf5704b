// The two real engines the SQL suite runs on: PGlite (PostgreSQL 18 in wasm, what the embedded
// backend uses) and a throwaway PostgreSQL 15 server (what many Supabase projects run).
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { startPostgres, postgres15Missing, type PostgresServer } from '../support/postgres-server';
import type { SqlExecutor } from '../../src/main/schema/index';

export interface Engine extends SqlExecutor {
  readonly name: string;
  rows<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** A second, independent connection to the same database (PostgreSQL only: PGlite has one). */
  connect?(): Promise<Engine>;
  /** A new, empty database on the same engine (for the live-shaped scenario). */
  freshDatabase(name: string): Promise<Engine>;
  close(): Promise<void>;
}

export function pgliteEngine(db: PGlite = new PGlite(), name = 'pglite'): Engine {
  return {
    name,
    exec: (sql) => db.exec(sql),
    query: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)) as { rows: R[] },
    rows: async <R>(sql: string, params?: unknown[]) => (await db.query<R>(sql, params)).rows,
    freshDatabase: async (n) => pgliteEngine(new PGlite(), `${name}:${n}`),
    close: () => db.close(),
  };
}

function pgClientEngine(url: string, name: string, onClose: () => Promise<void>): Promise<Engine> {
  const client = new pg.Client({ connectionString: url });
  // Notices (NOTICE ... skipping) are expected from idempotent DDL; keep the output readable.
  client.on('notice', () => undefined);
  return client.connect().then(() => {
    const engine: Engine = {
      name,
      exec: (sql) => client.query(sql),
      query: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)) as unknown as { rows: R[] },
      rows: async <R>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as R[],
      connect: () => pgClientEngine(url, `${name}+`, async () => undefined),
      freshDatabase: async (n) => {
        await client.query(`create database ${n}`);
        const u = new URL(url);
        u.pathname = `/${n}`;
        return pgClientEngine(u.toString(), `${name}:${n}`, async () => undefined);
      },
      close: async () => {
        await client.end();
        await onClose();
      },
    };
    return engine;
  });
}

export async function pg15Engine(): Promise<Engine | { skipped: string }> {
  const missing = postgres15Missing();
  if (missing) return { skipped: missing };
  const server: PostgresServer = await startPostgres();
  return pgClientEngine(server.url, 'postgresql-15', () => server.stop());
}
