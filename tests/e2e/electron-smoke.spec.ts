import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { _electron as electron, chromium, test, expect, type Browser, type ElectronApplication, type Page } from '@playwright/test';

/**
 * The real Electron: the console window opened by `electron .` (through Playwright's `_electron.launch`) and,
 * when SAMIA_ELECTRON_EXECUTABLE names one, the packaged binary from `electron-builder --dir`. The packaged
 * binary has its fuses burnt (no --inspect), so Playwright reaches its windows over Chromium's DevTools
 * protocol instead. Both runs create the first account (which loads better-sqlite3 inside Electron), sign in a
 * second user in a second window (opened by a second launch with --new-window), send a message from one
 * window and see it arrive in the other, quit, and fail on any main-process error line. Skipped where the
 * Electron binary is not installed (the build machines; tests/desktop covers the shell there).
 */

const require = createRequire(import.meta.url);
const PASSWORD = 'correct horse battery';

/** Lines on the main process's output that mean the shell is broken, whatever the windows show. */
const FATAL_OUTPUT = [
  /Session can only be received when app is ready/,
  /NODE_MODULE_VERSION/,
  /was compiled against a different Node\.js version/,
  /Cannot create \w+ before app is ready/,
  /should be called before app is ready/,
  /A JavaScript error occurred in the main process/,
  /Error occurred in handler for/,
  /better-sqlite3 .*could not be loaded/,
  /could not start/,
  /Unable to load preload script/,
];

/** The Electron binary's path, or null where its download was skipped or failed (as on the build machines). */
function electronBinary(): string | null {
  try {
    const binary = require('electron') as unknown as string;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

/** Linux runners may lack the user namespaces Chromium's sandbox needs (README, "Linux sandbox"). */
const sandboxArgs = () => (process.platform === 'linux' && process.env.SAMIA_ELECTRON_NO_SANDBOX === '1' ? ['--no-sandbox'] : []);

interface RunningConsole {
  output: string[];
  /** A console window (app://console/), the first one or the next one to open. */
  consoleWindow(after?: Page[]): Promise<Page>;
  windows(): Page[];
  /** Launches the same app again with --new-window: the running one opens a window, the new process leaves. */
  secondLaunch(): Promise<number | null>;
  quit(): Promise<number | null>;
  /** After a failure: ends the process whatever state it is in. */
  kill(): void;
}

function collect(child: ChildProcess, output: string[]): void {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop()!;
      output.push(...lines);
    });
  }
}

async function findConsoleWindow(windows: () => Page[], after: Page[] = []): Promise<Page> {
  let found: Page | undefined;
  await expect
    .poll(() => (found = windows().find((page) => !after.includes(page) && page.url().startsWith('app://console/'))), { timeout: 90_000, message: 'a console window on app://console/' })
    .toBeTruthy();
  return found!;
}

function runOnce(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: 'ignore' });
    child.on('exit', (code) => resolve(code));
  });
}

/** `electron .` through Playwright (the development layout). */
async function launchDevelopment(binary: string, userData: string): Promise<RunningConsole> {
  const args = ['.', `--user-data-dir=${userData}`, ...sandboxArgs()];
  const app: ElectronApplication = await electron.launch({ executablePath: binary, args, chromiumSandbox: sandboxArgs().length === 0 });
  const output: string[] = [];
  collect(app.process(), output);
  return {
    output,
    windows: () => app.windows(),
    consoleWindow: (after) => findConsoleWindow(() => app.windows(), after),
    secondLaunch: () => runOnce(binary, [...args, '--new-window'], process.env),
    quit: async () => {
      const exited = new Promise<number | null>((resolve) => app.process().on('exit', (code) => resolve(code)));
      await app.close();
      return exited;
    },
    kill: () => {
      app.process().kill('SIGKILL');
    },
  };
}

/** The packaged binary, reached over the DevTools protocol (its fuses refuse --inspect). */
async function launchPackaged(executable: string, userData: string): Promise<RunningConsole> {
  const args = [`--user-data-dir=${userData}`, ...sandboxArgs()];
  const child = spawn(executable, [...args, '--remote-debugging-port=0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  collect(child, output);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let endpoint = '';
  await expect.poll(() => (endpoint = /DevTools listening on (ws:\/\/\S+)/.exec(output.join('\n'))?.[1] ?? ''), { timeout: 90_000, message: 'the DevTools endpoint' }).not.toBe('');
  const browser: Browser = await chromium.connectOverCDP(endpoint);
  const pages = () => browser.contexts().flatMap((context) => context.pages());
  return {
    output,
    windows: pages,
    consoleWindow: (after) => findConsoleWindow(pages, after),
    secondLaunch: () => runOnce(executable, [...args, '--new-window'], process.env),
    quit: async () => {
      await browser.close().catch(() => {});
      // Electron quits on SIGTERM as from its menu (before-quit, will-quit); on Windows, taskkill asks the
      // windows to close, and closing the last one quits.
      if (process.platform === 'win32') spawnSync('taskkill', ['/pid', String(child.pid)]);
      else child.kill('SIGTERM');
      return exited;
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

async function signIn(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: `Signed in as ${name}` })).toBeVisible();
}

/** PGlite closed cleanly (pg_control's state DB_SHUTDOWNED) under the profile: the quit waited for the backend. */
function postgresShutDown(userData: string): boolean[] {
  const states: boolean[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name === 'pg_control') states.push(readFileSync(full).readUInt32LE(16) === 1);
    }
  };
  walk(userData);
  return states;
}

async function consoleDay(launch: (userData: string) => Promise<RunningConsole>) {
  const userData = mkdtempSync(path.join(os.tmpdir(), 'samia-electron-'));
  const app = await launch(userData);
  let quit = false;
  try {
    const admin = await app.consoleWindow();
    expect(admin.url()).toMatch(/^app:\/\/console\//);
    // The renderer has neither Node nor anything but the contract's two verbs.
    expect(await admin.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await admin.evaluate(() => Object.keys((window as unknown as { samia: object }).samia).sort())).toEqual(['invoke', 'on']);

    // First run: the administrator account, signed in at once (the local store, better-sqlite3, opens here).
    await expect(admin.getByRole('heading', { name: 'Set up the console' })).toBeVisible();
    await admin.getByLabel('Your name').fill('Samia Admin');
    await admin.getByLabel('Email').fill('admin@samia.test');
    await admin.getByLabel('Password').fill(PASSWORD);
    await admin.getByRole('button', { name: 'Create the administrator account' }).click();
    await expect(admin.getByRole('heading', { name: 'Signed in as Samia Admin' })).toBeVisible();
    await admin.getByRole('tab', { name: 'Settings' }).click();
    await admin.getByLabel('Display name').fill('Karim Client');
    await admin.getByLabel('Account email').fill('client@samia.test');
    await admin.getByLabel('Initial password').fill(PASSWORD);
    await admin.getByRole('combobox', { name: 'Role', exact: true }).selectOption('client');
    await admin.getByRole('button', { name: 'Create account' }).click();
    await expect(admin.getByText('Account created for Karim Client.')).toBeVisible();

    // A second window, from a second launch: the running console opens it, the new process leaves at once.
    const before = app.windows();
    expect(await app.secondLaunch()).toBe(0);
    const client = await app.consoleWindow(before);
    await signIn(client, 'client@samia.test', 'Karim Client');
    await client.getByRole('button', { name: 'Contact support' }).click();
    const box = client.getByRole('textbox', { name: 'Message' });
    await box.fill('Hello from the second window');
    await box.press('Enter');
    await expect(client.getByTestId('message').filter({ hasText: 'Hello from the second window' })).toBeVisible();

    // …and it arrives in the first.
    await admin.getByRole('tab', { name: 'Chats' }).click();
    await admin.getByRole('button', { name: 'Refresh the list' }).click();
    await admin.getByTestId('session-item').filter({ hasText: 'Karim Client' }).click();
    await expect(admin.getByTestId('message').filter({ hasText: 'Hello from the second window' })).toBeVisible();

    quit = true;
    expect(await app.quit()).toBe(0);
    const states = postgresShutDown(userData);
    expect(states.length, 'a PGlite database under the profile').toBeGreaterThan(0);
    expect(states.every(Boolean), 'PGlite shut down cleanly before the process ended').toBe(true);
  } finally {
    if (!quit) app.kill();
    const fatal = app.output.filter((line) => FATAL_OUTPUT.some((pattern) => pattern.test(line)));
    rmSync(userData, { recursive: true, force: true, maxRetries: 5 });
    expect(fatal, `main-process output:\n${app.output.join('\n')}`).toEqual([]);
  }
}

test.describe('the Electron shell', () => {
  const binary = electronBinary();
  test.skip(!binary, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD or no access to its download): tests/desktop covers the shell under a stand-in.');
  test.setTimeout(240_000);

  test('electron . : first account, a second window, a message between them, a clean quit', async () => {
    await consoleDay((userData) => launchDevelopment(binary!, userData));
  });

  test('the packaged binary: the same day', async () => {
    const executable = process.env.SAMIA_ELECTRON_EXECUTABLE;
    test.skip(!executable, 'SAMIA_ELECTRON_EXECUTABLE is not set (the desktop workflow sets it after electron-builder --dir)');
    await consoleDay((userData) => launchPackaged(path.resolve(executable!), userData));
  });
});
