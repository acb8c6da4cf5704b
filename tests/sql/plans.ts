// Plan check (issue 15): at a scale where a sequential scan would hurt (thousands of sessions, tens of thousands
// of messages, analysed), each read RPC's own queries use their index. The RPCs are PL/pgSQL, so EXPLAIN of the
// call shows only a function scan: auto_explain (log_nested_statements, JSON, sent to the client as a NOTICE)
// gives the plan of every statement inside. PostgreSQL 15 only (PGlite cannot load auto_explain); a plan, never
// a timing. Its own server, so the suite's fixtures stay as they are.
import type { CaseResult } from './rls-matrix';
import { READ_CALLS, cursorBehind, startScaleDatabase } from '../support/scale-database';
import { SEARCH_CALLS, seedSearchCorpus } from '../support/search-corpus';

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

export async function runPlans(options: { sessions?: number; messages?: number; searchMessages?: number } = {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const db = await startScaleDatabase({ sessions: options.sessions ?? 2_000, messages: options.messages ?? 60_000, pendingAudio: 300 });
  try {
    // Searchable text besides the scale seed's (message search, issue 13).
    await seedSearchCorpus(db.admin, options.searchMessages ?? 20_000);
    const staff = await db.connectAsStaff();
    const plans: PlanNode[] = [];
    staff.client.removeAllListeners('notice');
    staff.client.on('notice', (notice: { message?: string }) => {
      const text = notice.message ?? '';
      const at = text.indexOf('{');
      if (text.includes('plan:') && at >= 0) {
        plans.push((JSON.parse(text.slice(at)) as { Plan: PlanNode }).Plan);
      }
    });
    // Session settings: LOAD needs the superuser the connection logs in as; the calls then switch role locally.
    await staff.client.query(`load 'auto_explain'`);
    await staff.client.query(`set auto_explain.log_min_duration = 0; set auto_explain.log_nested_statements = on;
      set auto_explain.log_format = json; set auto_explain.log_level = notice; set client_min_messages = notice`);
    const cursor = await cursorBehind(db, staff, 20);
    for (const call of [...READ_CALLS, ...SEARCH_CALLS]) {
      const name = `read plan: ${call.name} uses ${call.indexes.join(', ')} and scans none of chat_messages, chat_sessions, chat_participants`;
      try {
        plans.length = 0;
        await staff.call(call.sql, call.params(db, cursor));
        const all = plans.flatMap((p) => [...nodes(p)]);
        const used = new Set(all.map((n) => n['Index Name']).filter((n): n is string => Boolean(n)));
        const missing = call.indexes.filter((i) => !used.has(i));
        const scans = all.filter(
          (n) => n['Node Type'] === 'Seq Scan' && ['chat_messages', 'chat_sessions', 'chat_participants'].includes(n['Relation Name'] ?? ''),
        );
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
