// One consolidation run: preflight (always), then — unless dry-run — backup, storage copy, the
// migration in one transaction, verification; any failure rolls the database back and removes
// the copies this run made.
import type pg from 'pg';
import { takeBackup } from './backup.ts';
import { TARGET_BUCKET } from './file-refs.ts';
import { BOOKKEEPING_SQL, DONE_SQL, PLACEHOLDER_SQL, copyObjects, resolveFiles, verify, writeAll, type CopyResult, type VerifyResult, type WriteCounts } from './migrate.ts';
import { runPlan } from './plan.ts';
import { checkTargetSchema, stageSources, type SourceInfo } from './sources.ts';
import type { StoragePort } from './storage.ts';

export interface Issue { kind: string; severity: 'info' | 'mapped' | 'blocking'; source_table: string | null; source_id: string | null; target_id: string | null; detail: unknown }

export interface Report {
  mode: 'dry-run' | 'run';
  startedAt: string;
  outcome: 'nothing-to-do' | 'would-migrate' | 'blocked' | 'migrated' | 'rolled-back' | 'refused';
  message: string;
  sources: SourceInfo[];
  sourceBreakdown: { source_table: string; type: string | null; status: string | null; rows: number }[];
  plan: {
    sessions: number; sessionsToCreate: number; participants: number; messagesToCreate: number; messagesAlreadyDone: number;
    placeholderProfiles: number; quarantine: number; filesToCopy: number;
    byTypeStatus: { type: string; status: string; rows: number }[];
  };
  issues: { byKind: Record<string, { severity: string; count: number; examples: Issue[] }>; blocking: number; all: Issue[] };
  backupDir?: string;
  written?: WriteCounts;
  verification?: VerifyResult;
  timings: Record<string, number>;
}

export interface RunOptions {
  dbUrl: string;
  dryRun: boolean;
  backupDir: string;
  storage: StoragePort;
  /** Proceed although rows must go to consolidation.quarantine (they are kept there, reported). */
  allowQuarantine: boolean;
  /** Proceed although some files are missing (messages keep their planned path; reported). */
  allowMissingFiles: boolean;
  failAfterRows?: number | null;
  log: (s: string) => void;
}

const FILE_KINDS = new Set(['file_not_found', 'file_outside_supabase_storage', 'attachment_message_without_file']);

function isOverridden(kind: string, o: RunOptions): boolean {
  return (kind === 'quarantine' && o.allowQuarantine) || (FILE_KINDS.has(kind) && o.allowMissingFiles);
}

async function timed<T>(timings: Record<string, number>, name: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[name] = Math.round(performance.now() - t0);
  }
}

export async function consolidate(client: pg.Client, o: RunOptions): Promise<Report> {
  const timings: Record<string, number> = {};
  const startedAt = new Date().toISOString();
  const schemaProblems = await checkTargetSchema(client);
  if (schemaProblems.length) {
    return emptyReport(o, startedAt, 'refused', schemaProblems.join('\n'), timings);
  }
  await client.query('begin');
  let copies: CopyResult[] = [];
  const storageCreated: string[] = [];
  try {
    if (!o.dryRun) {
      // Nothing may change in the sources between the plan, the backup and the writes.
      const locks = ['public.messages', 'public.voice_notes', 'public.voice_note_approvals', 'public.bookings', 'legacy.chat_sessions', 'legacy.chat_messages'];
      for (const t of locks) {
        const r = await client.query<{ ok: boolean }>('select to_regclass($1) is not null ok', [t]);
        if (r.rows[0]!.ok) await client.query(`lock table ${t} in share mode`);
      }
    }
    const sources = await timed(timings, 'stage', () => stageSources(client));
    await timed(timings, 'plan', async () => {
      await runPlan(client);
      for (const s of DONE_SQL) await client.query(s);
      for (const s of PLACEHOLDER_SQL) await client.query(s);
    });
    const resolution = await timed(timings, 'resolveFiles', () => resolveFiles(client, o.storage));
    const report = await buildReport(client, o, startedAt, sources, resolution.copies.length, timings);

    const blocking = report.issues.all.filter((i) => i.severity === 'blocking' && !isOverridden(i.kind, o));
    const work = report.plan.sessionsToCreate + report.plan.messagesToCreate + report.plan.placeholderProfiles + report.plan.filesToCopy
      + (await pendingAuditAndParticipants(client)) + report.plan.quarantine;
    if (work === 0) {
      report.outcome = 'nothing-to-do';
      report.message = 'Everything is already consolidated: nothing changed.';
      await client.query('rollback');
      return report;
    }
    if (o.dryRun) {
      report.outcome = blocking.length ? 'blocked' : 'would-migrate';
      report.message = blocking.length
        ? `${blocking.length} row(s) would be lost or left unmapped (see blocking issues); the real run would refuse.`
        : 'The plan maps every row; nothing was changed (dry run).';
      await client.query('rollback');
      return report;
    }
    if (blocking.length) {
      report.outcome = 'refused';
      report.message = `Refused: ${blocking.length} row(s) would be lost or left unmapped (see blocking issues). Nothing was changed.`
        + (blocking.some((b) => b.kind === 'quarantine') ? ' --allow-quarantine keeps such rows in consolidation.quarantine.' : '')
        + (blocking.some((b) => FILE_KINDS.has(b.kind)) ? ' --allow-missing-files migrates the messages whose file is gone, keeping their planned path.' : '');
      await client.query('rollback');
      return report;
    }

    // No backup, no change.
    const backup = await timed(timings, 'backup', () => takeBackup(client, { dbUrl: o.dbUrl, dir: o.backupDir, kind: 'consolidate', storage: o.storage, log: o.log }));
    report.backupDir = backup.dir;

    copies = await timed(timings, 'storageCopy', () => copyObjects(o.storage, resolution, o.log, storageCreated));

    report.written = await timed(timings, 'write', () => writeAll(client, {
      failAfterRows: o.failAfterRows ?? null, writeObjectRows: !o.storage.writesObjectRows, copies, log: o.log,
    }));
    const v = await timed(timings, 'verify', () => verify(client, copies));
    report.verification = v;
    if (!v.ok) throw new VerificationError(v);
    report.outcome = 'migrated';
    report.message = `Migrated and verified: ${report.written.messages} messages, ${report.written.sessions} sessions, ${report.written.participants} participants.`;
    report.timings = timings;
    await client.query(BOOKKEEPING_SQL);
    await client.query(`insert into consolidation.runs (started_at, kind, backup_dir, report) values ($1, 'consolidate', $2, $3)`,
      [startedAt, backup.dir, JSON.stringify(summaryOf(report))]);
    await client.query('commit');
    return report;
  } catch (e) {
    await client.query('rollback').catch(() => undefined);
    for (const p of storageCreated) await o.storage.remove(TARGET_BUCKET, p).catch(() => undefined);
    throw e;
  }
}

export class VerificationError extends Error {
  constructor(readonly result: VerifyResult) {
    super(`verification failed, everything was rolled back: ${result.untraced.length} untraced source rows, ${result.mismatched.length} mismatched rows, `
      + `${result.counts.filter((c) => c.expected !== c.actual).length + result.flags.filter((f) => f.expected !== f.actual).length} differing counts; `
      + `first: ${[...result.untraced.slice(0, 5).map((u) => `${u.source_table}:${u.source_id}`), ...result.mismatched.slice(0, 5).map((m) => `${m.id} (${m.problem})`)].join(', ')}`);
  }
}

async function pendingAuditAndParticipants(client: pg.ClientBase): Promise<number> {
  const r = await client.query<{ n: string }>(`select
    (select count(*) from cons_participants p where not exists (select 1 from public.chat_participants t where t.session_id = p.session_id and t.user_id = p.user_id))
    + (select count(*) from src_approvals a where not exists (select 1 from cons_audited x where x.source_table = 'public.voice_note_approvals' and x.source_id = a.id::text))
    + (select count(*) from src_bookings b where not exists (select 1 from cons_audited x where x.source_table = 'public.bookings' and x.source_id = b.id::text))
    + (select count(*) from src_lsessions s where not exists (select 1 from cons_audited x where x.source_table = 'legacy.chat_sessions' and x.source_id = s.id::text))
    + (select count(*) from src_voice_notes s where not exists (select 1 from cons_audited x where x.source_table = 'public.voice_notes' and x.source_id = s.id::text))
    + (select count(*) from src_messages s where not exists (select 1 from cons_audited x where x.source_table = 'public.messages' and x.source_id = s.id::text))
    as n`);
  return Number(r.rows[0]!.n);
}

async function buildReport(client: pg.ClientBase, o: RunOptions, startedAt: string, sources: SourceInfo[], filesToCopy: number, timings: Record<string, number>): Promise<Report> {
  const issues = (await client.query<Issue>(`select kind, severity, source_table, source_id, target_id, detail from cons_issues order by kind, source_table, source_id`)).rows;
  const byKind: Report['issues']['byKind'] = {};
  for (const i of issues) {
    const k = (byKind[i.kind] ??= { severity: i.severity, count: 0, examples: [] });
    k.count++;
    if (k.examples.length < 5) k.examples.push(i);
  }
  const n = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]!.n);
  const breakdown = (await client.query<{ source_table: string; type: string | null; status: string | null; rows: string }>(`
    select 'public.messages' source_table, type, 'is_approved=' || coalesce(is_approved::text, 'null') status, count(*) rows from src_messages group by 2, 3
    union all select 'public.voice_notes', audio_format, null, count(*) from src_voice_notes group by 2
    union all select 'public.voice_note_approvals', null, status, count(*) from src_approvals group by 3
    union all select 'legacy.chat_sessions', type, status, count(*) from src_lsessions group by 2, 3
    union all select 'legacy.chat_messages', type, status || case when coalesce(is_deleted, false) then '+is_deleted' else '' end, count(*) from src_lmessages group by 2, 3
    union all select 'public.bookings', null, status, count(*) from src_bookings group by 3
    order by 1, 2, 3`)).rows.map((r) => ({ ...r, rows: Number(r.rows) }));
  const byTypeStatus = (await client.query<{ type: string; status: string; rows: string }>(
    `select type, status, count(*) rows from cons_messages group by 1, 2 order by 1, 2`)).rows.map((r) => ({ ...r, rows: Number(r.rows) }));
  const blocking = issues.filter((i) => i.severity === 'blocking' && !isOverridden(i.kind, o)).length;
  return {
    mode: o.dryRun ? 'dry-run' : 'run', startedAt, outcome: 'would-migrate', message: '', sources, sourceBreakdown: breakdown,
    plan: {
      sessions: await n('select count(*) n from cons_sessions'),
      sessionsToCreate: await n('select count(*) n from cons_sessions s where not exists (select 1 from public.chat_sessions t where t.id = s.id)'),
      participants: await n('select count(*) n from cons_participants'),
      messagesToCreate: await n('select count(*) n from cons_messages where not done'),
      messagesAlreadyDone: await n('select count(*) n from cons_messages where done'),
      placeholderProfiles: await n('select count(*) n from cons_placeholders'),
      quarantine: await n(`select count(*) n from cons_quarantine q where not exists (select 1 from cons_audited a where a.source_table = q.source_table and a.source_id = q.source_id)`),
      filesToCopy,
      byTypeStatus,
    },
    issues: { byKind, blocking, all: issues },
    timings,
  };
}

function emptyReport(o: RunOptions, startedAt: string, outcome: Report['outcome'], message: string, timings: Record<string, number>): Report {
  return {
    mode: o.dryRun ? 'dry-run' : 'run', startedAt, outcome, message, sources: [], sourceBreakdown: [],
    plan: { sessions: 0, sessionsToCreate: 0, participants: 0, messagesToCreate: 0, messagesAlreadyDone: 0, placeholderProfiles: 0, quarantine: 0, filesToCopy: 0, byTypeStatus: [] },
    issues: { byKind: {}, blocking: 0, all: [] }, timings,
  };
}

/** What goes into consolidation.runs: the report without the full issue list (that is in audit_log / the JSON file). */
export function summaryOf(r: Report): unknown {
  return { ...r, issues: { blocking: r.issues.blocking, byKind: Object.fromEntries(Object.entries(r.issues.byKind).map(([k, v]) => [k, { severity: v.severity, count: v.count }])) } };
}

export function formatReport(r: Report): string {
  const lines: string[] = [];
  lines.push(`SAMIA TAROT chat consolidation — ${r.mode} — ${r.outcome.toUpperCase()}`);
  lines.push(r.message);
  if (r.sources.length) {
    lines.push('', 'Sources:');
    for (const s of r.sources) lines.push(`  ${s.name.padEnd(30)} ${s.location ? String(s.rows).padStart(8) + ' rows' : '   (absent)'}${s.missingColumns.length ? `  missing columns: ${s.missingColumns.join(', ')}` : ''}${s.consolidated === false ? '  (not consolidated by this tool; kept)' : ''}`);
    lines.push('', 'Source rows by type / status:');
    for (const b of r.sourceBreakdown) lines.push(`  ${b.source_table.padEnd(30)} ${String(b.type ?? '-').padEnd(12)} ${String(b.status ?? '-').padEnd(28)} ${String(b.rows).padStart(8)}`);
    lines.push('', 'Plan:');
    const p = r.plan;
    lines.push(`  sessions ${p.sessions} (${p.sessionsToCreate} new), participants ${p.participants}, messages ${p.messagesToCreate} new + ${p.messagesAlreadyDone} already consolidated`);
    lines.push(`  placeholder profiles ${p.placeholderProfiles}, quarantine ${p.quarantine}, files to copy into chat-files ${p.filesToCopy}`);
    lines.push('  target messages by type / status:');
    for (const t of p.byTypeStatus) lines.push(`    ${String(t.type ?? '(unmapped)').padEnd(10)} ${String(t.status ?? '(unmapped)').padEnd(18)} ${String(t.rows).padStart(8)}`);
    lines.push('', `Issues (${r.issues.all.length}; blocking ${r.issues.blocking}):`);
    for (const [kind, v] of Object.entries(r.issues.byKind)) {
      lines.push(`  [${v.severity}] ${kind}: ${v.count}`);
      for (const e of v.examples) lines.push(`      ${e.source_table ?? ''} ${e.source_id ?? ''}${e.target_id && e.target_id !== e.source_id ? ` -> ${e.target_id}` : ''} ${JSON.stringify(e.detail)}`);
    }
  }
  if (r.verification) {
    lines.push('', `Verification: ${r.verification.ok ? 'OK' : 'FAILED'}`);
    for (const c of r.verification.counts) lines.push(`  ${String(c.type).padEnd(10)} ${String(c.status).padEnd(18)} expected ${String(c.expected).padStart(8)}  actual ${String(c.actual).padStart(8)}`);
    for (const f of r.verification.flags) lines.push(`  ${(f.flagged ? 'flagged' : 'not flagged').padEnd(29)} expected ${String(f.expected).padStart(8)}  actual ${String(f.actual).padStart(8)}`);
    lines.push('  every source row accounted for (carried over / merged into another row / review applied / quarantined):');
    for (const a of r.verification.accounting) lines.push(`    ${a.source_table.padEnd(30)} ${String(a.rows).padStart(8)} = ${a.carried} + ${a.merged} + ${a.review} + ${a.quarantined}${a.untraced ? `  UNTRACED ${a.untraced}` : ''}`);
    lines.push(`  sessions expected ${r.verification.sessions.expected} actual ${r.verification.sessions.actual}; participants expected ${r.verification.participants.expected} actual ${r.verification.participants.actual}`);
  }
  if (r.backupDir) lines.push('', `Backup: ${r.backupDir}`);
  if (Object.keys(r.timings).length) lines.push('', `Timings (ms): ${Object.entries(r.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return lines.join('\n');
}
