import { AppError } from '../../shared/ipc/errors';
import { backendErrorByCode } from '../../shared/errors/backend-errors';

interface PostgresLikeError {
  code?: unknown;
  message?: unknown;
  detail?: unknown;
}

const parseDetail = (detail: unknown): Record<string, string | number | boolean> | undefined => {
  if (typeof detail !== 'string' || !detail.startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(detail) as Record<string, unknown>;
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

/**
 * Maps a failure from either backend to the typed error the renderer translates. The SQL layer's own
 * refusals (SQLSTATE `SAnnn`, message = message key) pass through as they are; Postgres's generic
 * refusals get generic keys; anything else is a transient infrastructure failure.
 */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const pg = (error ?? {}) as PostgresLikeError;
  const code = typeof pg.code === 'string' ? pg.code : '';
  const message = typeof pg.message === 'string' ? pg.message : '';
  if (/^SA\d{3}$/.test(code) && message) {
    const params = parseDetail(pg.detail);
    return new AppError({ code, messageKey: message }, { permanent: isPermanent(code), cause: error, ...(params ? { params } : {}) });
  }
  if (code === '42501') return new AppError({ code: 'backend.forbidden', messageKey: 'errors.backend.forbidden' }, { permanent: true, cause: error });
  if (code.startsWith('22') || code.startsWith('23')) {
    return new AppError({ code: 'backend.invalid', messageKey: 'errors.backend.invalid' }, { permanent: true, cause: error });
  }
  return new AppError({ code: 'backend.unavailable', messageKey: 'errors.backend.unavailable' }, { permanent: false, cause: error });
}
