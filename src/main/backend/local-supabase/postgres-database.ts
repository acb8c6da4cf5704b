import pg from 'pg';
import { enterRequest, type PlatformDatabase, type RequestClaims, type Sql } from './platform-database';

/**
 * A PostgreSQL server through node-postgres. `url` logs in as the platform's service role (on a
 * platform-shaped server: a role that owns auth, storage and realtime, as Supabase's services do).
 */
export class PostgresDatabase implements PlatformDatabase {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;
  private listener: pg.Client | null = null;
  private readonly channels = new Map<string, Set<(payload: string) => void>>();

  constructor(private readonly url: string, poolSize = 10) {
    this.pool = new pg.Pool({ connectionString: url, max: poolSize });
  }

  private async transaction<T>(fn: (sql: Sql) => Promise<T>, enter?: (sql: Sql) => Promise<void>): Promise<T> {
    const client = await this.pool.connect();
    const sql: Sql = {
      query: async <R>(text: string, params?: unknown[]) => (await client.query(text, params)) as unknown as { rows: R[] },
      exec: (text) => client.query(text),
    };
    try {
      await client.query("begin; set local time zone 'UTC'");
      if (enter) await enter(sql);
      const result = await fn(sql);
      await client.query('commit');
      return result;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  asRequest<T>(claims: RequestClaims, fn: (sql: Sql) => Promise<T>, settings: Record<string, string> = {}): Promise<T> {
    return this.transaction(fn, (sql) => enterRequest(sql, claims, settings));
  }

  asPlatform<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.transaction(fn);
  }

  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    if (!/^[a-z_][a-z0-9_]*$/.test(channel)) throw new Error(`Invalid channel name ${JSON.stringify(channel)}.`);
    if (!this.listener) {
      const client = new pg.Client({ connectionString: this.url });
      await client.connect();
      client.on('notification', (note) => {
        for (const handler of this.channels.get(note.channel) ?? []) handler(note.payload ?? '');
      });
      this.listener = client;
    }
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
      await this.listener.query(`listen ${channel}`);
    }
    handlers.add(onNotify);
    return async () => {
      handlers.delete(onNotify);
    };
  }

  async close(): Promise<void> {
    await this.listener?.end().catch(() => {});
    this.listener = null;
    await this.pool.end();
  }
}
