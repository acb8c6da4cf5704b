import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from '@playwright/test';
import { startWebShell, type WebShell } from '../../src/main/webshell/webshell-server';
import { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createConsoleCore, type ConsoleCore } from '../../src/main/core/console-core';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { expect, newGuardedContext, test as guarded } from './csp-guard';

/**
 * A console of its own for a spec: one real embedded backend (in-memory PGlite with the migrations), the
 * web shell serving the built renderer, one core per page (kept in `cores`, in connection order), and the
 * CSP guard on every page.
 */
export function consoleTest() {
  const cores: ConsoleCore[] = [];
  const test = guarded.extend<object, { consoleShell: WebShell }>({
    consoleShell: [
      // eslint-disable-next-line no-empty-pattern
      async ({}, use) => {
        const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-ui-e2e-'));
        const backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 1000 });
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
              createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
              openExternal: async () => false,
              log: () => {},
            });
            cores.push(core);
            return core;
          },
        });
        await use(shell);
        await shell.close();
        await backend.stop();
        await rm(dataDir, { recursive: true, force: true });
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
