// Applies the schema to a PostgreSQL database:
//   npm run db:apply -- --db-url postgres://user@host:5432/db [--target supabase]
// Without --target supabase the compatibility layer (supabase/compat/) is applied first: that is
// for stock PostgreSQL / local databases only, never for a Supabase project (which provides auth,
// storage, realtime and the API roles itself).
import pg from 'pg';
import { applySchema, fromPg, type SchemaTarget } from '../src/main/schema/index';

function usage(message?: string): never {
  if (message) console.error(`db:apply: ${message}`);
  console.error('usage: npm run db:apply -- --db-url URL [--target supabase]');
  process.exit(2);
}

const args = process.argv.slice(2);
let url: string | undefined;
let target: SchemaTarget = 'compat';
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--db-url') url = args[++i];
  else if (a?.startsWith('--db-url=')) url = a.slice('--db-url='.length);
  else if (a === '--target' || a?.startsWith('--target=')) {
    const v = a === '--target' ? args[++i] : a.slice('--target='.length);
    if (v !== 'supabase' && v !== 'compat') usage(`unknown target ${v} (supabase or compat)`);
    target = v;
  } else if (a === '--help' || a === '-h') usage();
  else usage(`unknown argument ${a}`);
}
if (!url) usage('--db-url is required');

const client = new pg.Client({ connectionString: url });
client.on('notice', () => undefined);
try {
  await client.connect();
  const result = await applySchema(fromPg(client), { target, log: (m) => console.log(m) });
  console.log(
    `db:apply: ${result.compatApplied.length} compat file(s) and ${result.migrationsApplied.length} migration(s) applied, ` +
      `${result.migrationsAlreadyApplied.length} already applied (target ${target})`,
  );
} catch (error) {
  console.error(`db:apply: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  await client.end().catch(() => undefined);
}
