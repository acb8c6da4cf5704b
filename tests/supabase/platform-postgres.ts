// A PostgreSQL 15 server shaped like a Supabase project, so the migrations are proven where they will run:
// the bootstrap superuser is `supabase_admin`; `auth`, `storage` and `realtime` are created and owned by the
// platform's own roles (here from supabase/compat, which stands in for what Supabase's services create);
// `postgres` is NOSUPERUSER with BYPASSRLS and membership in those roles, as on Supabase; the migrations are
// applied as `postgres` with --target supabase, exactly as `npm run db:apply -- --target supabase` does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { applySchema, fromPg, defaultSupabaseDir } from '../../src/main/schema/index';
import { startPostgres, type PostgresServer } from '../support/postgres-server';

export interface PlatformPostgres {
  server: PostgresServer;
  /** The platform's services (GoTrue, Storage, Realtime): what the local Supabase server logs in as. */
  platformUrl: string;
  /** The project owner, as the dashboard and migrations log in. */
  postgresUrl: string;
  stop(): Promise<void>;
}

const COMPAT_OWNERS: Record<string, string> = {
  '0001_roles': 'supabase_admin',
  '0002_auth': 'supabase_auth_admin',
  '0003_storage': 'supabase_storage_admin',
  '0004_realtime': 'supabase_realtime_admin',
};

export async function startPlatformPostgres(): Promise<PlatformPostgres> {
  const server = await startPostgres({ superuser: 'supabase_admin', maxConnections: 200 });
  try {
    return await shapeLikeSupabase(server);
  } catch (error) {
    await server.stop();
    throw error;
  }
}

async function shapeLikeSupabase(server: PostgresServer): Promise<PlatformPostgres> {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  try {
    // Supabase runs pg_cron 1.5 or later, preloaded, and the migrations schedule the sweeps with it wherever it is
    // available. Debian's postgresql-15-cron (1.4, no schedules in seconds) cannot stand in for it.
    const cron = await admin.query(`select 1 from pg_available_extensions where name = 'pg_cron'`);
    if (cron.rowCount) {
      throw new Error(
        "This machine's PostgreSQL 15 has pg_cron (Debian's postgresql-15-cron), which cannot schedule the sweeps as Supabase's does: " +
          'a Supabase-shaped server cannot be made here. Remove the package (apt-get remove postgresql-15-cron) to run these tests.',
      );
    }
    await admin.query(`
      create role supabase_auth_admin noinherit createrole;
      create role supabase_storage_admin noinherit createrole;
      create role supabase_realtime_admin noinherit;
      create role postgres login nosuperuser createdb createrole bypassrls;
      grant create on database postgres to supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin, postgres;
      alter schema public owner to postgres;
    `);
    const compatDir = path.join(defaultSupabaseDir(), 'compat');
    for (const [file, owner] of Object.entries(COMPAT_OWNERS)) {
      const sql = readFileSync(path.join(compatDir, `${file}.sql`), 'utf8');
      await admin.query(`set role ${owner}`);
      await admin.query(sql);
      await admin.query('reset role');
    }
    // As Supabase grants them: postgres manages auth triggers, storage and realtime policies, and acts as the API roles.
    await admin.query(`
      grant supabase_auth_admin, supabase_storage_admin, supabase_realtime_admin to postgres;
      grant anon, authenticated, service_role to postgres;
    `);
  } finally {
    await admin.end();
  }
  const postgresUrl = server.url.replace('supabase_admin@', 'postgres@');
  const owner = new pg.Client({ connectionString: postgresUrl });
  await owner.connect();
  try {
    await applySchema(fromPg(owner), { target: 'supabase' });
  } finally {
    await owner.end();
  }
  return { server, platformUrl: server.url, postgresUrl, stop: () => server.stop() };
}
