import { readFileSync, renameSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/ipc/app-error';

/**
 * Which backend the console talks to. Supabase when a project is configured (environment, or the settings
 * screen, saved in the data folder); otherwise the embedded Postgres that runs the same migrations.
 */
export type BackendConfig =
  | { kind: 'embedded'; dataDir: string }
  | { kind: 'supabase'; url: string; anonKey: string };

export type BackendChoice = { kind: 'embedded' } | { kind: 'supabase'; url: string; anonKey: string };

const SETTINGS_FILE = 'backend.json';

const invalid = (messageKey: string, detail: string) =>
  new AppError({ code: 'settings.invalid_backend', messageKey }, { permanent: true, detail });

/** The project URL must be https (plain http only on this machine, for a local Supabase). */
export function checkSupabaseUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw.trim());
  } catch {
    throw invalid('errors.settings.supabase_url', `not a URL: ${raw}`);
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(local && parsed.protocol === 'http:')) {
    throw invalid('errors.settings.supabase_url', `SUPABASE_URL must use https (got ${parsed.protocol}//${parsed.host})`);
  }
  return parsed.origin;
}

/**
 * The anon (publishable) key only. A service-role or secret key would bypass row-level security for every
 * user of this console, so it is refused outright, whatever route it comes by.
 */
export function checkAnonKey(raw: string): string {
  const key = raw.trim();
  if (key.startsWith('sb_secret_')) throw invalid('errors.settings.service_key', 'a secret key was given where the anon key belongs');
  if (key.startsWith('sb_publishable_')) return key;
  const parts = key.split('.');
  if (parts.length !== 3) throw invalid('errors.settings.anon_key', 'the anon key is neither a publishable key nor a JWT');
  let role: unknown;
  try {
    role = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { role?: unknown }).role;
  } catch {
    throw invalid('errors.settings.anon_key', 'the anon key is not a readable JWT');
  }
  if (role === 'service_role') throw invalid('errors.settings.service_key', 'the service-role key was given where the anon key belongs');
  if (role !== 'anon') throw invalid('errors.settings.anon_key', `the key's role is ${String(role)}, not anon`);
  return key;
}

export function readSavedBackendChoice(dataDir: string): BackendChoice | null {
  try {
    const saved = JSON.parse(readFileSync(path.join(dataDir, SETTINGS_FILE), 'utf8')) as BackendChoice;
    if (saved.kind === 'embedded') return saved;
    if (saved.kind === 'supabase') return { kind: 'supabase', url: checkSupabaseUrl(saved.url), anonKey: checkAnonKey(saved.anonKey) };
  } catch {
    // No saved choice (or an unreadable one): fall back to the environment or the embedded backend.
  }
  return null;
}

/** Saves the settings screen's choice; it takes effect at the next start (the backend is shared by every window). */
export function saveBackendChoice(dataDir: string, choice: BackendChoice): BackendChoice {
  const checked: BackendChoice =
    choice.kind === 'supabase' ? { kind: 'supabase', url: checkSupabaseUrl(choice.url), anonKey: checkAnonKey(choice.anonKey) } : { kind: 'embedded' };
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, SETTINGS_FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(checked), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return checked;
}

/** Environment first (SUPABASE_URL + SUPABASE_ANON_KEY), then the saved choice, then the embedded backend. */
export function backendConfigFromEnvironment(env: NodeJS.ProcessEnv, dataDir: string): BackendConfig {
  const url = env.SUPABASE_URL?.trim();
  const anonKey = env.SUPABASE_ANON_KEY?.trim();
  if (url && anonKey) return { kind: 'supabase', url: checkSupabaseUrl(url), anonKey: checkAnonKey(anonKey) };
  if (url || anonKey) {
    throw new Error('Set both SUPABASE_URL and SUPABASE_ANON_KEY to use a Supabase project, or neither for the embedded backend.');
  }
  const saved = readSavedBackendChoice(dataDir);
  if (saved?.kind === 'supabase') return saved;
  return { kind: 'embedded', dataDir };
}

/** Which backend a kept sign-in belongs to: a Supabase project by its URL; the embedded one of this data folder. */
export function backendIdentity(config: BackendConfig): string {
  return config.kind === 'supabase' ? `supabase:${config.url}` : 'embedded';
}
