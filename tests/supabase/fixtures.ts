// The backends the contract suite runs against, all through the console's one supabase-js adapter:
//  - embedded: the local Supabase over PGlite, exactly as the console starts it;
//  - platform: the same local server over a PostgreSQL 15 shaped like a Supabase project;
//  - hosted: a real Supabase project, when SUPABASE_TEST_URL, SUPABASE_TEST_ANON_KEY and
//    SUPABASE_TEST_SERVICE_ROLE_KEY are set (the service-role key only creates and deletes the test's accounts).
import { randomUUID } from 'node:crypto';
import { createClient } from '@supabase/supabase-js';
import WebSocket from 'ws';
import type { Backend, Role, UserConnection } from '../../src/main/backend/backend-port';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { PostgresDatabase } from '../../src/main/backend/local-supabase/postgres-database';
import { MemorySecretStore } from '../../src/main/backend/secret-stores';
import { SupabaseBackend } from '../../src/main/backend/supabase-connection';
import { startPlatformPostgres } from './platform-postgres';

export const password = 'correct horse battery';

export interface Fixture {
  name: string;
  backend: Backend;
  /** The local server, where there is one (embedded and platform). */
  embedded: EmbeddedSupabase | null;
  /** Creates an account with a role and signs it in. */
  user(role: Role, name: string): Promise<UserConnection>;
  close(): Promise<void>;
}

const uniqueEmail = (name: string) => `${name.toLowerCase()}-${randomUUID().slice(0, 8)}@samia.test`;

async function localFixture(name: string, embedded: EmbeddedSupabase, after: () => Promise<void> = async () => {}): Promise<Fixture> {
  await embedded.start();
  const owner = await embedded.createFirstAccount({ email: 'owner@samia.test', password, displayName: 'Owner' });
  return {
    name,
    backend: embedded,
    embedded,
    async user(role, displayName) {
      if (role === 'super_admin') return embedded.signIn('owner@samia.test', password);
      const email = uniqueEmail(displayName);
      await owner.createAccount({ email, password, displayName, role });
      return embedded.signIn(email, password);
    },
    async close() {
      await embedded.stop();
      await after();
    },
  };
}

export const embeddedFixture = () => localFixture('embedded', new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0 }));

export async function platformFixture(): Promise<Fixture> {
  const platform = await startPlatformPostgres();
  const database = new PostgresDatabase(platform.platformUrl);
  return localFixture('platform', new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 0, database }), async () => {
    await database.close();
    await platform.stop();
  });
}

export async function hostedFixture(): Promise<Fixture> {
  const url = process.env.SUPABASE_TEST_URL!;
  const anonKey = process.env.SUPABASE_TEST_ANON_KEY!;
  const admin = createClient(url, process.env.SUPABASE_TEST_SERVICE_ROLE_KEY!, {
    auth: { persistSession: false },
    realtime: typeof globalThis.WebSocket === 'undefined' ? { transport: WebSocket as never } : {},
  });
  const backend = new SupabaseBackend({ kind: 'supabase', url, anonKey, secretStore: () => new MemorySecretStore() });
  const created: string[] = [];
  return {
    name: 'hosted',
    backend,
    embedded: null,
    async user(role, displayName) {
      const { data, error } = await admin.auth.admin.createUser({
        email: uniqueEmail(displayName),
        password,
        email_confirm: true,
        user_metadata: { display_name: displayName },
        app_metadata: { console_role: role },
      });
      if (error || !data.user) throw error ?? new Error('createUser returned no user');
      created.push(data.user.id);
      return backend.signIn(data.user.email!, password);
    },
    async close() {
      await backend.stop();
      for (const id of created) await admin.auth.admin.deleteUser(id);
    },
  };
}

export const fixtures: [string, () => Promise<Fixture>][] = [
  ['embedded (PGlite)', embeddedFixture],
  ['platform-shaped PostgreSQL 15', platformFixture],
];
if (process.env.SUPABASE_TEST_URL && process.env.SUPABASE_TEST_ANON_KEY && process.env.SUPABASE_TEST_SERVICE_ROLE_KEY) {
  fixtures.push(['hosted Supabase project', hostedFixture]);
}

export const until = async <T>(probe: () => T | undefined | Promise<T | undefined>, what: string, ms = 15_000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};
