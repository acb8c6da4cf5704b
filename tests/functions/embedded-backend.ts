// A running embedded backend for the Deno tests of the Edge Functions (supabase/functions/tests): the console's
// own local Supabase (PGlite, the migrations, Auth, REST and /functions/v1), started under Node as the console
// starts it. Prints one JSON line {url, anonKey, serviceRoleKey} once it listens, and stops when stdin closes.
// The service-role key is printed because the function under test is given it, as Supabase gives it to a
// deployed function; it is the key of a throw-away data folder removed on exit.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { apiKeys, loadOrCreateJwtSecret } from '../../src/main/backend/local-supabase/jwt';

const dataDir = await mkdtemp(path.join(tmpdir(), 'samia-functions-'));
const backend = new EmbeddedSupabase({ dataDir, emergencySweepMs: 0, log: (message) => process.stderr.write(`${message}\n`) });
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await backend.stop().catch((error: unknown) => process.stderr.write(`stopping the embedded backend failed: ${String(error)}\n`));
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
};
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.on('SIGTERM', () => void stop());
process.stdin.resume();
await backend.start();
const { serviceRoleKey } = apiKeys(await loadOrCreateJwtSecret(dataDir));
process.stdout.write(`${JSON.stringify({ url: backend.api!.url, anonKey: backend.api!.anonKey, serviceRoleKey })}\n`);
