import { AppError } from '../../src/shared/ipc/errors';
import { backendErrorByCode } from '../../src/shared/errors/backend-errors';

/** A failure already worded for the person at the terminal: printed as it is. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface Target {
  url: string;
  kind: 'embedded' | 'supabase';
  email: string;
}

const firstLine = (text: string) => text.split('\n')[0]!.trim();

const causeMessage = (error: unknown): string => {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error || (cause && typeof cause === 'object' && 'message' in cause)) {
    return firstLine(String((cause as { message: unknown }).message));
  }
  return '';
};

/** Why the server cannot be asked anything (null when it answers): the network error's own reason. */
async function whyUnreachable(url: string, anonKey?: string): Promise<{ reason: string } | { status: number; message: string }> {
  try {
    const response = await fetch(`${url}/auth/v1/health`, { headers: anonKey ? { apikey: anonKey } : {}, signal: AbortSignal.timeout(10_000) });
    const body = (await response.json().catch(() => ({}))) as { message?: unknown; msg?: unknown };
    return { status: response.status, message: String(body.message ?? body.msg ?? '') };
  } catch (error) {
    if (error instanceof Error && error.name === 'TimeoutError') return { reason: 'no answer within 10 s' };
    let reason: unknown = error;
    while (reason instanceof Error && reason.cause) reason = reason.cause;
    const code = (reason as { code?: unknown }).code;
    return { reason: typeof code === 'string' ? code : reason instanceof Error ? firstLine(reason.message) : String(reason) };
  }
}

const unreachable = (target: Pick<Target, 'url' | 'kind'>, reason: string) =>
  `cannot reach the Supabase API at ${target.url} (${reason}): ${
    target.kind === 'embedded' ? 'is the console still running? Its "Local Supabase API" line gives the URL' : 'check the project URL and the network'
  }`;

/**
 * Asked once before signing in: auth-js prints a network failure's stack trace itself, and says nothing of a
 * refused anon key but "invalid credentials". Either is a one-line answer here.
 */
export async function checkReachable(target: Pick<Target, 'url' | 'kind'>, anonKey: string): Promise<void> {
  const answer = await whyUnreachable(target.url, anonKey);
  if ('reason' in answer) throw new UsageError(unreachable(target, answer.reason));
  if (answer.status === 401 || /api key/i.test(answer.message)) {
    throw new UsageError(`the server at ${target.url} refused the anon key${answer.message ? ` (${answer.message})` : ''}: give the "anon key" the console printed at start, or the project's anon key`);
  }
  if (answer.status === 404) throw new UsageError(`${target.url} is not a Supabase API (no /auth/v1 there): give the "Local Supabase API" URL the console printed, or the project's URL`);
}

const PLAIN: Record<string, string> = {
  'auth.banned': 'this account is suspended',
  'auth.required': 'the session expired or was refused: run the command again',
  'backend.forbidden': 'the server refused this: the account is not allowed to do it',
  'backend.invalid': 'the server refused this request as invalid',
  'storage.too_large': 'the file is larger than the storage bucket allows',
  'storage.mime_not_allowed': 'the storage bucket does not accept this type of file',
  'storage.already_exists': 'a file was already uploaded at this path',
  'storage.not_found': 'the file is not in storage',
};

/** One readable line for any failure: what went wrong, where, and the stable code in brackets. */
export async function describeError(error: unknown, target: Target | null): Promise<string> {
  if (error instanceof UsageError) return error.message;
  if (error instanceof AppError) {
    if (error.code === 'backend.unavailable' && target) {
      const answer = await whyUnreachable(target.url);
      if ('reason' in answer) return unreachable(target, answer.reason);
      const cause = causeMessage(error);
      return `the server at ${target.url} failed the request${cause ? `: ${cause}` : ''} (backend.unavailable)`;
    }
    if (error.code === 'auth.invalid_credentials' && target) {
      if (/api key/i.test(causeMessage(error))) {
        return `the server at ${target.url} refused the anon key (${causeMessage(error)}): give the "anon key" the console printed at start, or the project's anon key`;
      }
      return `wrong email or password for ${target.email} (auth.invalid_credentials)`;
    }
    const spec = backendErrorByCode(error.code);
    const params = error.params && Object.keys(error.params).length > 0 ? ` ${JSON.stringify(error.params)}` : '';
    if (spec) return `${spec.meaning} (${spec.code} ${spec.key}${params})`;
    const plain = PLAIN[error.code];
    const cause = causeMessage(error);
    return `${plain ?? error.messageKey}${cause && cause !== plain ? `: ${cause}` : ''} (${error.code}${params})`;
  }
  if (error instanceof Error) return firstLine(error.message) || error.name;
  return String(error);
}
