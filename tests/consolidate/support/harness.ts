// Test harness: one PostgreSQL 15 server per test file, a legacy database built once as a
// template (live-columns.csv shapes + generated data + the unified schema applied as the live
// project gets it), and cheap copies of it (CREATE DATABASE ... TEMPLATE) with their own storage folder.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { applySchema, fromPg } from '../../../src/main/schema/index.ts';
import { PG15_BIN, startPostgres, type PostgresServer } from '../../support/postgres-server.ts';
import { main } from '../../../tools/consolidate/cli.ts';
import { fillLegacyData, type LegacyDataOptions, type LegacyFacts } from './legacy-data.ts';
import { buildLegacySchema } from './legacy-schema.ts';

const run = promisify(execFile);

export interface Template { name: string; storageDir: string; facts: LegacyFacts }
export interface Scenario { url: string; storageDir: string; backupDir: string; facts: LegacyFacts; db: string }

export class Harness {
  private server!: PostgresServer;
  private counter = 0;
  readonly work = mkdtempSync(path.join(tmpdir(), 'consolidate-test-'));

  async start() {
    this.server = await startPostgres();
  }
  async stop() {
    await this.server?.stop();
    rmSync(this.work, { recursive: true, force: true });
  }
  urlFor(db: string) {
    return this.server.url.replace(/\/[^/?]*(\?|$)/, `/${db}$1`);
  }
  async admin<T>(f: (c: pg.Client) => Promise<T>, db = 'postgres'): Promise<T> {
    const c = new pg.Client({ connectionString: this.urlFor(db) });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  }

  /** A legacy database as the live project has it, with the unified schema applied on top. */
  async template(opts: Omit<LegacyDataOptions, 'storageDir'> & { schema?: boolean } = {}): Promise<Template> {
    const name = `tmpl_${++this.counter}`;
    const storageDir = path.join(this.work, name, 'storage');
    await this.admin((c) => c.query(`create database ${name}`));
    const facts = await this.admin(async (c) => {
      await buildLegacySchema(c);
      const f = await fillLegacyData(c, { ...opts, storageDir });
      if (opts.schema !== false) await applySchema(fromPg(c), { target: 'compat' });
      return f;
    }, name);
    return { name, storageDir, facts };
  }

  async scenario(t: Template): Promise<Scenario> {
    const db = `s_${++this.counter}`;
    await this.admin((c) => c.query(`create database ${db} template ${t.name}`));
    const dir = path.join(this.work, db);
    cpSync(t.storageDir, path.join(dir, 'storage'), { recursive: true });
    return { url: this.urlFor(db), storageDir: path.join(dir, 'storage'), backupDir: path.join(dir, 'backups'), facts: t.facts, db };
  }

  async query<R extends pg.QueryResultRow = Record<string, unknown>>(s: Scenario, sql: string, params: unknown[] = []): Promise<R[]> {
    return this.admin(async (c) => (await c.query<R>(sql, params)).rows, s.db);
  }

  /** The whole database as pg_dump sees it (schema + data), for before/after comparisons. */
  async dump(s: Scenario, extra: string[] = []): Promise<string> {
    const { stdout } = await run(path.join(PG15_BIN, 'pg_dump'), ['--no-owner', '--dbname', s.url, ...extra], { maxBuffer: 512 * 1024 * 1024 });
    // Row order inside a COPY block is heap order, which VACUUM/HOT may change without any change
    // of content: compare each table's rows as a sorted set.
    return normaliseDump(stdout);
  }
}

function normaliseDump(sql: string): string {
  const out: string[] = [];
  const lines = sql.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    // pg_dump 15.14+ brackets its output with a random \restrict key.
    if (/^\\(un)?restrict /.test(l)) continue;
    out.push(l);
    if (/^COPY .* FROM stdin;$/.test(l)) {
      const rows: string[] = [];
      while (i + 1 < lines.length && lines[i + 1] !== '\\.') rows.push(lines[++i]!);
      out.push(...rows.sort());
    }
  }
  return out.join('\n');
}

/** Every file under the storage folder with its sha256. */
export function storageSnapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    let entries: string[];
    try { entries = readdirSync(d); } catch { return; }
    for (const e of entries) {
      const full = path.join(d, e);
      const r = rel ? `${rel}/${e}` : e;
      if (statSync(full).isDirectory()) walk(full, r);
      else out[r] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the command in-process (same code path as `npm run consolidate`), capturing its output. */
export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log, error = console.error;
  const saved: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(env)) { saved[k] = process.env[k]; process.env[k] = v; }
  console.log = (...a: unknown[]) => { out.push(a.map(String).join(' ')); };
  console.error = (...a: unknown[]) => { err.push(a.map(String).join(' ')); };
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

export const baseArgs = (s: Scenario) => ['--db-url', s.url, '--storage-dir', s.storageDir, '--backup-dir', s.backupDir];
