import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backendConfigFromEnvironment, checkAnonKey, saveBackendChoice } from '../../../src/main/core/backend-config';

const jwt = (payload: object) => ['eyJhbGciOiJIUzI1NiJ9', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'c2ln'].join('.');
const anon = jwt({ role: 'anon', iss: 'supabase' });
const serviceRole = jwt({ role: 'service_role', iss: 'supabase' });
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'samia-config-'));
  dirs.push(dir);
  return dir;
};
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('choosing the backend', () => {
  it('defaults to the embedded backend', async () => {
    const dir = await tempDir();
    expect(backendConfigFromEnvironment({}, dir)).toEqual({ kind: 'embedded', dataDir: dir });
  });

  it('takes a Supabase project from the environment, https only', async () => {
    const dir = await tempDir();
    expect(backendConfigFromEnvironment({ SUPABASE_URL: 'https://abc.supabase.co/', SUPABASE_ANON_KEY: anon }, dir)).toEqual({
      kind: 'supabase',
      url: 'https://abc.supabase.co',
      anonKey: anon,
    });
    expect(() => backendConfigFromEnvironment({ SUPABASE_URL: 'http://abc.supabase.co', SUPABASE_ANON_KEY: anon }, dir)).toThrow(/https/);
    expect(() => backendConfigFromEnvironment({ SUPABASE_URL: 'https://abc.supabase.co' }, dir)).toThrow(/both/);
  });

  it('never accepts a service-role or secret key in place of the anon key', () => {
    expect(checkAnonKey(anon)).toBe(anon);
    expect(checkAnonKey('sb_publishable_abc123')).toBe('sb_publishable_abc123');
    expect(() => checkAnonKey(serviceRole)).toThrow(/service-role/);
    expect(() => checkAnonKey('sb_secret_abc123')).toThrow(/secret/);
    expect(() => checkAnonKey('not-a-key')).toThrow();
  });

  it('saves the settings screen choice for the next start, checked the same way', async () => {
    const dir = await tempDir();
    expect(() => saveBackendChoice(dir, { kind: 'supabase', url: 'https://abc.supabase.co', anonKey: serviceRole })).toThrow();
    saveBackendChoice(dir, { kind: 'supabase', url: 'https://abc.supabase.co', anonKey: anon });
    expect(backendConfigFromEnvironment({}, dir)).toMatchObject({ kind: 'supabase', url: 'https://abc.supabase.co' });
    saveBackendChoice(dir, { kind: 'embedded' });
    expect(backendConfigFromEnvironment({}, dir)).toEqual({ kind: 'embedded', dataDir: dir });
  });
});
