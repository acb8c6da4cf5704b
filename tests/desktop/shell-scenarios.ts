import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { APP_ID } from '../../src/main/electron/app-identity';
import { check, skip } from './checks';
import { bridgeCaller, consoleWindowOnScreen, launchApp, type Layout, type SuiteContext } from './app-checks';

/**
 * The shell around the window: what happens when the backend cannot start, the Windows and macOS
 * specifics (under the stand-in's platform emulation), and the session store under safeStorage's three
 * situations.
 */

export function readAppId(repoRoot: string): string {
  const match = /^appId:\s*([^\s#]+)/m.exec(readFileSync(path.join(repoRoot, 'electron-builder.yml'), 'utf8'));
  if (!match) throw new Error('electron-builder.yml has no appId');
  return match[1]!;
}

function devLayout(context: SuiteContext, appDir: string): Layout {
  return {
    label: 'out/',
    launch: { executable: path.join(appDir, 'node_modules', 'electron', 'dist', 'electron'), cwd: appDir, standInDir: context.standInDir, appArgs: ['.'] },
    rendererDir: path.join(appDir, 'out', 'renderer'),
    expectedSqliteAddon: null,
  };
}

interface StoreRun {
  readBack: string | null;
  logged: { level: string; message: string }[];
  file: string | null;
}

function runStore(context: SuiteContext, userData: string, action: 'write' | 'read' | 'corrupt', env: Record<string, string>): StoreRun {
  const run = spawnSync(process.execPath, [path.join(context.standInDir, 'safe-storage-check.mjs'), userData, action], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`the session store check failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as StoreRun;
}

/**
 * Another OS is played only from Linux (or on that OS itself): there Node's path handling is POSIX either way,
 * whereas playing macOS on Windows would hand PGlite Windows paths under a POSIX platform name.
 */
const canPlay = (platform: NodeJS.Platform) => process.platform === platform || process.platform === 'linux';

export async function runShellScenarios(context: SuiteContext, appDir: string, repoRoot: string): Promise<void> {
  const layout = devLayout(context, appDir);

  await check('start-up failure: the backend cannot start → an error dialog, exit status 1, the lock released', async () => {
    const userData = context.scratch('failing-start');
    // The data folder cannot be created: a file stands where it goes.
    writeFileSync(path.join(userData, 'data'), 'not a folder');
    const app = launchApp(context, layout, userData);
    const exit = await app.waitForExit('a failed start');
    assert.equal(exit.code, 1, app.tail());
    const report = exit.report!;
    assert.equal(report.dialogs.length, 1, JSON.stringify(report.dialogs));
    assert.match(report.dialogs[0]!.title, /could not start/);
    assert.match(report.dialogs[0]!.content, /ENOTDIR|EEXIST|not a directory/i);
    // The console window opens while the backend starts (console-startup.ts: the sign-in form is drawn meanwhile);
    // the failed start ends the process with it.
    assert.ok(report.windows.some((win) => win.url.startsWith('data:') && win.everShown), 'no loading window was shown while starting');
    assert.ok(report.lifecycle.includes('app.exit(1)'), report.lifecycle.join(' → '));
    assert.deepEqual(report.violations, []);
    assert.ok(!existsSync(path.join(userData, 'StandInSingletonLock')), 'the single-instance lock is still held');

    // The next launch is not silenced by a lock left behind: with the obstacle gone, it starts.
    rmSync(path.join(userData, 'data'));
    const again = launchApp(context, layout, userData);
    try {
      await consoleWindowOnScreen(again);
      await again.request({ cmd: 'quit' });
      assert.equal((await again.waitForExit('quit after recovery')).code, 0);
    } finally {
      again.kill();
    }
  });

  await check('start-up failure: a half-configured Supabase project → an error dialog naming the fix, exit status 1', async () => {
    const userData = context.scratch('misconfigured');
    const app = launchApp(context, layout, userData, { env: { SUPABASE_URL: 'https://project.supabase.co', SUPABASE_ANON_KEY: '' } });
    const exit = await app.waitForExit('a misconfigured start');
    assert.equal(exit.code, 1, app.tail());
    assert.match(exit.report!.dialogs[0]?.content ?? '', /SUPABASE_URL and SUPABASE_ANON_KEY/);
  });

  if (!canPlay('win32')) skip('Windows: the AppUserModelID', `the stand-in plays Windows only on Linux or Windows, not on ${process.platform}`);
  else await check('Windows: the AppUserModelID is the appId of electron-builder.yml, set before ready; closing the last window quits', async () => {
    assert.equal(APP_ID, readAppId(repoRoot));
    const app = launchApp(context, layout, context.scratch('win32'), { env: { STANDIN_PLATFORM: 'win32' } });
    try {
      const windowId = await consoleWindowOnScreen(app);
      const state = await app.state();
      assert.equal(state.appUserModelId, APP_ID);
      const call = state.calls.find((entry) => entry.api === 'app.setAppUserModelId');
      assert.equal(call?.ready, false, 'setAppUserModelId was not called before ready');
      assert.deepEqual(state.violations, []);
      await app.request({ cmd: 'closeWindow', windowId });
      const exit = await app.waitForExit('closing the last window on Windows');
      assert.equal(exit.code, 0, app.tail());
      assert.ok(exit.report!.lifecycle.includes('window-all-closed'));
    } finally {
      app.kill();
    }
  });

  if (!canPlay('darwin')) skip('macOS: the tray template image', `the stand-in plays macOS only on Linux or macOS, not on ${process.platform}`);
  else await check('macOS: the tray shows the template image (with @2x); closing the window keeps the app; the tray brings a window back and quits', async () => {
    const app = launchApp(context, layout, context.scratch('darwin'), { env: { STANDIN_PLATFORM: 'darwin' } });
    try {
      const windowId = await consoleWindowOnScreen(app);
      const state = await app.state();
      const tray = state.trays.at(-1)!;
      assert.match(tray.image.path ?? '', /trayTemplate\.png$/);
      assert.equal(tray.image.empty, false);
      assert.equal(tray.image.template, true);
      assert.ok(existsSync((tray.image.path ?? '').replace(/\.png$/, '@2x.png')), 'no trayTemplate@2x.png');
      await app.request({ cmd: 'closeWindow', windowId });
      await app.waitFor('the window to close', (event) => event.event === 'window-closed' && event.windowId === windowId);
      const from = app.events.length;
      await app.request({ cmd: 'trayClick', label: 'Show console' });
      const reopened = await consoleWindowOnScreen(app, from);
      const info = await bridgeCaller(app)(reopened, 'app.info', {});
      assert.ok(info.ok, JSON.stringify(info));
      await app.request({ cmd: 'trayClick', label: 'Quit' });
      const exit = await app.waitForExit('Quit from the tray');
      assert.equal(exit.code, 0, app.tail());
      assert.deepEqual(exit.report!.violations, []);
    } finally {
      app.kill();
    }
  });

  await check('session store: encrypted on disk with a keyring, read back after a restart', () => {
    const userData = context.scratch('store-keyring');
    const env = { STANDIN_PLATFORM: 'linux', STANDIN_SAFE_STORAGE: 'available' };
    const written = runStore(context, userData, 'write', env);
    assert.equal(written.readBack, 'the-refresh-token-value');
    assert.deepEqual(written.logged, []);
    assert.ok(written.file, 'nothing was saved');
    assert.ok(!written.file.includes('the-refresh-token-value'), 'the token is on disk in plain text');
    assert.equal(runStore(context, userData, 'read', env).readBack, 'the-refresh-token-value');
  });

  for (const [platform, mode] of [
    ['linux', 'basic_text'],
    ['linux', 'unavailable'],
    ['darwin', 'unavailable'],
  ] as const) {
    await check(`session store: ${platform} with safeStorage ${mode} → kept in memory with a warning, never on disk, never dropped`, () => {
      const userData = context.scratch(`store-${platform}-${mode}`);
      const run = runStore(context, userData, 'write', { STANDIN_PLATFORM: platform, STANDIN_SAFE_STORAGE: mode });
      assert.equal(run.readBack, 'the-refresh-token-value', 'the write was dropped');
      assert.equal(run.file, null, 'the session was written to disk');
      assert.equal(run.logged.length, 1, JSON.stringify(run.logged));
      assert.equal(run.logged[0]!.level, 'warn');
      assert.match(run.logged[0]!.message, /in memory only/);
      if (mode === 'basic_text') assert.match(run.logged[0]!.message, /basic_text/);
    });
  }

  await check('session store: an unreadable saved session is ignored with a warning, and the next sign-in replaces it', () => {
    const userData = context.scratch('store-corrupt');
    const run = runStore(context, userData, 'corrupt', { STANDIN_PLATFORM: 'linux', STANDIN_SAFE_STORAGE: 'available' });
    assert.equal(run.readBack, null);
    assert.match(run.logged[0]?.message ?? '', /could not be read/);
  });
}
