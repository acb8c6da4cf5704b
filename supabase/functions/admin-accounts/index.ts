// Supabase Edge Function `admin-accounts`: account management for super admins (see handler.ts).
// Deploy: `supabase functions deploy admin-accounts`. Supabase sets SUPABASE_URL, SUPABASE_ANON_KEY and
// SUPABASE_SERVICE_ROLE_KEY for every function; ADMIN_ACCOUNTS_FIRST_RUN is never set on a project.
import { adminAccountsEnv, createAdminAccountsHandler } from './handler.ts';

const handle = createAdminAccountsHandler(adminAccountsEnv((name) => Deno.env.get(name)));

Deno.serve(handle);
