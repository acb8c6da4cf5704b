/**
 * Which backend the console talks to. Supabase when a project is configured (environment or, later,
 * the settings screen); otherwise the embedded Postgres that runs the same migrations.
 */
export type BackendConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'supabase'; url: string; anonKey: string };

export function backendConfigFromEnvironment(env: NodeJS.ProcessEnv, dataDir: string): BackendConfig {
  const url = env.SUPABASE_URL?.trim();
  const anonKey = env.SUPABASE_ANON_KEY?.trim();
  if (url && anonKey) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'https:' && !['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) {
      throw new Error(`SUPABASE_URL must use https (got ${parsed.protocol}//${parsed.host}).`);
    }
    return { kind: 'supabase', url: parsed.origin, anonKey };
  }
  if (url || anonKey) {
    throw new Error('Set both SUPABASE_URL and SUPABASE_ANON_KEY to use a Supabase project, or neither for the embedded backend.');
  }
  return { kind: 'embedded', dataDir };
}
