// Electron's own install step downloads its binary from GitHub. Where that is not reachable
// (build machines that see only the npm registry) the install must still succeed: the console
// then runs through the web shell (DESIGN §7). So the download is attempted here, tolerated
// when it fails, and skipped outright when ELECTRON_SKIP_BINARY_DOWNLOAD is set.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('[samia] ELECTRON_SKIP_BINARY_DOWNLOAD is set: the console will run through the web shell.');
  process.exit(0);
}

let installer;
try {
  installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  // Production installs without devDependencies have no Electron package to set up.
  process.exit(0);
}

const result = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 5 * 60_000 });
if (result.status !== 0) {
  console.warn('[samia] The Electron binary could not be downloaded; `npm start` will open the web shell instead.');
}
