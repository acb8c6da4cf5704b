import type { BrowserWindowConstructorOptions, WebPreferences } from 'electron';

/**
 * The security-relevant options of every console window. Kept as plain data so a test can assert
 * exactly what the shell uses.
 */
export function secureWebPreferences(preloadPath: string): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
  };
}

export function mainWindowOptions(preloadPath: string, iconPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 880,
    minHeight: 560,
    show: false,
    title: 'SAMIA TAROT Console',
    icon: iconPath,
    backgroundColor: '#14101f',
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(preloadPath),
  };
}

/** The small window shown while the backend starts: no preload, no script, nothing to reach. */
export function loadingWindowOptions(iconPath: string): BrowserWindowConstructorOptions {
  const { preload: _preload, ...webPreferences } = secureWebPreferences('');
  return {
    width: 380,
    height: 200,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    frame: false,
    center: true,
    show: false,
    title: 'SAMIA TAROT Console',
    icon: iconPath,
    backgroundColor: '#14101f',
    webPreferences: { ...webPreferences, spellcheck: false },
  };
}
