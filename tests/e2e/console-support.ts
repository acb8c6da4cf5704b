import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { startWebShell, type WebShell } from '../../src/main/webshell/webshell-server';
import { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createConsoleCore, type ConsoleCore } from '../../src/main/core/console-core';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { expect, newGuardedContext, test as guarded } from './csp-guard';

/** A console's real parts for a spec: one embedded backend, the web shell serving the built renderer, one core per page. */
export interface ConsoleWorld {
  shell: WebShell;
  backend: EmbeddedSupabase;
  close(): Promise<void>;
}

/**
 * Starts a fresh embedded backend (in-memory PGlite with the migrations) and the web shell over it. Each page's
 * core is pushed to `cores` and its headless alert platform to `platforms`, in connection order, when given.
 */
export async function startConsoleWorld(options: {
  tmpPrefix: string;
  emergencySweepMs?: number;
  cores?: ConsoleCore[];
  platforms?: HeadlessAlertPlatform[];
}): Promise<ConsoleWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), options.tmpPrefix));
  const backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: options.emergencySweepMs ?? 1000 });
  await backend.start();
  const shell = await startWebShell({
    rendererDir: path.resolve('out/renderer'),
    createCore: (_pageId, mediaBaseUrl) => {
      const core = createConsoleCore({
        shell: 'webshell',
        appName: 'SAMIA TAROT Console',
        version: 'e2e',
        backend,
        dataDir,
        mediaBaseUrl,
        createAlertPlatform: (emitToRenderer) => {
          const platform = new HeadlessAlertPlatform({ emitToRenderer });
          options.platforms?.push(platform);
          return platform;
        },
        openExternal: async () => false,
        log: () => {},
      });
      options.cores?.push(core);
      return core;
    },
  });
  return {
    shell,
    backend,
    close: async () => {
      await shell.close();
      await backend.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The platform of the page opened by `open` (each page gets one core, hence one platform, when it connects). */
export async function withPlatform(platforms: HeadlessAlertPlatform[], open: () => Promise<Page>): Promise<{ page: Page; platform: () => HeadlessAlertPlatform }> {
  const index = platforms.length;
  const page = await open();
  await expect.poll(() => platforms.length).toBeGreaterThan(index);
  return { page, platform: () => platforms[index]! };
}

/**
 * A console of its own for a spec (see startConsoleWorld), with the CSP guard on every page. Worker fixtures of one
 * name are shared by the specs of a worker, so a spec that needs a backend of its own defines its own fixture name.
 */
export function consoleTest() {
  const cores: ConsoleCore[] = [];
  const test = guarded.extend<object, { consoleShell: WebShell }>({
    consoleShell: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const world = await startConsoleWorld({ tmpPrefix: 'samia-ui-e2e-', cores });
        await use(world.shell);
        await world.close();
      },
      { scope: 'worker' },
    ],
  });
  return { test, cores };
}

export const PASSWORD = 'correct horse battery';
export const SHOTS = 'test-results/screenshots';

export async function openConsole(browser: Browser, shell: WebShell, { viewport = { width: 1280, height: 800 } } = {}): Promise<Page> {
  const context = await newGuardedContext(browser, { permissions: ['microphone'], viewport });
  const page = await context.newPage();
  await page.goto(shell.pageUrl);
  return page;
}

export async function signIn(page: Page, email: string, name: string) {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: `Signed in as ${name}` })).toBeVisible();
}

export async function createAccount(admin: Page, name: string, email: string, role: string) {
  await admin.getByLabel('Display name').fill(name);
  await admin.getByLabel('Account email').fill(email);
  await admin.getByLabel('Initial password').fill(PASSWORD);
  await admin.getByRole('combobox', { name: 'Role', exact: true }).selectOption(role);
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expect(admin.getByText(`Account created for ${name}.`)).toBeVisible();
}

export async function recordVoiceNote(page: Page, ms: number) {
  await page.locator('.chat-view:not([hidden])').getByRole('button', { name: 'Record a voice note' }).click();
  await expect(page.getByTestId('live-level')).toBeVisible();
  await page.waitForTimeout(ms);
  await page.getByRole('button', { name: 'Stop', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Voice note preview' })).toBeVisible();
  await page.getByRole('button', { name: 'Send voice note' }).click();
}

/** How many pixels of a player's waveform canvases are painted (wavesurfer draws in its shadow root). */
export async function paintedWaveformPixels(page: Page, player: ReturnType<Page['locator']>): Promise<number> {
  return player.evaluate((element: HTMLElement) => {
    let painted = 0;
    for (const host of element.querySelectorAll<HTMLElement>('[data-testid=waveform] *')) {
      for (const canvas of host.shadowRoot?.querySelectorAll('canvas') ?? []) {
        const context = canvas.getContext('2d');
        if (!context || canvas.width === 0 || canvas.height === 0) continue;
        const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
      }
    }
    return painted;
  });
}
