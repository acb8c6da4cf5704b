/**
 * The app's identity as the OS sees it. `APP_ID` is electron-builder's `appId` (electron-builder.yml): on
 * Windows it is also the AppUserModelID the installer writes into the Start-menu shortcut, and toasts only
 * show for a process whose AppUserModelID matches a shortcut's. The desktop test checks both stay equal.
 */
export const APP_ID = 'com.samiatarot.console';

/** Passed to a second launch (jump list, dock menu, `.desktop` action, terminal): open another console window. */
export const NEW_WINDOW_SWITCH = '--new-window';
