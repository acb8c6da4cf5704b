// `npm start`: builds the console, then opens the Electron window where the Electron binary is
// installed, or the web shell (printing its loopback URL) where it is not, as on the build machines.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const build = spawnSync(npx, ['electron-vite', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

let electronBinary = null;
try {
  const candidate = require('electron');
  if (typeof candidate === 'string' && existsSync(candidate)) electronBinary = candidate;
} catch {
  // No Electron package or binary: fall through to the web shell.
}

const child = electronBinary
  ? spawn(electronBinary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' })
  : (console.log('Electron binary not installed here: starting the web shell instead (DESIGN §7).'),
    spawn(npx, ['tsx', 'src/main/webshell/cli.ts', ...process.argv.slice(2)], { stdio: 'inherit' }));

for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
