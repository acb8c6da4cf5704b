import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { check, skip } from './checks';
import { consoleWindowOnScreen, launchApp, PASSWORD, bridgeCaller, runAppChecks, type Layout, type SuiteContext } from './app-checks';

/**
 * The packaged layout: `electron-builder --dir` with this project's electron-builder.yml, given a stand-in
 * Electron distribution (`electronDist`: the real one cannot be downloaded here) whose executable carries
 * Electron 41's fuse wire, so electron-builder burns the configured fuses into it as into the real binary.
 * The package is then checked file by file, and run as the packaged binary runs it: resources/app.asar
 * (extracted to a folder of the same name, since Node cannot read the archive), process.resourcesPath, the
 * ABI build of better-sqlite3 from resources/native.
 */

const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
// Electron 41's wire as shipped: RunAsNode on, cookie encryption off, NODE_OPTIONS on, --inspect on, asar
// integrity off, only-asar off, browser V8 snapshot off, file:// privileges on, Wasm trap handlers on.
const ELECTRON_41_WIRE = '101100011';
const FUSE_KEYS = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
];

function writeStandInElectronDist(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL, 'latin1'), Buffer.from([1, ELECTRON_41_WIRE.length]), Buffer.from(ELECTRON_41_WIRE, 'latin1')]);
  const script = Buffer.concat([
    Buffer.from('#!/bin/sh\n# Stand-in Electron binary for the desktop test (tests/desktop/package-layout.ts); its fuse wire:\n# '),
    wire,
    Buffer.from('\necho "stand-in Electron: run it through tests/desktop (npm run test:desktop)" >&2\nexit 1\n'),
  ]);
  writeFileSync(path.join(dir, 'electron'), script);
  chmodSync(path.join(dir, 'electron'), 0o755);
  writeFileSync(path.join(dir, 'LICENSE'), 'Stand-in for the Electron distribution (MIT-licensed Electron is not downloadable here).\n');
}

function readWire(executable: string): string {
  const bytes = readFileSync(executable);
  const at = bytes.indexOf(FUSE_SENTINEL);
  if (at < 0) throw new Error(`no fuse wire in ${executable}`);
  const length = bytes[at + FUSE_SENTINEL.length + 1]!;
  return bytes.subarray(at + FUSE_SENTINEL.length + 2, at + FUSE_SENTINEL.length + 2 + length).toString('latin1');
}

/** The electronFuses block of electron-builder.yml, as written. */
export function configuredFuses(repoRoot: string): Record<string, boolean> {
  const yml = readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8');
  const block = /^electronFuses:\n((?:[ \t]+.*\n|[ \t]*#.*\n)+)/m.exec(yml);
  if (!block) throw new Error('electron-builder.yml has no electronFuses');
  return Object.fromEntries([...block[1]!.matchAll(/^\s+(\w+):\s*(true|false)\b/gm)].map((match) => [match[1]!, match[2] === 'true']));
}

function walk(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...walk(full));
    else files.push(full);
  }
  return files;
}

function folderSize(dir: string): number {
  return existsSync(dir) ? walk(dir).reduce((sum, file) => sum + statSync(file).size, 0) : 0;
}

/** Every `dependencies` entry of every packaged module resolves from where it sits, as Node resolves it. */
function unresolvedDependencies(appDir: string): string[] {
  const missing: string[] = [];
  const manifests = walk(path.join(appDir, 'node_modules')).filter((file) => file.endsWith(`${path.sep}package.json`) && !file.includes(`${path.sep}node_modules${path.sep}.`));
  // The app's own dependencies include the renderer's libraries, bundled into out/renderer: the main bundle's
  // imports are checked instead.
  for (const manifest of manifests) {
    let pkg: { name?: string; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    try {
      pkg = JSON.parse(readFileSync(manifest, 'utf8'));
    } catch {
      continue;
    }
    // Only package roots: a package.json inside a package's own folders (dist/esm/package.json) has no dependencies of its own.
    if (!pkg.name || !pkg.dependencies) continue;
    for (const dependency of Object.keys(pkg.dependencies)) {
      if (pkg.optionalDependencies?.[dependency]) continue;
      let dir = path.dirname(manifest);
      let found = false;
      while (dir.startsWith(appDir)) {
        if (existsSync(path.join(dir, 'node_modules', dependency, 'package.json'))) {
          found = true;
          break;
        }
        const parent = path.dirname(dir);
        if (parent === dir) break;
        dir = parent;
      }
      if (!found) missing.push(`${pkg.name} → ${dependency}`);
    }
  }
  return missing;
}

export async function runPackagedLayout(context: SuiteContext, appDir: string, repoRoot: string): Promise<void> {
  if (process.platform !== 'linux') {
    skip('packaged layout', 'the stand-in Electron distribution is a Linux one (electron-builder edits Windows executables and assembles macOS bundles from the real ones); the desktop workflow packages with the real Electron on those');
    return;
  }
  if (lstatSync(path.join(appDir, 'node_modules')).isSymbolicLink()) {
    skip('packaged layout', 'node_modules is a symbolic link (a shared install): `npm ls` does not see the tree through it, so electron-builder cannot collect the production dependencies; run from a regular npm install');
    return;
  }
  const abi = process.versions.modules;
  const platformArch = `${process.platform}-${process.arch}`;
  const nodeBuild = path.join(appDir, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  const stagedDir = path.join(appDir, '.electron-native', 'better-sqlite3', platformArch, `abi${abi}`);
  const staged = path.join(stagedDir, 'better_sqlite3.node');
  const stagedHere = !existsSync(staged);
  const work = path.join(repoRoot, '.tmp', 'desktop');
  const output = path.join(work, 'package');
  try {
    // The stand-in runs on this Node, so "the build for the running ABI" is node_modules' own: put it where
    // scripts/electron-native.mjs puts Electron's, and the app must find it there, in both layouts.
    if (context.sqliteLoads === true) {
      mkdirSync(stagedDir, { recursive: true });
      copyFileSync(nodeBuild, staged);
    }

    if (context.sqliteLoads === true) {
      await check(`out/: the development layout loads better-sqlite3 from .electron-native/…/abi${abi} when it is there`, async () => {
        const layout: Layout = {
          label: 'out/ (ABI build)',
          launch: { executable: path.join(appDir, 'node_modules', 'electron', 'dist', 'electron'), cwd: appDir, standInDir: context.standInDir, appArgs: ['.'] },
          rendererDir: path.join(appDir, 'out', 'renderer'),
          expectedSqliteAddon: staged,
        };
        const app = launchApp(context, layout, context.scratch('dev-abi-build'));
        try {
          const windowId = await consoleWindowOnScreen(app);
          const created = await bridgeCaller(app)(windowId, 'auth.createFirstAccount', { email: 'abi@samia.test', password: PASSWORD, displayName: 'ABI Check', preferredLanguage: 'ar' });
          assert.ok(created.ok, JSON.stringify(created));
          const addons = (await app.state()).nativeAddons.filter((file) => file.endsWith('better_sqlite3.node'));
          assert.deepEqual([...new Set(addons)], [staged]);
          await app.request({ cmd: 'quit' });
          assert.equal((await app.waitForExit('quit')).code, 0);
        } finally {
          app.kill();
        }
      });
    }

    const dist = path.join(work, 'electron-dist');
    writeStandInElectronDist(dist);
    rmSync(output, { recursive: true, force: true });
    const builderCli = path.join(appDir, 'node_modules', 'electron-builder', 'cli.js');
    const built = await check('electron-builder --dir packages the app with the stand-in Electron distribution', () => {
      const run = spawnSync(
        process.execPath,
        [builderCli, '--dir', '--config', 'electron-builder.yml', `-c.electronDist=${dist}`, `-c.directories.output=${output}`],
        { cwd: appDir, encoding: 'utf8', env: { ...process.env, CSC_IDENTITY_AUTO_DISCOVERY: 'false' } },
      );
      assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
      assert.doesNotMatch(run.stdout + run.stderr, /cannot find path for dependency/);
    });
    if (!built) return;
    const unpacked = path.join(output, 'linux-unpacked');
    const resources = path.join(unpacked, 'resources');
    const executable = path.join(unpacked, 'samia-tarot-console');
    const builderRequire = createRequire(path.join(appDir, 'node_modules', 'app-builder-lib', 'package.json'));
    const asar = builderRequire('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractAll(archive: string, dest: string): void };
    const archive = path.join(resources, 'app.asar');

    await check('package: the executable is renamed and its fuses are burnt as electron-builder.yml says', () => {
      assert.ok(existsSync(executable), `no ${executable}`);
      const wire = readWire(executable);
      const wanted = configuredFuses(repoRoot);
      assert.ok(Object.keys(wanted).length >= 6, `fuses read from electron-builder.yml: ${JSON.stringify(wanted)}`);
      for (const [index, key] of FUSE_KEYS.entries()) {
        if (key in wanted) assert.equal(wire[index], wanted[key] ? '1' : '0', `fuse ${key}`);
      }
      assert.equal(wire[0], '0', 'the packaged app can still be run as plain Node (RunAsNode)');
      assert.equal(wire[5], '1', 'the packaged app loads more than its app.asar (OnlyLoadAppFromAsar)');
    });
    await check('package: app.asar holds the built app and only production modules, without better-sqlite3’s sources and objects', () => {
      const entries = new Set(asar.listPackage(archive, { isPack: false }).map((entry) => entry.replace(/\\/g, '/')));
      for (const needed of ['/package.json', '/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/out/renderer/siren.wav', '/node_modules/better-sqlite3/lib/index.js']) {
        assert.ok(entries.has(needed), `missing ${needed}`);
      }
      const list = [...entries];
      for (const forbidden of [/^\/src\//, /^\/tests\//, /^\/supabase\//, /\.map$/, /^\/node_modules\/better-sqlite3\/(build|deps|src)\//, /\.(o|a|obj|gypi|mk)$/, /^\/node_modules\/(electron|vitest|typescript|supabase|@playwright|electron-builder)\//]) {
        const hit = list.find((entry) => forbidden.test(entry));
        assert.equal(hit, undefined, `packaged: ${hit}`);
      }
      assert.ok(!existsSync(path.join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3')), 'better-sqlite3 is still unpacked');
    });
    await check('package: resources hold the migrations, the icons, the macOS tray template, the siren and better-sqlite3 for the running ABI', () => {
      for (const file of ['icon.png', 'tray.png', 'trayTemplate.png', 'trayTemplate@2x.png', 'siren.wav']) assert.ok(existsSync(path.join(resources, file)), `missing resources/${file}`);
      assert.ok(readdirSync(path.join(resources, 'supabase', 'migrations')).some((file) => file.endsWith('.sql')), 'no migrations');
      assert.ok(readdirSync(path.join(resources, 'supabase', 'compat')).length > 0, 'no compatibility layer');
      const addons = walk(unpacked).filter((file) => file.endsWith('better_sqlite3.node'));
      if (context.sqliteLoads === true) assert.deepEqual(addons, [path.join(resources, 'native', 'better-sqlite3', `abi${abi}`, 'better_sqlite3.node')]);
      else assert.deepEqual(addons, [], 'a better-sqlite3 build that nothing selects was packaged');
      const check = spawnSync(process.execPath, [path.join(repoRoot, 'scripts', 'electron-native.mjs'), 'check', unpacked, '--abi', abi], { encoding: 'utf8' });
      if (context.sqliteLoads === true) assert.equal(check.status, 0, check.stdout + check.stderr);
    });

    // Node cannot read an asar archive: the app is run from a copy where app.asar is a folder of the same name.
    const runDir = path.join(work, 'package-run');
    rmSync(runDir, { recursive: true, force: true });
    cpSync(unpacked, runDir, { recursive: true, filter: (source) => source !== archive });
    asar.extractAll(archive, path.join(runDir, 'resources', 'app.asar'));
    await check('package: every module the main bundle imports is packaged, each finds its own dependencies, and the asar is small', () => {
      const app = path.join(runDir, 'resources', 'app.asar');
      // The main build's entries (the app, the web shell) and the chunks they share.
      const bundle = walk(path.join(app, 'out', 'main'))
        .filter((file) => file.endsWith('.js'))
        .map((file) => readFileSync(file, 'utf8'))
        .join('\n');
      const imported = [...new Set([...bundle.matchAll(/^import\s[^;]*?from\s+"([^".][^"]*)"/gm)].map((match) => match[1]!))].filter((name) => !name.startsWith('node:') && name !== 'electron');
      assert.ok(imported.length > 0, 'no bare imports found in the main bundle');
      for (const name of imported) {
        const packageName = name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]!;
        assert.ok(existsSync(path.join(app, 'node_modules', packageName, 'package.json')), `the main bundle imports ${name}, which is not packaged`);
      }
      assert.deepEqual(unresolvedDependencies(app), []);
      const sqlite = folderSize(path.join(app, 'node_modules', 'better-sqlite3'));
      assert.ok(sqlite < 1_000_000, `better-sqlite3 takes ${sqlite} bytes in the package`);
    });
    await runAppChecks(context, {
      label: 'app.asar',
      launch: { executable: path.join(runDir, 'samia-tarot-console'), cwd: runDir, standInDir: context.standInDir, appArgs: [] },
      rendererDir: path.join(runDir, 'resources', 'app.asar', 'out', 'renderer'),
      expectedSqliteAddon: context.sqliteLoads === true ? path.join(runDir, 'resources', 'native', 'better-sqlite3', `abi${abi}`, 'better_sqlite3.node') : null,
    });
  } finally {
    if (stagedHere) rmSync(stagedDir, { recursive: true, force: true });
  }
}
