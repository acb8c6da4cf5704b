import { AppError } from '../../shared/ipc/errors';
import { backendErrorByCode } from '../../shared/errors/backend-errors';

/** What supabase-js hands back: PostgrestError (`code`, `message`, `details`, `hint`), or a thrown fetch failure. */
interface PostgrestLikeError {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

const parseDetails = (details: unknown): Record<string, string | number | boolean> | undefined => {
  if (typeof details !== 'string' || !details.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(details) as Record<string, unknown>;
    const params: Record<string, string | number | boolean> = {};
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') params[key] = value;
      else if (value !== null && value !== undefined) params[key] = JSON.stringify(value);
    }
    return params;
  } catch {
    return undefined;
  }
};

// The catalogue says which refusals can pass on their own. Rate limits and quotas are treated as permanent
// here all the same: the project's rule is that a message over the limit is shown as failed with its reason
// and kept for the user to retry, not resent behind their back.
const SHOWN_NOT_RETRIED = new Set(['SA429', 'SA432', 'SA433']);
const isPermanent = (code: string) => SHOWN_NOT_RETRIED.has(code) || (backendErrorByCode(code)?.permanent ?? true);

const keyed = (code: string, permanent: boolean, cause: unknown, params?: Record<string, string | number | boolean>) =>
  new AppError({ code, messageKey: `errors.${code}` }, { permanent, cause, ...(params ? { params } : {}) });

/**
 * Maps a PostgREST refusal (or a failed request) to the typed error the renderer translates. The SQL layer's
 * own refusals (SQLSTATE `SAnnn`, message = message key, details = JSON parameters) pass through as they are;
 * Postgres's and PostgREST's generic refusals get generic keys; anything else is a transient infrastructure failure.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const pg = (error ?? {}) as PostgrestLikeError;
  const code = typeof pg.code === 'string' ? pg.code : '';
  const message = typeof pg.message === 'string' ? pg.message : '';
  if (/^SA\d{3}$/.test(code) && message) {
    const params = parseDetails(pg.details);
    return new AppError({ code, messageKey: message }, { permanent: isPermanent(code), cause: error, ...(params ? { params } : {}) });
  }
  // An expired or refused token: the session must be renewed (or the user sign in again), then the call can succeed.
  if (code === 'PGRST301' || code === 'PGRST302' || code === 'PGRST303') {
    return new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: false, cause: error });
  }
  if (code === '42501') return keyed('backend.forbidden', true, error);
  if (code.startsWith('22') || code.startsWith('23') || code === 'PGRST202' || code === 'PGRST116') return keyed('backend.invalid', true, error);
  return keyed('backend.unavailable', false, error);
}

/** What storage-js hands back: StorageApiError has `status` (HTTP) and `statusCode` (Storage's own, as text). */
interface StorageLikeError {
  status?: unknown;
  statusCode?: unknown;
  message?: unknown;
}

export function storageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as StorageLikeError;
  // Storage answers most refusals with HTTP 400 and its own code in the body: the body's statusCode decides.
  const status = Number(e.statusCode ?? e.status ?? 0);
  const message = typeof e.message === 'string' ? e.message : '';
  if (status === 409) return keyed('storage.already_exists', true, error);
  if (status === 413) return keyed('storage.too_large', true, error);
  if (status === 415) return keyed('storage.mime_not_allowed', true, error);
  if (status === 404) return keyed('storage.not_found', true, error);
  if (status === 401) return new AppError({ code: 'auth.required', messageKey: 'auth.required' }, { permanent: false, cause: error });
  // Storage answers an RLS refusal with 400/403 "new row violates row-level security policy".
  if (status === 403 || (status === 400 && /row-level security|unauthori[sz]ed/i.test(message))) return keyed('backend.forbidden', true, error);
  if (status >= 400 && status < 500) return keyed('backend.invalid', true, error);
  return keyed('backend.unavailable', false, error);
}

/** What auth-js hands back: AuthApiError has `status` and GoTrue's `code` (error_code). */
interface AuthLikeError {
  status?: unknown;
  code?: unknown;
}

export function authError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = (error ?? {}) as AuthLikeError;
  const code = typeof e.code === 'string' ? e.code : '';
  const status = Number(e.status ?? 0);
  switch (code) {
    case 'invalid_credentials':
      return new AppError({ code: 'auth.invalid_credentials', messageKey: 'errors.auth.invalid_credentials' }, { permanent: true, cause: error });
    case 'user_banned':
      return new AppError({ code: 'auth.banned', messageKey: 'errors.auth.banned' }, { permanent: true, cause: error });
    case 'user_already_exists':
    case 'email_exists':
      return new AppError({ code: 'auth.email_taken', messageKey: 'errors.auth.email_taken' }, { permanent: true, cause: error });
    case 'weak_password':
      return new AppError({ code: 'auth.weak_password', messageKey: 'errors.auth.weak_password' }, { permanent: true, cause: error, params: { min: 10 } });
    case 'email_address_invalid':
    case 'validation_failed':
      return new AppError({ code: 'auth.invalid_email', messageKey: 'errors.auth.invalid_email' }, { permanent: true, cause: error });
    default:
      if (status === 400 || status === 401 || status === 403 || status === 422) {
        return new AppError({ code: 'auth.invalid_credentials', messageKey: 'errors.auth.invalid_credentials' }, { permanent: true, cause: error });
      }
      return new AppError({ code: 'backend.unavailable', messageKey: 'errors.backend.unavailable' }, { permanent: false, cause: error });
  }
}
