import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** HS256 JWTs, as Supabase signs them with the project's JWT secret. */

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export type JwtClaims = Record<string, unknown> & { exp?: number; iat?: number; role?: unknown };

export function signJwt(claims: JwtClaims, secret: string): string {
  const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const body = b64url(JSON.stringify(claims));
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

export type JwtVerdict = { ok: true; claims: JwtClaims } | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

/** Verifies signature and expiry (with `nowSeconds` for tests); never trusts the header's `alg`. */
export function verifyJwt(token: string, secret: string, nowSeconds = Math.floor(Date.now() / 1000)): JwtVerdict {
  const parts = token.split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return { ok: false, reason: 'malformed' };
  const [head, body, signature] = parts as [string, string, string];
  const expected = createHmac('sha256', secret).update(`${head}.${body}`).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad_signature' };
  let claims: JwtClaims;
  try {
    const header = JSON.parse(Buffer.from(head, 'base64url').toString('utf8')) as { alg?: unknown };
    if (header.alg !== 'HS256') return { ok: false, reason: 'malformed' };
    claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as JwtClaims;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!claims || typeof claims !== 'object') return { ok: false, reason: 'malformed' };
  if (typeof claims.exp === 'number' && claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  return { ok: true, claims };
}

/** The data folder's JWT secret: created once (random, 256 bits, owner-only), then read back. */
export async function loadOrCreateJwtSecret(dir: string): Promise<string> {
  const file = path.join(dir, 'jwt-secret');
  try {
    const secret = (await readFile(file, 'utf8')).trim();
    if (secret.length >= 43) return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  await chmod(file, 0o600).catch(() => {});
  const written = (await readFile(file, 'utf8')).trim();
  if (written.length < 43) throw new Error(`The JWT secret in ${file} is too short: remove the file to have a new one made (every session is then signed out).`);
  return written;
}

const TEN_YEARS_S = 10 * 365 * 24 * 3600;

/** The project's API keys, as `supabase start` prints them: JWTs of the anon and service roles. */
export function apiKeys(secret: string, nowSeconds = Math.floor(Date.now() / 1000)) {
  const key = (role: 'anon' | 'service_role') => signJwt({ iss: 'supabase', ref: 'local', role, iat: nowSeconds, exp: nowSeconds + TEN_YEARS_S }, secret);
  return { anonKey: key('anon'), serviceRoleKey: key('service_role') };
}
