import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { applySchema, type ApplyResult } from '../../schema/index';
import type { Backend, NewAccount, UserConnection } from '../backend-port';
import { createAdminAccountsHandler } from '../../../../supabase/functions/admin-accounts/handler.ts';
import { loadOrCreateJwtSecret, verifyJwt } from '../local-supabase/jwt';
import { LocalSupabaseServer } from '../local-supabase/local-supabase-server';
import { PgliteDatabase, type PlatformDatabase } from '../local-supabase/platform-database';
import type { MaintenanceReport } from '../local-supabase/table-maintenance';
import { RealtimeServer } from '../local-supabase/realtime-server';
import { MemorySecretStore, SupabaseBackend, type SecretStore } from '../supabase-connection';
import { startupMark } from '../../core/startup-trace';

export interface EmbeddedSupabaseOptions {
  /** Folder for the database, the JWT secret and stored files; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** Where supabase/compat and supabase/migrations are read from (packaged apps ship them as resources). */
  supabaseDir?: string;
  /** Token storage per account slot (Electron: safeStorage); in memory by default. */
  secretStore?: (slot: string) => SecretStore;
  /** How often the main process runs the emergency deadline sweep (pg_cron's job on Supabase); 0 = never. */
  emergencySweepMs?: number;
  /** How often PGlite's tables are checked for the vacuum and analysis autovacuum would run (table-maintenance.ts); 0 = never. */
  maintenanceMs?: number;
  /** Loopback port of the local API (0: a free one). */
  port?: number;
  /** Lifetime of the access tokens the local Auth issues (default one hour, as Supabase's). */
  accessTokenTtlSeconds?: number;
  /** Another database than PGlite (tests: a PostgreSQL server shaped like the platform, schema already applied). */
  database?: PlatformDatabase;
  log?: (message: string) => void;
}

/**
 * The embedded backend: a local Supabase. PGlite in the data folder with the compatibility layer and the same
 * migrations, served on loopback by the local Auth, REST, Storage and Realtime APIs, and reached like any
 * Supabase project through the one supabase-js adapter.
 */
export class EmbeddedSupabase implements Backend {
  readonly kind = 'embedded' as const;
  private database: PlatformDatabase | null = null;
  private server: LocalSupabaseServer | null = null;
  private inner: SupabaseBackend | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  schema: ApplyResult | null = null;
  /** The local API, once started: for the clients' app, the simulator or a script. */
  api: { url: string; anonKey: string } | null = null;

  constructor(private readonly options: EmbeddedSupabaseOptions) {}

  private get backend(): SupabaseBackend {
    if (!this.inner) throw new Error('The embedded backend is not started.');
    return this.inner;
  }

  async start(): Promise<void> {
    if (this.inner) return;
    const { dataDir, log } = this.options;
    const database = this.options.database ?? (await PgliteDatabase.open(dataDir ? path.join(dataDir, 'pgdata') : null));
    startupMark('database open');
    try {
      if (!this.options.database) {
        // Version check: only migrations not yet recorded are applied; an edited migration stops the start.
        this.schema = await applySchema(
          { exec: (sql) => (database as PgliteDatabase).db.exec(sql), query: (sql, params) => (database as PgliteDatabase).db.query(sql, params) },
          { target: 'compat', ...(this.options.supabaseDir ? { supabaseDir: this.options.supabaseDir } : {}), ...(log ? { log } : {}) },
        );
      }
      startupMark('schema checked');
      const jwtSecret = dataDir ? await loadOrCreateJwtSecret(dataDir) : randomBytes(32).toString('base64url');
      const realtime = new RealtimeServer({ database, verifyToken: (token) => verifyJwt(token, jwtSecret), ...(log ? { log } : {}) });
      const server = new LocalSupabaseServer({
        database,
        jwtSecret,
        storageDir: dataDir ? path.join(dataDir, 'storage') : path.join(process.cwd(), '.tmp', `storage-${randomUUID()}`),
        port: this.options.port ?? 0,
        realtime,
        ...(this.options.accessTokenTtlSeconds ? { accessTokenLifetimeSeconds: this.options.accessTokenTtlSeconds } : {}),
        ...(log ? { log } : {}),
        // The Edge Function of supabase/functions/admin-accounts, the same code, served locally with the local
        // service role as Supabase gives it to a function; first run is allowed here only (the first super admin).
        functions: (endpoint) => ({
          'admin-accounts': createAdminAccountsHandler({
            supabaseUrl: endpoint.url,
            anonKey: endpoint.anonKey,
            serviceRoleKey: endpoint.serviceRoleKey,
            firstRunAllowed: true,
            ...(log ? { log } : {}),
          }),
        }),
      });
      const { url, anonKey } = await server.start();
      this.database = database;
      this.server = server;
      this.api = { url, anonKey };
      const stores = new Map<string, SecretStore>();
      this.inner = new SupabaseBackend({
        kind: 'embedded',
        url,
        anonKey,
        secretStore:
          this.options.secretStore ??
          ((slot) => {
            const store = stores.get(slot) ?? new MemorySecretStore();
            stores.set(slot, store);
            return store;
          }),
        firstRun: true,
      });
    } catch (error) {
      await this.server?.stop().catch(() => {});
      if (!this.options.database) await database.close().catch(() => {});
      this.server = null;
      throw error;
    }
    const sweepMs = this.options.emergencySweepMs ?? 5_000;
    if (sweepMs > 0) {
      this.sweepTimer = setInterval(() => void this.sweep().catch((error: unknown) => log?.(`emergency sweep failed: ${String(error)}`)), sweepMs);
      this.sweepTimer.unref();
    }
    const maintenanceMs = this.options.maintenanceMs ?? 60_000;
    if (maintenanceMs > 0 && database instanceof PgliteDatabase) {
      this.maintenanceTimer = setInterval(() => void this.maintain().catch((error: unknown) => log?.(`table maintenance failed: ${String(error)}`)), maintenanceMs);
      this.maintenanceTimer.unref();
    }
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.sweepTimer = null;
    this.maintenanceTimer = null;
    await this.inner?.stop();
    await this.server?.stop();
    if (!this.options.database) await this.database?.close();
    this.inner = null;
    this.server = null;
    this.database = null;
  }

  /**
   * The deadline sweep, as the platform runs it (pg_cron on Supabase): emergencies' deadlines, and presences whose
   * console stopped renewing its lease (public.expire_presence). Idempotent. It also drops delivered
   * broadcasts: Supabase Realtime keeps `realtime.messages` in short-lived partitions, and a console that
   * runs all day must not grow that table without end.
   */
  async sweep(): Promise<number> {
    if (!this.database) return 0;
    const { rows } = await this.database.asPlatform(async (sql) => {
      await sql.query(`delete from realtime.messages where inserted_at < now() - interval '15 minutes'`);
      await sql.query('select public.expire_presence()');
      return sql.query<{ n: number }>('select public.advance_emergencies() as n');
    });
    return Number(rows[0]?.n ?? 0);
  }

  /**
   * One pass of table maintenance on PGlite (what autovacuum does on a server; a PostgreSQL database given in the
   * options has its own autovacuum, so nothing is done there). Runs on its timer; callable for a test or a script.
   */
  async maintain(): Promise<MaintenanceReport> {
    if (!(this.database instanceof PgliteDatabase)) return { vacuumed: [], analysed: [] };
    return this.database.maintain();
  }

  needsFirstRun(): Promise<boolean> {
    return this.backend.needsFirstRun();
  }

  createFirstAccount(account: Omit<NewAccount, 'role'>): Promise<UserConnection> {
    return this.backend.createFirstAccount(account);
  }

  signIn(email: string, password: string): Promise<UserConnection> {
    return this.backend.signIn(email, password);
  }

  setPowerState(awake: boolean): void {
    this.inner?.setPowerState(awake);
  }
}
