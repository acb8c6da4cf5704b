import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySchema, fromPg, SchemaError, type SqlExecutor } from '../../../src/main/schema/index';
import { postgres15Missing, startPostgres, type PostgresServer } from '../../support/postgres-server';

// The version check the embedded backend runs at every start (PGlite) and tools/db-apply.ts runs on a server
// (PostgreSQL 15, where installed), with a small supabase/ folder of its own: what is recorded is not applied
// again, and a migration edited after it was applied stops the start.
let dir: string;
let db: SqlExecutor & { close(): Promise<void> };

const migration = (name: string, sql: string) => writeFile(path.join(dir, 'migrations', name), sql);

let server: PostgresServer | null = null;
let databases = 0;

async function openDatabase(engine: 'pglite' | 'postgres'): Promise<typeof db> {
  if (engine === 'pglite') {
    const lite = await PGlite.create();
    return { exec: (sql) => lite.exec(sql), query: (sql, params) => lite.query(sql, params), close: () => lite.close() };
  }
  server ??= await startPostgres();
  const name = `apply_schema_${++databases}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const client = new pg.Client({ connectionString: server.url.replace(/\/postgres$/, `/${name}`) });
  await client.connect();
  return { ...fromPg(client), close: () => client.end() };
}

afterAll(async () => {
  await server?.stop();
});

describe.each([
  ['pglite', null],
  ['postgres', postgres15Missing()],
] as const)('applySchema at start on %s', (engine, missing) => {
  if (missing) {
    it.skip(`PostgreSQL 15 is not installed: ${missing}`, () => {});
    return;
  }
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'samia-schema-'));
    await mkdir(path.join(dir, 'compat'));
    await mkdir(path.join(dir, 'migrations'));
    await writeFile(path.join(dir, 'compat', '0001_base.sql'), 'create schema if not exists app;');
    await migration('20260101000100_things.sql', 'create table app.things (id int primary key);');
    await migration('20260101000200_more_things.sql', "insert into app.things values (1);\ncomment on table app.things is 'écrit';");
    db = await openDatabase(engine);
  });

  afterEach(async () => {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('applies everything once, then nothing while the files are as recorded', async () => {
    const first = await applySchema(db, { supabaseDir: dir });
    expect(first).toEqual({ compatApplied: ['0001_base'], migrationsApplied: ['20260101000100', '20260101000200'], migrationsAlreadyApplied: [] });
    const again = await applySchema(db, { supabaseDir: dir });
    expect(again).toEqual({ compatApplied: [], migrationsApplied: [], migrationsAlreadyApplied: ['20260101000100', '20260101000200'] });
    expect((await db.query('select count(*)::int as n from app.things')).rows).toEqual([{ n: 1 }]);
  });

  it('applies only a migration added since', async () => {
    await applySchema(db, { supabaseDir: dir });
    await migration('20260101000300_flag.sql', 'alter table app.things add column flag boolean;');
    const result = await applySchema(db, { supabaseDir: dir });
    expect(result.migrationsApplied).toEqual(['20260101000300']);
    expect(result.migrationsAlreadyApplied).toEqual(['20260101000100', '20260101000200']);
  });

  it('refuses to start when an applied migration was edited, even by one character outside ASCII', async () => {
    await applySchema(db, { supabaseDir: dir });
    await migration('20260101000200_more_things.sql', "insert into app.things values (1);\ncomment on table app.things is 'ecrit';");
    const attempt = applySchema(db, { supabaseDir: dir });
    await expect(attempt).rejects.toThrow(SchemaError);
    await expect(applySchema(db, { supabaseDir: dir })).rejects.toThrow(/20260101000200_more_things was changed after it was applied/);
  });

  it('does not compare a migration the Supabase CLI recorded statement by statement', async () => {
    await applySchema(db, { supabaseDir: dir });
    // Recorded again as `supabase db push` records them.
    await db.exec('delete from supabase_migrations.schema_migrations');
    await db.query("insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, 'things', $2), ($3, 'more_things', $4)", [
      '20260101000100',
      ['create table app.things (id int primary key)'],
      '20260101000200',
      ['insert into app.things values (1)', "comment on table app.things is 'écrit'"],
    ]);
    // The first is one statement that is not the file's text: changed. The second was split: not compared.
    await expect(applySchema(db, { supabaseDir: dir, target: 'supabase' })).rejects.toThrow(/20260101000100_things was changed/);
    await db.query("update supabase_migrations.schema_migrations set statements = array[$1] where version = '20260101000100'", [
      'create table app.things (id int primary key);',
    ]);
    expect(await applySchema(db, { supabaseDir: dir, target: 'supabase' })).toEqual({
      compatApplied: [],
      migrationsApplied: [],
      migrationsAlreadyApplied: ['20260101000100', '20260101000200'],
    });
  });
});
