// Electron's own install step downloads its binary from GitHub. Where that is not reachable (build machines
// that see only the npm registry) the install must still succeed: the console then runs through the web
// shell. So the download is attempted here, tolerated when it fails (one line says so, with the reason,
// instead of the downloader's stack trace), and skipped outright when ELECTRON_SKIP_BINARY_DOWNLOAD is set.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const FALLBACK = '`npm start` will open the web shell instead';

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log(`[samia] ELECTRON_SKIP_BINARY_DOWNLOAD is set: the Electron binary is not downloaded; ${FALLBACK}.`);
  process.exit(0);
}

let installer;
try {
  installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  // Production installs without devDependencies have no Electron package to set up.
  process.exit(0);
}

/** The gist of a failed download: the network or HTTP error, not the stack around it. */
function reasonOf(output, error) {
  if (error?.code === 'ETIMEDOUT') return 'it took longer than 5 minutes';
  const lines = output.split('\n').map((line) => line.trim()).filter(Boolean);
  const wanted = [/\b(getaddrinfo|connect|read|write) E[A-Z]+\b.*/, /\bE[A-Z]{3,}\b.*/, /Response code \d+.*/, /(HTTP|Request)Error:.*/, /^Error:.*/];
  for (const pattern of wanted) {
    for (const line of lines) {
      const match = pattern.exec(line);
      if (match) return match[0].replace(/^Error:\s*/, '');
    }
  }
  return lines[0] ?? `exit status ${String(error?.code ?? 'unknown')}`;
}

const result = spawnSync(process.execPath, [installer], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 5 * 60_000 });
if (result.status === 0 && !result.error) {
  if (result.stdout.trim()) process.stdout.write(result.stdout);
} else {
  console.warn(`[samia] The Electron binary could not be downloaded (${reasonOf(`${result.stderr}\n${result.stdout}`, result.error)}); ${FALLBACK}.`);
}
