import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { check } from './checks';
import { StandInApp } from './driver';
import type { SuiteContext } from './app-checks';

/**
 * Small apps that each break (or keep) one of Electron's rules, run under the stand-in: the rules the app
 * checks rely on must bite, or a passing app check would prove nothing. Each fixture prints one JSON line
 * with what happened, then exits.
 */

interface FixtureRun {
  code: number | null;
  said: Record<string, unknown>;
  violations: string[];
  output: string;
}

async function runFixture(context: SuiteContext, name: string, main: string, options: { env?: Record<string, string>; files?: Record<string, string> } = {}): Promise<FixtureRun> {
  const dir = context.scratch(`fixture-${name}`);
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `fixture-${name}`, version: '1.0.0', type: 'module', main: 'main.js' }));
  writeFileSync(path.join(dir, 'main.js'), main);
  for (const [file, text] of Object.entries(options.files ?? {})) writeFileSync(path.join(dir, file), text);
  const userData = path.join(dir, 'user-data');
  mkdirSync(userData, { recursive: true });
  const app = StandInApp.launch({
    standInDir: context.standInDir,
    executable: path.join(dir, 'electron'),
    cwd: dir,
    args: ['.', `--user-data-dir=${userData}`],
    env: options.env ?? {},
  });
  const exit = await app.waitForExit(name);
  const said = app.output
    .filter((line) => line.startsWith('[out] {'))
    .map((line) => JSON.parse(line.slice(6)) as Record<string, unknown>)
    .reduce((all, one) => ({ ...all, ...one }), {});
  return { code: exit.code, said, violations: exit.report?.violations ?? [], output: app.tail() };
}

const attempt = (label: string, body: string) => `
try { ${body}; console.log(JSON.stringify({ ${JSON.stringify(label)}: 'ok' })); }
catch (error) { console.log(JSON.stringify({ ${JSON.stringify(label)}: error.message })); }`;

export async function runRuleFixtures(context: SuiteContext): Promise<void> {
  await check('stand-in: before ready, session, protocol.handle, BrowserWindow, Tray and Notification throw Electron’s errors', async () => {
    const run = await runFixture(
      context,
      'before-ready',
      `import { app, session, protocol, BrowserWindow, Tray, Notification, dialog } from 'electron';
      ${attempt('session', 'session.defaultSession')}
      ${attempt('handle', "protocol.handle('app', () => new Response('x'))")}
      ${attempt('window', 'new BrowserWindow()')}
      ${attempt('tray', "new Tray('/nowhere.png')")}
      ${attempt('notification', 'new Notification({ title: "x" })')}
      ${attempt('messageBox', 'dialog.showMessageBox({ message: "x" })')}
      ${attempt('errorBox', 'dialog.showErrorBox("title", "content")')}
      app.exit(0);`,
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, {
      session: 'Session can only be received when app is ready',
      handle: 'Session can only be received when app is ready',
      window: 'Cannot create BrowserWindow before app is ready',
      tray: 'Cannot create Tray before app is ready',
      notification: 'Cannot create Notification before app is ready',
      messageBox: 'dialog module can only be used after app is ready',
      errorBox: 'ok',
    });
    assert.ok(run.violations.includes('Session can only be received when app is ready'));
  });

  await check('stand-in: powerMonitor as Electron 41 has it: usable before ready (electron#37937), a zero idle threshold refused', async () => {
    const run = await runFixture(
      context,
      'power-monitor',
      `import { app, powerMonitor } from 'electron';
      ${attempt('idleTimeEarly', 'if (typeof powerMonitor.getSystemIdleTime() !== "number") throw new Error("not a number")')}
      ${attempt('listenEarly', "powerMonitor.on('suspend', () => {})")}
      ${attempt('zeroThreshold', 'powerMonitor.getSystemIdleState(0)')}
      app.whenReady().then(() => {
        ${attempt('idleStateReady', 'if (powerMonitor.getSystemIdleState(60) !== "active") throw new Error("not active")')}
        app.exit(0);
      });`,
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, {
      idleTimeEarly: 'ok',
      listenEarly: 'ok',
      zeroThreshold: 'Invalid idle threshold, must be greater than 0',
      idleStateReady: 'ok',
    });
    assert.deepEqual(run.violations, ['Invalid idle threshold, must be greater than 0']);
  });

  await check('stand-in: registerSchemesAsPrivileged only before ready; the same calls succeed after ready', async () => {
    const run = await runFixture(
      context,
      'after-ready',
      `import { app, session, protocol, BrowserWindow } from 'electron';
      ${attempt('early', "protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true } }])")}
      app.whenReady().then(() => {
        ${attempt('late', "protocol.registerSchemesAsPrivileged([{ scheme: 'other', privileges: { standard: true } }])")}
        ${attempt('session', 'session.defaultSession.setPermissionRequestHandler(() => {})')}
        ${attempt('handle', "protocol.handle('app', () => new Response('x'))")}
        ${attempt('again', "protocol.handle('app', () => new Response('x'))")}
        ${attempt('window', 'new BrowserWindow({ show: false })')}
        app.exit(0);
      });`,
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, {
      early: 'ok',
      late: 'protocol.registerSchemesAsPrivileged should be called before app is ready',
      session: 'ok',
      handle: 'ok',
      again: 'Failed to register protocol: app',
      window: 'ok',
    });
  });

  await check('stand-in: safeStorage on Linux has no encryption before ready and refuses to encrypt', async () => {
    const run = await runFixture(
      context,
      'safe-storage',
      `import { app, safeStorage } from 'electron';
      console.log(JSON.stringify({ before: safeStorage.isEncryptionAvailable(), backendBefore: safeStorage.getSelectedStorageBackend() }));
      ${attempt('encrypt', "safeStorage.encryptString('token')")}
      app.whenReady().then(() => {
        console.log(JSON.stringify({ after: safeStorage.isEncryptionAvailable(), backendAfter: safeStorage.getSelectedStorageBackend() }));
        app.exit(0);
      });`,
      { env: { STANDIN_PLATFORM: 'linux', STANDIN_SAFE_STORAGE: 'basic_text' } },
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, { before: false, backendBefore: 'unknown', encrypt: 'safeStorage cannot be used before app is ready', after: false, backendAfter: 'basic_text' });
  });

  await check('stand-in: ready waits for the entry module, so a top-level await on whenReady() never ends', async () => {
    const run = await runFixture(
      context,
      'top-level-await',
      `import { app } from 'electron';
      // Says whether ready ever came, then leaves: the await below never returns.
      setTimeout(() => { console.log(JSON.stringify({ ready: app.isReady() })); app.exit(0); }, 500);
      await app.whenReady();
      console.log(JSON.stringify({ reached: true }));`,
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, { ready: false });
  });

  await check('stand-in: the process ends right after will-quit unless the app holds it; held, the app finishes its work', async () => {
    for (const hold of [false, true]) {
      const marker = path.join(context.scratch(`fixture-quit-${hold}`), 'closed-cleanly');
      const run = await runFixture(
        context,
        `quit-${hold}`,
        `import { app } from 'electron';
        import { writeFile } from 'node:fs/promises';
        const closeDatabase = () => new Promise((resolve) => setTimeout(resolve, 50)).then(() => writeFile(${JSON.stringify(marker)}, 'yes'));
        app.on('will-quit', (event) => {
          if (${hold}) { event.preventDefault(); closeDatabase().then(() => app.exit(0)); }
          else void closeDatabase();
        });
        app.whenReady().then(() => app.quit());`,
      );
      assert.equal(run.code, 0, run.output);
      assert.equal(existsSync(marker), hold, hold ? 'the held quit did not finish its work' : 'work the app did not await survived the quit');
    }
  });

  await check('stand-in: destroyed windows refuse calls, a second IPC handler throws, platform-only APIs exist only on their platform', async () => {
    const run = await runFixture(
      context,
      'objects',
      `import { app, BrowserWindow, ipcMain } from 'electron';
      console.log(JSON.stringify({ userModelId: typeof app.setAppUserModelId, dock: typeof app.dock }));
      app.whenReady().then(() => {
        const win = new BrowserWindow({ show: false });
        const contents = win.webContents;
        win.destroy();
        ${attempt('destroyed', 'contents.id')}
        ipcMain.handle('channel', () => 1);
        ${attempt('second', "ipcMain.handle('channel', () => 2)")}
        app.exit(0);
      });`,
      { env: { STANDIN_PLATFORM: 'linux' } },
    );
    assert.equal(run.code, 0, run.output);
    assert.deepEqual(run.said, {
      userModelId: 'undefined',
      dock: 'undefined',
      destroyed: 'Object has been destroyed',
      second: "Attempted to register a second handler for 'channel'",
    });
  });

  await check('stand-in: a sandboxed preload must be CommonJS and may require only the sandbox’s modules', async () => {
    const run = await runFixture(
      context,
      'preloads',
      `import { app, BrowserWindow } from 'electron';
      import path from 'node:path';
      import { fileURLToPath } from 'node:url';
      const here = path.dirname(fileURLToPath(import.meta.url));
      const load = async (file) => {
        const win = new BrowserWindow({ show: false, webPreferences: { preload: path.join(here, file), sandbox: true, contextIsolation: true } });
        await win.loadURL('data:text/html,<p>x</p>');
        return win.webContents;
      };
      app.whenReady().then(async () => {
        const windows = { esm: await load('esm.mjs'), fs: await load('fs.cjs'), good: await load('good.cjs') };
        console.log(JSON.stringify({ loaded: Object.keys(windows) }));
        app.exit(0);
      });`,
      {
        files: {
          'esm.mjs': "import { contextBridge } from 'electron';\ncontextBridge.exposeInMainWorld('x', {});",
          'fs.cjs': "require('fs');",
          'good.cjs': "const { contextBridge, ipcRenderer } = require('electron');\ncontextBridge.exposeInMainWorld('x', { ping: () => ipcRenderer.invoke('ping') });",
        },
      },
    );
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Unable to load preload script: .*esm\.mjs[\s\S]*SyntaxError/);
    assert.match(run.output, /Unable to load preload script: .*fs\.cjs[\s\S]*module not found: fs/);
    assert.doesNotMatch(run.output, /Unable to load preload script: .*good\.cjs/);
  });
}
