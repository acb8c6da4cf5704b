import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test, expect } from './csp-guard';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { PgliteDatabase } from '../../src/main/backend/local-supabase/platform-database';
import { seedSessions } from '../support/scale-seed';

// A second start of the console (the built web shell, `node out/main/webshell.js`, as `npm start` runs it where
// Electron is absent) on the same data folder: still signed in, with no password asked, the sidebar draws the list
// kept from the first run at once, saying it is being refreshed, and the backend's list then replaces it (a session
// added meanwhile comes in, one removed goes). Signed out, the third start asks for the password again.
const password = 'correct horse battery';
const email = 'owner@startup.test';
const webShell = path.resolve('out/main/webshell.js');

function startShell(dataDir: string): Promise<{ url: string; child: ChildProcess; stopped: Promise<void> }> {
  const child = spawn(process.execPath, [webShell, '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const stopped = new Promise<void>((resolve, reject) =>
    child.on('exit', (code, signal) => (code === 0 || signal === 'SIGTERM' ? resolve() : reject(new Error(`the web shell exited ${code ?? signal}: ${err}`)))),
  );
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /^Open: (\S+)$/m.exec(out);
      if (match) resolve({ url: match[1]!, child, stopped });
    });
    stopped.then(() => reject(new Error(`the web shell ended before serving: ${err}`)), reject);
  });
}

async function stopShell(shell: { child: ChildProcess; stopped: Promise<void> }) {
  shell.child.kill('SIGTERM');
  await shell.stopped;
}

test('a second start is still signed in and shows the cached session list at once, then the backend’s list; signed out, the next asks again', async ({ page }) => {
  test.skip(!existsSync(webShell), 'needs the build (npm run test:e2e builds first)');
  test.setTimeout(120_000);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-e2e-startup-'));
  try {
    // The data folder: the first account and twelve support sessions it follows.
    const setup = new EmbeddedSupabase({ dataDir: path.join(dataDir, 'embedded'), emergencySweepMs: 0 });
    await setup.start();
    const { userId } = await setup.createFirstAccount({ email, password, displayName: 'Owner', preferredLanguage: 'en' });
    await setup.stop();
    let pglite = await PgliteDatabase.open(path.join(dataDir, 'embedded', 'pgdata'));
    const seeded = await seedSessions(pglite.db, { staffId: userId, sessions: 12, messages: 60 });
    await pglite.close();

    // First start: signed in, the backend's list (nothing was cached yet).
    let shell = await startShell(dataDir);
    await page.goto(shell.url);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByTestId('session-list')).toHaveAttribute('data-total', '12');
    await expect(page.getByTestId('sessions-refreshing')).toHaveCount(0);
    await stopShell(shell);
    // The next start serves the same address (saved in the data folder): a page of its own, not this one's hash change.
    await page.goto('about:blank');

    // Meanwhile, on the server: one session removed, one new (which only the backend knows of).
    pglite = await PgliteDatabase.open(path.join(dataDir, 'embedded', 'pgdata'));
    const removed = seeded[0]!.sessionId;
    await pglite.db.exec('set session_replication_role = replica');
    await pglite.db.query('delete from public.chat_messages where session_id = $1', [removed]);
    await pglite.db.query('delete from public.chat_participants where session_id = $1', [removed]);
    await pglite.db.query('delete from public.chat_sessions where id = $1', [removed]);
    await pglite.db.exec('set session_replication_role = origin');
    // Written as the seed writes its rows (the database owner, triggers off): a client's new support session.
    const added = { sessionId: randomUUID(), clientId: randomUUID() };
    await pglite.db.exec('set session_replication_role = replica');
    await pglite.db.query(`insert into auth.users (id, aud, role, email, created_at, updated_at) values ($1, 'authenticated', 'authenticated', 'late@startup.test', now(), now())`, [added.clientId]);
    await pglite.db.query(`insert into public.profiles (id, display_name, role, preferred_language) values ($1, 'Late client', 'client', 'en')`, [added.clientId]);
    await pglite.db.query(`insert into public.chat_sessions (id, type, status, last_message_at, created_at, created_by) values ($1, 'support', 'active', now(), now(), $2)`, [added.sessionId, added.clientId]);
    await pglite.db.query(
      `insert into public.chat_participants (session_id, user_id, role_in_session, last_read_at, joined_at) values ($1, $2, 'client', now(), now()), ($1, $3, 'staff', now(), now())`,
      [added.sessionId, added.clientId, userId],
    );
    await pglite.db.exec('set session_replication_role = origin');
    await pglite.close();

    // Second start, still signed in. What the sidebar showed while it said it was refreshing, and whether a sign-in
    // form was ever drawn, are recorded as they happen, from before the page's own script runs.
    await page.addInitScript(() => {
      const seen: string[][] = [];
      const record = window as unknown as { refreshingShowed: string[][]; signInShown: boolean };
      record.refreshingShowed = seen;
      record.signInShown = false;
      new MutationObserver(() => {
        if (document.querySelector('input[type="password"]')) record.signInShown = true;
        if (!document.querySelector('[data-testid="sessions-refreshing"]')) return;
        seen.push([...document.querySelectorAll('[data-testid="session-list"] [data-testid="session-item"]')].map((el) => el.getAttribute('data-session-id') ?? ''));
      }).observe(document, { childList: true, subtree: true, attributes: true });
    });
    shell = await startShell(dataDir);
    await page.goto(shell.url);
    await expect(page.getByTestId('session-item').first()).toBeVisible();
    await expect(page.getByTestId('sessions-refreshing')).toHaveCount(0);
    const whileRefreshing = await page.evaluate(() => (window as unknown as { refreshingShowed: string[][] }).refreshingShowed);
    expect(whileRefreshing.length).toBeGreaterThan(0);
    // The cached list: the first run's twelve, the removed session among them, the new one not yet.
    const cached = whileRefreshing.find((ids) => ids.length > 0)!;
    expect(cached).toHaveLength(12);
    expect(cached).toContain(removed);
    expect(cached).not.toContain(added.sessionId);
    // The backend's list: the new one in, the removed one out, each once.
    await expect(page.getByTestId('session-list')).toHaveAttribute('data-total', '12');
    const refreshed = await page.getByTestId('session-item').evaluateAll((items) => items.map((el) => el.getAttribute('data-session-id') ?? ''));
    expect(refreshed).toContain(added.sessionId);
    expect(refreshed).not.toContain(removed);
    expect(new Set(refreshed).size).toBe(refreshed.length);
    expect(await page.evaluate(() => (window as unknown as { signInShown: boolean }).signInShown)).toBe(false);
    // Signed out: the next start asks for the password.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect(page.getByLabel('Password')).toBeVisible();
    await stopShell(shell);
    await page.goto('about:blank');
    shell = await startShell(dataDir);
    await page.goto(shell.url);
    await expect(page.getByLabel('Password')).toBeVisible();
    await expect(page.getByTestId('session-item')).toHaveCount(0);
    await stopShell(shell);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
