// better-sqlite3 for Electron, built apart from node_modules (README, "Native modules").
//
//   node scripts/electron-native.mjs build [--if-electron] [--arch x64|arm64|ia32]
//   node scripts/electron-native.mjs check <folder> [--abi N]
//
// `npm install` builds node_modules/better-sqlite3 for Node's ABI: the Node test tiers and the web shell load
// it. Electron has an ABI of its own, so `build` compiles (or fetches the prebuilt) better-sqlite3 for the
// installed Electron with @electron/rebuild, in a staging copy, and keeps only the addon, in
//   .electron-native/better-sqlite3/<platform>-<arch>/abi<N>/better_sqlite3.node
// which the Electron shell loads through better-sqlite3's `nativeBinding` (src/main/electron/native-sqlite.ts)
// and electron-builder packages as resources/native/better-sqlite3/abi<N>/. `npm start` runs it with
// --if-electron (nothing to do where the Electron binary is not installed); `npm run package` without (fails).
//
// `check` verifies that every better_sqlite3.node under a folder (a packaged app) was built for Electron's ABI:
// a Node addon exports `node_register_module_v<ABI>`, whatever the OS's binary format.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const ADDON = 'better_sqlite3.node';

const fail = (message) => {
  console.error(`[electron-native] ${message}`);
  process.exit(1);
};

function electronInstall() {
  const pkg = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8'));
  let binary = null;
  try {
    const candidate = require('electron');
    if (typeof candidate === 'string' && existsSync(candidate)) binary = candidate;
  } catch {
    // The package is there, its binary is not (ELECTRON_SKIP_BINARY_DOWNLOAD, or no access to its download).
  }
  const abiFile = path.join(path.dirname(require.resolve('electron/package.json')), 'abi_version');
  const declaredAbi = existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : null;
  return { version: pkg.version, binary, declaredAbi };
}

/** Runs code in the Electron binary as plain Node (the development binary keeps the RunAsNode fuse). */
function runInElectron(binary, code) {
  return spawnSync(binary, ['-e', code], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8' });
}

export function exportedAbis(file) {
  const text = readFileSync(file).toString('latin1');
  return [...new Set([...text.matchAll(/node_register_module_v(\d+)/g)].map((match) => match[1]))];
}

function findAddons(folder) {
  const found = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...findAddons(full));
    else if (entry.isFile() && entry.name === ADDON) found.push(full);
  }
  return found;
}

async function build({ ifElectron, arch }) {
  const electron = electronInstall();
  if (!electron.binary) {
    if (ifElectron) {
      console.log('[electron-native] The Electron binary is not installed: no Electron build of better-sqlite3 is needed.');
      return;
    }
    fail(`The Electron ${electron.version} binary is not installed (node_modules/electron has no dist), so better-sqlite3 cannot be built for it.`);
  }
  const probe = runInElectron(electron.binary, 'process.stdout.write(process.versions.modules)');
  const abi = probe.status === 0 && probe.stdout.trim() ? probe.stdout.trim() : electron.declaredAbi;
  if (!abi) fail(`Cannot tell Electron ${electron.version}'s module ABI: ${probe.stderr}`);
  const betterSqlite = JSON.parse(readFileSync(require.resolve('better-sqlite3/package.json'), 'utf8'));
  const platformDir = path.join(root, '.electron-native', 'better-sqlite3', `${process.platform}-${arch}`);
  const targetDir = path.join(platformDir, `abi${abi}`);
  const target = path.join(targetDir, ADDON);
  const stampFile = path.join(targetDir, 'build-info.json');
  const stamp = { betterSqlite3: betterSqlite.version, electron: electron.version, abi, platform: process.platform, arch };
  if (existsSync(target) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)) {
    console.log(`[electron-native] better-sqlite3 ${stamp.betterSqlite3} for Electron ${stamp.electron} (ABI ${abi}, ${process.platform}-${arch}) is up to date.`);
    return;
  }

  // A staging project with a copy of better-sqlite3 (without npm install's Node build), rebuilt there.
  const staging = path.join(root, '.electron-native', 'staging');
  rmSync(staging, { recursive: true, force: true });
  const moduleDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  cpSync(moduleDir, path.join(staging, 'node_modules', 'better-sqlite3'), {
    recursive: true,
    filter: (source) => path.relative(moduleDir, source).split(path.sep)[0] !== 'build',
  });
  writeFileSync(path.join(staging, 'package.json'), JSON.stringify({ name: 'electron-native-staging', private: true, dependencies: { 'better-sqlite3': betterSqlite.version } }));

  // npm passes its configuration to scripts as npm_config_* variables, and node-gyp reads them: a `nodedir`
  // (set in ~/.npmrc on some machines) would silently build against Node's headers instead of Electron's.
  for (const key of Object.keys(process.env)) {
    if (/^npm_config_(nodedir|target|runtime|disturl|dist_url|build_from_source)$/i.test(key)) delete process.env[key];
  }
  // electron-builder's own @electron/rebuild (through app-builder-lib), the one `npmRebuild` would use.
  const builderRequire = createRequire(require.resolve('app-builder-lib/package.json'));
  const { rebuild } = await import(pathToFileURL(builderRequire.resolve('@electron/rebuild')).href);
  try {
    await rebuild({ buildPath: staging, projectRootPath: staging, electronVersion: electron.version, arch, onlyModules: ['better-sqlite3'], force: true, mode: 'sequential' });
  } catch (error) {
    fail(`Building better-sqlite3 for Electron ${electron.version} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  const built = path.join(staging, 'node_modules', 'better-sqlite3', 'build', 'Release', ADDON);
  if (!existsSync(built)) fail(`@electron/rebuild finished but left no ${ADDON} in ${path.dirname(built)}.`);
  const abis = exportedAbis(built);
  if (!abis.includes(abi)) fail(`The build exports ABI ${abis.join(', ') || 'none'}, not Electron's ${abi}: it was built against other headers (a nodedir setting?).`);

  mkdirSync(targetDir, { recursive: true });
  cpSync(built, target);
  // Loaded once by Electron itself, as the app will load it.
  if (arch === process.arch) {
    const lib = path.join(staging, 'node_modules', 'better-sqlite3');
    const load = runInElectron(electron.binary, `const D=require(${JSON.stringify(lib)});new D(':memory:',{nativeBinding:${JSON.stringify(target)}}).close()`);
    if (load.status !== 0) fail(`Electron cannot load the build at ${target}:\n${load.stderr}`);
  }
  writeFileSync(stampFile, JSON.stringify(stamp));
  // Builds for an Electron no longer installed would only be packaged for nothing.
  for (const other of readdirSync(platformDir)) {
    if (other !== `abi${abi}`) rmSync(path.join(platformDir, other), { recursive: true, force: true });
  }
  rmSync(staging, { recursive: true, force: true });
  console.log(`[electron-native] better-sqlite3 ${stamp.betterSqlite3} built for Electron ${stamp.electron} (ABI ${abi}, ${process.platform}-${arch}): ${path.relative(root, target)}`);
}

function check(folder, abiOption) {
  if (!folder || !existsSync(folder) || !statSync(folder).isDirectory()) fail(`check: ${folder ?? '(no folder)'} is not a folder`);
  const abi = abiOption ?? electronInstall().declaredAbi;
  if (!abi) fail("check: cannot tell Electron's module ABI (node_modules/electron/abi_version is missing); pass --abi N");
  const addons = findAddons(folder);
  if (addons.length === 0) fail(`check: no ${ADDON} under ${folder}`);
  let wrong = 0;
  for (const file of addons) {
    const abis = exportedAbis(file);
    const ok = abis.length === 1 && abis[0] === abi;
    if (!ok) wrong++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${path.relative(folder, file)}: exports node_register_module_v${abis.join(', v') || '(none)'}${ok ? '' : `, expected v${abi}`}`);
  }
  if (wrong > 0) fail(`check: ${wrong} of ${addons.length} better-sqlite3 addons are not built for Electron's ABI ${abi}`);
  console.log(`[electron-native] ${addons.length} better-sqlite3 addon(s) under ${folder}, all for ABI ${abi}.`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { 'if-electron': { type: 'boolean', default: false }, arch: { type: 'string', default: process.arch }, abi: { type: 'string' } },
  });
  const [command, folder] = positionals;
  if (command === 'build') await build({ ifElectron: values['if-electron'], arch: values.arch });
  else if (command === 'check') check(folder && path.resolve(folder), values.abi);
  else fail('usage: electron-native.mjs build [--if-electron] [--arch A] | check <folder> [--abi N]');
}
