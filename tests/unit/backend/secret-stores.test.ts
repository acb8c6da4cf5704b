import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fileSecretStores, memorySecretStores } from '../../../src/main/backend/secret-stores';
import { KeptSignIns } from '../../../src/main/core/kept-sign-in';

// The token stores (one slot per sign-in) and the kept sign-in kept beside them: what is written is read back by the
// next process, a slot is emptied whole, and nothing unreadable or foreign is ever taken up.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-secrets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const PROFILE = { id: '6f1c2d3e-4a5b-4c6d-8e7f-1a2b3c4d5e6f', displayName: 'Rana', role: 'reader' as const, preferredLanguage: 'ar' as const, availability: 'busy' as const, emergencyOptIn: true };

it('keeps the web shell’s tokens in one file readable by this account only, read back by the next start; a slot is forgotten whole', async () => {
  const file = path.join(dir, 'sessions.json');
  const warnings: string[] = [];
  const first = fileSecretStores(file, (m) => warnings.push(m));
  first('a').setItem('samia-console-a', 'token-a');
  first('a').setItem('samia-console-a-user', 'user-a');
  first('b').setItem('samia-console-b', 'token-b');
  if (process.platform !== 'win32') expect((await stat(file)).mode & 0o777).toBe(0o600);
  const next = fileSecretStores(file, (m) => warnings.push(m));
  expect(next('a').getItem('samia-console-a')).toBe('token-a');
  next.forget('a');
  expect(next('a').getItem('samia-console-a')).toBeNull();
  expect(next('a').getItem('samia-console-a-user')).toBeNull();
  expect(fileSecretStores(file, () => {})('b').getItem('samia-console-b')).toBe('token-b');
  expect(warnings).toEqual([]);

  // A damaged file: ignored with a warning (the user signs in again), and replaced at the next write.
  await writeFile(file, '{ not json');
  const damaged = fileSecretStores(file, (m) => warnings.push(m));
  expect(damaged('b').getItem('samia-console-b')).toBeNull();
  expect(warnings.join('\n')).toMatch(/could not be read/);
  damaged('c').setItem('k', 'v');
  expect(fileSecretStores(file, () => {})('c').getItem('k')).toBe('v');
});

it('a file that cannot be written keeps the tokens in memory for this run, saying so', async () => {
  // The data folder is a file: nothing can be written under it.
  const blocker = path.join(dir, 'a-file');
  await writeFile(blocker, '');
  const warnings: string[] = [];
  const stores = fileSecretStores(path.join(blocker, 'sessions.json'), (m) => warnings.push(m));
  stores('a').setItem('k', 'v');
  expect(stores('a').getItem('k')).toBe('v');
  expect(warnings.join('\n')).toMatch(/could not be saved/);
});

it('takes the kept sign-in up once per process, only on its own backend, and never a damaged one', () => {
  const secrets = memorySecretStores();
  const kept = new KeptSignIns(secrets, 'embedded');
  expect(kept.take()).toBeNull();
  kept.keep({ userId: PROFILE.id, slot: 'slot-1', profile: PROFILE });
  // Held by the core that signed in: a second window does not get it.
  expect(kept.take()).toBeNull();
  kept.release('slot-1');
  expect(kept.take()).toEqual({ userId: PROFILE.id, slot: 'slot-1', profile: PROFILE });
  expect(kept.take()).toBeNull();
  kept.release('slot-1');
  expect(new KeptSignIns(secrets, 'supabase:https://example.supabase.co').take()).toBeNull();
  // Damaged, or naming another user's profile: nothing is taken up.
  secrets('kept-sign-in').setItem('sign-in', '{"backend":"embedded","userId":');
  expect(new KeptSignIns(secrets, 'embedded').take()).toBeNull();
  secrets('kept-sign-in').setItem('sign-in', JSON.stringify({ backend: 'embedded', userId: PROFILE.id, slot: 's', profile: { ...PROFILE, id: '0f1c2d3e-4a5b-4c6d-8e7f-1a2b3c4d5e6f' } }));
  expect(new KeptSignIns(secrets, 'embedded').take()).toBeNull();
  // Forgotten: the record and the slot's tokens go.
  kept.keep({ userId: PROFILE.id, slot: 'slot-2', profile: PROFILE });
  secrets('slot-2').setItem('samia-console-slot-2', 'token');
  kept.forget('slot-2');
  expect(kept.isKept('slot-2')).toBe(false);
  expect(secrets('slot-2').getItem('samia-console-slot-2')).toBeNull();
  expect(new KeptSignIns(secrets, 'embedded').take()).toBeNull();
});
