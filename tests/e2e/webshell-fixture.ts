import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
// The CSP guard's test: every page of these specs fails its test on any securitypolicyviolation.
import { test as base } from './csp-guard';
import { startWebShell, type WebShell } from '../../src/main/webshell/webshell-server';
import { HeadlessAlertPlatform } from '../../src/main/alerts';
import { createConsoleCore } from '../../src/main/core/console-core';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';

/** A web shell serving the built renderer, one per test worker, each page getting its own core. */
export const test = base.extend<object, { webShell: WebShell }>({
  webShell: [
    // Playwright reads fixture dependencies from the destructuring pattern, so an empty one is required.
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-e2e-'));
      // One real embedded backend (in-memory PGlite with the migrations) shared by every page of the worker.
      const backend = new EmbeddedSupabase({ dataDir: null, emergencySweepMs: 1000 });
      await backend.start();
      const shell = await startWebShell({
        rendererDir: path.resolve('out/renderer'),
        createCore: (_page, mediaBaseUrl) =>
          createConsoleCore({
            mediaBaseUrl,
            shell: 'webshell',
            appName: 'SAMIA TAROT Console',
            version: 'e2e',
            backend,
            dataDir,
            createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
            openExternal: async () => false,
            log: () => {},
          }),
      });
      await use(shell);
      await shell.close();
      await backend.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
});

export { expect } from './csp-guard';
