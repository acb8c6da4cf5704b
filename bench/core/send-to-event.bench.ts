// Send → shown in another user's console, embedded backend (DESIGN §8: p99 under 50 ms).
// Two real cores on one embedded backend: the client's console enqueues through the durable outbox,
// the reader's console receives the realtime event (re-read under the reader's claims). Prints p50/p95/p99.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import { createConsoleCore, type ConsoleCore } from '../../src/main/core/console-core';
import { HeadlessAlertPlatform } from '../../src/main/alerts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const WARMUP = 20;
const password = 'correct horse battery';

const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samia-bench-'));
const backend = new EmbeddedSupabase({ dataDir: path.join(dataDir, 'backend'), emergencySweepMs: 0 });
await backend.start();

const arrivals = new Map<string, number>();
function open(): ConsoleCore {
  const core = createConsoleCore({
    shell: 'webshell',
    appName: 'bench',
    version: 'bench',
    backend,
    dataDir,
    createAlertPlatform: (emitToRenderer) => new HeadlessAlertPlatform({ emitToRenderer }),
    openExternal: async () => false,
    log: () => {},
  });
  return core;
}
async function call<T>(core: ConsoleCore, name: string, input: unknown): Promise<T> {
  const result = await core.dispatch(name, input, { origin: 'bench' });
  if (!result.ok) throw new Error(`${name}: ${result.error.code}`);
  return result.value as T;
}

const admin = open();
await call(admin, 'auth.createFirstAccount', { email: 'owner@bench.test', password, displayName: 'Owner', preferredLanguage: 'en' });
// The per-user rate limit (30 a minute by default) would stop a benchmark, not a person: lift it for this run.
const owner = await backend.signIn('owner@bench.test', password);
await owner.setConsoleSetting('console.rate_limit.messages_per_minute', '100000');
await owner.setConsoleSetting('console.quota.session_messages_per_day', '100000');
const readerId = (await call<{ id: string }>(admin, 'accounts.create', { email: 'reader@bench.test', password, displayName: 'R', role: 'reader' })).id;
await call(admin, 'accounts.create', { email: 'client@bench.test', password, displayName: 'C', role: 'client' });
const client = open();
await call(client, 'auth.signIn', { email: 'client@bench.test', password });
const { id: sessionId } = await call<{ id: string }>(client, 'sessions.openSupport', {});
await call(admin, 'sessions.assignReader', { sessionId, readerId });
const reader = open();
await call(reader, 'auth.signIn', { email: 'reader@bench.test', password });
reader.events.attach((name, payload) => {
  if (name !== 'messages.changed') return;
  for (const m of (payload as { messages: { clientMessageId: string | null }[] }).messages) {
    if (m.clientMessageId && !arrivals.has(m.clientMessageId)) arrivals.set(m.clientMessageId, performance.now());
  }
});

const latencies: number[] = [];
for (let i = 0; i < ROUNDS + WARMUP; i++) {
  const started = performance.now();
  const entry = await call<{ clientMessageId: string }>(client, 'messages.sendText', { sessionId, body: `message ${i}` });
  while (!arrivals.has(entry.clientMessageId)) await new Promise((resolve) => setImmediate(resolve));
  if (i >= WARMUP) latencies.push(arrivals.get(entry.clientMessageId)! - started);
}

latencies.sort((a, b) => a - b);
const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!;
console.log(`send → event (embedded backend, ${ROUNDS} messages, one at a time)`);
console.log(`  p50 ${q(0.5).toFixed(1)} ms   p95 ${q(0.95).toFixed(1)} ms   p99 ${q(0.99).toFixed(1)} ms   max ${latencies.at(-1)!.toFixed(1)} ms`);
console.log(`  budget p99 < 50 ms: ${q(0.99) < 50 ? 'met' : 'NOT met'}`);

for (const core of [admin, client, reader]) await core.dispose();
await backend.stop();
await rm(dataDir, { recursive: true, force: true });
