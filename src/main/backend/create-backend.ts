import path from 'node:path';
import type { BackendConfig } from '../core/backend-config';
import type { Backend } from './backend-port';
import { EmbeddedSupabaseThread } from './embedded/embedded-thread';
import { memorySecretStores, type SecretStore } from './secret-stores';

export interface CreateBackendOptions {
  /** Where supabase/compat and supabase/migrations are (packaged apps ship them as resources). */
  supabaseDir?: string;
  /** Token storage for Supabase sessions: Electron passes safeStorage-backed stores; default in memory. */
  secretStore?: (slot: string) => SecretStore;
  /** Loopback port of the embedded backend's local API (0: a free one). */
  port?: number;
  log?: (message: string) => void;
}

/**
 * The one place that picks the backend from the configuration; both are reached through supabase-js. Asynchronous,
 * and importing supabase-js only where it is needed, so that a shell can start the embedded backend's thread before
 * it loads the rest of itself: the thread then opens the database while this one loads.
 */
export async function createBackend(config: BackendConfig, options: CreateBackendOptions = {}): Promise<Backend> {
  if (config.kind === 'supabase') {
    const { SupabaseBackend } = await import('./supabase-connection');
    return new SupabaseBackend({ kind: 'supabase', url: config.url, anonKey: config.anonKey, secretStore: options.secretStore ?? memorySecretStores() });
  }
  // The local Supabase runs in a thread of its own (embedded-thread.ts); the console reaches it over loopback.
  return new EmbeddedSupabaseThread({
    dataDir: path.join(config.dataDir, 'embedded'),
    ...(options.secretStore ? { secretStore: options.secretStore } : {}),
    ...(options.supabaseDir ? { supabaseDir: options.supabaseDir } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
