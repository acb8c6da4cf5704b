// Lists and applies the database schema: the compatibility layer (supabase/compat/, for PGlite and
// stock PostgreSQL only) and the migrations (supabase/migrations/). Applied versions are recorded,
// so a re-run applies only what is new. Used by the embedded backend at start and by tools.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The two calls this module needs from a database connection (PGlite fits as is; see fromPg). */
export interface SqlExecutor {
  /** Runs one or more statements without parameters. */
  exec(sql: string): Promise<unknown>;
  /** Runs one statement with $1.. parameters. */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

/** A node-postgres Client/PoolClient (anything with query(text, params)) as an SqlExecutor. */
export function fromPg(client: {
  query(text: string, params?: unknown[]): Promise<{ rows: unknown[] }>;
}): SqlExecutor {
  return {
    exec: (sql) => client.query(sql),
    query: async <R>(sql: string, params?: unknown[]) =>
      (await client.query(sql, params)) as { rows: R[] },
  };
}

export type SchemaFileKind = 'compat' | 'migration';

export interface SchemaFile {
  kind: SchemaFileKind;
  /** Compat: the file name without .sql ("0001_roles"). Migration: the timestamp ("20261201000100"). */
  version: string;
  /** Compat: same as version. Migration: the part after the timestamp ("legacy_set_aside"). */
  name: string;
  path: string;
  sql: string;
  checksum: string;
}

/**
 * "compat": the compatibility layer first (embedded PGlite, stock PostgreSQL).
 * "supabase": migrations only (the platform provides auth, storage, realtime and the roles).
 */
export type SchemaTarget = 'compat' | 'supabase';

export interface ApplyOptions {
  supabaseDir?: string;
  target?: SchemaTarget;
  log?: (message: string) => void;
}

export interface ApplyResult {
  compatApplied: string[];
  migrationsApplied: string[];
  migrationsAlreadyApplied: string[];
}

export class SchemaError extends Error {
  constructor(
    message: string,
    readonly file?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SchemaError';
  }
}

const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;
const COMPAT_FILE = /^(\d{4}_[a-z0-9_]+)\.sql$/;
// Any fixed number: only this module takes it, to keep two appliers from interleaving.
const APPLY_LOCK_KEY = 72011240;

/** supabase/ of this repository (callers that ship the SQL elsewhere pass supabaseDir). */
export function defaultSupabaseDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../supabase');
}

function checksum(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

async function readKind(dir: string, kind: SchemaFileKind): Promise<SchemaFile[]> {
  const pattern = kind === 'compat' ? COMPAT_FILE : MIGRATION_FILE;
  const names = (await readdir(dir)).filter((n) => n.endsWith('.sql')).sort();
  const matches = names.map((fileName) => {
    const m = pattern.exec(fileName);
    if (!m) {
      throw new SchemaError(
        `${kind} file name ${fileName} does not match ${kind === 'compat' ? 'NNNN_name.sql' : 'YYYYMMDDHHMMSS_name.sql'}`,
        join(dir, fileName),
      );
    }
    return { m, path: join(dir, fileName) };
  });
  // Read at once, not one after the other: this runs at every start of the embedded backend.
  return Promise.all(
    matches.map(async ({ m, path }): Promise<SchemaFile> => {
      const sql = await readFile(path, 'utf8');
      return { kind, version: m[1]!, name: kind === 'compat' ? m[1]! : m[2]!, path, sql, checksum: checksum(sql) };
    }),
  );
}

/** The files to apply, in order: compat (unless target is supabase), then migrations. */
export async function listSchemaFiles(options: Omit<ApplyOptions, 'log'> = {}): Promise<SchemaFile[]> {
  const dir = options.supabaseDir ?? defaultSupabaseDir();
  const migrations = await readKind(join(dir, 'migrations'), 'migration');
  const versions = new Set<string>();
  for (const m of migrations) {
    if (versions.has(m.version)) throw new SchemaError(`two migrations share version ${m.version}`, m.path);
    versions.add(m.version);
  }
  if (options.target === 'supabase') return migrations;
  return [...(await readKind(join(dir, 'compat'), 'compat')), ...migrations];
}

const TRACKING_SQL = `
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
create table if not exists supabase_migrations.compat_layer (
  name text primary key,
  checksum text not null,
  applied_at timestamptz not null default now()
);
revoke all on schema supabase_migrations from public;
`;

/** Versions recorded in supabase_migrations.schema_migrations (empty if nothing was applied). */
export async function appliedMigrationVersions(db: SqlExecutor): Promise<string[]> {
  const exists = await db.query<{ t: string | null }>(
    `select to_regclass('supabase_migrations.schema_migrations')::text as t`,
  );
  if (!exists.rows[0]?.t) return [];
  const r = await db.query<{ version: string }>(
    'select version from supabase_migrations.schema_migrations order by version',
  );
  return r.rows.map((row) => row.version);
}

async function inTransaction(db: SqlExecutor, file: SchemaFile, body: () => Promise<void>): Promise<void> {
  await db.exec('begin');
  try {
    await body();
    await db.exec('commit');
  } catch (error) {
    await db.exec('rollback').catch(() => undefined);
    const detail = error instanceof Error ? error.message : String(error);
    throw new SchemaError(`applying ${file.kind} ${file.path} failed: ${detail}`, file.path, { cause: error });
  }
}

/**
 * Applies what is not applied yet. Compat files are idempotent and re-applied when their content
 * changed; a migration is applied once, and one whose file changed after it was applied is an error.
 */
export async function applySchema(db: SqlExecutor, options: ApplyOptions = {}): Promise<ApplyResult> {
  const log = options.log ?? (() => undefined);
  const files = await listSchemaFiles(options);
  const result: ApplyResult = { compatApplied: [], migrationsApplied: [], migrationsAlreadyApplied: [] };

  await db.query('select pg_advisory_lock($1)', [APPLY_LOCK_KEY]);
  try {
    await db.exec(TRACKING_SQL);
    const compatDone = new Map(
      (await db.query<{ name: string; checksum: string }>('select name, checksum from supabase_migrations.compat_layer')).rows.map(
        (r) => [r.name, r.checksum],
      ),
    );
    // The recorded text's checksum, computed where it is stored: the same sha256 of its UTF-8 as checksum() (start-up
    // then reads a few hundred bytes, not every migration's text). Only a migration recorded as one statement, as this
    // module records them, has one; the Supabase CLI records each statement apart.
    const migrationsDone = new Map(
      (
        await db.query<{ version: string; checksum: string | null }>(
          `select version,
                  case when cardinality(statements) = 1 then encode(sha256(convert_to(statements[1], 'UTF8')), 'hex') end as checksum
             from supabase_migrations.schema_migrations`,
        )
      ).rows.map((r) => [r.version, r.checksum]),
    );

    for (const file of files) {
      if (file.kind === 'compat') {
        if (compatDone.get(file.name) === file.checksum) continue;
        await inTransaction(db, file, async () => {
          await db.exec(file.sql);
          await db.query(
            `insert into supabase_migrations.compat_layer (name, checksum) values ($1, $2)
             on conflict (name) do update set checksum = excluded.checksum, applied_at = now()`,
            [file.name, file.checksum],
          );
        });
        result.compatApplied.push(file.name);
        log(`compat ${file.name} applied`);
        continue;
      }
      if (migrationsDone.has(file.version)) {
        const recorded = migrationsDone.get(file.version);
        if (recorded && recorded !== file.checksum) {
          throw new SchemaError(
            `migration ${file.version}_${file.name} was changed after it was applied; add a new migration instead`,
            file.path,
          );
        }
        result.migrationsAlreadyApplied.push(file.version);
        continue;
      }
      await inTransaction(db, file, async () => {
        await db.exec(file.sql);
        await db.query(
          'insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)',
          [file.version, file.name, [file.sql]],
        );
      });
      result.migrationsApplied.push(file.version);
      log(`migration ${file.version}_${file.name} applied`);
    }
  } finally {
    await db.query('select pg_advisory_unlock($1)', [APPLY_LOCK_KEY]).catch(() => undefined);
  }
  return result;
}
