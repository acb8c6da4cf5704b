import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { applySchema, SchemaError, type SqlExecutor } from '../../../src/main/schema/index';

// The version check the embedded backend runs at every start, on real PGlite, with a small supabase/ folder of its
// own: what is recorded is not applied again, and a migration edited after it was applied stops the start.
let dir: string;
let pg: PGlite;
let db: SqlExecutor;

const migration = (name: string, sql: string) => writeFile(path.join(dir, 'migrations', name), sql);

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'samia-schema-'));
  await mkdir(path.join(dir, 'compat'));
  await mkdir(path.join(dir, 'migrations'));
  await writeFile(path.join(dir, 'compat', '0001_base.sql'), 'create schema if not exists app;');
  await migration('20260101000100_things.sql', 'create table app.things (id int primary key);');
  await migration('20260101000200_more_things.sql', "insert into app.things values (1);\ncomment on table app.things is 'écrit';");
  pg = await PGlite.create();
  db = { exec: (sql) => pg.exec(sql), query: (sql, params) => pg.query(sql, params) };
});

afterEach(async () => {
  await pg.close();
  await rm(dir, { recursive: true, force: true });
});

describe('applySchema at start', () => {
  it('applies everything once, then nothing while the files are as recorded', async () => {
    const first = await applySchema(db, { supabaseDir: dir });
    expect(first).toEqual({ compatApplied: ['0001_base'], migrationsApplied: ['20260101000100', '20260101000200'], migrationsAlreadyApplied: [] });
    const again = await applySchema(db, { supabaseDir: dir });
    expect(again).toEqual({ compatApplied: [], migrationsApplied: [], migrationsAlreadyApplied: ['20260101000100', '20260101000200'] });
    expect((await pg.query('select count(*)::int as n from app.things')).rows).toEqual([{ n: 1 }]);
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
    await pg.exec('delete from supabase_migrations.schema_migrations');
    await pg.query("insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, 'things', $2), ($3, 'more_things', $4)", [
      '20260101000100',
      ['create table app.things (id int primary key)'],
      '20260101000200',
      ['insert into app.things values (1)', "comment on table app.things is 'écrit'"],
    ]);
    // The first is one statement that is not the file's text: changed. The second was split: not compared.
    await expect(applySchema(db, { supabaseDir: dir, target: 'supabase' })).rejects.toThrow(/20260101000100_things was changed/);
    await pg.query("update supabase_migrations.schema_migrations set statements = array[$1] where version = '20260101000100'", [
      'create table app.things (id int primary key);',
    ]);
    expect(await applySchema(db, { supabaseDir: dir, target: 'supabase' })).toEqual({
      compatApplied: [],
      migrationsApplied: [],
      migrationsAlreadyApplied: ['20260101000100', '20260101000200'],
    });
  });
});
