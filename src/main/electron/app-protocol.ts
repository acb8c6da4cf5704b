import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_PROTOCOL, APP_HOST, MEDIA_PROTOCOL, rendererSecurityHeaders } from '../security/content-security-policy';
import { contentTypeOf, resolveRendererFile } from '../security/static-files';
import { Readable } from 'node:stream';
import type { ConsoleCore } from '../core/console-core';
import { rangeResponse } from '../media/range-response';

/** Must run before `app.whenReady()`: the renderer's origin is a standard, secure scheme, not file://. */
export function registerPrivilegedSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true } },
    { scheme: MEDIA_PROTOCOL, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true } },
  ]);
}

/**
 * Serves chat files to the renderer from the main process's cache, with range requests:
 * `samia-media://<window key>/<storage path>`. The key picks the window's core, so a window only
 * reaches its own signed-in user's files (downloaded under that user's rights).
 */
export function handleMediaProtocol(coreForKey: (key: string) => ConsoleCore | undefined): void {
  protocol.handle(MEDIA_PROTOCOL, async (request) => {
    const url = new URL(request.url);
    const core = coreForKey(url.host);
    const encoded = url.pathname.replace(/^\//, '');
    if (!core || !encoded) return new Response(null, { status: 404 });
    try {
      const { filePath, mimeType } = await core.mediaFile(decodeURIComponent(encoded));
      const range = await rangeResponse(filePath, request.headers.get('range'), mimeType, request.method === 'HEAD');
      const body = range.body ? (Readable.toWeb(range.body) as ReadableStream) : null;
      return new Response(body, { status: range.status, headers: range.headers });
    } catch {
      return new Response(null, { status: 404 });
    }
  });
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
