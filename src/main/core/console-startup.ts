import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Backend } from '../backend/backend-port';
import { startupMark } from './startup-trace';

/**
 * A backend still opening, as the shells hand it to their cores: what kind it is (known from the configuration),
 * when it is ready, and what the data folder already says of first run.
 */
export interface StartingBackend {
  readonly kind: Backend['kind'];
  /** The started backend; rejects with the reason it could not start. */
  readonly ready: Promise<Backend>;
  /**
   * False when no first-run screen can be due: a Supabase project, or a data folder where someone has signed in
   * before (each signed-in user has a folder under users/). Null when only the backend can tell.
   */
  readonly firstRunHint: false | null;
}

/**
 * The console's start-up order, the same in both shells (the web shell's CLI and the Electron main process call it):
 * the backend starts opening first (on the embedded backend, PGlite and the schema check are most of the start),
 * and the shell serves its page or opens its window at once with a core given this handle. That core draws the
 * sign-in form before the backend is open, so the user types while it opens; signing in waits for it. A first run
 * is only shown on the backend's answer (the hint cannot tell an empty database from an unread one).
 */
export function startConsoleBackend(options: {
  kind: Backend['kind'];
  /** The app's data folder (each signed-in user's local store lives under it). */
  dataDir: string;
  /** Creates and starts the backend (the web shell retries on another port when its saved one is taken). */
  open(): Promise<Backend>;
}): StartingBackend {
  const ready = options.open().then((backend) => {
    startupMark('backend started');
    return backend;
  });
  // Each core and the shell await it; a failed start is reported there, not as an unhandled rejection first.
  ready.catch(() => {});
  return { kind: options.kind, ready, firstRunHint: options.kind === 'supabase' || someoneSignedInHere(options.dataDir) ? false : null };
}

function someoneSignedInHere(dataDir: string): boolean {
  try {
    return readdirSync(path.join(dataDir, 'users'), { withFileTypes: true }).some((entry) => entry.isDirectory());
  } catch {
    return false;
  }
}
