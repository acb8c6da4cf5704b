import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { safeStorage } from 'electron';
import type { SecretStore } from '../backend/supabase-connection';

/**
 * supabase-js's auth storage, encrypted with the OS keychain through safeStorage and kept in one file
 * under userData. Refuses to store tokens in plain text where the OS offers no encryption.
 */
export function safeStorageSecrets(userDataDir: string): (slot: string) => SecretStore {
  const file = path.join(userDataDir, 'session.bin');
  const load = (): Record<string, string> => {
    if (!existsSync(file) || !safeStorage.isEncryptionAvailable()) return {};
    try {
      return JSON.parse(safeStorage.decryptString(readFileSync(file))) as Record<string, string>;
    } catch {
      return {};
    }
  };
  const save = (items: Record<string, string>) => {
    if (!safeStorage.isEncryptionAvailable()) return;
    writeFileSync(`${file}.tmp`, safeStorage.encryptString(JSON.stringify(items)), { mode: 0o600 });
    renameSync(`${file}.tmp`, file);
  };
  return (slot) => ({
    getItem: (key: string) => load()[`${slot}:${key}`] ?? null,
    setItem: (key: string, value: string) => save({ ...load(), [`${slot}:${key}`]: value }),
    removeItem: (key: string) => {
      const items = load();
      delete items[`${slot}:${key}`];
      save(items);
    },
  });
}
