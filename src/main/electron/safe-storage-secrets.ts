import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import { slottedSecrets, type SecretStores } from '../backend/secret-stores';

export type SecretsLog = (level: 'warn' | 'error', message: string) => void;

/** Where the tokens live for this run: encrypted on disk with the OS keyring, or only in this process's memory. */
type Persistence = { kind: 'keyring' } | { kind: 'memory'; reason: string };

/**
 * supabase-js's auth storage. Where the OS offers a keyring, the items are encrypted with safeStorage into
 * one file under userData. Where it does not — safeStorage unavailable, or Linux's `basic_text` backend,
 * whose "encryption" uses a password built into Chromium — they are kept in memory only, with one logged
 * warning: the user signs in again after a restart, but no token is written where anyone could read it back,
 * and no write is ever dropped (supabase-js reads its session back right after storing it).
 *
 * Create it once the app is ready (main.ts does, in `whenReady`): the choice is made at first use, and before
 * `ready` Linux reports no encryption at all.
 */
export function safeStorageSecrets(userDataDir: string, log: SecretsLog): SecretStores {
  const file = path.join(userDataDir, 'session.bin');
  let items: Map<string, string> | null = null;
  let persistence: Persistence = { kind: 'keyring' };

  const toMemory = (reason: string) => {
    persistence = { kind: 'memory', reason };
    log('warn', `Sign-in sessions are kept in memory only (${reason}); you will sign in again after the console restarts.`);
  };

  const open = (): Map<string, string> => {
    if (items) return items;
    items = new Map();
    if (process.platform === 'linux') {
      // Electron defines it on Linux only.
      const backend = safeStorage.getSelectedStorageBackend?.();
      if (backend === 'basic_text' || backend === 'unknown') {
        toMemory(`no keyring found: safeStorage would use "${backend}", a password built into the app`);
        return items;
      }
    }
    if (!safeStorage.isEncryptionAvailable()) {
      toMemory('the OS offers no encryption to safeStorage');
      return items;
    }
    if (existsSync(file)) {
      try {
        const saved = JSON.parse(safeStorage.decryptString(readFileSync(file))) as Record<string, string>;
        for (const [key, value] of Object.entries(saved)) items.set(key, value);
      } catch (error) {
        // A keyring reset or another OS account's file: the saved session is lost, the next sign-in replaces it.
        log('warn', `The saved sign-in session could not be read and is ignored: ${String(error)}`);
      }
    }
    return items;
  };

  const persist = (current: Map<string, string>) => {
    if (persistence.kind === 'memory') return;
    try {
      const encrypted = safeStorage.encryptString(JSON.stringify(Object.fromEntries(current)));
      writeFileSync(`${file}.tmp`, encrypted, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // The value stays in memory, so this run keeps working; only persistence is given up, loudly.
      log('error', `The sign-in session could not be saved encrypted: ${String(error)}`);
      toMemory('saving it encrypted failed');
    }
  };

  return slottedSecrets(open, persist);
}
