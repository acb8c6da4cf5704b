// One staff console for the scale benchmarks, as production runs it: the embedded local Supabase over PGlite with the
// migrations, the core under Node behind the web shell, the built renderer in Debian's Chromium. The database is kept
// in memory unless `databaseOnDisk`: quicker to seed a million messages, but its files (tables, WAL) then live in the
// process's memory and grow its RSS with every write, which a data folder on disk, as the product keeps it, does not.
// The benchmark keeps the database handle to seed it and to send as the clients do (send_message under their claims).
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../playwright.config';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { PgliteDatabase } from '../../src/main/backend/local-supabase/platform-database';
import { applySchema } from '../../src/main/schema/index';
import { startWebShell, type WebShell } from '../../src/main/webshell/webshell-server';
import { createConsoleCore, type ConsoleCore } from '../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../src/main/alerts';
import type { UserConnection } from '../../src/main/backend/backend-port';

export const PASSWORD = 'correct horse battery';

export interface ConsoleHarness {
  database: PgliteDatabase;
  backend: EmbeddedSupabase;
  owner: UserConnection;
  ownerId: string;
  shell: WebShell;
  cores: ConsoleCore[];
  dataDir: string;
  browser: Browser;
  /** Opens the console in a fresh page and signs the owner in; resolves once the sidebar shows `sessions` rows. */
  openSignedIn(sessions: number): Promise<{ page: Page; cdp: CDPSession }>;
  close(): Promise<void>;
}

export async function startConsoleHarness(options: { emergencySweepMs?: number; databaseOnDisk?: boolean } = {}): Promise<ConsoleHarness> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-scale-'));
  const databaseDir = options.databaseOnDisk ? await mkdtemp(path.join(os.tmpdir(), 'samia-scale-db-')) : null;
  const database = await PgliteDatabase.open(databaseDir);
  await applySchema({ exec: (sql) => database.db.exec(sql), query: (sql, params) => database.db.query(sql, params) }, { target: 'compat' });
  const backend = new EmbeddedSupabase({ dataDir: null, database, emergencySweepMs: options.emergencySweepMs ?? 0 });
  await backend.start();
  const email = 'owner@bench.test';
  const owner = await backend.createFirstAccount({ email, password: PASSWORD, displayName: 'Owner', preferredLanguage: 'en' });
  // The per-user limits would stop a benchmark's clients, not a person's.
  await owner.setConsoleSetting('console.rate_limit.messages_per_minute', '100000');
  await owner.setConsoleSetting('console.quota.session_messages_per_day', '100000');
  const cores: ConsoleCore[] = [];
  const shell = await startWebShell({
    rendererDir: path.resolve('out/renderer'),
    createCore: (_page, mediaBaseUrl) => {
      const core = createConsoleCore({
        shell: 'webshell',
        appName: 'bench',
        version: 'bench',
        backend,
        dataDir,
        mediaBaseUrl,
        createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
        openExternal: async () => false,
        log: () => {},
      });
      cores.push(core);
      return core;
    },
  });
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
  return {
    database,
    backend,
    owner,
    ownerId: owner.userId,
    shell,
    cores,
    dataDir,
    browser,
    async openSignedIn(sessions) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      // When each bridge frame reaches the page, before the page handles it: window.benchArrived maps the busy
      // bench's markers (busy-<k>-end) to that time, so the bench can tell the wire from the page's own work.
      await page.addInitScript(`(() => {
        const arrived = new Map();
        window.benchArrived = arrived;
        const Native = window.WebSocket;
        window.WebSocket = class extends Native {
          constructor(...args) {
            super(...args);
            super.addEventListener('message', (event) => {
              const at = performance.timeOrigin + performance.now();
              for (const match of String(event.data).matchAll(/busy-(\\d+)-end/g)) if (!arrived.has(Number(match[1]))) arrived.set(Number(match[1]), at);
            });
          }
        };
      })()`);
      await page.goto(shell.pageUrl);
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForFunction((n) => Number(document.querySelector('[data-testid="session-list"]')?.getAttribute('data-total') ?? 0) >= n && document.querySelector('[data-testid="session-item"]') !== null, Math.min(sessions, 500), { timeout: 180_000 });
      const cdp = await context.newCDPSession(page);
      await cdp.send('Performance.enable');
      return { page, cdp };
    },
    async close() {
      await browser.close();
      // Signed-in cores sign out through the backend: before it stops.
      for (const core of cores) await core.dispose().catch(() => {});
      await shell.close();
      await backend.stop();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
      if (databaseDir) await rm(databaseDir, { recursive: true, force: true });
    },
  };
}

/** Chromium's cumulative seconds of script, and of style and layout, for the page (Performance.getMetrics). */
export async function rendererSeconds(cdp: CDPSession): Promise<{ script: number; layout: number }> {
  const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
  const value = (name: string) => metrics.find((m) => m.name === name)?.value ?? NaN;
  return { script: value('ScriptDuration'), layout: value('LayoutDuration') + value('RecalcStyleDuration') };
}

/**
 * CPU seconds the browser's renderer processes have used, all their threads (Chromium's SystemInfo): unlike
 * ScriptDuration, which is the wall time of the page's scripts, it does not grow when the benchmark's own load (the
 * backend in this process) takes the cores from the renderer. Only the console's page does work while a bench runs.
 */
export async function rendererCpuSeconds(browser: Browser): Promise<number> {
  const session = await browser.newBrowserCDPSession();
  try {
    const { processInfo } = (await session.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; cpuTime: number }[] };
    return processInfo.filter((p) => p.type === 'renderer').reduce((sum, p) => sum + p.cpuTime, 0);
  } finally {
    await session.detach();
  }
}

export const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN;
};
