/**
 * The renderer's Content-Security-Policy. One builder for both shells so the policy the tests assert is
 * the policy users get: Electron's app protocol and the web shell's HTTP server both send it as a header.
 * No inline script, no eval, no remote origins; media only from the app's own media protocol or blobs.
 */
export const MEDIA_PROTOCOL = 'samia-media';
export const APP_PROTOCOL = 'app';
export const APP_HOST = 'console';
export const APP_ORIGIN = `${APP_PROTOCOL}://${APP_HOST}`;

export interface CspOptions {
  /** Extra sources allowed for fetch/WebSocket, e.g. the web shell's own ws:// origin. */
  connectSources?: readonly string[];
}

export function buildContentSecurityPolicy(options: CspOptions = {}): string {
  const directives: Record<string, string[]> = {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:', 'blob:', `${MEDIA_PROTOCOL}:`],
    'media-src': ["'self'", 'blob:', `${MEDIA_PROTOCOL}:`],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...(options.connectSources ?? [])],
    'worker-src': ["'self'", 'blob:'],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-src': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** Headers that go with every renderer document and asset, in both shells. */
export function rendererSecurityHeaders(options: CspOptions = {}): Record<string, string> {
  return {
    'Content-Security-Policy': buildContentSecurityPolicy(options),
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Permissions-Policy': 'camera=(), geolocation=(), microphone=(self)',
  };
}
