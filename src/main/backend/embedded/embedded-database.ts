import { mkdir } from 'node:fs/promises';
import { PGlite, types, type Transaction } from '@electric-sql/pglite';

export type Sql = Pick<Transaction, 'query' | 'exec'>;

/** The JWT claims Supabase would put in `request.jwt.claims` for a signed-in user. */
export interface UserClaims {
  sub: string;
  role: 'authenticated';
  aud: 'authenticated';
  email: string;
  session_id: string;
  iat: number;
  exp: number;
  app_metadata: { provider: 'email'; providers: ['email'] };
  user_metadata: Record<string, never>;
}

/**
 * The embedded Postgres. PGlite has one connection, so every call is a transaction that first sets the
 * caller's role and claims, exactly as Supabase's API layer does per request: RLS then applies as on Supabase.
 */
export class EmbeddedDatabase {
  private constructor(readonly db: PGlite) {}

  static async open(dataDir: string | null): Promise<EmbeddedDatabase> {
    if (dataDir) await mkdir(dataDir, { recursive: true });
    // Timestamps stay text: a JS Date keeps milliseconds, and keyset paging on (created_at, id) needs the
    // microseconds Postgres stores, or two messages of the same millisecond could be skipped.
    const options = { parsers: { [types.TIMESTAMPTZ]: (value: string) => value } };
    const db = dataDir ? await PGlite.create(dataDir, options) : await PGlite.create(options);
    await db.exec("set time zone 'UTC'");
    return new EmbeddedDatabase(db);
  }

  /** As the platform itself (a superuser): migrations, accounts, the deadline timer. Never for a user's request. */
  asService<T>(fn: (sql: Sql) => Promise<T>): Promise<T> {
    return this.db.transaction(fn);
  }

  /** As the signed-in user: role `authenticated` and their claims, for this transaction only. */
  asUser<T>(claims: UserClaims, fn: (sql: Sql) => Promise<T>, settings: Record<string, string> = {}): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify(claims)]);
      for (const [name, value] of Object.entries(settings)) {
        await tx.query(`select set_config($1, $2, true)`, [name, value]);
      }
      await tx.exec('set local role authenticated');
      return fn(tx);
    });
  }

  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    return this.db.listen(channel, onNotify);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
