// `npm start`: builds the console, then opens the Electron window where the Electron binary is installed, or
// the web shell (printing its loopback URL) where it is not, as on build machines that reach only the npm
// registry. Before Electron starts, better-sqlite3 is built for Electron's ABI next to node_modules (README,
// "Native modules"); nothing of that runs where Electron is absent.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tool } from './node-tools.mjs';

const require = createRequire(import.meta.url);

const runOrExit = ([command, args, options], what) => {
  const result = spawnSync(command, args, { ...options, stdio: 'inherit' });
  if (result.error) console.error(`${what} could not start: ${result.error.message}`);
  if (result.status !== 0) process.exit(result.status ?? 1);
};

runOrExit(tool('electron-vite', ['build']), 'electron-vite');

let electronBinary = null;
try {
  const candidate = require('electron');
  if (typeof candidate === 'string' && existsSync(candidate)) electronBinary = candidate;
} catch {
  // No Electron package or binary: fall through to the web shell.
}

let child;
if (electronBinary) {
  runOrExit([process.execPath, ['scripts/electron-native.mjs', 'build'], {}], 'The Electron build of better-sqlite3');
  child = spawn(electronBinary, ['.', ...process.argv.slice(2)], { stdio: 'inherit' });
} else {
  console.log('The Electron binary is not installed here: starting the web shell instead.');
  // The build just made (electron-vite's main build has the web shell as its second entry): plain JS, as the
  // Electron app starts, with no TypeScript loader transforming the sources at every start.
  child = spawn(process.execPath, [fileURLToPath(new URL('../out/main/webshell.js', import.meta.url)), ...process.argv.slice(2)], { stdio: 'inherit' });
}

child.on('error', (error) => {
  console.error(`The console could not start: ${error.message}`);
  process.exit(1);
});
// On Windows a console's Ctrl+C reaches the child by itself, and kill() would end it at once, skipping its
// orderly shutdown; elsewhere the signal is passed on, and Electron quits as from its menu.
if (process.platform !== 'win32') {
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
} else {
  process.on('SIGINT', () => {});
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
