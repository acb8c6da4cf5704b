import { BrowserWindow } from 'electron';
import { loadingWindowOptions } from './window-options';

/**
 * The loading page: static HTML with its own CSP (no script at all; inline style only), in both of the
 * console's languages since nobody has signed in yet to choose one. Same words as the renderer's 'app.loading'.
 */
function loadingPageUrl(): string {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>SAMIA TAROT Console</title>
<style>
  html, body { margin: 0; height: 100%; background: #14101f; color: #efe7ff; font: 15px system-ui, sans-serif; }
  body { display: flex; flex-direction: column; align-items: center; justify-content: center; gap: 10px; -webkit-app-region: drag; user-select: none; }
  .name { font-weight: 600; letter-spacing: .08em; }
  .spinner { width: 26px; height: 26px; border-radius: 50%; border: 3px solid #3b2f57; border-top-color: #c9a6ff; animation: spin 0.9s linear infinite; }
  @keyframes spin { to { transform: rotate(360deg); } }
  @media (prefers-reduced-motion: reduce) { .spinner { animation: none; } }
</style></head>
<body role="status" aria-live="polite">
  <div class="name">SAMIA TAROT</div>
  <div class="spinner" aria-hidden="true"></div>
  <div>Starting the console…</div>
  <div lang="ar" dir="rtl">جارٍ تشغيل وحدة التحكم…</div>
</body></html>`;
  return `data:text/html;charset=utf-8,${encodeURIComponent(html)}`;
}

/** Shows the loading window (once painted, so it never flashes white). Create it after `ready`. */
export function openLoadingWindow(iconPath: string, log: (message: string, error: unknown) => void): BrowserWindow {
  const win = new BrowserWindow(loadingWindowOptions(iconPath));
  win.once('ready-to-show', () => {
    if (!win.isDestroyed()) win.show();
  });
  Promise.resolve(win.loadURL(loadingPageUrl())).catch((error: unknown) => log('The loading window could not be drawn', error));
  return win;
}
