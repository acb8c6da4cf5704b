// Backups (pg_dump custom format of every table the run touches + a manifest of every storage
// object with size and sha256) and their restore. No backup, no change: callers take one first.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type pg from 'pg';
import { OLD_BUCKETS, TARGET_BUCKET } from './file-refs.ts';
import { relationExists } from './sources.ts';
import { mapLimit, sha256, STORAGE_CONCURRENCY, type StoragePort } from './storage.ts';

const run = promisify(execFile);

export const TOUCHED_TABLES = [
  'public.chat_sessions', 'public.chat_participants', 'public.chat_messages', 'public.audit_log', 'public.profiles',
  'storage.buckets', 'storage.objects',
  'public.messages', 'public.voice_notes', 'public.voice_note_approvals',
  'legacy.chat_sessions', 'legacy.chat_messages', 'legacy.chat_participants',
  'consolidation.runs', 'consolidation.storage_copies', 'consolidation.quarantine',
];

export interface ManifestObject { path: string; size: number; sha256: string; saved: boolean }
export interface BackupManifest {
  format: 'samia-consolidation-backup/1';
  kind: string;
  createdAt: string;
  serverVersion: string;
  tables: { name: string; rows: number }[];
  absentTables: string[];
  storage: Record<string, ManifestObject[]>;
}

async function serverMajor(client: pg.ClientBase): Promise<{ major: number; version: string }> {
  const r = await client.query<{ v: string; n: string }>('select version() v, current_setting(\'server_version_num\') n');
  return { major: Math.floor(Number(r.rows[0]!.n) / 10000), version: r.rows[0]!.v };
}

/** The client tools must match the server: /usr/lib/postgresql/<major>/bin first, then PATH. */
export async function pgTool(client: pg.ClientBase, tool: 'pg_dump' | 'pg_restore' | 'psql'): Promise<string> {
  const { major } = await serverMajor(client);
  const candidates = [process.env.CONSOLIDATE_PG_BIN ? path.join(process.env.CONSOLIDATE_PG_BIN, tool) : '', `/usr/lib/postgresql/${major}/bin/${tool}`, tool].filter(Boolean);
  for (const c of candidates) {
    if (c.includes('/') && !existsSync(c)) continue;
    try {
      const { stdout } = await run(c, ['--version']);
      const m = /(\d+)(?:\.\d+)?/.exec(stdout.replace(/^[^0-9]*/, ''));
      if (m && Number(m[1]) >= major) return c;
    } catch { /* next candidate */ }
  }
  throw new Error(`no ${tool} for PostgreSQL ${major} found (tried ${candidates.join(', ')}); set CONSOLIDATE_PG_BIN`);
}

export interface BackupOptions {
  dbUrl: string;
  dir: string;
  kind: string;
  storage: StoragePort;
  /** Buckets whose bytes are saved too (objects the next step deletes), by path. */
  saveObjects?: Map<string, Set<string>>;
  log: (s: string) => void;
}

export async function takeBackup(client: pg.ClientBase, opts: BackupOptions): Promise<{ dir: string; manifest: BackupManifest }> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const dir = path.resolve(opts.dir, `${stamp}-${opts.kind}`);
  // The dump holds whole tables (profiles included): readable by the admin running the tool only.
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const present: string[] = [];
  const absent: string[] = [];
  for (const t of TOUCHED_TABLES) ((await relationExists(client, t)) ? present : absent).push(t);
  const tables: { name: string; rows: number }[] = [];
  for (const t of present) {
    const n = await client.query<{ n: string }>(`select count(*) n from ${t}`);
    tables.push({ name: t, rows: Number(n.rows[0]!.n) });
  }
  const pgDump = await pgTool(client, 'pg_dump');
  const args = ['--format=custom', '--no-owner', '--file', path.join(dir, 'database.dump'), ...present.flatMap((t) => ['--table', t]), '--dbname', opts.dbUrl];
  try {
    await run(pgDump, args, { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    throw new Error(`backup failed, nothing was changed: pg_dump: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, { cause: e });
  }
  const storage: Record<string, ManifestObject[]> = {};
  const buckets = new Set([TARGET_BUCKET, ...OLD_BUCKETS]);
  const existing = new Set(await opts.storage.listBuckets());
  for (const b of buckets) {
    if (!existing.has(b)) continue;
    const list = await opts.storage.list(b);
    const paths = [...list.keys()].sort((x, y) => x.localeCompare(y));
    storage[b] = await mapLimit(paths, STORAGE_CONCURRENCY, async (p): Promise<ManifestObject> => {
      const data = await opts.storage.read(b, p);
      const saved = opts.saveObjects?.get(b)?.has(p) ?? false;
      if (saved) {
        const file = path.join(dir, 'objects', b, p);
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, data);
      }
      return { path: p, size: data.length, sha256: sha256(data), saved };
    });
  }
  const manifest: BackupManifest = {
    format: 'samia-consolidation-backup/1', kind: opts.kind, createdAt: new Date().toISOString(),
    serverVersion: (await serverMajor(client)).version, tables, absentTables: absent, storage,
  };
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  opts.log(`backup: ${dir} (${present.length} tables, ${Object.values(storage).reduce((n, l) => n + l.length, 0)} storage objects)`);
  return { dir, manifest };
}

const q = (qualified: string) => qualified.split('.').map((s) => `"${s.replace(/"/g, '""')}"`).join('.');

/**
 * Puts a backup back: every backed-up table gets exactly its backed-up rows (by primary key:
 * rows added since are deleted, changed rows restored, removed rows re-inserted; tables dropped
 * since are re-created), tables the run created are emptied, and storage is made equal to the
 * manifest in the consolidation's buckets. The database part is one transaction.
 */
export async function restoreBackup(client: pg.ClientBase, dbUrl: string, dir: string, storage: StoragePort, log: (s: string) => void): Promise<void> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as BackupManifest;
  if (manifest.format !== 'samia-consolidation-backup/1') throw new Error(`${dir}: not a consolidation backup`);
  const dump = path.join(dir, 'database.dump');
  const pgRestore = await pgTool(client, 'pg_restore');
  const psql = await pgTool(client, 'psql');

  // Storage first, additive only: re-upload what is missing or differs. Deleting extra objects
  // waits until the database no longer points at them.
  for (const [bucket, objects] of Object.entries(manifest.storage)) {
    const now = await storage.list(bucket);
    for (const o of objects) {
      const cur = now.get(o.path);
      if (cur && cur.size === o.size && sha256(await storage.read(bucket, o.path)) === o.sha256) continue;
      if (!o.saved) throw new Error(`restore: ${bucket}/${o.path} is missing or changed and the backup holds no copy of it`);
      const data = await readFile(path.join(dir, 'objects', bucket, o.path));
      if (sha256(data) !== o.sha256) throw new Error(`restore: saved copy of ${bucket}/${o.path} does not match its checksum`);
      await storage.write(bucket, o.path, data, null);
    }
  }

  const script: string[] = ['\\set ON_ERROR_STOP on', 'begin;'];
  const recreate: string[] = [];
  for (const t of manifest.tables) {
    if (!(await relationExists(client, t.name))) recreate.push(t.name);
  }
  // Tables dropped since the backup (finalize): schema + data straight from the dump.
  if (recreate.length) script.push(await recreateTablesSql(client, pgRestore, dump, dir, recreate));
  // Tables that exist: load the backed-up rows beside them, then make the table equal.
  const keyed: { name: string; temp: string; key: string[]; cols: string[] }[] = [];
  for (const [i, t] of manifest.tables.entries()) {
    if (recreate.includes(t.name)) continue;
    // With the Storage API, storage.* rows belong to the Storage service (which also owns the
    // tables): the objects restored above through the API bring their rows with them.
    if (storage.writesObjectRows && t.name.startsWith('storage.')) continue;
    const [schema, table] = t.name.split('.') as [string, string];
    const temp = `restore_${i}`;
    const key = (await client.query<{ a: string }>(`select a.attname a from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
      where i.indrelid = $1::regclass and i.indisprimary order by array_position(i.indkey::int2[], a.attnum)`, [t.name])).rows.map((r) => r.a);
    const cols = (await client.query<{ c: string }>(`select attname c from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum`, [t.name])).rows.map((r) => r.c);
    script.push(`create temp table ${temp} as select ${cols.map((c) => `"${c}"`).join(', ')} from ${q(t.name)} with no data;`);
    const { stdout } = await run(pgRestore, ['--data-only', '--schema', schema, '--table', table, '--file', '-', dump], { maxBuffer: 1024 * 1024 * 1024 });
    script.push(stripSessionSettings(stdout).replace(/^COPY (\S+) \(/m, `COPY pg_temp.${temp} (`));
    keyed.push({ name: t.name, temp, key, cols });
  }
  // Deletes children first, inserts parents first (consolidation's tables refer to each other).
  const order = ['public.audit_log', 'consolidation.storage_copies', 'consolidation.quarantine', 'consolidation.runs', 'storage.objects',
    'public.chat_participants', 'public.chat_messages', 'public.chat_sessions', 'public.profiles', 'storage.buckets',
    'public.voice_note_approvals', 'public.voice_notes', 'public.messages', 'legacy.chat_messages', 'legacy.chat_sessions', 'legacy.chat_participants'];
  const rank = (n: string) => { const i = order.indexOf(n); return i < 0 ? order.length : i; };
  const byChildFirst = [...keyed].sort((a, b) => rank(a.name) - rank(b.name));
  // User triggers (audit_log's append-only guard, audit and realtime triggers) would refuse or
  // re-announce the rewind; foreign keys stay on, so the result is checked as any write is.
  for (const k of keyed) script.push(`alter table ${q(k.name)} disable trigger user;`);
  for (const k of byChildFirst) {
    if (k.key.length) {
      const on = k.key.map((c) => `t."${c}" = r."${c}"`).join(' and ');
      script.push(`delete from ${q(k.name)} t where not exists (select 1 from pg_temp.${k.temp} r where ${on});`);
    } else {
      script.push(`delete from ${q(k.name)};`);
    }
  }
  for (const k of [...byChildFirst].reverse()) {
    const colList = k.cols.map((c) => `"${c}"`).join(', ');
    const on = k.key.map((c) => `t."${c}" = r."${c}"`).join(' and ');
    if (k.key.length) {
      // Rows changed since the backup go back to their backed-up values (in place: others may refer to them).
      const set = k.cols.filter((c) => !k.key.includes(c));
      if (set.length) {
        script.push(`update ${q(k.name)} t set ${set.map((c) => `"${c}" = r."${c}"`).join(', ')} from pg_temp.${k.temp} r where ${on} and (${set.map((c) => `t."${c}"::text`).join(', ')}) is distinct from (${set.map((c) => `r."${c}"::text`).join(', ')});`);
      }
      script.push(`insert into ${q(k.name)} (${colList}) overriding system value select ${colList} from pg_temp.${k.temp} r where not exists (select 1 from ${q(k.name)} t where ${on});`);
    } else {
      script.push(`insert into ${q(k.name)} (${colList}) overriding system value select ${colList} from pg_temp.${k.temp} r;`);
    }
  }
  // Tables the run created after the backup: emptied, not dropped (they may be referenced).
  for (const t of manifest.absentTables) {
    if (t.startsWith('consolidation.') && (await relationExists(client, t))) script.push(`delete from ${q(t)};`);
  }
  // Identity counters follow the restored rows (audit_log ids keep increasing).
  script.push(`select setval(pg_get_serial_sequence('public.audit_log', 'id'), greatest((select max(id) from public.audit_log), 1)) where pg_get_serial_sequence('public.audit_log', 'id') is not null;`);
  for (const k of keyed) script.push(`alter table ${q(k.name)} enable trigger user;`);
  script.push('commit;');
  const scriptFile = path.join(dir, `restore-${Date.now()}.sql`);
  await writeFile(scriptFile, script.join('\n'));
  try {
    await run(psql, ['--no-psqlrc', '--quiet', '--dbname', dbUrl, '--file', scriptFile], { maxBuffer: 64 * 1024 * 1024 });
  } catch (e) {
    throw new Error(`restore failed, the database was left as it was: ${(e as { stderr?: string }).stderr ?? (e as Error).message}`, { cause: e });
  }
  // Now nothing refers to objects the backup did not have: remove them.
  for (const [bucket, objects] of Object.entries(manifest.storage)) {
    const keep = new Set(objects.map((o) => o.path));
    for (const [p] of await storage.list(bucket)) if (!keep.has(p)) await storage.remove(bucket, p);
  }
  log(`restore: database tables ${manifest.tables.length}, storage buckets ${Object.keys(manifest.storage).length} restored from ${dir}`);
}

const TOC_TYPES = ['TABLE DATA', 'FK CONSTRAINT', 'SEQUENCE OWNED BY', 'SEQUENCE SET', 'DEFAULT ACL', 'ROW SECURITY', 'INDEX ATTACH',
  'TABLE', 'CONSTRAINT', 'INDEX', 'TRIGGER', 'POLICY', 'ACL', 'DEFAULT', 'SEQUENCE', 'COMMENT', 'RULE', 'STATISTICS'];

/**
 * pg_restore --table restores a table and its data but not its keys, indexes, triggers, policies or
 * grants: pick every TOC entry that belongs to the tables being re-created, from the dump's own list.
 */
async function recreateTablesSql(client: pg.ClientBase, pgRestore: string, dump: string, dir: string, tables: string[]): Promise<string> {
  const { stdout: toc } = await run(pgRestore, ['--list', dump], { maxBuffer: 64 * 1024 * 1024 });
  const main: string[] = [];
  const acl: string[] = [];
  const revoke: string[] = [];
  for (const t of tables) {
    const [schema, name] = t.split('.') as [string, string];
    const existingIdx = new Set((await client.query<{ relname: string }>(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relkind in ('i', 'I')`, [schema])).rows.map((r) => r.relname));
    for (const line of toc.split('\n')) {
      const m = /^\d+; \d+ \d+ (.*)$/.exec(line);
      if (!m) continue;
      const type = TOC_TYPES.find((ty) => m[1]!.startsWith(`${ty} `));
      if (!type) continue;
      const rest = m[1]!.slice(type.length + 1).split(' ');
      if (rest[0] !== schema) continue;
      const tag = rest.slice(1, -1).join(' ');
      const mine =
        (['TABLE', 'TABLE DATA', 'ROW SECURITY'].includes(type) && tag === name) ||
        (['CONSTRAINT', 'FK CONSTRAINT', 'TRIGGER', 'POLICY', 'DEFAULT', 'RULE'].includes(type) && tag.startsWith(`${name} `)) ||
        (type === 'COMMENT' && (tag === `TABLE ${name}` || tag.startsWith(`COLUMN ${name}.`))) ||
        (type === 'INDEX' && !existingIdx.has(tag) && tag !== '');
      const aclMine = type === 'ACL' && tag === `TABLE ${name}`;
      if (mine) main.push(line);
      if (aclMine) acl.push(line);
    }
    // The schema's default privileges would grant what the table never had: start from none.
    revoke.push(`do $$ declare r record; begin
      for r in select distinct case when a.grantee = 0 then 'public' else quote_ident(a.grantee::regrole::text) end g
               from pg_class c cross join lateral aclexplode(c.relacl) a where c.oid = '${q(t)}'::regclass and a.grantee <> c.relowner
      loop execute format('revoke all on ${q(t).replace(/%/g, '%%')} from %s', r.g); end loop; end $$;`);
  }
  const listMain = path.join(dir, `restore-list-${Date.now()}.txt`);
  const listAcl = `${listMain}.acl`;
  await writeFile(listMain, main.join('\n') + '\n');
  await writeFile(listAcl, acl.join('\n') + '\n');
  const { stdout: sqlMain } = await run(pgRestore, ['--no-owner', '--use-list', listMain, '--file', '-', dump], { maxBuffer: 1024 * 1024 * 1024 });
  const { stdout: sqlAcl } = acl.length ? await run(pgRestore, ['--no-owner', '--use-list', listAcl, '--file', '-', dump], { maxBuffer: 64 * 1024 * 1024 }) : { stdout: '' };
  return [...[...new Set(tables.map((t) => t.split('.')[0]!))].map((sch) => `create schema if not exists "${sch}";`),
    stripSessionSettings(sqlMain), ...revoke, stripSessionSettings(sqlAcl)].join('\n');
}

/** pg_restore scripts reset search_path and friends globally; keep the script's own session sane. */
function stripSessionSettings(sql: string): string {
  return sql
    .split('\n')
    .filter((l) => !/^SELECT pg_catalog\.set_config\('search_path'/.test(l) && !/^SET (transaction_timeout|idle_in_transaction_session_timeout|lock_timeout|statement_timeout)/.test(l))
    .join('\n');
}
