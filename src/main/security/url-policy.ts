import { APP_ORIGIN } from './content-security-policy';

/** Only web links leave the app, and only to the OS browser; everything else (file:, custom schemes, javascript:) is refused. */
export function isOpenableExternalUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (url.protocol === 'https:' || url.protocol === 'http:') && url.hostname.length > 0;
  } catch {
    return false;
  }
}

/** IPC is answered only for the app's own top-level document, never for an injected frame or a foreign page. */
export function isTrustedRendererUrl(raw: string, allowedOrigins: readonly string[] = [APP_ORIGIN]): boolean {
  try {
    const url = new URL(raw);
    return allowedOrigins.includes(url.origin) || allowedOrigins.includes(`${url.protocol}//${url.host}`);
  } catch {
    return false;
  }
}

/** The only permissions a renderer may be granted. */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['media', 'notifications']);

export function isPermissionGranted(permission: string, details: { mediaTypes?: readonly string[] } = {}): boolean {
  if (!GRANTED_PERMISSIONS.has(permission)) return false;
  // "media" covers camera too: grant it only when nothing but audio is asked for.
  if (permission === 'media') {
    const types = details.mediaTypes ?? [];
    return types.length > 0 && types.every((type) => type === 'audio');
  }
  return true;
}
