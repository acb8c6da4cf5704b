/**
 * `npm run test:desktop`: the Electron shell, proven without the Electron binary.
 *
 * Builds the app with electron-vite, bundles the stand-in Electron (tests/desktop/electron-stand-in/, which
 * enforces Electron's lifecycle rules), then runs the BUILT main process under Node with `electron`
 * resolved to the stand-in, in both layouts users get:
 * - development: `electron .` on the out/ tree;
 * - packaged: `electron-builder --dir` with a stand-in Electron distribution (electronDist), its fuses
 *   read back, and the app started from the extracted app.asar as the packaged binary starts it.
 * Plus the stand-in's own rules against small fixture apps (so a rule that stopped biting would show),
 * the start-up failure path, the platform-specific shell (Windows AppUserModelID, macOS tray template),
 * and the session storage under safeStorage's three situations.
 *
 * Usage: npm run test:desktop [-- --skip-build] [--app-dir DIR (a built app to check instead of this one)]
 * Prints "N passed, N failed, N skipped".
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { buildStandIn } from './build-stand-in';
import { results, section, summary } from './checks';
import { runAppChecks, type SuiteContext } from './app-checks';
import { runRuleFixtures } from './rule-fixtures';
import { runShellScenarios } from './shell-scenarios';
import { runPackagedLayout } from './package-layout';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { values } = parseArgs({ options: { 'skip-build': { type: 'boolean', default: false }, 'app-dir': { type: 'string' } } });
const appDir = path.resolve(values['app-dir'] ?? repoRoot);

const scratchRoot = mkdtempSync(path.join(os.tmpdir(), 'samia-desktop-'));
const context: SuiteContext = {
  standInDir: '',
  sqliteLoads: true,
  scratch: (name) => {
    const dir = path.join(scratchRoot, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  },
};

function sqliteLoadsHere(): string | true {
  try {
    const require = createRequire(path.join(appDir, 'package.json'));
    const Database = require('better-sqlite3') as new (file: string) => { close(): void };
    new Database(':memory:').close();
    return true;
  } catch (error) {
    return `node_modules' better-sqlite3 does not load in Node ${process.version} (ABI ${process.versions.modules}): ${String(error).split('\n')[0]}`;
  }
}

try {
  if (!values['skip-build']) {
    section('build');
    const viteCli = path.join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
    const build = spawnSync(process.execPath, [viteCli, 'build'], { cwd: appDir, stdio: 'inherit' });
    if (build.status !== 0) throw new Error(`electron-vite build failed (status ${build.status})`);
  }
  context.standInDir = await buildStandIn(repoRoot);
  context.sqliteLoads = sqliteLoadsHere();

  section('the stand-in enforces Electron’s rules (fixture apps)');
  await runRuleFixtures(context);

  section('development layout: electron . on the out/ tree');
  await runAppChecks(context, {
    label: 'out/',
    launch: { executable: path.join(appDir, 'node_modules', 'electron', 'dist', process.platform === 'win32' ? 'electron.exe' : 'electron'), cwd: appDir, standInDir: context.standInDir, appArgs: ['.'] },
    rendererDir: path.join(appDir, 'out', 'renderer'),
    expectedSqliteAddon: null,
  });

  section('start-up failure, platform shells and session storage');
  await runShellScenarios(context, appDir, repoRoot);

  section('packaged layout: electron-builder --dir, app.asar');
  await runPackagedLayout(context, appDir, repoRoot);
} catch (error) {
  results.push({ name: 'the desktop suite ran to the end', outcome: 'failed', detail: String(error) });
  console.error(error);
} finally {
  rmSync(scratchRoot, { recursive: true, force: true });
}

const { passed, failed, skipped } = summary();
console.log(`\ndesktop: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
