// The staff console's reads at platform scale (issue 15 item 4) on a local PostgreSQL 15: BENCH_SQL_SESSIONS
// sessions and BENCH_SQL_MESSAGES messages (defaults: the 10,000 and 1,000,000; smaller for a quick look),
// one staff member following every session, voice notes waiting for review. Each read RPC, called as PostgREST
// calls it (one transaction, claims and role set locally), p50/p99 next to a plain primary-key lookup of a message
// through the same request path, in the same run. The plan check is tests/sql/plans.ts.
//   npx tsx bench/sql/reads.bench.ts
import { performance } from 'node:perf_hooks';
import { postgres15Missing } from '../../tests/support/postgres-server';
import { envInt } from '../../tests/support/scale-seed';
import { READ_CALLS, cursorBehind, startScaleDatabase } from '../../tests/support/scale-database';

const SESSIONS = envInt('BENCH_SQL_SESSIONS', 10_000);
const MESSAGES = envInt('BENCH_SQL_MESSAGES', 1_000_000);
const CALLS = envInt('BENCH_SQL_CALLS', 200);

const missing = postgres15Missing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const t0 = performance.now();
const db = await startScaleDatabase({ sessions: SESSIONS, messages: MESSAGES, pendingAudio: 1_000 });
const { rows: [size] } = await db.admin.query<{ messages: string; bytes: string; per_message: string }>(
  `select (select count(*) from public.chat_messages)::text as messages, pg_size_pretty(pg_database_size(current_database())) as bytes,
          (pg_total_relation_size('public.chat_messages') / greatest(1, (select count(*) from public.chat_messages)))::text as per_message`,
);
console.log(`\nreads on PostgreSQL 15: ${SESSIONS.toLocaleString('en')} sessions, ${Number(size!.messages).toLocaleString('en')} messages (${size!.bytes}), seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${CALLS} calls each`);
console.log(`  chat_messages with its indexes: ${size!.per_message} bytes per message (seeded text of ~30 characters)`);
try {
  const staff = await db.connectAsStaff();
  const cursor = await cursorBehind(db, staff, 100);
  const { rows: ids } = await db.admin.query<{ id: string }>('select id from public.chat_messages tablesample system (1) limit 1000');
  const time = async (fn: (i: number) => Promise<unknown>) => {
    for (let i = 0; i < 10; i++) await fn(i); // warm-up: plans cached, pages in memory
    const lat: number[] = [];
    for (let i = 0; i < CALLS; i++) {
      const t = performance.now();
      await fn(i);
      lat.push(performance.now() - t);
    }
    return lat.sort((a, b) => a - b);
  };
  const base = await time((i) => staff.call('select id from public.chat_messages where id = $1', [ids[i % ids.length]!.id]));
  const b50 = pct(base, 50);
  console.log(`  ${'call'.padEnd(56)} p50 ms   p99 ms   p50 vs PK lookup`);
  console.log(`  ${'primary-key lookup of a message (baseline)'.padEnd(56)} ${b50.toFixed(2).padStart(6)}   ${pct(base, 99).toFixed(2).padStart(6)}   1.0x`);
  for (const call of READ_CALLS) {
    const params = call.params(db, cursor);
    const lat = await time(() => staff.call(call.sql, params));
    console.log(`  ${call.name.padEnd(56)} ${pct(lat, 50).toFixed(2).padStart(6)}   ${pct(lat, 99).toFixed(2).padStart(6)}   ${(pct(lat, 50) / b50).toFixed(1)}x`);
  }
  console.log('  goal: each read uses its index (tests/sql/plans.ts asserts it); the figures are for capacity (docs/capacity.md)');
  await staff.end();
} finally {
  await db.stop();
}
