import { app, session, shell, type WebContents } from 'electron';
import { isOpenableExternalUrl, isPermissionGranted, isTrustedRendererUrl } from '../security/url-policy';

/**
 * Applies DESIGN §6 to every web contents the app ever creates: no navigation away from the app,
 * no new windows (web links go to the OS browser), no webviews, and only microphone and notifications.
 */
export function hardenWebContents(): void {
  app.on('web-contents-created', (_event, contents: WebContents) => {
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
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((contents, permission, callback, details) => {
    const fromApp = isTrustedRendererUrl(details.requestingUrl ?? contents.getURL());
    const mediaTypes = 'mediaTypes' in details ? (details.mediaTypes ?? []) : [];
    callback(fromApp && isPermissionGranted(permission, { mediaTypes }));
  });
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => {
    const mediaTypes = details.mediaType ? [details.mediaType] : [];
    if (permission === 'media' && mediaTypes.length === 0) return isTrustedRendererUrl(requestingOrigin);
    return isTrustedRendererUrl(requestingOrigin) && isPermissionGranted(permission, { mediaTypes });
  });
}
