import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _electron as electron, test, expect } from '@playwright/test';

const require = createRequire(import.meta.url);

/** The Electron binary's path, or null where its download was skipped or failed (as on the build machines). */
function electronBinary(): string | null {
  try {
    const binary = require('electron') as unknown as string;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

test.describe('the Electron shell', () => {
  const binary = electronBinary();
  test.skip(!binary, 'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD or no access to its download): the web shell tests cover the renderer and the contract.');

  test('opens a sandboxed window on the app protocol showing the first-run or sign-in screen', async () => {
    const app = await electron.launch({ executablePath: binary!, args: ['.', '--no-sandbox'] });
    const window = await app.firstWindow();
    await expect(window.getByRole('heading', { name: /^(Set up the console|Sign in)$/ })).toBeVisible();
    expect(window.url()).toMatch(/^app:\/\/console\//);
    expect(await window.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await window.evaluate(() => Object.keys((window as unknown as { samia: object }).samia).sort())).toEqual(['invoke', 'on']);
    await app.close();
  });
});
