import path from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { applySchema, type ApplyResult } from '../../schema/index';
import { loadOrCreateJwtSecret, verifyJwt } from '../local-supabase/jwt';
import { LocalSupabaseServer, type EdgeFunction } from '../local-supabase/local-supabase-server';
import { PgliteDatabase, type PlatformDatabase } from '../local-supabase/platform-database';
import type { MaintenanceReport } from '../local-supabase/table-maintenance';
import { RealtimeServer } from '../local-supabase/realtime-server';
import { startupMark } from '../../core/startup-trace';

export interface EmbeddedServerOptions {
  /** Folder for the database, the JWT secret and stored files; null keeps everything in memory (tests). */
  dataDir: string | null;
  /** Where supabase/compat and supabase/migrations are read from (packaged apps ship them as resources). */
  supabaseDir?: string;
  /** How often the emergency deadline sweep runs (pg_cron's job on Supabase); 0 = never. */
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

/** Where a started local Supabase answers, as `supabase start` prints it. */
export interface LocalApi {
  url: string;
  anonKey: string;
}

/**
 * The server half of the embedded backend, what Supabase runs for a project: PGlite in the data folder with the
 * compatibility layer and the same migrations, served on loopback by the local Auth, REST, Storage, Realtime and
 * Functions APIs, with the platform's scheduled jobs (the deadline sweep) and PGlite's table maintenance. It holds
 * no client: consoles reach it over its API like any Supabase project.
 */
export class EmbeddedServer {
  private served: PlatformDatabase | null = null;
  private server: LocalSupabaseServer | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private maintenanceTimer: NodeJS.Timeout | null = null;
  schema: ApplyResult | null = null;
  api: LocalApi | null = null;

  constructor(private readonly options: EmbeddedServerOptions) {}

  /** The database it serves (PGlite, or the one given in the options) while started: for a test or a script. */
  get database(): PlatformDatabase | null {
    return this.served;
  }

  async start(): Promise<LocalApi> {
    if (this.api) return this.api;
    const { dataDir, log } = this.options;
    const database = this.options.database ?? (await PgliteDatabase.open(dataDir ? path.join(dataDir, 'pgdata') : null));
    startupMark('database open');
    let server: LocalSupabaseServer | null = null;
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
      server = new LocalSupabaseServer({
        database,
        jwtSecret,
        storageDir: dataDir ? path.join(dataDir, 'storage') : path.join(process.cwd(), '.tmp', `storage-${randomUUID()}`),
        port: this.options.port ?? 0,
        realtime,
        ...(this.options.accessTokenTtlSeconds ? { accessTokenLifetimeSeconds: this.options.accessTokenTtlSeconds } : {}),
        ...(log ? { log } : {}),
        // The Edge Function of supabase/functions/admin-accounts, the same code, served locally with the local
        // service role as Supabase gives it to a function; first run is allowed here only (the first super admin).
        // Loaded and made at its first request: the function brings supabase-js, whose loading (and its service-role
        // client's, of Node's fetch) would otherwise lengthen every start.
        functions: (endpoint) => {
          let handler: Promise<EdgeFunction> | null = null;
          const made = () =>
            (handler ??= import('../../../../supabase/functions/admin-accounts/handler.ts').then(({ createAdminAccountsHandler }) =>
              createAdminAccountsHandler({
                supabaseUrl: endpoint.url,
                anonKey: endpoint.anonKey,
                serviceRoleKey: endpoint.serviceRoleKey,
                firstRunAllowed: true,
                ...(log ? { log } : {}),
              }),
            ));
          return { 'admin-accounts': async (request) => (await made())(request) };
        },
      });
      const { url, anonKey } = await server.start();
      this.served = database;
      this.server = server;
      this.api = { url, anonKey };
    } catch (error) {
      await server?.stop().catch(() => {});
      if (!this.options.database) await database.close().catch(() => {});
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
    return this.api;
  }

  async stop(): Promise<void> {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.maintenanceTimer) clearInterval(this.maintenanceTimer);
    this.sweepTimer = null;
    this.maintenanceTimer = null;
    await this.server?.stop();
    if (!this.options.database) await this.served?.close();
    this.server = null;
    this.served = null;
    this.api = null;
  }

  /**
   * The deadline sweep, as the platform runs it (pg_cron on Supabase): emergencies' deadlines, and presences whose
   * console stopped renewing its lease (public.expire_presence). Idempotent. It also drops delivered
   * broadcasts: Supabase Realtime keeps `realtime.messages` in short-lived partitions, and a console that
   * runs all day must not grow that table without end.
   */
  async sweep(): Promise<number> {
    if (!this.served) return 0;
    const { rows } = await this.served.asPlatform(async (sql) => {
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
    if (!(this.served instanceof PgliteDatabase)) return { vacuumed: [], analysed: [] };
    return this.served.maintain();
  }
}
