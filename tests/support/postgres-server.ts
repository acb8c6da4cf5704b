// Starts a throwaway PostgreSQL 15 server (Debian's postgresql-15 binaries) in a temporary folder,
// listening on a free loopback port, and removes everything on stop(). Runs the server as the OS
// user `postgres` when the caller is root (initdb refuses root).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, chownSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresServer {
  /** Connection URL for the bootstrap superuser to database `postgres`. */
  url: string;
  /** Same as url (the only user is the superuser); kept for callers that distinguish. */
  adminUrl: string;
  port: number;
  dataDir: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** max_connections (default 100; the send_message benchmark needs more). */
  maxConnections?: number;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
  /** The bootstrap superuser's name (default `postgres`; a platform-shaped server names it `supabase_admin`). */
  superuser?: string;
}

/** A clear message when the PostgreSQL 15 binaries are not installed; null when they are. */
export function postgres15Missing(): string | null {
  if (existsSync(join(PG15_BIN, 'postgres')) && existsSync(join(PG15_BIN, 'initdb'))) return null;
  return (
    `PostgreSQL 15 server binaries not found in ${PG15_BIN}. ` +
    'Install the Debian packages postgresql-15 (and postgresql-15-pgtap) first, e.g. ' +
    '`apt-get install -y postgresql-15 postgresql-15-pgtap`, or set PG15_BIN.'
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

function asPostgresUser(cmd: string, args: string[]): { cmd: string; args: string[] } {
  if (process.getuid?.() === 0) return { cmd: 'runuser', args: ['-u', 'postgres', '--', cmd, ...args] };
  return { cmd, args };
}

async function waitReady(port: number, socketDir: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}:\n${log()}`);
    try {
      execFileSync(join(PG15_BIN, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-q'], {
        stdio: 'ignore',
      });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  void socketDir;
  throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresServer> {
  const missing = postgres15Missing();
  if (missing) throw new Error(missing);

  const root = mkdtempSync(join(tmpdir(), 'samia-pg15-'));
  const dataDir = join(root, 'data');
  const socketDir = join(root, 'sock');
  const logFile = join(root, 'server.log');
  const isRoot = process.getuid?.() === 0;
  if (isRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(root, uid, gid);
  }
  execFileSync('mkdir', ['-p', socketDir]);
  if (isRoot) execFileSync('chown', ['postgres:postgres', socketDir]);

  const init = asPostgresUser(join(PG15_BIN, 'initdb'), [
    '-D', dataDir, '-U', options.superuser ?? 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync',
  ]);
  try {
    execFileSync(init.cmd, init.args, { stdio: 'pipe' });
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr || String(error)}`, { cause: error });
  }

  const port = await freePort();
  const settings: Record<string, string | number> = {
    listen_addresses: '127.0.0.1',
    port,
    unix_socket_directories: socketDir,
    max_connections: options.maxConnections ?? 100,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
    logging_collector: 'off',
    ...options.settings,
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const run = asPostgresUser(join(PG15_BIN, 'postgres'), args);
  writeFileSync(logFile, '');
  let output = '';
  const child = spawn(run.cmd, run.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));

  try {
    await waitReady(port, socketDir, child, () => output);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
    throw error;
  }

  const url = `postgres://${options.superuser ?? 'postgres'}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  return {
    url,
    adminUrl: url,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      if (child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        // SIGINT = fast shutdown: open connections are closed, nothing waits for clients.
        child.kill('SIGINT');
        const timeout = new Promise<void>((r) => setTimeout(r, 10_000));
        await Promise.race([exited, timeout]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
