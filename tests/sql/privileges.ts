// What the API roles may do, object by object: every privilege anon, authenticated and service_role hold on
// the database, on the schemas the console owns or relies on, and on every relation, sequence and function
// in them, as PostgreSQL answers has_*_privilege (so grants through PUBLIC and role membership count).
// Compared with tests/sql/expected/privileges.txt, written out by hand: a new grant anywhere fails the suite
// until the file says it is meant. `npx tsx tests/sql/run.ts --write-privileges` rewrites the file from the
// database (then read the diff before committing it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engine } from './engines';
import type { CaseResult } from './rls-matrix';

export const API_ROLES = ['anon', 'authenticated', 'service_role'] as const;
/** The console's schemas and the platform's it relies on (compat stands in for the latter here). */
export const SCHEMAS = ['public', 'private', 'auth', 'storage', 'realtime', 'legacy', 'supabase_migrations'] as const;
export const EXPECTED_PRIVILEGES = join(import.meta.dirname, 'expected', 'privileges.txt');

const SNAPSHOT_SQL = `
with roles(r) as (select unnest($1::text[])),
     schemas as (select n.oid, n.nspname from pg_namespace n where n.nspname = any ($2::text[])),
     rels as (
       select c.oid, s.nspname, c.relname, c.relkind,
              case c.relkind when 'S' then 'sequence' when 'v' then 'view' when 'm' then 'materialized view'
                             when 'f' then 'foreign table' else 'table' end as kind
       from pg_class c join schemas s on s.oid = c.relnamespace
       where c.relkind in ('r', 'p', 'v', 'm', 'f', 'S')
     ),
     lines as (
       select 0 as ord, 'database' as object, r, string_agg(p, ',' order by p) as privs
       from roles, unnest(array['CONNECT', 'CREATE', 'TEMPORARY']) p
       where has_database_privilege(r, current_database(), p)
       group by r
       union all
       select 1, 'schema ' || s.nspname, r, string_agg(p, ',' order by p)
       from schemas s, roles, unnest(array['USAGE', 'CREATE']) p
       where has_schema_privilege(r, s.oid, p)
       group by s.nspname, r
       union all
       select 2, x.kind || ' ' || x.nspname || '.' || x.relname, r, string_agg(x.p, ',' order by x.p)
       from (
         select rl.kind, rl.nspname, rl.relname, r, p
         from rels rl, roles, unnest(array['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'REFERENCES', 'TRIGGER']) p
         where rl.relkind <> 'S' and has_table_privilege(r, rl.oid, p)
         union all
         -- Column privileges where the table-wide one is not held: the columns, by name.
         select rl.kind, rl.nspname, rl.relname, r,
                p || '(' || string_agg(a.attname, ',' order by a.attnum) || ')'
         from rels rl join pg_attribute a on a.attrelid = rl.oid and a.attnum > 0 and not a.attisdropped,
              roles, unnest(array['SELECT', 'INSERT', 'UPDATE', 'REFERENCES']) p
         where rl.relkind <> 'S' and not has_table_privilege(r, rl.oid, p) and has_column_privilege(r, rl.oid, a.attnum, p)
         group by rl.kind, rl.nspname, rl.relname, r, p
         union all
         select rl.kind, rl.nspname, rl.relname, r, p
         from rels rl, roles, unnest(array['USAGE', 'SELECT', 'UPDATE']) p
         where rl.relkind = 'S' and has_sequence_privilege(r, rl.oid, p)
       ) x
       group by x.kind, x.nspname, x.relname, r
       union all
       select 3, case p.prokind when 'p' then 'procedure ' else 'function ' end || p.oid::regprocedure::text, r, 'EXECUTE'
       from pg_proc p join schemas s on s.oid = p.pronamespace, roles
       where has_function_privilege(r, p.oid, 'EXECUTE')
     )
select object || ' | ' || r || ': ' || privs as line from lines order by ord, object, r`;

/** One line per object and role that holds anything: "table public.x | authenticated: SELECT". */
export async function privilegeSnapshot(db: Engine): Promise<string[]> {
  await db.exec('begin');
  try {
    // Names print with their schema (public included) and built-in types without.
    await db.exec('set local search_path = pg_catalog');
    return (await db.rows<{ line: string }>(SNAPSHOT_SQL, [API_ROLES, SCHEMAS])).map((r) => r.line);
  } finally {
    await db.exec('rollback');
  }
}

/** MAINTAIN exists from PostgreSQL 17 on (PGlite), not on 15: checked apart, so that one file fits both. */
async function maintainHolders(db: Engine): Promise<string[]> {
  const v = Number((await db.rows<{ v: string }>(`select current_setting('server_version_num') as v`))[0]!.v);
  if (v < 170000) return [];
  const r = await db.rows<{ o: string }>(
    `select c.oid::regclass::text || ' | ' || r as o from pg_class c join pg_namespace n on n.oid = c.relnamespace,
            unnest($1::text[]) r
      where n.nspname = any ($2::text[]) and c.relkind in ('r', 'p', 'v', 'm') and has_table_privilege(r, c.oid, 'MAINTAIN')
      order by 1`,
    [API_ROLES, SCHEMAS],
  );
  return r.map((x) => x.o);
}

function readExpected(): string[] {
  return readFileSync(EXPECTED_PRIVILEGES, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

const objectOf = (line: string) => line.slice(0, line.indexOf(' | '));

/** One case per object either side lists, plus MAINTAIN; `label` prefixes the case names. */
export async function comparePrivileges(db: Engine, label: string): Promise<CaseResult[]> {
  const actual = await privilegeSnapshot(db);
  const expected = readExpected();
  const byObject = (lines: string[]) => {
    const m = new Map<string, string[]>();
    for (const l of lines) m.set(objectOf(l), [...(m.get(objectOf(l)) ?? []), l]);
    return m;
  };
  const a = byObject(actual);
  const e = byObject(expected);
  const results: CaseResult[] = [];
  for (const object of [...new Set([...e.keys(), ...a.keys()])].sort()) {
    const want = (e.get(object) ?? []).join('\n');
    const got = (a.get(object) ?? []).join('\n');
    results.push({
      name: `${label} privileges: ${object}`,
      ok: want === got,
      detail: want === got ? undefined : `expected (tests/sql/expected/privileges.txt):\n${want || '(nothing)'}\nactual:\n${got || '(nothing)'}`,
    });
  }
  const maintain = await maintainHolders(db);
  results.push({ name: `${label} privileges: no API role holds MAINTAIN (PostgreSQL 17+)`, ok: maintain.length === 0, detail: maintain.join(', ') });
  return results;
}

/** --write-privileges: the database's answer becomes the expectation (read the diff before committing it). */
export async function writePrivileges(db: Engine): Promise<void> {
  const header = [
    '# Every privilege the API roles hold on the console\'s database, schemas, relations, sequences and functions',
    '# (tests/sql/privileges.ts). A line here is a decision: a new grant fails the SQL suite until it is added.',
    '# Format: <object> | <role>: <privileges>',
  ];
  writeFileSync(EXPECTED_PRIVILEGES, [...header, ...(await privilegeSnapshot(db)), ''].join('\n'));
}
