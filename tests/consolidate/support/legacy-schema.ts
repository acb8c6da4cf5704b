// Builds the live database's table shapes from /work/shared/legacy/live-columns.csv: the real
// column types and defaults, so the consolidation meets what it will meet in production.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

// shared/ sits beside the project's clone (as on CI); SAMIA_LEGACY_DIR overrides it.
const besideClone = fileURLToPath(new URL('../../../../shared/legacy', import.meta.url));
export const LEGACY_DIR =
  process.env.SAMIA_LEGACY_DIR ?? (existsSync(path.join(besideClone, 'live-columns.csv')) ? besideClone : '/work/shared/legacy');

export interface LiveColumn {
  schema: string;
  table: string;
  column: string;
  dataType: string;
  nullable: boolean;
  default: string | null;
}

/** RFC 4180 CSV: quoted fields may hold commas, doubled quotes and newlines. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field); field = '';
      rows.push(row); row = [];
    } else field += c;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows.filter((r) => r.length > 1 || r[0] !== '');
}

export function readLiveColumns(dir = LEGACY_DIR): LiveColumn[] {
  const [header, ...rows] = parseCsv(readFileSync(`${dir}/live-columns.csv`, 'utf8'));
  if (!header || header.join(',') !== 'table_schema,table_name,column_name,data_type,is_nullable,column_default') {
    throw new Error('live-columns.csv: unexpected header');
  }
  return rows.map((r) => ({
    schema: r[0]!, table: r[1]!, column: r[2]!, dataType: r[3]!, nullable: r[4] === 'YES',
    default: r[5] === 'null' || r[5] === '' || r[5] === undefined ? null : r[5],
  }));
}

const q = (id: string) => `"${id.replace(/"/g, '""')}"`;

/** information_schema says only "ARRAY"; the element type comes from the default's cast or the name. */
function arrayType(col: LiveColumn): string {
  const d = col.default ?? '';
  const cast = /::(uuid|text|character varying|integer|bigint)\[\]/.exec(d) ?? /'::(uuid|text|character varying)\]/.exec(d);
  if (cast) return `${cast[1]}[]`;
  if (/ARRAY\['[^']*'::character varying/.test(d)) return 'character varying[]';
  if (/ARRAY\['/.test(d)) return 'text[]';
  if (/(^|_)(participants|recipients|delivered_to|read_by|acknowledged_by|approved_by|rejected_by|readers_contacted|participants_notified|alert_sent_to|specific_user_ids|emergency_contacts_notified)$/.test(col.column) || /_ids$/.test(col.column)) {
    return col.column === 'record_ids' ? 'text[]' : 'uuid[]';
  }
  return 'text[]';
}

function columnType(col: LiveColumn): string {
  switch (col.dataType) {
    case 'ARRAY': return arrayType(col);
    case 'USER-DEFINED': return 'text';
    default: return col.dataType;
  }
}

export interface BuildOptions {
  /** Which tables to build; defaults to every public table plus auth.users and storage.buckets/objects. */
  include?: (schema: string, table: string) => boolean;
}

export const defaultInclude = (schema: string, table: string) =>
  schema === 'public' || (schema === 'auth' && table === 'users') ||
  (schema === 'storage' && (table === 'buckets' || table === 'objects'));

/**
 * Creates the tables as the live database has them. Primary keys on `id` (and app_settings.key)
 * stand in for the live keys; there are deliberately no foreign keys between the chat tables,
 * because the live data has orphans that foreign keys would have prevented.
 * Returns the defaults that could not be reproduced on stock PostgreSQL 15.
 */
export async function buildLegacySchema(client: pg.Client, opts: BuildOptions = {}): Promise<string[]> {
  const include = opts.include ?? defaultInclude;
  const cols = readLiveColumns().filter((c) => include(c.schema, c.table));
  const skipped: string[] = [];
  await client.query('begin');
  await client.query(`
    create schema if not exists extensions;
    create extension if not exists "uuid-ossp" with schema extensions;
    create extension if not exists pgcrypto with schema extensions;
    create schema if not exists auth;
    create schema if not exists storage;
    -- Supabase resolves uuid_generate_v4() etc. through the extensions schema on the search path.
    set search_path = public, extensions;
  `);
  const db = (await client.query<{ d: string }>('select current_database() d')).rows[0]!.d;
  await client.query(`alter database ${q(db)} set search_path = "$user", public, extensions`);
  // auth.uid() exists on every Supabase database; the live audit.log default refers to it.
  await client.query(`create or replace function auth.uid() returns uuid language sql stable as
    $$ select nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $$`);

  const tables = new Map<string, LiveColumn[]>();
  for (const c of cols) {
    const key = `${c.schema}.${c.table}`;
    if (!tables.has(key)) tables.set(key, []);
    tables.get(key)!.push(c);
  }
  for (const [key, tcols] of tables) {
    const [schema, table] = key.split('.') as [string, string];
    await client.query(`create schema if not exists ${q(schema)}`);
    const defs = tcols.map((c) => `${q(c.column)} ${columnType(c)}${c.nullable ? '' : ' not null'}`);
    const hasId = tcols.some((c) => c.column === 'id' && !c.nullable);
    const pk = hasId ? ', primary key (id)' : key === 'public.app_settings' ? ', primary key (key)' : '';
    await client.query(`create table ${q(schema)}.${q(table)} (${defs.join(', ')}${pk})`);
    for (const c of tcols) {
      if (c.default === null) continue;
      const seq = /nextval\('([^']+)'::regclass\)/.exec(c.default);
      if (seq) await client.query(`create sequence if not exists ${seq[1]!.split('.').map(q).join('.')}`);
      try {
        await client.query('savepoint d');
        await client.query(`alter table ${q(schema)}.${q(table)} alter column ${q(c.column)} set default ${c.default}`);
        await client.query('release savepoint d');
      } catch (e) {
        await client.query('rollback to savepoint d');
        skipped.push(`${key}.${c.column}: ${c.default} (${(e as Error).message})`);
      }
    }
  }
  // Supabase's own unique keys, which the consolidation and the Storage API rely on.
  if (tables.has('storage.objects')) {
    await client.query('create unique index if not exists bucketid_objname on storage.objects (bucket_id, name)');
  }
  await client.query('commit');
  return skipped;
}
