import { shell, type Session, type WebContents } from 'electron';
import { isOpenableExternalUrl, isPermissionGranted, isTrustedRendererUrl } from '../security/url-policy';

/**
 * The security policy for one web contents: no navigation away from the app, no new windows (web links go to the OS
 * browser), no webviews. Attached from `web-contents-created`, which may be listened to before the app is
 * ready; it touches no session.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isTrustedRendererUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isTrustedRendererUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isOpenableExternalUrl(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * Only the microphone (audio, never the camera) and notifications, and only for the app's own pages.
 * A session exists only once the app is ready: call this from `whenReady`, never at module load.
 */
export function applyPermissionPolicy(ses: Session): void {
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const fromApp = isTrustedRendererUrl(details.requestingUrl ?? contents.getURL());
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(fromApp && isPermissionGranted(permission, { mediaTypes }));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const mediaTypes = details.mediaType ? [details.mediaType] : [];
    // Chromium checks "media" without a type before enumerating devices: answer for the app, grant nothing else.
    if (permission === 'media' && mediaTypes.length === 0) return isTrustedRendererUrl(requestingOrigin);
    // HID, serial and USB are checked here too ('hid', 'serial', 'usb'): refused like everything not granted.
    return isTrustedRendererUrl(requestingOrigin) && isPermissionGranted(permission, { mediaTypes });
  });
}
