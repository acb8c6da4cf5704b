// npm run consolidate -- --db-url URL [--dry-run] [--backup-dir DIR] [--finalize] [--restore DIR]
//   storage: --storage-dir DIR (folder {bucket}/{path}) or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY
//   overrides: --allow-quarantine, --allow-missing-files; output: --json, --report FILE
// Exit codes: 0 done / nothing to do / dry run clean; 1 dry run found losses, or refused;
// 2 failed and rolled back; 64 bad usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { restoreBackup } from './backup.ts';
import { finalize } from './finalize.ts';
import { consolidate, formatReport, VerificationError } from './run.ts';
import { storageFromOptions } from './storage.ts';

export interface CliOptions {
  dbUrl: string;
  dryRun: boolean;
  backupDir: string;
  finalize: boolean;
  restore: string | null;
  storageDir: string | undefined;
  allowQuarantine: boolean;
  allowMissingFiles: boolean;
  json: boolean;
  reportFile: string | null;
}

export class UsageError extends Error {}

export function parseArgs(argv: string[]): CliOptions {
  const o: CliOptions = {
    dbUrl: process.env.CONSOLIDATE_DB_URL ?? '', dryRun: false, backupDir: 'consolidation-backups', finalize: false, restore: null,
    storageDir: process.env.CONSOLIDATE_STORAGE_DIR, allowQuarantine: false, allowMissingFiles: false, json: false, reportFile: null,
  };
  const value = (i: number, flag: string) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => (inline !== undefined ? inline : value(i++, flag));
    switch (flag) {
      case '--db-url': o.dbUrl = take(); break;
      case '--dry-run': o.dryRun = true; break;
      case '--backup-dir': o.backupDir = take(); break;
      case '--finalize': o.finalize = true; break;
      case '--restore': o.restore = take(); break;
      case '--storage-dir': o.storageDir = take(); break;
      case '--allow-quarantine': o.allowQuarantine = true; break;
      case '--allow-missing-files': o.allowMissingFiles = true; break;
      case '--json': o.json = true; break;
      case '--report': o.reportFile = take(); break;
      case '--help': case '-h': throw new UsageError('');
      default: throw new UsageError(`unknown argument ${a}`);
    }
  }
  if (!o.dbUrl) throw new UsageError('--db-url is required');
  if ([o.finalize, o.restore !== null].filter(Boolean).length > 1) throw new UsageError('--finalize and --restore cannot be combined');
  if (o.dryRun && o.restore) throw new UsageError('--dry-run does not apply to --restore');
  return o;
}

const USAGE = `usage: npm run consolidate -- --db-url URL [--dry-run] [--backup-dir DIR] [--finalize] [--restore DIR]
       [--storage-dir DIR] [--allow-quarantine] [--allow-missing-files] [--json] [--report FILE]
storage: --storage-dir DIR (folder laid out as {bucket}/{path}) or SUPABASE_URL + SUPABASE_SERVICE_ROLE_KEY`;

export async function main(argv: string[]): Promise<number> {
  let o: CliOptions;
  try {
    o = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      if (e.message) console.error(`consolidate: ${e.message}`);
      console.error(USAGE);
      return 64;
    }
    throw e;
  }
  const out = (s: string) => (o.json ? console.error(s) : console.log(s));
  const client = new pg.Client({ connectionString: o.dbUrl, application_name: 'samia-consolidate' });
  try {
    await client.connect();
  } catch (e) {
    console.error(`consolidate: cannot connect to the database: ${(e as Error).message}`);
    return 2;
  }
  try {
    const storage = storageFromOptions({ storageDir: o.storageDir }, client);
    if (o.restore) {
      await restoreBackup(client, o.dbUrl, path.resolve(o.restore), storage, out);
      return 0;
    }
    if (o.finalize) {
      const r = await finalize(client, { dbUrl: o.dbUrl, backupDir: o.backupDir, storage, dryRun: o.dryRun, log: out });
      out(r.text);
      if (o.json) console.log(JSON.stringify(r.json, null, 2));
      return r.ok ? 0 : 1;
    }
    const failAfter = process.env.CONSOLIDATE_FAIL_AFTER_ROWS ? Number(process.env.CONSOLIDATE_FAIL_AFTER_ROWS) : null;
    const report = await consolidate(client, {
      dbUrl: o.dbUrl, dryRun: o.dryRun, backupDir: o.backupDir, storage, allowQuarantine: o.allowQuarantine,
      allowMissingFiles: o.allowMissingFiles, failAfterRows: failAfter, log: out,
    });
    out(formatReport(report));
    const json = JSON.stringify(report, null, 2);
    const reportFile = o.reportFile ?? (report.backupDir ? path.join(report.backupDir, 'report.json') : null);
    if (reportFile) {
      mkdirSync(path.dirname(path.resolve(reportFile)), { recursive: true });
      writeFileSync(reportFile, json);
      out(`JSON report: ${path.resolve(reportFile)}`);
    }
    if (o.json) console.log(json);
    return report.outcome === 'blocked' || report.outcome === 'refused' ? 1 : 0;
  } catch (e) {
    if (e instanceof VerificationError) {
      console.error(e.message);
      console.error(JSON.stringify(e.result, null, 2));
    } else {
      console.error(`consolidate failed: ${(e as Error).message}`);
    }
    return 2;
  } finally {
    await client.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('/tools/consolidate/cli.ts')) {
  main(process.argv.slice(2)).then((code) => process.exit(code), (e) => {
    console.error(e);
    process.exit(2);
  });
}
