// The admins' figures and audit-log pages at platform scale on a local PostgreSQL 15: BENCH_SQL_SESSIONS sessions
// and BENCH_SQL_MESSAGES client messages (defaults 10,000 and 1,000,000), a reader answering about half of them
// (so about 1.5 million messages), BENCH_FIGURES_DECISIONS review decisions over the last day and ten times as many
// other audit rows. Each RPC, called as PostgREST calls it, p50 next to a primary-key lookup of a message through
// the same request path, in the same run. The plan check is tests/sql/figures-plans.ts.
//   npx tsx bench/sql/figures.bench.ts
import { performance } from 'node:perf_hooks';
import { postgres15Missing } from '../../tests/support/postgres-server';
import { envInt } from '../../tests/support/scale-seed';
import { startScaleDatabase } from '../../tests/support/scale-database';
import { seedFigures } from '../../tests/support/figures-seed';

const SESSIONS = envInt('BENCH_SQL_SESSIONS', 10_000);
const MESSAGES = envInt('BENCH_SQL_MESSAGES', 1_000_000);
const DECISIONS = envInt('BENCH_FIGURES_DECISIONS', 50_000);
const CALLS = envInt('BENCH_SQL_CALLS', 5);

const missing = postgres15Missing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const t0 = performance.now();
const db = await startScaleDatabase({ sessions: SESSIONS, messages: MESSAGES, pendingAudio: 1_000 });
await seedFigures(db.admin, { readers: 200, decisions: DECISIONS, otherAuditRows: DECISIONS * 10 });
const { rows: [size] } = await db.admin.query<{ messages: string; audit: string }>(
  `select (select count(*) from public.chat_messages)::text as messages, (select count(*) from public.audit_log)::text as audit`,
);
console.log(`\nfigures on PostgreSQL 15: ${Number(size!.messages).toLocaleString('en')} messages, ${Number(size!.audit).toLocaleString('en')} audit rows, seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${CALLS} calls each`);
try {
  const staff = await db.connectAsStaff();
  const { rows: ids } = await db.admin.query<{ id: string }>('select id from public.chat_messages tablesample system (1) limit 1000');
  const time = async (calls: number, fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 2; i++) await fn(i);
    const lat: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await fn(i);
      lat.push(performance.now() - t);
    }
    return lat.sort((a, b) => a - b);
  };
  const base = await time(200, (i) => staff.call('select id from public.chat_messages where id = $1', [ids[i % ids.length]!.id]));
  const b50 = pct(base, 50);
  console.log(`  ${'call'.padEnd(64)} p50 ms     p50 vs PK lookup`);
  console.log(`  ${'primary-key lookup of a message (baseline)'.padEnd(64)} ${b50.toFixed(2).padStart(8)}   1.0x`);
  const history = `(select min(created_at) from public.chat_messages)`;
  const calls: [string, string][] = [
    ['figures_readers, every message (the whole seeded history)', `select * from public.figures_readers(${history}, now())`],
    ['figures_readers, one second of history (~1/100 of it)', `select * from public.figures_readers(${history} + interval '5 seconds', ${history} + interval '6 seconds')`],
    ['figures_reviewers, one day (every decision)', `select * from public.figures_reviewers(now() - interval '1 day', now())`],
    ['figures_rejection_reasons, one day (every decision)', `select * from public.figures_rejection_reasons(now() - interval '1 day', now())`],
    ['list_audit_log, the first page of 100', 'select * from public.list_audit_log(100)'],
    ['list_audit_log, 100 of one action', `select * from public.list_audit_log(100, null, null, null, 'status:rejected')`],
  ];
  for (const [name, sql] of calls) {
    const lat = await time(CALLS, () => staff.call(sql));
    console.log(`  ${name.padEnd(64)} ${pct(lat, 50).toFixed(2).padStart(8)}   ${(pct(lat, 50) / b50).toFixed(1)}x`);
  }
  await staff.end();
} finally {
  await db.stop();
}
