/**
 * Fault test for the outbox (issue 5) against the REAL embedded backend.
 *
 * A reader's console sends several hundred messages (text and voice notes)
 * into several sessions through the real outbox and the real
 * createOutboxTransport, over the reader's real UserConnection wrapped in a
 * flaky network (FlakyConnection below): every call is delayed 0–200 ms and
 * about 30% of calls fail:
 * - dropped: the request never reaches the server;
 * - answer lost: the server ran the call and committed, the answer is lost;
 * - timed out: the caller gives up while the request is still travelling; it
 *   reaches the server later, possibly after the outbox's own retry.
 * Connectivity also flaps (setOnline). Meanwhile a monitor's console reviews
 * the voice notes through its own outbox over the same kind of network.
 *
 * Then the real database is read (the super admin's listMessages) and every
 * message must be there exactly once, in enqueue order per session, with its
 * file, and every review decision applied once, by that monitor.
 *
 * Usage: npm run test:fault [-- --messages 400 --sessions 6 --seed n]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import type { MessageRow, UserConnection } from '../../src/main/backend/backend-port';
import { createOutboxTransport, toServerMessage } from '../../src/main/core/backend-outbox-transport';
import { Outbox, type OutboxEntry } from '../../src/main/outbox';
import { openLocalStore } from '../../src/main/store';
import { sampleOfSize } from '../support/media-samples';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const MESSAGES = arg('messages', 400);
const SESSIONS = arg('sessions', 6);
const initialSeed = arg('seed', Date.now() % 2 ** 31) >>> 0 || 1;

function prng(start: number): () => number {
  let state = start >>> 0 || 1;
  return () => ((state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32);
}
const random = prng(initialSeed);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface FaultStats {
  calls: number;
  dropped: number;
  answersLost: number;
  timedOut: number;
  /** Calls that reached the server for a message it already had (a retry after a lost answer or time-out). */
  replays: number;
  /** Most calls for one queue (session, or reviewed note) the outbox itself was waiting on at once. */
  maxInFlightPerQueue: number;
}

/**
 * The network between a console and the real backend, made bad on purpose. Only the calls the outbox makes are
 * disturbed; everything else passes through to the real connection untouched.
 */
class FlakyConnection {
  readonly stats: FaultStats = { calls: 0, dropped: 0, answersLost: 0, timedOut: 0, replays: 0, maxInFlightPerQueue: 0 };
  /** Rolls (as shares of the failure share) of the kinds not yet injected: a drop, a lost answer, a time-out. */
  private readonly owedKinds = [0.2, 0.6, 0.9];
  /** Requests still travelling after their caller gave up; awaited before the database is checked. */
  readonly stragglers = new Set<Promise<unknown>>();
  private readonly inFlight = new Map<string, number>();
  private readonly reachedServer = new Set<string>();
  readonly connection: UserConnection;

  constructor(
    private readonly real: UserConnection,
    private readonly random: () => number,
    private readonly failureShare = 0.3,
  ) {
    const disturbed: Partial<UserConnection> = {
      uploadFile: (path, bytes, mime) => this.call(path.split('/')[0]!, `upload:${path}`, () => real.uploadFile(path, bytes, mime)),
      sendMessage: (input) => this.call(input.sessionId, `send:${input.clientMessageId}`, () => real.sendMessage(input)),
      reviewAudio: (id, decision, reason) => this.call(`review:${id}`, `review:${id}`, () => real.reviewAudio(id, decision, reason)),
    };
    this.connection = new Proxy(real, {
      get: (target, property, receiver) => {
        if (typeof property === 'string' && property in disturbed) return disturbed[property as keyof UserConnection];
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  private async call<T>(queue: string, key: string, run: () => Promise<T>): Promise<T> {
    this.stats.calls++;
    const n = (this.inFlight.get(queue) ?? 0) + 1;
    this.inFlight.set(queue, n);
    this.stats.maxInFlightPerQueue = Math.max(this.stats.maxInFlightPerQueue, n);
    const reach = () => {
      if (this.reachedServer.has(key) && key.startsWith('send:')) this.stats.replays++;
      this.reachedServer.add(key);
      return run();
    };
    try {
      const delay = this.random() * 200;
      const share = this.failureShare;
      let roll = this.random();
      // The first faults of a run take each kind in turn, so every kind is injected whatever the seed and however few
      // calls a side makes (the monitor makes a few dozen); later ones fall where the roll says.
      if (roll < share && this.owedKinds.length > 0) roll = share * this.owedKinds.shift()!;
      if (roll < share * 0.4) {
        await sleep(delay);
        this.stats.dropped++;
        throw networkError('ECONNRESET', 'connection reset before the request reached the server');
      }
      if (roll < share * 0.8) {
        await sleep(delay / 2);
        await reach();
        await sleep(delay / 2);
        this.stats.answersLost++;
        throw networkError('ECONNRESET', 'socket hang up after the server answered');
      }
      if (roll < share) {
        // The caller's timeout fires first; the request still arrives, maybe after the caller's retry did.
        const straggler = sleep(delay)
          .then(reach)
          .catch(() => {});
        this.stragglers.add(straggler);
        void straggler.finally(() => this.stragglers.delete(straggler));
        await sleep(delay / 4);
        this.stats.timedOut++;
        throw networkError('ETIMEDOUT', 'request timed out');
      }
      await sleep(delay);
      return await reach();
    } finally {
      this.inFlight.set(queue, this.inFlight.get(queue)! - 1);
    }
  }

  get injected(): number {
    return this.stats.dropped + this.stats.answersLost + this.stats.timedOut;
  }
}

function networkError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

const checks: { name: string; ok: boolean; detail: string }[] = [];
function check(name: string, ok: boolean, detail = ''): void {
  checks.push({ name, ok, detail });
}

async function waitUntilSent(outbox: Outbox, what: string, deadlineMs: number): Promise<OutboxEntry[]> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const unsent = outbox.unsent();
    if (unsent.length === 0 || unsent.some((e) => e.state === 'failed') || Date.now() > deadline) {
      if (unsent.length > 0) console.error(`${what}: ${unsent.length} entries not sent, e.g. ${JSON.stringify(unsent[0])}`);
      return unsent;
    }
    await sleep(20);
  }
}

const started = Date.now();
const root = mkdtempSync(join(tmpdir(), 'outbox-fault-'));
const password = 'fault test password';
const backend = new EmbeddedSupabase({ dataDir: join(root, 'backend'), emergencySweepMs: 0 });
await backend.start();
const admin = await backend.createFirstAccount({ email: 'owner@fault.test', password, displayName: 'Owner' });
// Several hundred messages a minute from one reader: the test is about delivery, not the rate limits.
for (const key of ['console.rate_limit.messages_per_minute', 'console.rate_limit.audio_per_minute', 'console.quota.session_messages_per_day']) {
  await admin.setConsoleSetting(key, '100000');
}
await admin.createAccount({ email: 'reader@fault.test', password, displayName: 'Reader', role: 'reader' });
await admin.createAccount({ email: 'monitor@fault.test', password, displayName: 'Monitor', role: 'monitor' });
const reader = await backend.signIn('reader@fault.test', password);
const monitor = await backend.signIn('monitor@fault.test', password);
const sessions: string[] = [];
for (let i = 0; i < SESSIONS; i++) {
  // A client has one active support session, so each session gets its own client.
  await admin.createAccount({ email: `client${i}@fault.test`, password, displayName: `Client ${i}`, role: 'client' });
  const client = await backend.signIn(`client${i}@fault.test`, password);
  const session = await client.openSupportSession();
  await admin.assignReader(session.id, reader.userId);
  sessions.push(session.id);
}
if (new Set(sessions).size !== SESSIONS) throw new Error(`the sessions are not distinct: ${sessions.join(', ')}`);

const readerNet = new FlakyConnection(reader, prng(initialSeed ^ 0x5a5a5a5a));
const monitorNet = new FlakyConnection(monitor, prng(initialSeed ^ 0x0f0f0f0f));
// Fast backoff so hundreds of retries fit in seconds; jitter from the same seeded source.
const backoff = { baseMs: 5, capMs: 200 };
const readerStore = openLocalStore({ directory: join(root, 'reader') });
const readerOutbox = new Outbox({ store: readerStore, transport: createOutboxTransport(readerNet.connection), random: prng(initialSeed + 1), backoff });
const monitorStore = openLocalStore({ directory: join(root, 'monitor') });
const monitorOutbox = new Outbox({ store: monitorStore, transport: createOutboxTransport(monitorNet.connection), random: prng(initialSeed + 2), backoff });
readerOutbox.start();
monitorOutbox.start();

// Enqueue while the flusher works through the bad network, with connectivity flapping now and then.
const expected = new Map<string, { id: string; body: string; bytes: Uint8Array | null }[]>(sessions.map((s) => [s, []]));
let flaps = 0;
for (let i = 0; i < MESSAGES; i++) {
  const sessionId = sessions[Math.floor(random() * sessions.length)]!;
  const list = expected.get(sessionId)!;
  const body = `s${sessions.indexOf(sessionId)}:${String(list.length).padStart(4, '0')}`;
  let entry: OutboxEntry;
  let bytes: Uint8Array | null = null;
  if (i % 7 === 3) {
    // A real Ogg page header (the outbox checks the content against the declared type), then random bytes.
    bytes = sampleOfSize('voice.ogg', 1024 + Math.floor(random() * 3072)).map((b, k) => (k < 64 ? b : Math.floor(random() * 256)));
    entry = await readerOutbox.enqueue({
      sessionId,
      kind: 'audio',
      body,
      file: { bytes },
      fileName: 'note.ogg',
      mimeType: 'audio/ogg',
      durationMs: 1000 + Math.floor(random() * 5000),
      waveform: [0.2, 0.7, 0.4],
    });
  } else {
    entry = await readerOutbox.enqueue({ sessionId, kind: 'text', body });
  }
  list.push({ id: entry.clientMessageId, body, bytes });
  if (random() < 0.02) {
    readerOutbox.setOnline(false);
    flaps++;
    setTimeout(() => readerOutbox.setOnline(true), 50 + random() * 300);
  }
  if (random() < 0.3) await sleep(random() * 20);
}
await sleep(400); // the last flap has come back online
readerOutbox.setOnline(true);
const enqueuedAt = Date.now();
const readerLeft = await waitUntilSent(readerOutbox, 'reader outbox', 180_000);
const drainedAt = Date.now();

// The monitor reviews every voice note (approve most, reject some) through its own flaky outbox.
// Offline review as support staff do it: pending voice notes downloaded (audio included) into a review pack.
const pending = await monitor.pendingAudio(1000);
await monitorStore.reviewPacks.importPack({
  id: 'fault-test-pack',
  label: 'fault test',
  items: await Promise.all(
    pending.map(async (row) => ({ message: toServerMessage(row), senderName: 'Reader', audio: await monitor.downloadFile(row.storagePath!) })),
  ),
});
const decisions = new Map<string, 'approve' | 'reject'>();
for (const note of pending) {
  const decision = random() < 0.75 ? 'approve' : 'reject';
  decisions.set(note.id, decision);
  monitorOutbox.enqueueReview({ messageId: note.id, decision, reason: decision === 'reject' ? 'background noise' : null });
}
const monitorLeft = await waitUntilSent(monitorOutbox, 'monitor outbox', 120_000);
const reviewedAt = Date.now();
await Promise.all([...readerNet.stragglers, ...monitorNet.stragglers]);

// The check, against the real database.
let delivered = 0;
let lost = 0;
let duplicated = 0;
let outOfOrder = 0;
let filesOk = 0;
let filesBad = 0;
let total = 0;
const problems: string[] = [];
const rowsById = new Map<string, MessageRow>();
for (const sessionId of sessions) {
  const want = expected.get(sessionId)!;
  total += want.length;
  // The super admin sees every row, pending voice notes included; newest first, so reversed into created_at order.
  const rows = (await admin.listMessages(sessionId, { limit: 500 })).reverse();
  if (rows.length >= 500) problems.push(`session ${sessionId} has ${rows.length} rows: more than one page, raise the limit`);
  for (const row of rows) rowsById.set(row.id, row);
  const bodies = rows.map((r) => r.body ?? '');
  const counts = new Map<string, number>();
  for (const b of bodies) counts.set(b, (counts.get(b) ?? 0) + 1);
  for (const w of want) {
    const n = counts.get(w.body) ?? 0;
    if (n === 0) lost++;
    else if (n === 1) delivered++;
  }
  duplicated += [...counts.values()].filter((n) => n > 1).length;
  duplicated += new Set(rows.map((r) => r.clientMessageId)).size !== rows.length ? 1 : 0;
  const unexpected = bodies.filter((b) => !want.some((w) => w.body === b));
  if (unexpected.length) problems.push(`session ${sessions.indexOf(sessionId)}: rows nobody enqueued: ${unexpected.slice(0, 5).join(', ')}`);
  // Order: the database's created_at order of the bodies equals enqueue order.
  const seen = bodies.filter((b, i) => bodies.indexOf(b) === i);
  const wanted = want.map((w) => w.body).filter((b) => seen.includes(b));
  for (let i = 0; i < seen.length; i++) if (seen[i] !== wanted[i]) outOfOrder++;
  for (const w of want) {
    const row = rows.find((r) => r.body === w.body);
    if (row && row.clientMessageId !== w.id) problems.push(`${w.body} stored under client_message_id ${row.clientMessageId}, enqueued as ${w.id}`);
    if (!w.bytes || !row) continue;
    const stored = row.storagePath ? await admin.downloadFile(row.storagePath) : null;
    if (stored && row.sizeBytes === w.bytes.byteLength && Buffer.from(stored).equals(Buffer.from(w.bytes))) filesOk++;
    else filesBad++;
  }
}
const sentEntries = [...expected.values()].flat().map((w) => readerOutbox.get(w.id));
const idMismatch = sentEntries.filter((e) => !e || e.state !== 'sent' || !e.serverMessageId || !rowsById.has(e.serverMessageId)).length;
let reviewsApplied = 0;
const reviewProblems: string[] = [];
for (const [messageId, decision] of decisions) {
  const row = rowsById.get(messageId);
  const status = decision === 'approve' ? 'approved' : 'rejected';
  if (row?.status === status && row.reviewedBy === monitor.userId) reviewsApplied++;
  else reviewProblems.push(`${messageId}: wanted ${status} by the monitor, found ${row?.status} by ${row?.reviewedBy}`);
}
const voiceNotes = [...expected.values()].flat().filter((w) => w.bytes).length;
const packItems = monitorStore.reviewPacks.items('fault-test-pack');
const packNotApplied = packItems.filter((item) => item.state !== 'applied' || item.outcomeDecision !== decisions.get(item.messageId)).length;

check('every message is in the database (none lost)', lost === 0, `${lost} lost`);
check('no message is in the database twice', duplicated === 0, `${duplicated} duplicated`);
check('per session, created_at order equals enqueue order', outOfOrder === 0, `${outOfOrder} out of place`);
check('nothing else was inserted, and each row keeps its client_message_id', problems.length === 0, problems.slice(0, 5).join('; '));
check('the reader outbox is empty, nothing failed', readerLeft.length === 0, `${readerLeft.length} left`);
check('every outbox entry is sent with the server id of its row', idMismatch === 0, `${idMismatch} mismatched`);
check('every voice note has its file, byte for byte', filesOk === voiceNotes && filesBad === 0, `${filesOk} of ${voiceNotes} (${filesBad} bad)`);
check('every voice note was pending approval and got its review decision once, by the monitor', pending.length === voiceNotes && reviewsApplied === decisions.size && monitorLeft.length === 0,
  `${pending.length} pending of ${voiceNotes}; ${reviewsApplied} of ${decisions.size} applied; ${reviewProblems.slice(0, 3).join('; ')}`);
check('the review pack records every decision as applied (none mistaken for someone else\'s)', packItems.length === voiceNotes && packNotApplied === 0,
  `${packNotApplied} of ${packItems.length} not applied`);
check('no leftover outbox files', readdirSync(join(root, 'reader', 'outbox-files')).length === 0);
check('one request at a time per session (per reviewed note)', readerNet.stats.maxInFlightPerQueue === 1 && monitorNet.stats.maxInFlightPerQueue === 1,
  `${readerNet.stats.maxInFlightPerQueue} / ${monitorNet.stats.maxInFlightPerQueue}`);
const allStats = [readerNet.stats, monitorNet.stats];
const injected = readerNet.injected + monitorNet.injected;
check('faults of every kind were injected', allStats.every((s) => s.dropped > 0 && s.answersLost > 0 && s.timedOut > 0),
  JSON.stringify(allStats));
check('lost answers and time-outs led to idempotent re-sends', readerNet.stats.replays > 0, `${readerNet.stats.replays} re-sends`);

await readerOutbox.close();
await monitorOutbox.close();
readerStore.close();
monitorStore.close();
await backend.stop();

const failed = checks.filter((c) => !c.ok);
console.log(
  `messages: ${total}, sessions: ${SESSIONS}, injected faults: ${injected}, delivered: ${delivered}, lost: ${lost}, duplicated: ${duplicated}, out of order: ${outOfOrder}`,
);
console.log(
  `details: calls ${readerNet.stats.calls + monitorNet.stats.calls}, dropped before the server ${readerNet.stats.dropped + monitorNet.stats.dropped}, ` +
    `answers lost after the server committed ${readerNet.stats.answersLost + monitorNet.stats.answersLost}, ` +
    `timed out with the request still travelling ${readerNet.stats.timedOut + monitorNet.stats.timedOut}, idempotent re-sends ${readerNet.stats.replays}, ` +
    `voice notes ${voiceNotes} (files checked ${filesOk}), review decisions ${reviewsApplied}/${decisions.size}, offline flaps ${flaps}, ` +
    `seed ${initialSeed}, ${((Date.now() - started) / 1000).toFixed(1)} s ` +
    `(enqueue ${((enqueuedAt - started) / 1000).toFixed(1)} s, drain ${((drainedAt - enqueuedAt) / 1000).toFixed(1)} s, reviews ${((reviewedAt - drainedAt) / 1000).toFixed(1)} s)`,
);
for (const c of checks) console.log(`${c.ok ? 'ok  ' : 'FAIL'} ${c.name}${c.ok || !c.detail ? '' : ` — ${c.detail}`}`);
console.log(`${checks.length - failed.length} passed, ${failed.length} failed`);
if (failed.length === 0) rmSync(root, { recursive: true, force: true });
else console.error(`kept the data in ${root}`);
process.exit(failed.length === 0 ? 0 : 1);
