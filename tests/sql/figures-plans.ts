// Plan check of the figures and the audit-log viewer (as tests/sql/plans.ts does for the read RPCs): at a scale
// where a sequential scan would hurt, analysed, each statement inside the RPCs uses its index and none scans
// chat_messages or audit_log. PostgreSQL 15 only (auto_explain); a plan, never a timing. The timing at a million
// messages is bench/sql/figures.bench.ts.
import type { CaseResult } from './rls-matrix';
import { startScaleDatabase } from '../support/scale-database';
import { seedFigures } from '../support/figures-seed';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

function* nodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* nodes(child);
}

/** One second of the seeded history (every seeded message lies within a couple of minutes). */
const ONE_SECOND = `(select min(created_at) from public.chat_messages) + interval '5 seconds',
                    (select min(created_at) from public.chat_messages) + interval '6 seconds'`;

export const FIGURES_CALLS: { name: string; sql: string; indexes: string[] }[] = [
  {
    name: 'figures_readers (one second of history)',
    sql: `select * from public.figures_readers(${ONE_SECOND})`,
    // The messages of the second by time; a wait's neighbours (the reader's next message, the one before the
    // second) by sender and session.
    indexes: ['chat_messages_created_idx', 'chat_messages_sender_session_idx', 'chat_participants_pkey', 'audit_log_decisions_idx'],
  },
  { name: 'figures_reviewers (one hour)', sql: `select * from public.figures_reviewers(now() - interval '2 hours', now() - interval '1 hour')`, indexes: ['audit_log_decisions_idx'] },
  { name: 'figures_rejection_reasons (one hour)', sql: `select * from public.figures_rejection_reasons(now() - interval '2 hours', now() - interval '1 hour')`, indexes: ['audit_log_decisions_idx'] },
  { name: 'list_audit_log (a page of 100, newest first)', sql: 'select * from public.list_audit_log(100)', indexes: ['audit_log_keyset_idx'] },
  {
    name: 'list_audit_log (the next page)',
    sql: `select * from public.list_audit_log(100, now() - interval '3 days', 9223372036854775807)`,
    indexes: ['audit_log_keyset_idx'],
  },
  {
    name: 'list_audit_log (one actor)',
    sql: `select * from public.list_audit_log(100, null, null, (select actor_id from public.audit_log where actor_id is not null order by actor_id limit 1))`,
    indexes: ['audit_log_actor_keyset_idx'],
  },
  { name: 'list_audit_log (one action)', sql: `select * from public.list_audit_log(100, null, null, null, 'status:rejected')`, indexes: ['audit_log_action_keyset_idx'] },
];

export async function runFiguresPlans(options: { sessions?: number; messages?: number } = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const db = await startScaleDatabase({ sessions: options.sessions ?? 2_000, messages: options.messages ?? 60_000, pendingAudio: 300 });
  try {
    await seedFigures(db.admin, { readers: 50, decisions: 20_000, otherAuditRows: 100_000 });
    const staff = await db.connectAsStaff();
    const plans: PlanNode[] = [];
    staff.client.removeAllListeners('notice');
    staff.client.on('notice', (notice: { message?: string }) => {
      const text = notice.message ?? '';
      const at = text.indexOf('{');
      if (text.includes('plan:') && at >= 0) plans.push((JSON.parse(text.slice(at)) as { Plan: PlanNode }).Plan);
    });
    await staff.client.query(`load 'auto_explain'`);
    await staff.client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
      set auto_explain.log_format = json; set auto_explain.log_level = notice; set client_min_messages = notice`);
    for (const call of FIGURES_CALLS) {
      const name = `figures plan: ${call.name} uses ${call.indexes.join(', ')} and scans neither chat_messages nor audit_log`;
      try {
        plans.length = 0;
        await staff.call(call.sql);
        const all = plans.flatMap((p) => [...nodes(p)]);
        const used = new Set(all.map((n) => n['Index Name']).filter((n): n is string => Boolean(n)));
        const missing = call.indexes.filter((i) => !used.has(i));
        const scans = all.filter((n) => n['Node Type'] === 'Seq Scan' && ['chat_messages', 'audit_log'].includes(n['Relation Name'] ?? ''));
        const ok = plans.length > 0 && missing.length === 0 && scans.length === 0;
        results.push({
          name,
          ok,
          ...(ok ? {} : { detail: `${plans.length} statements; indexes used: ${[...used].join(', ') || 'none'}; missing: ${missing.join(', ')}; seq scans: ${scans.map((s) => s['Relation Name']).join(', ')}` }),
        });
      } catch (error) {
        results.push({ name, ok: false, detail: error instanceof Error ? error.message : String(error) });
      }
    }
    await staff.end();
  } finally {
    await db.stop();
  }
  return results;
}
