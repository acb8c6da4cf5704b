import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      // Dependencies stay in node_modules (packaged by electron-builder): PGlite reads its wasm and data files
      // beside its code, and better-sqlite3 loads its addon at run time, Electron's build through `nativeBinding`.
      // Except two that are pure JS and loaded at every start: zod (a hundred ES modules) and supabase-js (six
      // packages), bundled, so that Node resolves, reads and compiles a few files instead of hundreds while the
      // page waits to be served (npm run bench:startup: the page served at about 0.3 s instead of 0.5 s).
      externalizeDeps: { exclude: ['zod', '@supabase/supabase-js'] },
      // The Electron main process, and the web shell (src/main/webshell/cli.ts) for where Electron is absent: `npm start`
      // runs the built web shell, so it starts from plain JS as the Electron app does, not through a TypeScript loader.
      // The third, embedded-thread.js, is the embedded backend's worker thread (src/main/backend/embedded/embedded-thread.ts).
      rollupOptions: {
        input: {
          index: resolve('src/main/electron/main.ts'),
          webshell: resolve('src/main/webshell/cli.ts'),
          'embedded-thread': resolve('src/main/backend/embedded/embedded-thread-entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads cannot be ES modules.
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
