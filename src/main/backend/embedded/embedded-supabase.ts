import type { ApplyResult } from '../../schema/index';
import type { PlatformDatabase } from '../local-supabase/platform-database';
import type { MaintenanceReport } from '../local-supabase/table-maintenance';
import { memorySecretStores, type SecretStore } from '../secret-stores';
import { SupabaseBackend } from '../supabase-connection';
import { EmbeddedClientSide } from './embedded-client-side';
import { EmbeddedServer, type EmbeddedServerOptions, type LocalApi } from './embedded-server';

export interface EmbeddedSupabaseOptions extends EmbeddedServerOptions {
  /** Token storage per account slot (Electron: safeStorage); in memory by default. */
  secretStore?: (slot: string) => SecretStore;
}

/**
 * The console's side of the embedded backend: the one supabase-js adapter, pointed at a started local Supabase,
 * with the first-run screen allowed (only the embedded backend creates its first super admin).
 */
export function embeddedClientBackend(api: LocalApi, secretStore?: (slot: string) => SecretStore): SupabaseBackend {
  return new SupabaseBackend({ kind: 'embedded', url: api.url, anonKey: api.anonKey, secretStore: secretStore ?? memorySecretStores(), firstRun: true });
}

/**
 * The embedded backend: a local Supabase. PGlite in the data folder with the compatibility layer and the same
 * migrations, served on loopback by the local Auth, REST, Storage and Realtime APIs, and reached like any
 * Supabase project through the one supabase-js adapter.
 */
export class EmbeddedSupabase extends EmbeddedClientSide {
  private readonly server: EmbeddedServer;

  constructor(private readonly options: EmbeddedSupabaseOptions) {
    super();
    this.server = new EmbeddedServer(options);
  }

  /** The schema files the start applied (null before it, or with a database given in the options). */
  get schema(): ApplyResult | null {
    return this.server.schema;
  }

  /** The database it serves while started (EmbeddedServer.database): for a test or a script. */
  get database(): PlatformDatabase | null {
    return this.server.database;
  }

  /** The local API, once started: for the clients' app, the simulator or a script. */
  get api(): LocalApi | null {
    return this.server.api;
  }

  async start(): Promise<void> {
    if (this.inner) return;
    const api = await this.server.start();
    this.inner = embeddedClientBackend(api, this.options.secretStore);
  }

  async stop(): Promise<void> {
    await this.inner?.stop();
    await this.server.stop();
    this.inner = null;
  }

  /** The deadline sweep (EmbeddedServer.sweep): emergencies advanced. */
  sweep(): Promise<number> {
    return this.server.sweep();
  }

  /** One pass of PGlite's table maintenance (EmbeddedServer.maintain). */
  maintain(): Promise<MaintenanceReport> {
    return this.server.maintain();
  }
}
