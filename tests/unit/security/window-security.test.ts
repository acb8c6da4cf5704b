import { describe, expect, it } from 'vitest';
import { mainWindowOptions, secureWebPreferences } from '../../../src/main/electron/window-options';
import { buildContentSecurityPolicy, rendererSecurityHeaders } from '../../../src/main/security/content-security-policy';
import { isOpenableExternalUrl, isPermissionGranted, isTrustedRendererUrl } from '../../../src/main/security/url-policy';
import { resolveRendererFile } from '../../../src/main/security/static-files';

const directives = (csp: string) =>
  Object.fromEntries(csp.split(';').map((part) => {
    const [name, ...values] = part.trim().split(/\s+/);
    return [name, values];
  }));

describe('window security options (DESIGN §6)', () => {
  it('isolates, sandboxes and denies Node to every window', () => {
    const prefs = mainWindowOptions('/preload.cjs', '/icon.png').webPreferences!;
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      preload: '/preload.cjs',
    });
    expect(secureWebPreferences('/p')).toEqual({ ...prefs, preload: '/p' });
  });
});

describe('the Content-Security-Policy', () => {
  const csp = directives(buildContentSecurityPolicy());

  it('allows no inline script, no eval and no remote script', () => {
    expect(csp['default-src']).toEqual(["'none'"]);
    expect(csp['script-src']).toEqual(["'self'"]);
    expect(buildContentSecurityPolicy()).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  });

  it('forbids plugins, framing, base rewriting and form posts', () => {
    expect(csp['object-src']).toEqual(["'none'"]);
    expect(csp['frame-ancestors']).toEqual(["'none'"]);
    expect(csp['base-uri']).toEqual(["'none'"]);
    expect(csp['form-action']).toEqual(["'none'"]);
  });

  it('takes media only from the app, blobs and the media protocol', () => {
    expect(csp['media-src']).toEqual(["'self'", 'blob:', 'samia-media:']);
  });

  it('adds only the connect sources it is given', () => {
    const withWs = directives(buildContentSecurityPolicy({ connectSources: ['ws://127.0.0.1:4000'] }));
    expect(withWs['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:4000']);
    expect(rendererSecurityHeaders()['X-Content-Type-Options']).toBe('nosniff');
  });
});

describe('URL and permission policy', () => {
  it('opens only http(s) links externally', () => {
    expect(isOpenableExternalUrl('https://samia-tarot.com/help')).toBe(true);
    expect(isOpenableExternalUrl('http://example.org')).toBe(true);
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'app://console/', 'not a url']) {
      expect(isOpenableExternalUrl(url)).toBe(false);
    }
  });

  it('trusts only the app origin for IPC and navigation', () => {
    expect(isTrustedRendererUrl('app://console/index.html')).toBe(true);
    expect(isTrustedRendererUrl('app://evil/index.html')).toBe(false);
    expect(isTrustedRendererUrl('https://console/index.html')).toBe(false);
    expect(isTrustedRendererUrl('file:///index.html')).toBe(false);
  });

  it('grants the microphone and notifications only', () => {
    expect(isPermissionGranted('media', { mediaTypes: ['audio'] })).toBe(true);
    expect(isPermissionGranted('media', { mediaTypes: ['audio', 'video'] })).toBe(false);
    expect(isPermissionGranted('media', { mediaTypes: [] })).toBe(false);
    expect(isPermissionGranted('notifications')).toBe(true);
    for (const permission of ['geolocation', 'clipboard-read', 'midi', 'openExternal', 'display-capture']) {
      expect(isPermissionGranted(permission)).toBe(false);
    }
  });

  it('never serves a file outside the renderer folder', () => {
    expect(resolveRendererFile('/app/out/renderer', '/')).toBe('/app/out/renderer/index.html');
    expect(resolveRendererFile('/app/out/renderer', '/assets/a.js')).toBe('/app/out/renderer/assets/a.js');
    expect(resolveRendererFile('/app/out/renderer', '/../../etc/passwd')).toBeNull();
    expect(resolveRendererFile('/app/out/renderer', '/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveRendererFile('/app/out/renderer', '/a%00b')).toBeNull();
    expect(resolveRendererFile('/app/out/renderer', '/%E0%A4%A')).toBeNull();
  });
});
