// The server time of one rate-limit take, alone: one connection runs K takes in a DO loop, each in its own
// transaction (COMMIT per iteration), next to an empty iteration (the baseline). "filling": the ring is not
// yet full (the limit is far away, as in bench/sql/send-message.bench.ts); "full": the ring is full and every
// take replaces a slot (window 0 so that none is refused), as for any user past their first N messages.
// Run: npx tsx bench/sql/take-rate-micro.ts   (K=4000; two rounds; compare a change against its parent in the
// same minute, the machine is shared).
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { applySchema, fromPg } from '../../src/main/schema/index';
import { startPostgres } from '../../tests/support/postgres-server';
const K = Number(process.env.K ?? 4000);
const server = await startPostgres({ settings: { shared_buffers: '256MB' } });
const c = new pg.Client({ connectionString: server.url });
c.on('notice', () => undefined);
try {
  await c.connect();
  await applySchema(fromPg(c));
  const run = async (label: string, body: string) => {
    const loop = (n: number, u: string, v: string) =>
      `do $$ declare u uuid := '${u}'; v uuid := '${v}'; begin for i in 1..${n} loop ${body}; commit; end loop; end $$`;
    await c.query(loop(200, randomUUID(), randomUUID()));
    const t = performance.now();
    await c.query(loop(K, randomUUID(), randomUUID()));
    console.log(`${label.padEnd(44)} ${(((performance.now() - t) * 1000) / K).toFixed(1)} us/iteration`);
  };
  // take_rates (several subjects in one call) is absent before the ring: the script then measures take_rate only.
  const hasTakeRates = (await c.query(`select to_regproc('private.take_rates') is not null as x`)).rows[0].x === true;
  for (let round = 0; round < 2; round++) {
    await run('empty iteration (baseline)', `perform 1`);
    await run('1 take, filling', `perform private.take_rate('a', u, 1000000, 60, 'SA429', 'k')`);
    await run('1 take, full', `perform private.take_rate('a', u, 30, 0, 'SA429', 'k')`);
    await run('2 take_rate calls (user, session), filling', `perform private.take_rate('a', u, 1000000, 60, 'SA429', 'k'); perform private.take_rate('b', v, 1000000, 86400, 'SA433', 'k')`);
    await run('2 take_rate calls (user, session), full', `perform private.take_rate('a', u, 30, 0, 'SA429', 'k'); perform private.take_rate('b', v, 2000, 0, 'SA433', 'k')`);
    if (!hasTakeRates) continue;
    await run('one take_rates call (user, session), filling', `perform private.take_rates(array['a','b'], array[u, v], array[1000000, 1000000]::bigint[], array[60, 86400], array['SA429','SA433'], array['k','k'])`);
    await run('one take_rates call (user, session), full', `perform private.take_rates(array['a','b'], array[u, v], array[30, 2000]::bigint[], array[0, 0], array['SA429','SA433'], array['k','k'])`);
  }
} finally {
  await c.end().catch(() => undefined);
  await server.stop();
}
