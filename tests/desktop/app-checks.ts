import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { INVOKE_CHANNEL } from '../../src/shared/ipc/channels';
import { rendererSecurityHeaders } from '../../src/main/security/content-security-policy';
import type { Envelope } from '../../src/shared/ipc/errors';
import { check, skip } from './checks';
import { StandInApp, type LaunchOptions } from './driver';
import type { StandInReport, WindowReport } from './electron-stand-in/protocol';

/**
 * The checks of one app start under the stand-in: Electron's before-ready rules, the window wiring, the
 * app protocol, the preload, the first account through the IPC handler, the refusals, the permissions,
 * the tray, a second instance, and the awaited quit. Shared by both layouts (the out/ tree and the
 * packaged app.asar); the layout only changes where the files are.
 */

export interface Layout {
  label: string;
  launch: Omit<LaunchOptions, 'args' | 'env'> & { appArgs: string[] };
  /** Where the built renderer is, to compare what the protocol serves with the files. */
  rendererDir: string;
  /** The better-sqlite3 addon the app must load (the ABI-named build), or null for node_modules' own. */
  expectedSqliteAddon: string | null;
}

export interface SuiteContext {
  standInDir: string;
  /** False when node_modules' better-sqlite3 was built for another Node ABI: the account checks are skipped. */
  sqliteLoads: string | true;
  scratch(name: string): string;
}

export const PASSWORD = 'correct horse battery staple';
const ADMIN = { email: 'first.admin@samia.test', password: PASSWORD, displayName: 'First Admin', preferredLanguage: 'en' as const };

type BridgeCall = <T>(windowId: number, name: string, input: unknown) => Promise<Envelope<T>>;

export function bridgeCaller(app: StandInApp): BridgeCall {
  return (windowId, name, input) => app.request({ cmd: 'bridge', windowId, bridgeKey: 'samia', method: 'invoke', args: [name, input] });
}

export function launchApp(context: SuiteContext, layout: Layout, userData: string, extra: { args?: string[]; env?: Record<string, string> } = {}): StandInApp {
  return StandInApp.launch({
    standInDir: context.standInDir,
    executable: layout.launch.executable,
    cwd: layout.launch.cwd,
    args: [...layout.launch.appArgs, `--user-data-dir=${userData}`, ...(extra.args ?? [])],
    env: { STANDIN_SAFE_STORAGE: 'available', ...extra.env },
  });
}

/** Waits until the console window shows the app page; returns its id. */
export async function consoleWindowOnScreen(app: StandInApp, from = 0): Promise<number> {
  const loaded = await app.waitFor('the console page to load', (event) => event.event === 'page-loaded' && event.url.startsWith('app://console/'), from);
  const windowId = (loaded as { windowId: number }).windowId;
  await app.waitFor('the console window on screen', (event) => event.event === 'window-shown' && event.windowId === windowId);
  return windowId;
}

const beforeReady = (report: StandInReport) => report.calls.filter((call) => !call.ready).map((call) => call.api);

function findFiles(root: string, name: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) found.push(...findFiles(full, name));
    else if (entry.name === name || (name.startsWith('*') && entry.name.endsWith(name.slice(1)))) found.push(full);
  }
  return found;
}

/** PGlite closed cleanly: pg_control's DBState is DB_SHUTDOWNED (1), not DB_IN_PRODUCTION (6). */
function postgresStates(userData: string): { file: string; state: number }[] {
  return findFiles(userData, 'pg_control').map((file) => ({ file, state: readFileSync(file).readUInt32LE(16) }));
}

const text = (body: { bodyBase64: string }) => Buffer.from(body.bodyBase64, 'base64').toString('utf8');

interface Fetched {
  status: number;
  headers: Record<string, string>;
  bodyBase64: string;
}

export async function runAppChecks(context: SuiteContext, layout: Layout): Promise<void> {
  const L = layout.label;
  const userData = context.scratch(`${L}-user-data`);
  const app = launchApp(context, layout, userData);
  const invoke = bridgeCaller(app);
  let windowId = 0;
  try {
    const started = await check(`${L}: the console window opens on the app page`, async () => {
      windowId = await consoleWindowOnScreen(app);
    });
    if (!started) {
      console.log(app.tail());
      return;
    }
    const state = await app.state();
    const consoleWindow = () => state.windows.find((win) => win.id === windowId)!;

    await check(`${L}: no Electron rule broken and nothing uncaught`, () => {
      assert.deepEqual(state.violations, []);
      assert.deepEqual(state.uncaught, []);
    });
    await check(`${L}: before ready only the lock, privileged schemes and listeners; sessions, protocols, windows and the tray after`, () => {
      const early = beforeReady(state);
      assert.ok(early.includes('app.requestSingleInstanceLock'), `not called before ready: ${early.join(', ')}`);
      assert.ok(early.includes('protocol.registerSchemesAsPrivileged'), `schemes not registered before ready: ${early.join(', ')}`);
      for (const forbidden of ['session.', 'protocol.handle', 'new BrowserWindow', 'new Tray', 'safeStorage.', 'new Notification']) {
        assert.ok(!early.some((api) => api.startsWith(forbidden)), `${forbidden} used before ready`);
      }
      const late = state.calls.filter((call) => call.ready).map((call) => call.api);
      for (const api of ['session.setPermissionRequestHandler', 'protocol.handle(app)', 'protocol.handle(samia-media)', 'new BrowserWindow', 'new Tray']) {
        assert.ok(late.includes(api), `${api} not called after ready`);
      }
    });
    await check(`${L}: app:// and samia-media:// are standard, secure schemes`, () => {
      const scheme = (name: string) => state.privilegedSchemes.find((entry) => entry.scheme === name)?.privileges;
      assert.deepEqual({ standard: scheme('app')?.standard, secure: scheme('app')?.secure }, { standard: true, secure: true });
      assert.deepEqual({ standard: scheme('samia-media')?.standard, stream: scheme('samia-media')?.stream }, { standard: true, stream: true });
      assert.deepEqual([...state.handledProtocols].sort(), ['app', 'samia-media']);
    });
    await check(`${L}: a loading window is shown while the backend starts, and closed once the console is on screen`, async () => {
      const loading = state.windows[0]!;
      assert.notEqual(loading.id, windowId, 'the first window is the console, not a loading window');
      assert.match(loading.url, /^data:text\/html/);
      assert.equal(loading.preload, null, 'the loading window has no preload');
      assert.equal(loading.webPreferences.sandbox, true);
      assert.equal(loading.webPreferences.contextIsolation, true);
      assert.ok(loading.everShown, 'the loading window was never shown');
      assert.ok(decodeURIComponent(loading.url).includes('Content-Security-Policy'), 'the loading page has no CSP');
      assert.ok(!/<script/i.test(decodeURIComponent(loading.url)), 'the loading page has a script');
      await app.waitFor('the loading window to close', (event) => event.event === 'window-closed' && event.windowId === loading.id);
      const after = await app.state();
      assert.deepEqual(after.windows.filter((win) => !win.destroyed).map((win) => win.id), [windowId]);
    });
    await check(`${L}: the console window is isolated, sandboxed, without Node, with an absolute preload`, () => {
      const prefs = consoleWindow().webPreferences;
      assert.equal(prefs.contextIsolation, true);
      assert.equal(prefs.sandbox, true);
      assert.equal(prefs.nodeIntegration, false);
      assert.equal(prefs.webviewTag, false);
      assert.ok(path.isAbsolute(String(prefs.preload)), `preload ${String(prefs.preload)}`);
      assert.ok(String(prefs.preload).startsWith(state.appPath), `the preload ${String(prefs.preload)} is not inside the app at ${state.appPath}`);
    });
    await check(`${L}: the preload exists, is CommonJS, runs in the sandbox and exposes window.samia only`, () => {
      const preload = consoleWindow().preload!;
      assert.ok(existsSync(preload.path), `missing ${preload.path}`);
      assert.match(preload.path, /\.cjs$/);
      assert.doesNotMatch(readFileSync(preload.path, 'utf8'), /^\s*(import|export)\s/m, 'the preload has ES module syntax');
      assert.equal(preload.error, null);
      assert.ok(preload.loaded);
      assert.deepEqual(preload.exposed, ['samia']);
    });
    await check(`${L}: the page is served from app://console with the CSP header, and every script and style it names`, () => {
      const page = consoleWindow().page!;
      assert.equal(page.status, 200);
      assert.match(page.headers['content-type'] ?? '', /^text\/html/);
      assert.equal(page.headers['content-security-policy'], rendererSecurityHeaders()['Content-Security-Policy']);
      assert.equal(page.headers['x-content-type-options'], 'nosniff');
      assert.ok(page.subresources.length >= 2, `subresources: ${JSON.stringify(page.subresources)}`);
      for (const resource of page.subresources) {
        assert.equal(resource.status, 200, resource.url);
        assert.ok(resource.url.startsWith('app://console/'), resource.url);
        if (resource.url.endsWith('.js')) assert.match(resource.contentType, /^text\/javascript/);
        if (resource.url.endsWith('.css')) assert.match(resource.contentType, /^text\/css/);
      }
    });
    await check(`${L}: the app protocol serves the siren and refuses what is not the renderer's`, async () => {
      const fetch = (url: string) => app.request<Fetched & { netError?: string }>({ cmd: 'fetch', url });
      const siren = await fetch('app://console/siren.wav');
      assert.equal(siren.status, 200);
      assert.match(siren.headers['content-type'] ?? '', /^audio\/wav/);
      assert.ok(siren.headers['content-security-policy'], 'no CSP on assets');
      assert.deepEqual(Buffer.from(siren.bodyBase64, 'base64'), readFileSync(path.join(layout.rendererDir, 'siren.wav')));
      assert.equal((await fetch('app://console/assets/missing.js')).status, 404);
      assert.equal((await fetch('app://elsewhere/index.html')).status, 404);
      const traversal = await fetch('app://console/..%2F..%2Fpackage.json');
      assert.ok(traversal.status === 400 || !text(traversal).includes('"name"'), 'served a file outside the renderer');
      const route = await fetch('app://console/sessions/123');
      assert.equal(route.status, 200);
      assert.match(text(route), /<div id="root">|<script/);
      assert.equal((await fetch('samia-media://no-such-window/some%2Ffile.ogg')).status, 404);
    });
    await check(`${L}: one invoke handler, on the contract's channel`, () => {
      assert.deepEqual(state.ipcHandlers, [INVOKE_CHANNEL]);
    });

    // ── through the preload, as the page calls it ──
    await check(`${L}: the page asks for app.info through window.samia`, async () => {
      const info = await invoke<{ shell: string; backend: string }>(windowId, 'app.info', {});
      assert.ok(info.ok, JSON.stringify(info));
      assert.equal(info.value.shell, 'electron');
      assert.equal(info.value.backend, 'embedded');
    });
    await check(`${L}: a subframe and a foreign top frame are refused`, async () => {
      const raw = (frame: { url: string; subframe: boolean }) =>
        app.request<Envelope<unknown>>({ cmd: 'rawInvoke', windowId, frame, channel: INVOKE_CHANNEL, args: [{ name: 'app.info', input: {} }] });
      for (const frame of [
        { url: 'app://console/index.html', subframe: true },
        { url: 'https://evil.example/', subframe: false },
        { url: 'file:///etc/passwd', subframe: false },
      ]) {
        const answer = await raw(frame);
        assert.equal(answer.ok, false, `${JSON.stringify(frame)} was answered`);
        assert.equal(!answer.ok && answer.error.code, 'ipc.untrusted_sender');
      }
      assert.equal((await raw({ url: 'app://console/index.html', subframe: false })).ok, true);
    });
    await check(`${L}: navigation, redirects, webviews and new windows are refused; web links go to the OS browser only`, async () => {
      const navigate = (url: string, kind: 'will-navigate' | 'will-redirect') => app.request<{ prevented: boolean }>({ cmd: 'navigate', windowId, url, kind });
      assert.equal((await navigate('https://evil.example/', 'will-navigate')).prevented, true);
      assert.equal((await navigate('file:///etc/passwd', 'will-navigate')).prevented, true);
      assert.equal((await navigate('https://evil.example/', 'will-redirect')).prevented, true);
      assert.equal((await navigate('app://console/index.html', 'will-navigate')).prevented, false);
      assert.equal((await app.request<{ prevented: boolean }>({ cmd: 'attachWebview', windowId })).prevented, true);
      const open = (url: string) => app.request<{ action: string; openedExternal: string[] }>({ cmd: 'windowOpen', windowId, url });
      assert.deepEqual(await open('https://samia-tarot.com/help'), { action: 'deny', openedExternal: ['https://samia-tarot.com/help'] });
      for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'app://console/index.html', 'smb://host/share']) {
        assert.deepEqual(await open(url), { action: 'deny', openedExternal: [] }, url);
      }
    });
    await check(`${L}: permissions: the microphone (audio only) and notifications, for the app's page only`, async () => {
      const request = (permission: string, details: Record<string, unknown>) =>
        app.request<boolean>({ cmd: 'permissionRequest', windowId, permission, details });
      const checkPermission = (permission: string, requestingOrigin: string, details: Record<string, unknown>) =>
        app.request<boolean>({ cmd: 'permissionCheck', windowId, permission, requestingOrigin, details });
      assert.equal(await request('media', { mediaTypes: ['audio'] }), true);
      assert.equal(await request('media', { mediaTypes: ['video'] }), false);
      assert.equal(await request('media', { mediaTypes: ['audio', 'video'] }), false);
      assert.equal(await request('notifications', {}), true);
      for (const permission of ['geolocation', 'clipboard-read', 'midi', 'display-capture', 'openExternal', 'pointerLock']) {
        assert.equal(await request(permission, {}), false, permission);
      }
      assert.equal(await request('media', { mediaTypes: ['audio'], requestingUrl: 'https://evil.example/' }), false);
      assert.equal(await checkPermission('media', 'app://console', { mediaType: 'audio' }), true);
      assert.equal(await checkPermission('media', 'app://console', { mediaType: 'video' }), false);
      assert.equal(await checkPermission('media', 'https://evil.example', { mediaType: 'audio' }), false);
      assert.equal(await checkPermission('geolocation', 'app://console', {}), false);
      assert.ok(state.permissionHandlers.request && state.permissionHandlers.check, JSON.stringify(state.permissionHandlers));
    });
    await check(`${L}: the tray has its icon and its menu`, () => {
      const tray = state.trays.at(-1);
      assert.ok(tray, 'no tray');
      assert.equal(tray.image.empty, false, `empty tray image ${tray.image.path}`);
      assert.deepEqual(tray.menu, ['Show console', 'New window', 'separator', 'Quit']);
    });

    // ── the first account, created and signed in through the IPC handler ──
    if (context.sqliteLoads !== true) {
      skip(`${L}: the first account is created and signed in through IPC`, String(context.sqliteLoads));
    } else {
      await check(`${L}: the first account is created through IPC, signed in, signed out and signed in again`, async () => {
        await app.request({ cmd: 'bridge', windowId, bridgeKey: 'samia', method: 'on', args: ['auth.changed'] });
        const before = await invoke<{ firstRun: boolean; profile: unknown }>(windowId, 'auth.getState', {});
        assert.ok(before.ok, JSON.stringify(before));
        assert.equal(before.value.firstRun, true);
        assert.equal(before.value.profile, null);
        const created = await invoke<{ profile: { role: string; displayName: string } | null; firstRun: boolean }>(windowId, 'auth.createFirstAccount', ADMIN);
        assert.ok(created.ok, JSON.stringify(created));
        assert.equal(created.value.profile?.role, 'super_admin');
        assert.equal(created.value.profile?.displayName, ADMIN.displayName);
        assert.equal(created.value.firstRun, false);
        const out = await invoke<{ profile: unknown }>(windowId, 'auth.signOut', {});
        assert.ok(out.ok && out.value.profile === null, JSON.stringify(out));
        const wrong = await invoke(windowId, 'auth.signIn', { email: ADMIN.email, password: 'not the password' });
        assert.equal(wrong.ok, false);
        const signedIn = await invoke<{ profile: { displayName: string } | null }>(windowId, 'auth.signIn', { email: ADMIN.email, password: ADMIN.password });
        assert.ok(signedIn.ok, JSON.stringify(signedIn));
        assert.equal(signedIn.value.profile?.displayName, ADMIN.displayName);
        const now = await app.state();
        const heard = now.heard[String(windowId)] ?? [];
        assert.ok(heard.filter((entry) => entry.name === 'auth.changed').length >= 3, `the page heard ${JSON.stringify(heard.map((entry) => entry.name))}`);
      });
      await check(`${L}: presence follows powerMonitor, used only once ready: screen lock and idle show away, unlock and input online`, async () => {
        // What others see of the signed-in admin: their own card in list_people (profile_cards).
        const shown = async () => {
          const listed = await invoke<{ people: { displayName: string; availability: string }[] }>(windowId, 'accounts.list', {});
          assert.ok(listed.ok, JSON.stringify(listed));
          return listed.value.people.find((p) => p.displayName === ADMIN.displayName)?.availability;
        };
        const becomes = async (want: string, what: string) => {
          const deadline = Date.now() + 20_000;
          let last: string | undefined;
          while (Date.now() < deadline) {
            last = await shown();
            if (last === want) return;
            await new Promise((resolve) => setTimeout(resolve, 200));
          }
          assert.fail(`${what}: the admin shows ${String(last)}, not ${want}`);
        };
        await becomes('online', 'signed in');
        const lockEvents = (await app.request<{ emitted: boolean | null }>({ cmd: 'power', emit: 'lock-screen' })).emitted;
        // Linux has no lock-screen event: there the lock is read from getSystemIdleState, polled.
        if (!lockEvents) await app.request({ cmd: 'power', locked: true });
        await becomes('away', 'screen locked');
        if (lockEvents) await app.request({ cmd: 'power', emit: 'unlock-screen' });
        else await app.request({ cmd: 'power', locked: false });
        await becomes('online', 'screen unlocked');
        // Past console.presence.idle_minutes (5) of no input anywhere on the machine.
        await app.request({ cmd: 'power', idleSeconds: 301 });
        await becomes('away', 'idle');
        await app.request({ cmd: 'power', idleSeconds: 0 });
        await becomes('online', 'input again');
        const uses = (await app.state()).calls.filter((call) => call.api.startsWith('powerMonitor.'));
        assert.ok(uses.some((call) => call.api === 'powerMonitor.getSystemIdleTime'), 'the idle time was never read');
        assert.deepEqual(uses.filter((call) => !call.ready).map((call) => call.api), [], 'powerMonitor used before ready');
      });
      await check(`${L}: better-sqlite3 is loaded from ${layout.expectedSqliteAddon ? 'the build for this ABI' : 'node_modules'}`, async () => {
        const addons = (await app.state()).nativeAddons.filter((file) => file.endsWith('better_sqlite3.node'));
        assert.ok(addons.length > 0, 'better-sqlite3 was never loaded');
        if (layout.expectedSqliteAddon) assert.deepEqual([...new Set(addons)], [layout.expectedSqliteAddon]);
        else assert.ok(addons.every((file) => file.includes(`${path.sep}node_modules${path.sep}better-sqlite3${path.sep}`)), addons.join(', '));
      });
    }

    // ── a second window, from the tray and from a second launch ──
    await check(`${L}: "New window" in the tray opens a second console window with its own session`, async () => {
      const from = app.events.length;
      await app.request({ cmd: 'trayClick', label: 'New window' });
      const second = await consoleWindowOnScreen(app, from);
      assert.notEqual(second, windowId);
      const own = await invoke<{ profile: unknown }>(second, 'auth.getState', {});
      assert.ok(own.ok, JSON.stringify(own));
      assert.equal(own.value.profile, null, 'the new window shares the first window’s sign-in');
      await app.request({ cmd: 'closeWindow', windowId: second });
      await app.waitFor('the second window to close', (event) => event.event === 'window-closed' && event.windowId === second);
    });
    await check(`${L}: a second launch hands over to the first (a new window with --new-window) and leaves before ready`, async () => {
      const from = app.events.length;
      const second = launchApp(context, layout, userData, { args: ['--new-window'] });
      const exit = await second.waitForExit('second instance');
      assert.equal(exit.code, 0, second.tail());
      assert.equal(exit.report?.ready, false, 'the second instance became ready');
      assert.deepEqual(exit.report?.windows, []);
      assert.deepEqual(exit.report?.violations, []);
      const opened = await consoleWindowOnScreen(app, from);
      await app.request({ cmd: 'closeWindow', windowId: opened });
      await app.waitFor('the handed-over window to close', (event) => event.event === 'window-closed' && event.windowId === opened);
    });

    // ── quitting ──
    await check(`${L}: quitting waits for the windows' local stores and the backend to close, then exits 0`, async () => {
      await app.request({ cmd: 'quit' });
      const exit = await app.waitForExit('quit');
      assert.equal(exit.code, 0, app.tail());
      const postgres = postgresStates(userData);
      assert.ok(postgres.length > 0, 'no PGlite database under userData');
      for (const { file, state: dbState } of postgres) assert.equal(dbState, 1, `${file}: PGlite was not shut down (state ${dbState})`);
      if (context.sqliteLoads === true) {
        assert.ok(findFiles(userData, 'local.db').length > 0, 'no local store was opened (nothing to close)');
        const wal = findFiles(userData, '*-wal').filter((file) => statSync(file).size > 0);
        assert.deepEqual(wal, [], 'SQLite write-ahead logs left behind: a local store was not closed');
      }
      const steps = exit.report!.lifecycle;
      const at = (step: string) => steps.indexOf(step);
      assert.ok(at('before-quit') >= 0 && at('before-quit') < at('will-quit') && at('will-quit') < at('quit'), steps.join(' → '));
      assert.equal(steps.at(-1), 'quit', steps.join(' → '));
      assert.deepEqual(exit.report!.violations, []);
      assert.deepEqual(exit.report!.uncaught, []);
    });
  } finally {
    app.kill();
    await app.exited;
  }
  if (context.sqliteLoads !== true) return;
  await check(`${L}: launched again, the console is still signed in (the session kept with safeStorage) until signed out`, async () => {
    const relaunch = async (expectSignedIn: boolean) => {
      const again = launchApp(context, layout, userData);
      try {
        const id = await consoleWindowOnScreen(again);
        const call = bridgeCaller(again);
        const state = await call<{ profile: { displayName: string } | null }>(id, 'auth.getState', {});
        assert.ok(state.ok, JSON.stringify(state));
        if (expectSignedIn) {
          assert.equal(state.value.profile?.displayName, ADMIN.displayName, 'the kept sign-in was not taken up');
          // The backend took the session up: a read that needs it answers (the accounts list is never cached).
          const listed = await call<{ people: unknown[] }>(id, 'accounts.list', {});
          assert.ok(listed.ok, JSON.stringify(listed));
          const out = await call<{ profile: unknown }>(id, 'auth.signOut', {});
          assert.ok(out.ok && out.value.profile === null, JSON.stringify(out));
        } else assert.equal(state.value.profile, null, 'still signed in after signing out');
        await again.request({ cmd: 'quit' });
        const exit = await again.waitForExit('quit');
        assert.equal(exit.code, 0, again.tail());
        assert.deepEqual(exit.report!.violations, []);
        assert.deepEqual(exit.report!.uncaught, []);
      } finally {
        again.kill();
        await again.exited;
      }
    };
    await relaunch(true);
    // Signed out: the next launch asks for the password.
    await relaunch(false);
  });
}

/** The window report of the console window in a finished run. */
export function consoleWindows(report: StandInReport): WindowReport[] {
  return report.windows.filter((win) => win.url.startsWith('app://console/'));
}
