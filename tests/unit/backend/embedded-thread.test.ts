import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedSupabaseThread } from '../../../src/main/backend/embedded/embedded-thread';
import { PgliteDatabase } from '../../../src/main/backend/local-supabase/platform-database';
import { SchemaError } from '../../../src/main/schema';
import { onSavedPort } from '../../../src/main/webshell/webshell-identity';

// The embedded backend as the shells run it: the real local Supabase in a real worker thread (from the sources,
// through tsx's loader), reached by the console's supabase-js adapter over loopback.

const folders: string[] = [];
const threads: EmbeddedSupabaseThread[] = [];
const folder = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'samia-thread-'));
  folders.push(dir);
  return dir;
};
const thread = (options: ConstructorParameters<typeof EmbeddedSupabaseThread>[0]) => {
  const made = new EmbeddedSupabaseThread(options);
  threads.push(made);
  return made;
};

afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.stop()));
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the embedded backend in its own thread', () => {
  it('creates the first account, signs in, and leaves a data folder that opens again once stopped', { timeout: 120_000 }, async () => {
    const dataDir = folder();
    const logged: string[] = [];
    const backend = thread({ dataDir, emergencySweepMs: 0, log: (message) => logged.push(message) });
    await backend.start();
    expect(backend.api?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The thread's log reaches this one: a fresh folder gets every migration.
    expect(logged.some((line) => /^migration \d{14}_\w+ applied$/.test(line))).toBe(true);
    expect(await backend.needsFirstRun()).toBe(true);
    const owner = await backend.createFirstAccount({ email: 'owner@thread.test', password: 'correct horse battery', displayName: 'Owner', preferredLanguage: 'en' });
    expect(owner.signedInProfile.role).toBe('super_admin');
    expect(await backend.needsFirstRun()).toBe(false);
    const again = await backend.signIn('owner@thread.test', 'correct horse battery');
    expect(again.userId).toBe(owner.userId);
    await backend.stop();
    expect(backend.api).toBeNull();
    await expect(backend.signIn('owner@thread.test', 'correct horse battery')).rejects.toThrow(/not started/);

    // The thread closed PGlite: the folder opens in this thread, with the account in it.
    const reopened = await PgliteDatabase.open(path.join(dataDir, 'pgdata'));
    try {
      const { rows } = await reopened.db.query<{ email: string }>('select email from auth.users');
      expect(rows.map((r) => r.email)).toEqual(['owner@thread.test']);
    } finally {
      await reopened.close();
    }
  });

  it('lets a start under way finish before it stops, so PGlite is never ended half-open', { timeout: 120_000 }, async () => {
    const dataDir = folder();
    const backend = thread({ dataDir, emergencySweepMs: 0 });
    const started = backend.start();
    const stopped = backend.stop();
    await Promise.all([started, stopped]);
    expect(backend.api).toBeNull();
    const reopened = await PgliteDatabase.open(path.join(dataDir, 'pgdata'));
    try {
      const { rows } = await reopened.db.query<{ n: number }>('select count(*)::int as n from supabase_migrations.schema_migrations');
      expect(rows[0]!.n).toBeGreaterThan(0);
    } finally {
      await reopened.close();
    }
  });

  it("reports a migration edited after it was applied as the schema check's own error, with the file", { timeout: 120_000 }, async () => {
    const dataDir = folder();
    const supabaseDir = path.join(folder(), 'supabase');
    cpSync(path.resolve('supabase/compat'), path.join(supabaseDir, 'compat'), { recursive: true });
    cpSync(path.resolve('supabase/migrations'), path.join(supabaseDir, 'migrations'), { recursive: true });
    const first = thread({ dataDir, supabaseDir, emergencySweepMs: 0 });
    await first.start();
    await first.stop();
    const edited = path.join(supabaseDir, 'migrations', '20261201000100_legacy_set_aside.sql');
    writeFileSync(edited, '-- edited after it was applied\nselect 1;\n');
    const second = thread({ dataDir, supabaseDir, emergencySweepMs: 0 });
    const failure = await second.start().then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SchemaError);
    expect((failure as SchemaError).message).toMatch(/20261201000100_legacy_set_aside was changed after it was applied/);
    expect((failure as SchemaError).file).toBe(edited);
    expect(second.api).toBeNull();
  });

  it('says a taken port is in use, so the web shell starts it on another', { timeout: 120_000 }, async () => {
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as net.AddressInfo).port;
      const failure = await thread({ dataDir: null, emergencySweepMs: 0, port }).start().then(
        () => null,
        (error: unknown) => error,
      );
      expect((failure as Error | null)?.message).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}: the port is in use`));
      const started = await onSavedPort(port, async (free) => {
        const backend = thread({ dataDir: null, emergencySweepMs: 0, port: free });
        await backend.start();
        return backend;
      });
      expect(Number(new URL(started.api!.url).port)).not.toBe(port);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
