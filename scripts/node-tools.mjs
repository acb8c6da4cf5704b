// How the project's scripts start npm and the tools in node_modules on every OS. On Windows, npm, npx and
// node_modules/.bin entries are .cmd files, which Node (since 20.12.2, CVE-2024-27980) refuses to spawn without
// a shell (EINVAL). Rather than going through cmd.exe and its quoting, the JavaScript behind them runs in this
// very Node: npm's CLI (npm_execpath, set by npm for the scripts it runs) and each package's `bin` script.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** [command, args, options] for a tool installed in node_modules: `tool('electron-vite', ['build'])`. */
export function tool(packageName, args, binName = packageName) {
  const packageDir = path.join(root, 'node_modules', ...packageName.split('/'));
  const manifest = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8'));
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin?.[binName];
  if (!bin) throw new Error(`${packageName} has no "${binName}" command`);
  return [process.execPath, [path.join(packageDir, bin), ...args], {}];
}

/** [command, args, options] for `npm <args>`, through the npm that runs this script when there is one. */
export function npm(args) {
  const cli = process.env.npm_execpath;
  if (cli && /\.[cm]?js$/.test(cli)) return [process.execPath, [cli, ...args], {}];
  // Not started by npm (node scripts/x.mjs): the npm on PATH; on Windows that is npm.cmd, run by the shell.
  return process.platform === 'win32' ? ['npm', args, { shell: true }] : ['npm', args, {}];
}
