import { rmSync } from 'node:fs';
import path from 'node:path';

/**
 * Bundles the stand-in Electron (tests/desktop/electron-stand-in/) into plain ES modules that Node runs
 * without tsx next to the built app: register.mjs and loader-hooks.mjs (the `electron` resolution),
 * electron.mjs (the module the app imports) and launch.mjs (the "binary"). Code splitting keeps one copy of
 * the stand-in's state, shared by the app's `electron` import and the launcher; safe-storage-check.mjs runs
 * the app's session store against the stand-in's safeStorage.
 */
export async function buildStandIn(repoRoot: string): Promise<string> {
  const esbuild = await import('esbuild');
  const outdir = path.join(repoRoot, '.tmp', 'desktop', 'stand-in');
  rmSync(outdir, { recursive: true, force: true });
  const source = path.join(repoRoot, 'tests', 'desktop', 'electron-stand-in');
  await esbuild.build({
    entryPoints: [
      ...['electron', 'launch', 'register', 'loader-hooks'].map((name) => ({ out: name, in: path.join(source, `${name}.ts`) })),
      { out: 'safe-storage-check', in: path.join(repoRoot, 'tests', 'desktop', 'safe-storage-check.ts') },
    ],
    // The app's own modules bundled here (the session store) import `electron`: the stand-in.
    alias: { electron: path.join(source, 'electron.ts') },
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outExtension: { '.js': '.mjs' },
    logLevel: 'warning',
  });
  return outdir;
}
