import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_PROTOCOL, APP_HOST, MEDIA_PROTOCOL, rendererSecurityHeaders } from '../security/content-security-policy';
import { contentTypeOf, resolveRendererFile } from '../security/static-files';

/** Must run before `app.whenReady()`: the renderer's origin is a standard, secure scheme, not file://. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_PROTOCOL, privileges: { secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/** Serves the built renderer from `app://console/` with the same security headers as the web shell. */
export function handleAppProtocol(rendererDir: string): void {
  const headers = rendererSecurityHeaders();
  protocol.handle(APP_PROTOCOL, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response(null, { status: 404 });
    const file = resolveRendererFile(rendererDir, url.pathname);
    if (!file) return new Response(null, { status: 400 });
    const body = await readFile(file).catch(() => null);
    if (body) return new Response(body, { headers: { ...headers, 'Content-Type': contentTypeOf(file) } });
    if (url.pathname.startsWith('/assets/')) return new Response(null, { status: 404 });
    const index = await readFile(resolveRendererFile(rendererDir, '/index.html')!);
    return new Response(index, { headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' } });
  });
}
