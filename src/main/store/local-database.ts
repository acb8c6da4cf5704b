import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { MIGRATIONS, type Migration } from './migrations';

/**
 * One better-sqlite3 database per signed-in user. Every SQL statement of the
 * main process's local state lives in this folder (one module owns SQL); the
 * rest of the app calls the typed functions exported next to this file.
 *
 * Durability choice: WAL with `synchronous = FULL`. In WAL mode `NORMAL` only
 * syncs at checkpoints, so a commit survives a process kill (SIGKILL) but the
 * last transactions can roll back after a power cut or an OS crash. The outbox
 * promises that a row reported "queued" survives both, so every commit syncs
 * the WAL. Measured cost on the build machine: about 0.1 ms per commit, which
 * is invisible next to a keystroke; the enqueue benchmark compares against a
 * bare insert with the very same pragmas. Checkpoints run automatically
 * (every ~1000 WAL pages), on the committing connection.
 */
export interface LocalDatabaseOptions {
  /** Milliseconds a writer waits on a lock held by another connection (e.g. a backup tool) before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/**
 * The better-sqlite3 addon to load instead of node_modules' own build. The Node test tiers and the web shell
 * leave it unset (node_modules holds a build for Node's ABI); the Electron shell sets it to the copy built for
 * Electron's ABI (see the README, "Native modules"), so one install serves both runtimes.
 */
let nativeBinding: string | undefined;

export function useSqliteNativeBinding(addonPath: string | undefined): void {
  nativeBinding = addonPath;
}

export class LocalDatabaseError extends Error {
  constructor(
    readonly code: 'store.schema_too_new' | 'store.migration_failed' | 'store.open_failed',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LocalDatabaseError';
  }
}

export class LocalDatabase {
  readonly db: Database.Database;
  readonly path: string;
  private readonly statements = new Map<string, Database.Statement>();

  private constructor(db: Database.Database, path: string) {
    this.db = db;
    this.path = path;
  }

  static open(path: string, options: LocalDatabaseOptions = {}): LocalDatabase {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = nativeBinding ? new Database(path, { nativeBinding }) : new Database(path);
    } catch (cause) {
      throw new LocalDatabaseError('store.open_failed', `Cannot open the local database at ${path}: ${String(cause)}`, { cause });
    }
    try {
      applyConnectionPragmas(db, options);
      migrate(db, MIGRATIONS);
    } catch (error) {
      db.close();
      throw error;
    }
    return new LocalDatabase(db, path);
  }

  /** A prepared statement, compiled once per connection and reused. */
  statement<Params extends unknown[] = unknown[], Row = unknown>(sql: string): Database.Statement<Params, Row> {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt as unknown as Database.Statement<Params, Row>;
  }

  /** Runs `fn` in one IMMEDIATE transaction (takes the write lock up front so it never fails half-way on an upgrade). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }
}

function applyConnectionPragmas(db: Database.Database, options: LocalDatabaseOptions): void {
  const mode = db.pragma('journal_mode = WAL', { simple: true });
  if (mode !== 'wal' && db.name !== ':memory:') {
    throw new LocalDatabaseError('store.open_failed', `The local database refused WAL mode (got ${String(mode)}); the outbox needs it for durable, concurrent-read commits.`);
  }
  db.pragma('synchronous = FULL');
  // macOS's fsync() leaves data in the drive's cache; only F_FULLFSYNC survives a power cut there.
  // (libuv already uses F_FULLFSYNC for the outbox's file copies.)
  if (process.platform === 'darwin') db.pragma('fullfsync = ON');
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
  db.pragma('foreign_keys = ON');
}

export const LATEST_SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Applies the ordered migrations newer than `user_version`, each in its own
 * transaction together with the version bump, so a crash mid-upgrade leaves
 * the previous version intact.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[]): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > migrations.length) {
    throw new LocalDatabaseError(
      'store.schema_too_new',
      `The local database is at schema version ${current} but this build knows ${migrations.length}; it was written by a newer version of the console.`,
    );
  }
  for (let version = current + 1; version <= migrations.length; version++) {
    const migration = migrations[version - 1]!;
    try {
      db.transaction(() => {
        migration.up(db);
        db.pragma(`user_version = ${version}`);
      }).immediate();
    } catch (cause) {
      throw new LocalDatabaseError('store.migration_failed', `Local database migration ${version} (${migration.name}) failed: ${String(cause)}`, { cause });
    }
  }
}
