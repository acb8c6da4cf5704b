import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LATEST_SCHEMA_VERSION, LocalDatabase, LocalDatabaseError, migrate } from '../../../src/main/store';
import { tempDir } from '../outbox/support';

const dirs: { remove(): void }[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
function dbPath(): string {
  const dir = tempDir('local-db-');
  dirs.push(dir);
  return join(dir.path, 'nested', 'user', 'local.db');
}

describe('LocalDatabase', () => {
  it('opens with WAL, synchronous=FULL, a busy timeout and foreign keys, creating its folder', () => {
    const db = LocalDatabase.open(dbPath(), { busyTimeoutMs: 1234 });
    expect(db.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.db.pragma('busy_timeout', { simple: true })).toBe(1234);
    expect(db.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    db.close();
  });

  it('migrates once: reopening keeps the data and the version', () => {
    const path = dbPath();
    const first = LocalDatabase.open(path);
    first.db.prepare(`INSERT INTO drafts (session_id, body, updated_at) VALUES ('s', 'kept', 1)`).run();
    first.close();
    const second = LocalDatabase.open(path);
    expect(second.schemaVersion).toBe(LATEST_SCHEMA_VERSION);
    expect(second.db.prepare('SELECT body FROM drafts').pluck().get()).toBe('kept');
    second.close();
  });

  it('refuses a database written by a newer build instead of guessing', () => {
    const path = dbPath();
    LocalDatabase.open(path).close();
    const raw = new Database(path);
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => LocalDatabase.open(path)).toThrow(LocalDatabaseError);
    expect(() => LocalDatabase.open(path)).toThrow(/newer version/);
  });

  it('applies migrations in order, each atomically with its version bump', () => {
    const raw = new Database(':memory:');
    const applied: string[] = [];
    const migrations = [
      { name: 'one', up: (db: Database.Database) => (applied.push('one'), db.exec('CREATE TABLE a (x)')) },
      { name: 'two', up: (db: Database.Database) => (applied.push('two'), db.exec('CREATE TABLE b (x)')) },
      { name: 'broken', up: (db: Database.Database) => (db.exec('CREATE TABLE c (x)'), db.exec('NOT SQL')) },
    ];
    expect(() => migrate(raw, migrations)).toThrow(/migration 3 \(broken\) failed/);
    expect(applied).toEqual(['one', 'two']);
    expect(raw.pragma('user_version', { simple: true })).toBe(2);
    expect(raw.prepare(`SELECT name FROM sqlite_master WHERE name = 'c'`).get()).toBeUndefined();
    migrate(raw, migrations.slice(0, 2));
    expect(applied).toEqual(['one', 'two']);
    raw.close();
  });

  it('caches prepared statements', () => {
    const db = LocalDatabase.open(dbPath());
    expect(db.statement('SELECT 1')).toBe(db.statement('SELECT 1'));
    db.close();
  });
});
