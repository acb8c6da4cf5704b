// Message search at a million messages (issue 13 item 3) on a local PostgreSQL 15: BENCH_SEARCH_SESSIONS sessions and
// BENCH_SEARCH_MESSAGES searchable messages (defaults 10,000 and 1,000,000; tests/support/search-corpus.ts says what
// they contain). search_messages called as PostgREST calls it (one transaction, claims and role set locally), as
// staff (every session readable) and as a client (RLS narrows to their session), p50/p99 next to a plain
// primary-key lookup of a message through the same request path, in the same run, as ratios. The plan check is
// tests/sql/plans.ts.
//   npx tsx bench/sql/search.bench.ts        (BENCH_SEARCH_MESSAGES=100000 for a quick look)
import { performance } from 'node:perf_hooks';
import { postgres15Missing } from '../../tests/support/postgres-server';
import { envInt } from '../../tests/support/scale-seed';
import { startScaleDatabase } from '../../tests/support/scale-database';
import { SEARCH_CALLS, connectAsUser, seedSearchCorpus } from '../../tests/support/search-corpus';

const SESSIONS = envInt('BENCH_SEARCH_SESSIONS', 10_000);
const MESSAGES = envInt('BENCH_SEARCH_MESSAGES', 1_000_000);
const CALLS = envInt('BENCH_SEARCH_CALLS', 200);

const missing = postgres15Missing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
const t0 = performance.now();
// One seeded message per session from the scale seed; the searchable corpus is added on top.
const db = await startScaleDatabase({ sessions: SESSIONS, messages: SESSIONS, pendingAudio: 1_000 });
try {
  await seedSearchCorpus(db.admin, MESSAGES);
  const { rows: [size] } = await db.admin.query<{ messages: string; index: string; table: string }>(
    `select (select count(*) from public.chat_messages)::text as messages,
            pg_size_pretty(pg_relation_size('public.chat_messages_search_idx')) as index,
            pg_size_pretty(pg_total_relation_size('public.chat_messages')) as table`,
  );
  console.log(`\nsearch on PostgreSQL 15: ${SESSIONS.toLocaleString('en')} sessions, ${Number(size!.messages).toLocaleString('en')} messages `
    + `(chat_messages ${size!.table} with its indexes, the GIN index ${size!.index}), seeded in ${((performance.now() - t0) / 1000).toFixed(0)} s; ${CALLS} calls each`);
  const staff = await connectAsUser(db, db.staffId);
  const client = await connectAsUser(db, db.seeded[Math.floor(db.seeded.length / 2)]!.clientId);
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
  const hits = async (sql: string, params: unknown[]) => {
    const { rows: [r] } = await db.admin.query<{ n: number }>(
      `select count(*)::int as n from public.chat_messages where search_vector @@ private.search_query($1)`,
      [/search_messages\('([^']*)'/.exec(sql)![1]],
    );
    void params;
    return r!.n;
  };
  const base = await time((i) => staff.call('select id from public.chat_messages where id = $1', [ids[i % ids.length]!.id]));
  const b50 = pct(base, 50);
  const b99 = pct(base, 99);
  const row = (name: string, lat: number[], note: string) =>
    console.log(`  ${name.padEnd(62)} ${pct(lat, 50).toFixed(2).padStart(7)} ${pct(lat, 99).toFixed(2).padStart(8)} ${(pct(lat, 50) / b50).toFixed(1).padStart(7)}x ${(pct(lat, 99) / b99).toFixed(1).padStart(7)}x  ${note}`);
  console.log(`  ${'call'.padEnd(62)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(8)} ${'p50/PK'.padStart(8)} ${'p99/PK'.padStart(8)}  matching rows in the table`);
  row('primary-key lookup of a message (baseline)', base, '1');
  const calls = [
    ...SEARCH_CALLS,
    { name: 'search_messages across sessions, a common word (worst case)', sql: `select * from public.search_messages('tarot', null, null, null, 20)`, params: () => [] },
  ];
  for (const call of calls) {
    const params = call.params(db, '');
    const lat = await time(() => staff.call(call.sql, params));
    row(`staff: ${call.name.replace('search_messages ', '')}`, lat, (await hits(call.sql, params)).toLocaleString('en'));
  }
  // A client: the same searches, RLS narrowing them to the client's one session.
  for (const call of calls.filter((c) => !c.sql.includes('$1'))) {
    const lat = await time(() => client.call(call.sql));
    row(`client: ${call.name.replace('search_messages ', '')}`, lat, 'of which the client reads only their session\'s');
  }
  // The next page: keyset, from the last hit of the first one.
  const [first] = [await staff.call<{ id: string; created_at: string }>(`select id, created_at::text as created_at from public.search_messages('mid42', null, null, null, 20)`)];
  const last = first!.at(-1)!;
  const next = await time(() => staff.call(`select * from public.search_messages('mid42', null, $1, $2, 20)`, [last.created_at, last.id]));
  row('staff: the second page of the medium word (keyset)', next, '');
  console.log('  goal: search stays an index lookup whatever the table size (tests/sql/plans.ts asserts the GIN index is used)');
  await staff.end();
  await client.end();
} finally {
  await db.stop();
}
