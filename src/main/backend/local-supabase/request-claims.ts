import { verifyJwt, type JwtClaims, type JwtVerdict } from './jwt';
import type { ApiRole, RequestClaims } from './platform-database';
import { bearerToken, type ApiRequest } from './http-util';

/**
 * The token a data request runs under: `Authorization: Bearer <jwt>`, as PostgREST reads it. Without one the
 * request is anon, whatever `apikey` the gateway accepted (supabase-js always sends a bearer: the session's
 * access token, or the key it was created with).
 */
export function requestToken(api: ApiRequest): string | null {
  return bearerToken(api.header('authorization'));
}

export type ClaimsVerdict =
  | { ok: true; claims: RequestClaims }
  | { ok: false; reason: Exclude<JwtVerdict, { ok: true }>['reason'] }
  | { ok: false; reason: 'role'; role: string };

const ROLES: ReadonlySet<string> = new Set<ApiRole>(['anon', 'authenticated', 'service_role']);

/**
 * Verifies the token and takes its role as PostgREST does (a token without a role claim is anon). The role
 * must be one of the API roles: any other (`postgres`, `supabase_admin`) is refused even when correctly signed,
 * since those roles are never granted to the API on Supabase either.
 */
export function requestClaims(token: string | null, secret: string): ClaimsVerdict {
  if (token === null) return { ok: true, claims: { role: 'anon' } };
  const verdict = verifyJwt(token, secret);
  if (!verdict.ok) return verdict;
  const claims: JwtClaims = verdict.claims;
  const role = claims.role === undefined ? 'anon' : claims.role;
  if (typeof role !== 'string' || !ROLES.has(role)) return { ok: false, reason: 'role', role: String(role) };
  return { ok: true, claims: { ...claims, role: role as ApiRole } };
}
