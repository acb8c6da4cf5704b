import { randomUUID } from 'node:crypto';
import { seedSessions } from '../../tests/support/scale-seed';
import { startConsoleHarness } from './console-harness';
const N = Number(process.env.N ?? 100);
const harness = await startConsoleHarness();
const seeded = await seedSessions(harness.database.db, { staffId: harness.ownerId, sessions: N, messages: N * 10, joined: false });
const { cdp } = await harness.openSignedIn(N);
let k = 0;
const load = async (seconds: number) => {
  const started = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < seconds * 50; i++) {
    const due = started + (i * 1000) / 50; const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const t = seeded[Math.floor(Math.random() * seeded.length)]!;
    sends.push(harness.database.asRequest({ role: 'authenticated', sub: t.clientId }, (sql) => sql.query(`select id from public.send_message($1::uuid, 'text', $2::uuid, $3)`, [t.sessionId, randomUUID(), `busy-${++k}-end`])));
  }
  await Promise.all(sends);
};
await load(Number(process.env.WARM ?? 2));
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
await cdp.send('Profiler.start');
await load(8);
const { profile } = (await cdp.send('Profiler.stop')) as any;
const byId = new Map<number, any>(profile.nodes.map((n: any) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const self = new Map<number, number>();
const dt = profile.timeDeltas as number[];
profile.samples.forEach((id: number, i: number) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
const selfAgg = new Map<string, number>();
const total = new Map<string, number>();
const key = (n: any) => `${n.callFrame.functionName || '(anon)'}:${n.callFrame.lineNumber}`;
for (const [id, us] of self) {
  selfAgg.set(key(byId.get(id)), (selfAgg.get(key(byId.get(id))) ?? 0) + us);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) { const kk = key(byId.get(at)); if (!seen.has(kk)) { seen.add(kk); total.set(kk, (total.get(kk) ?? 0) + us); } }
}
const show = (m: Map<string, number>) => [...m].filter(([k]) => !k.startsWith('(')).sort((a, b) => b[1] - a[1]).slice(0, 28).map(([k, us]) => `${(us / 1000).toFixed(1).padStart(8)} ms  ${k}`).join('\n');
console.log('SELF\n' + show(selfAgg) + '\nTOTAL\n' + show(total));
await harness.close().catch(() => {});
process.exit(0);
