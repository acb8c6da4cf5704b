import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Where supabase-js keeps one signed-in console's session (its tokens): auth-js's storage, read and written
 * synchronously here (every store of this console is). Tokens never leave the main process.
 */
export interface SecretStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * One store per slot (one slot per sign-in, so several users can be signed in at once, and a kept sign-in is found
 * again by its slot at the next start), the same store each time a slot is asked for; `forget` empties a slot.
 */
export interface SecretStores {
  (slot: string): SecretStore;
  forget(slot: string): void;
}

/**
 * Slots over one map of `slot:key` items, which `save` writes after every change (where they are kept beyond this
 * process). `items` is asked for at each use, so a shell can make its choice of storage at first use.
 */
export function slottedSecrets(items: () => Map<string, string>, save: (items: Map<string, string>) => void = () => {}): SecretStores {
  const stores = (slot: string): SecretStore => ({
    getItem: (key) => items().get(`${slot}:${key}`) ?? null,
    setItem: (key, value) => {
      const current = items();
      current.set(`${slot}:${key}`, value);
      save(current);
    },
    removeItem: (key) => {
      const current = items();
      if (current.delete(`${slot}:${key}`)) save(current);
    },
  });
  return Object.assign(stores, {
    forget(slot: string) {
      const current = items();
      let removed = false;
      for (const key of [...current.keys()]) if (key.startsWith(`${slot}:`)) removed = current.delete(key) || removed;
      if (removed) save(current);
    },
  });
}

/** In this process's memory only: the user signs in again after a restart (tests, and where nothing safer exists). */
export function memorySecretStores(): SecretStores {
  const items = new Map<string, string>();
  return slottedSecrets(() => items);
}

/** One slot's store on its own, in memory (tests that make one backend per store). */
export class MemorySecretStore implements SecretStore {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/**
 * The web shell's store on the embedded backend: one JSON file in the data folder, readable by this OS account only
 * (0600), replaced whole at each change. Not encrypted: that folder already holds the whole database and the secret
 * its tokens are signed with, so whoever can read the file can read everything the tokens give. (Electron keeps them
 * with the OS keyring instead, electron/safe-storage-secrets.ts; the web shell on a Supabase project, in memory.)
 * A file that cannot be read is ignored with a warning: the user signs in again.
 */
export function fileSecretStores(file: string, warn: (message: string) => void): SecretStores {
  let items: Map<string, string> | null = null;
  const load = (): Map<string, string> => {
    if (items) return items;
    items = new Map();
    if (!existsSync(file)) return items;
    try {
      const saved = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!saved || typeof saved !== 'object' || Array.isArray(saved)) throw new Error('not an object of items');
      for (const [key, value] of Object.entries(saved)) if (typeof value === 'string') items.set(key, value);
    } catch (error) {
      warn(`The saved sign-in sessions (${file}) could not be read and are ignored: ${String(error)}`);
    }
    return items;
  };
  let persisting = true;
  const save = (current: Map<string, string>) => {
    if (!persisting) return;
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(current)), { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (error) {
      // The items stay in memory, so this run keeps working; only keeping them for the next start is given up, loudly.
      persisting = false;
      warn(`The sign-in sessions could not be saved (${file}); they are kept in memory until the console stops: ${String(error)}`);
    }
  };
  return slottedSecrets(load, save);
}
