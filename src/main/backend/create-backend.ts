import path from 'node:path';
import type { BackendConfig } from '../core/backend-config';
import type { Backend } from './backend-port';
import { EmbeddedBackend } from './embedded/embedded-backend';
import { MemorySecretStore, SupabaseBackend, type SecretStore } from './supabase/supabase-backend';

export interface CreateBackendOptions {
  /** Where supabase/compat and supabase/migrations are (packaged apps ship them as resources). */
  supabaseDir?: string;
  /** Token storage for Supabase sessions: Electron passes safeStorage-backed stores; default in memory. */
  secretStore?: (slot: string) => SecretStore;
  log?: (message: string) => void;
}

/** The one place that picks the backend implementation from the configuration. */
export function createBackend(config: BackendConfig, options: CreateBackendOptions = {}): Backend {
  if (config.kind === 'supabase') {
    const stores = new Map<string, SecretStore>();
    return new SupabaseBackend({
      url: config.url,
      anonKey: config.anonKey,
      secretStore:
        options.secretStore ??
        ((slot) => {
          const store = stores.get(slot) ?? new MemorySecretStore();
          stores.set(slot, store);
          return store;
        }),
    });
  }
  return new EmbeddedBackend({
    dataDir: path.join(config.dataDir, 'embedded'),
    ...(options.supabaseDir ? { supabaseDir: options.supabaseDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
