/**
 * Runs the app's session store (src/main/electron/safe-storage-secrets.ts) against the stand-in's
 * safeStorage in one of its situations (STANDIN_PLATFORM, STANDIN_SAFE_STORAGE), as a child process of
 * the desktop suite, and prints what happened as one JSON line. Bundled with the stand-in so both share
 * one `electron`.
 *
 * Usage: node safe-storage-check.mjs <userData> write|read|corrupt
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { safeStorageSecrets } from '../../src/main/electron/safe-storage-secrets';
import { app } from './electron-stand-in/app';
import { config, state } from './electron-stand-in/runtime';

const [userData, action] = process.argv.slice(2) as [string, 'write' | 'read' | 'corrupt'];
// The platform the stand-in plays, as the launcher sets it for an app.
Object.defineProperty(process, 'platform', { value: config.platform });
state.launch = { appPath: userData, isPackaged: false, resourcesPath: userData, userData, appName: 'session-store-check', appVersion: '0.0.0', reportFile: null };

// As main.ts does: the store is created once the app is ready.
app.becomeReady();
const logged: { level: string; message: string }[] = [];
const store = safeStorageSecrets(userData, (level, message) => logged.push({ level, message }))('auth');
const file = path.join(userData, 'session.bin');
if (action === 'corrupt') writeFileSync(file, 'not what safeStorage wrote');

const result: Record<string, unknown> = {};
if (action === 'write') {
  store.setItem('sb-session', 'the-refresh-token-value');
  result.readBack = store.getItem('sb-session');
  store.removeItem('never-set');
} else {
  result.readBack = store.getItem('sb-session');
}
result.logged = logged;
result.file = existsSync(file) ? readFileSync(file).toString('latin1') : null;
console.log(JSON.stringify(result));
process.exit(0);
