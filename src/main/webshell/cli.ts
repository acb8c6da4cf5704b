import path from 'node:path';
import os from 'node:os';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { onSavedPort, readWebShellIdentity, saveWebShellIdentity } from './webshell-identity';
import { backendConfigFromEnvironment, backendIdentity } from '../core/backend-config';
import { createBackend } from '../backend/create-backend';
import { startupMark } from '../core/startup-trace';
import { startConsoleBackend } from '../core/console-startup';
import { fileSecretStores, memorySecretStores } from '../backend/secret-stores';

// Only what starts the backend is imported up front; the rest of the shell (its server, the core, supabase-js) is
// loaded below, once the embedded backend's thread has started opening the database beside it.
startupMark('start-up modules loaded');

function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No package.json above ${from}: the web shell runs from the console's package folder.`);
  }
}

// Runs the console's main-process core under Node and serves the renderer to a browser (DESIGN §7).
// The package folder: above src/main/webshell/ (through tsx) or out/main/ (the build `npm start` runs).
const root = packageRoot(path.dirname(fileURLToPath(import.meta.url)));
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.SAMIA_WEBSHELL_PORT ?? '0' },
    'data-dir': { type: 'string', default: process.env.SAMIA_DATA_DIR ?? path.join(os.homedir(), '.samia-console') },
    'renderer-dir': { type: 'string', default: path.join(root, 'out/renderer') },
  },
});

const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { productName: string; version: string };
const config = backendConfigFromEnvironment(process.env, values['data-dir']);
// One backend for every connected page: several users at once against one embedded database. The page is served
// while it starts (opening the database is most of the start), in the order console-startup.ts sets for both
// shells: each page's core draws the sign-in form meanwhile, and signing in waits for the backend.
const identity = readWebShellIdentity(values['data-dir']);
// Tokens: on the embedded backend in a file of the data folder, which already holds the database and the secret the
// tokens are signed with (secret-stores.ts), so the user stays signed in across restarts; on a Supabase project, in
// memory (this shell has no OS keyring to encrypt them with).
const secrets =
  config.kind === 'embedded'
    ? fileSecretStores(path.join(values['data-dir'], 'webshell-sessions.json'), (message) => console.warn(`[webshell] ${message}`))
    : memorySecretStores();
const starting = startConsoleBackend({
  kind: config.kind,
  dataDir: values['data-dir'],
  open: () =>
    onSavedPort(identity.apiPort, async (port) => {
      const started = await createBackend(config, { supabaseDir: path.join(root, 'supabase'), secretStore: secrets, port, log: (m) => console.log(`[backend] ${m}`) });
      await started.start();
      return started;
    }),
});

const [{ startWebShell }, { createConsoleCore }, { HeadlessAlertPlatform }, { KeptSignIns }] = await Promise.all([
  import('./webshell-server'),
  import('../core/console-core'),
  import('../alerts'),
  import('../core/kept-sign-in'),
]);
startupMark('modules loaded');
const keptSignIn = new KeptSignIns(secrets, backendIdentity(config));

const shell = await onSavedPort(Number(values.port) || identity.port, (port) => startWebShell({
  rendererDir: values['renderer-dir'],
  port,
  token: identity.token,
  log: (message) => console.log(`[webshell] ${message}`),
  createCore: (_pageId, mediaBaseUrl) =>
    createConsoleCore({
      mediaBaseUrl,
      shell: 'webshell',
      appName: pkg.productName,
      version: pkg.version,
      backend: starting,
      dataDir: values['data-dir'],
      keptSignIn,
      // No OS here: the page gets the modal and siren as events; notifications are only recorded.
      createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
      // A Node host has no OS browser to hand links to; the page opens them itself.
      openExternal: async () => false,
      log: (level, message, detail) => console[level](`[core] ${message}`, detail ?? ''),
    }),
}));
console.log(`Open: ${shell.pageUrl}`);
startupMark('page served');

let backend: Awaited<typeof starting.ready>;
try {
  backend = await starting.ready;
} catch (error) {
  await shell.close();
  throw error;
}
saveWebShellIdentity(values['data-dir'], {
  port: shell.port,
  token: identity.token,
  apiPort: backend.api ? Number(new URL(backend.api.url).port) : 0,
});

console.log(`SAMIA TAROT Console (web shell, ${backend.kind} backend, data in ${values['data-dir']}) is running.`);
if (backend.api) {
  // As `supabase start` prints them: the clients' app, the simulator or a script can use the embedded backend too.
  console.log(`Local Supabase API: ${backend.api.url}`);
  console.log(`anon key: ${backend.api.anonKey}`);
}

const stop = async () => {
  await shell.close();
  await backend.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
