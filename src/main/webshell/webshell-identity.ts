import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The web shell's address and token, kept in the data folder: a page left open across a restart of the web
 * shell finds it at the same URL and is let in with the same token, so it reconnects by itself.
 */
export interface WebShellIdentity {
  port: number;
  token: string;
  /** The local Supabase API's port, so scripts pointed at it keep working too. */
  apiPort: number;
}

const FILE = 'webshell.json';

export function readWebShellIdentity(dataDir: string): WebShellIdentity {
  try {
    const saved = JSON.parse(readFileSync(path.join(dataDir, FILE), 'utf8')) as Partial<WebShellIdentity>;
    const port = (value: unknown) => (Number.isInteger(value) && (value as number) > 0 && (value as number) < 65536 ? (value as number) : 0);
    if (typeof saved.token === 'string' && saved.token.length >= 32) return { port: port(saved.port), token: saved.token, apiPort: port(saved.apiPort) };
  } catch {
    // First start, or an unreadable file: a new identity.
  }
  return { port: 0, token: randomBytes(24).toString('base64url'), apiPort: 0 };
}

export function saveWebShellIdentity(dataDir: string, identity: WebShellIdentity): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, FILE);
  writeFileSync(`${file}.tmp`, JSON.stringify(identity), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

/** Runs `start` on the saved port, or on a free one when that port is taken now (another program got it). */
export async function onSavedPort<T>(saved: number, start: (port: number) => Promise<T>): Promise<T> {
  if (saved === 0) return start(0);
  try {
    return await start(saved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' && !/in use|EADDRINUSE/i.test(String((error as Error).message))) throw error;
    return start(0);
  }
}
