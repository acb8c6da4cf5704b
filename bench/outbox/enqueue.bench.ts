/**
 * Outbox enqueue cost (DESIGN §8: a durable enqueue costs no more than 1.25x
 * a bare durable better-sqlite3 insert of the same row).
 *
 * Both run in the same database file, same connection, same pragmas (WAL,
 * synchronous=FULL), into tables of the same shape (the baseline table is
 * created from the outbox table's own DDL and indexes), interleaved op by op
 * (alternating which goes first) after a warm-up, so disk and checkpoint noise hits both.
 * The baseline is the bare prepared INSERT with a pre-generated id; the
 * outbox side is the whole public call: validation, uuid, insert, entry,
 * event to a listener, awaited as the IPC handler awaits it. The flusher is
 * not started (offline), so no send competes with the measurement.
 *
 * Usage: npm run bench:outbox [-- --ops 4000]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Outbox, type OutboxTransport } from '../../src/main/outbox';
import { sampleOfSize } from '../../tests/support/media-samples';
import { openLocalStore, OutboxRows } from '../../src/main/store';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const OPS = arg('ops', 4000);
const BUDGET = 1.25;

const dir = mkdtempSync(join(tmpdir(), 'outbox-bench-'));
const store = openLocalStore({ directory: dir });
const db = store.database.db;

// Never called: the outbox is not started. It throws so a mistake would show.
const idleTransport: OutboxTransport = {
  uploadFile: () => Promise.reject(new Error('bench: no sending')),
  sendMessage: () => Promise.reject(new Error('bench: no sending')),
  reviewAudio: () => Promise.reject(new Error('bench: no sending')),
};
const outbox = new Outbox({ store, transport: idleTransport, online: false });
let events = 0;
outbox.on(() => events++);

// Same table shape as the outbox: its DDL and indexes under another name.
const ddl = db
  .prepare(`SELECT sql FROM sqlite_master WHERE tbl_name = 'outbox' AND sql IS NOT NULL`)
  .pluck()
  .all() as string[];
for (const statement of ddl) {
  db.exec(
    statement
      .replace(/CREATE TABLE outbox\b/, 'CREATE TABLE bench_bare')
      .replace(/CREATE (UNIQUE )?INDEX (\w+) ON outbox\b/, (_m, u: string | undefined, name: string) => `CREATE ${u ?? ''}INDEX bench_${name} ON bench_bare`),
  );
}
const bare = db.prepare(OutboxRows.insertSql.replace('INSERT INTO outbox', 'INSERT INTO bench_bare'));

const sessionId = '6a1e0c4e-8c8f-4d7e-9a51-1f0c2b3d4e5f';
const body = 'The Tower reversed: a change you saw coming. Let us talk about what it means for your week.';

function bareInsert(id: string): void {
  const now = Date.now();
  bare.run(id, 'message', `session:${sessionId}`, sessionId, 'text', body, null, null, null, null, null, null, null, null, null, null, now, now);
}

const bareTimes: number[] = [];
const outboxTimes: number[] = [];
const WARMUP = 500;

async function timedEnqueue(): Promise<number> {
  const t0 = process.hrtime.bigint();
  await outbox.enqueue({ sessionId, kind: 'text', body });
  return Number(process.hrtime.bigint() - t0);
}
function timedBare(id: string): number {
  const t0 = process.hrtime.bigint();
  bareInsert(id);
  return Number(process.hrtime.bigint() - t0);
}

// Pairs, alternating which side goes first, so both see the same disk, cache and checkpoint weather.
for (let i = 0; i < WARMUP + OPS; i++) {
  const id = randomUUID();
  let b: number;
  let o: number;
  if (i % 2 === 0) {
    b = timedBare(id);
    o = await timedEnqueue();
  } else {
    o = await timedEnqueue();
    b = timedBare(id);
  }
  if (i >= WARMUP) {
    bareTimes.push(b);
    outboxTimes.push(o);
  }
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const summarize = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  return { median: quantile(sorted, 0.5) / 1000, p99: quantile(sorted, 0.99) / 1000, mean: mean / 1000 };
};
const b = summarize(bareTimes);
const o = summarize(outboxTimes);
const ratio = o.median / b.median;
const fmt = (n: number) => n.toFixed(1).padStart(8);

console.log(`outbox enqueue benchmark: ${outboxTimes.length} ops each, interleaved pairs after ${WARMUP} warm-up pairs, WAL + synchronous=FULL, ${process.platform} node ${process.versions.node}`);
console.log(`                          median µs    p99 µs   mean µs`);
console.log(`bare durable insert       ${fmt(b.median)}  ${fmt(b.p99)}  ${fmt(b.mean)}`);
console.log(`outbox.enqueue (text)     ${fmt(o.median)}  ${fmt(o.p99)}  ${fmt(o.mean)}`);
console.log(`ratio (median): ${ratio.toFixed(3)}  ratio (mean): ${(o.mean / b.mean).toFixed(3)}  ratio (p99): ${(o.p99 / b.p99).toFixed(3)}  budget ≤ ${BUDGET}: ${ratio <= BUDGET ? 'PASS' : 'FAIL'}`);

// Informational: a voice note adds the file's own fsyncs (file + folder) before the row.
const noteTimes: number[] = [];
for (let i = 0; i < 200; i++) {
  const t0 = process.hrtime.bigint();
  await outbox.enqueue({
    sessionId,
    kind: 'audio',
    file: { bytes: sampleOfSize('voice.ogg', 32 * 1024, i) },
    fileName: 'note.ogg',
    mimeType: 'audio/ogg',
    durationMs: 8000,
    waveform: Array.from({ length: 200 }, (_, k) => (k % 10) / 10),
  });
  noteTimes.push(Number(process.hrtime.bigint() - t0));
}
const n = summarize(noteTimes);
console.log(`outbox.enqueue (32 KiB voice note, informational): median ${n.median.toFixed(1)} µs, p99 ${n.p99.toFixed(1)} µs`);
if (events !== outboxTimes.length + WARMUP + noteTimes.length) throw new Error(`expected one queued event per enqueue, got ${events}`);

await outbox.close();
store.close();
rmSync(dir, { recursive: true, force: true });
