import { existsSync } from 'node:fs';
import path from 'node:path';
import { LocalDatabase, useSqliteNativeBinding } from '../store/local-database';

/**
 * better-sqlite3 for the runtime the app runs in. `npm install` builds node_modules/better-sqlite3 for Node's
 * ABI, which the Node test tiers and the web shell load. Electron has an ABI of its own, so
 * `scripts/electron-native.mjs` (run by `npm start` and `npm run package` where the Electron binary is
 * installed) builds a second copy, named by the ABI it was built for, that this module selects:
 *
 * - development (`electron .`): `<app>/.electron-native/better-sqlite3/<platform>-<arch>/abi<N>/better_sqlite3.node`
 * - packaged: `<resources>/native/better-sqlite3/abi<N>/better_sqlite3.node` (electron-builder's extraResources)
 *
 * N is `process.versions.modules`, the ABI of the running process, so a build for another Electron (or for
 * Node) is never picked. Without one, node_modules' own build is used, which is right when it was rebuilt for
 * Electron by hand and otherwise fails with NODE_MODULE_VERSION: `checkSqliteLoads` says so at start-up.
 */
export interface AppLayout {
  isPackaged: boolean;
  appPath: string;
  resourcesPath: string;
}

export const SQLITE_ADDON_FILE = 'better_sqlite3.node';

export function sqliteAddonPath(layout: AppLayout): string {
  const abi = `abi${process.versions.modules}`;
  return layout.isPackaged
    ? path.join(layout.resourcesPath, 'native', 'better-sqlite3', abi, SQLITE_ADDON_FILE)
    : path.join(layout.appPath, '.electron-native', 'better-sqlite3', `${process.platform}-${process.arch}`, abi, SQLITE_ADDON_FILE);
}

/** Points the local store at the build for this ABI when there is one; returns the path used, or null for node_modules'. */
export function selectSqliteAddon(layout: AppLayout): string | null {
  const addon = sqliteAddonPath(layout);
  const found = existsSync(addon);
  useSqliteNativeBinding(found ? addon : undefined);
  return found ? addon : null;
}

/**
 * Loads the addon once at start-up, so a build for the wrong ABI is reported in one clear line now rather
 * than as a failed first sign-in. Not fatal: the app still starts and the sign-in screen shows the error.
 */
export function checkSqliteLoads(selected: string | null, expected: string, log: (message: string) => void): void {
  try {
    LocalDatabase.open(':memory:').close();
  } catch (error) {
    const detail = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
    log(
      selected
        ? `better-sqlite3 at ${selected} could not be loaded: ${detail}`
        : `better-sqlite3 from node_modules could not be loaded (${detail}). There is no build for this runtime's ABI ${process.versions.modules} at ${expected}: ` +
            '`npm start` and `npm run package` build it with scripts/electron-native.mjs where the Electron binary is installed.',
    );
  }
}
