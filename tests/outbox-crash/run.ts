/**
 * Crash test for the outbox (issue 5) against the REAL embedded backend.
 *
 * The parent starts an EmbeddedSupabase (the local Supabase: PGlite on disk in a temp folder, the
 * real migrations), creates a super admin, one reader per lane and three
 * support sessions per lane (each with its own client), and serves each
 * lane's signed-in reader connection over a loopback socket
 * (tests/support/backend-over-socket.ts).
 * A child process (tests/outbox-crash/child.ts) runs the real outbox and the
 * real createOutboxTransport over that connection; it is killed with SIGKILL
 * at random points, then restarted to drain. After every restart the check
 * reads the real database (chat_messages, through the super admin's
 * connection): every message the child acknowledged as "queued" is there
 * exactly once, per-session created_at order equals enqueue order, nothing
 * else was inserted, and the child's outbox is empty.
 *
 * Kill points, drawn per run:
 * - a random delay after "ready" (enqueueing, uploading, sending);
 * - a random delay after spawn (start-up, recovery of a previous crash);
 * - in the child, as the n-th send_message answer arrives: the server
 *   committed, the outbox has not marked the row "sent";
 * - in the parent, right after the n-th send_message committed, before the
 *   answer is written: the request reached the server, the answer was lost;
 * - in the parent, right after the n-th file upload committed, before its
 *   answer: the file is on the server, the message is not.
 *
 * Usage: npm run test:crash [-- --runs 200 --lanes 2 --seed n]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { EmbeddedSupabase } from '../../src/main/backend/embedded/embedded-supabase';
import type { MessageRow, UserConnection } from '../../src/main/backend/backend-port';
import { serveUserConnection, type CallRecord, type ConnectionServer } from '../support/backend-over-socket';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');

/**
 * Hundreds of restarts: loading the child through tsx costs ~0.25 s of CPU
 * each, so it is bundled once with esbuild (already installed as tsx's own
 * compiler) into the git-ignored .tmp/ folder, next to node_modules for
 * better-sqlite3. Falls back to tsx when esbuild cannot be loaded.
 */
async function prepareChild(): Promise<string[]> {
  const source = join(here, 'child.ts');
  try {
    const esbuild = await import('esbuild');
    const outfile = join(repoRoot, '.tmp', 'outbox-crash', `child-${process.pid}.mjs`);
    await esbuild.build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    return [outfile];
  } catch {
    return ['--import', 'tsx', source];
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const totalRuns = arg('runs', 200);
const lanes = Math.max(1, arg('lanes', 2));
let seed = arg('seed', Date.now() % 2 ** 31) >>> 0 || 1;
const initialSeed = seed;
function random(): number {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 2 ** 32;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface ChildResult {
  acks: { id: string; body: string }[];
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

const childArgs = await prepareChild();

function runChild(
  args: string[],
  env: Record<string, string>,
  killAfterMs: number | null,
  killAfterReady: boolean,
  onSpawn: (child: ChildProcess) => void = () => {},
): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...childArgs, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    onSpawn(child);
    const result: ChildResult = { acks: [], lines: [], code: null, signal: null, stderr: '' };
    let timer: NodeJS.Timeout | null = null;
    const arm = () => {
      if (killAfterMs !== null && timer === null) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    };
    if (!killAfterReady) arm();
    child.stderr.on('data', (chunk: Buffer) => (result.stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      result.lines.push(line);
      if (line === 'ready' && killAfterReady) arm();
      const m = /^ack (\S+) (\S+)$/.exec(line);
      if (m) result.acks.push({ id: m[1]!, body: m[2]! });
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      result.code = code;
      result.signal = signal;
      resolvePromise(result);
    });
  });
}

interface LaneStats {
  runs: number;
  acknowledged: number;
  delivered: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  deliveredUnacknowledged: number;
  killedMidFlight: number;
  killedAfterServerInsert: number;
  killedAnswerLost: number;
  killedAfterUpload: number;
  killedWhileStarting: number;
  completedBeforeKill: number;
  replays: number;
  audioDelivered: number;
  failures: string[];
}

interface Lane {
  index: number;
  server: ConnectionServer;
  sessions: string[];
  readerId: string;
}

const password = 'crash test password';

/** One real backend; per lane a reader who sends and three sessions with a client. */
/** Every message changed after a server cursor, through the same paging the console's catch-up uses, in created_at order. */
async function everythingSince(connection: UserConnection, cursor: string) {
  const seen = new Map<string, Awaited<ReturnType<UserConnection['listMessages']>>[number]>();
  for (;;) {
    const page = await connection.messagesChangedSince(cursor);
    for (const m of page.messages) seen.set(m.id, m);
    cursor = page.cursor;
    if (page.complete) break;
  }
  // Postgres trims trailing zeros of the microseconds: pad them before comparing the texts.
  const key = (m: { createdAt: string; id: string }) => `${m.createdAt.replace(/(\.\d+)?Z$/, (_, f: string | undefined) => `${(f ?? '.').padEnd(7, '0')}Z`)}|${m.id}`;
  return [...seen.values()].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

async function setUp(root: string): Promise<{ backend: EmbeddedSupabase; admin: UserConnection; lanes: Lane[] }> {
  const backend = new EmbeddedSupabase({ dataDir: join(root, 'backend'), emergencySweepMs: 0 });
  await backend.start();
  const admin = await backend.createFirstAccount({ email: 'owner@crash.test', password, displayName: 'Owner' });
  // Hundreds of messages a minute from one reader: the test is about delivery, not the rate limits.
  for (const key of [
    'console.rate_limit.messages_per_minute',
    'console.rate_limit.audio_per_minute',
    'console.quota.session_messages_per_day',
  ]) {
    await admin.setConsoleSetting(key, '100000');
  }
  const result: Lane[] = [];
  for (let i = 0; i < lanes; i++) {
    await admin.createAccount({ email: `reader${i}@crash.test`, password, displayName: `Reader ${i}`, role: 'reader' });
    const reader = await backend.signIn(`reader${i}@crash.test`, password);
    const sessions: string[] = [];
    // A client has one active support session, so each session gets its own client.
    for (let s = 0; s < 3; s++) {
      const email = `client${i}-${s}@crash.test`;
      await admin.createAccount({ email, password, displayName: `Client ${i}-${s}`, role: 'client' });
      const client = await backend.signIn(email, password);
      const session = await client.openSupportSession();
      await admin.assignReader(session.id, reader.userId);
      sessions.push(session.id);
    }
    if (new Set(sessions).size !== sessions.length) throw new Error(`lane ${i}: the sessions are not distinct: ${sessions.join(', ')}`);
    result.push({ index: i, server: await serveUserConnection(reader), sessions, readerId: reader.userId });
  }
  return { backend, admin, lanes: result };
}

async function lane(l: Lane, runs: number, root: string, admin: UserConnection): Promise<LaneStats> {
  const laneDir = join(root, `lane-${l.index}`);
  const userDir = join(laneDir, 'user');
  mkdirSync(laneDir, { recursive: true });
  const stats: LaneStats = {
    runs: 0, acknowledged: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, deliveredUnacknowledged: 0,
    killedMidFlight: 0, killedAfterServerInsert: 0, killedAnswerLost: 0, killedAfterUpload: 0, killedWhileStarting: 0,
    completedBeforeKill: 0, replays: 0, audioDelivered: 0, failures: [],
  };
  // What the server committed for this lane's sender, and on which connection it first did (seen by the socket
  // as each real call succeeded; a killed child's call that was still running completes and counts too).
  const committedOn = new Map<string, number>();
  const record = (call: CallRecord) => {
    if (call.method !== 'sendMessage') return;
    const id = (call.args[0] as { clientMessageId: string }).clientMessageId;
    if (committedOn.has(id)) stats.replays++;
    else committedOn.set(id, call.connection);
  };

  for (let run = 0; run < runs; run++) {
    const runTag = `L${l.index}R${String(run).padStart(4, '0')}`;
    const childSeed = String(Math.floor(random() * 2 ** 31) + 1);
    // Rows committed before this instant belong to earlier runs (created_at has microseconds; ISO strings have ms).
    await sleep(2);
    const runStart = (await admin.messagesChangedSince(null)).cursor;

    let current: ChildProcess | null = null;
    let serverSideKill: { method: 'sendMessage' | 'uploadFile'; n: number } | null = null;
    const roll = random();
    const env: Record<string, string> = {};
    let killAfterMs: number | null;
    let afterReady = true;
    if (roll < 0.2) {
      env.KILL_AFTER_INSERT = String(1 + Math.floor(random() * 30));
      killAfterMs = 10_000; // safety net if it finished first
    } else if (roll < 0.35) {
      serverSideKill = { method: 'sendMessage', n: 1 + Math.floor(random() * 30) };
      killAfterMs = 10_000;
    } else if (roll < 0.45) {
      serverSideKill = { method: 'uploadFile', n: 1 + Math.floor(random() * 7) };
      killAfterMs = 10_000;
    } else if (roll < 0.55) {
      killAfterMs = Math.floor(random() * 250); // during process start-up, recovery and the first sends
      afterReady = false;
    } else {
      killAfterMs = Math.floor(random() * 250);
    }
    let killedByServer = false;
    l.server.setAfterCall((call) => {
      record(call);
      if (serverSideKill && call.method === serverSideKill.method && call.successes === serverSideKill.n && current) {
        // The real call committed; the child dies before the answer leaves the server.
        current.kill('SIGKILL');
        killedByServer = true;
        return 'drop';
      }
      return 'answer';
    });
    const sessionsArg = l.sessions.join(',');
    const work = await runChild(['work', userDir, String(l.server.port), runTag, childSeed, sessionsArg], env, killAfterMs, afterReady, (c) => {
      current = c;
    });
    stats.runs++;
    if (work.signal !== 'SIGKILL') {
      if (work.code !== 0) {
        stats.failures.push(`${runTag}: work child exited ${work.code}: ${work.stderr.slice(0, 2000)}`);
        break;
      }
      stats.completedBeforeKill++;
    }
    if (killedByServer) {
      if (serverSideKill?.method === 'sendMessage') stats.killedAnswerLost++;
      else stats.killedAfterUpload++;
    }
    if (!work.lines.includes('ready')) stats.killedWhileStarting++;

    // The restart. A drain that cannot finish (rows stuck after recovery) is a failure, not a hang.
    l.server.setAfterCall((call) => (record(call), 'answer'));
    const drainConnection = l.server.connections + 1;
    const drain = await runChild(['drain', userDir, String(l.server.port), runTag, childSeed, sessionsArg], {}, 30_000, false);
    const drainedLine = drain.lines.find((line) => line.startsWith('drained '));
    if (drain.code !== 0 || !drainedLine) {
      stats.failures.push(`${runTag}: drain failed (${drain.code} ${drain.signal}): ${drain.stderr.slice(0, 2000)}`);
      break;
    }
    const drained = JSON.parse(drainedLine.slice('drained '.length)) as { inFlight: string[] };
    if (drained.inFlight.length > 0) stats.killedMidFlight++;
    // Committed by the killed child's request (not first by the drain's re-send): the crash fell between the
    // server insert and the outbox marking the row "sent".
    if (drained.inFlight.some((id) => (committedOn.get(id) ?? drainConnection) < drainConnection)) stats.killedAfterServerInsert++;

    // The check, against the real database: every row inserted since this run began, in created_at order.
    const check = checkRun(
      runTag,
      l,
      work.acks,
      (await everythingSince(admin, runStart)).filter((m) => l.sessions.includes(m.sessionId)),
    );
    stats.acknowledged += work.acks.length;
    stats.delivered += check.delivered;
    stats.lost += check.lost;
    stats.duplicated += check.duplicated;
    stats.outOfOrder += check.outOfOrder;
    stats.deliveredUnacknowledged += check.unacknowledged;
    stats.audioDelivered += check.audio;

    const local = new Database(join(userDir, 'local.db'), { readonly: true });
    const unsent = local.prepare(`SELECT count(*) FROM outbox WHERE state <> 'sent'`).pluck().get() as number;
    const mismatched = local.prepare(`SELECT count(*) FROM outbox WHERE state = 'sent' AND server_message_id IS NULL`).pluck().get() as number;
    local.close();
    const files = readdirSync(join(userDir, 'outbox-files')).length;
    if (check.problems.length || unsent || mismatched || files) {
      stats.failures.push(
        `${runTag}: lost ${check.lost}, duplicated ${check.duplicated}, out of order ${check.outOfOrder}, unsent ${unsent}, ` +
          `sent without id ${mismatched}, leftover files ${files}\n  ${check.problems.slice(0, 10).join('\n  ')}`,
      );
      break;
    }
  }
  l.server.setAfterCall(null);
  return stats;
}

/**
 * Bodies are `<runTag>|<session index>|<n>`: within a session, the database's created_at order must be n order;
 * no row may carry another run's tag (a late duplicate of an earlier message); no body or id may repeat.
 */
function checkRun(runTag: string, l: Lane, acks: { id: string; body: string }[], rows: MessageRow[]) {
  const problems: string[] = [];
  const byId = new Map<string, number>();
  const byBody = new Map<string, number>();
  const lastBySession = new Map<string, number>();
  let duplicated = 0;
  let outOfOrder = 0;
  let audio = 0;
  for (const row of rows) {
    const [tag, sessionIndex, n] = (row.body ?? '').split('|');
    if (tag !== runTag || row.senderId !== l.readerId) {
      duplicated++;
      problems.push(`row ${row.id} (${row.body}) from another run or sender appeared during ${runTag}`);
      continue;
    }
    if (l.sessions[Number(sessionIndex)] !== row.sessionId) problems.push(`row ${row.id} (${row.body}) landed in the wrong session`);
    byId.set(row.clientMessageId ?? '', (byId.get(row.clientMessageId ?? '') ?? 0) + 1);
    byBody.set(row.body!, (byBody.get(row.body!) ?? 0) + 1);
    const prev = lastBySession.get(row.sessionId);
    if (prev !== undefined && prev >= Number(n)) {
      outOfOrder++;
      problems.push(`session ${sessionIndex}: ${row.body} stored after message ${prev}`);
    }
    lastBySession.set(row.sessionId, Number(n));
    if (row.type === 'audio') {
      audio++;
      if (row.status !== 'pending_approval' || !row.storagePath || row.sizeBytes !== 2048) problems.push(`audio ${row.body} stored as ${JSON.stringify(row)}`);
    }
  }
  for (const [body, count] of byBody) {
    if (count > 1) {
      duplicated++;
      problems.push(`${body} stored ${count} times`);
    }
  }
  let lost = 0;
  let delivered = 0;
  for (const ack of acks) {
    const count = byId.get(ack.id) ?? 0;
    if (count === 0 || byBody.get(ack.body) === undefined) {
      lost++;
      problems.push(`acknowledged ${ack.body} (${ack.id}) is not in the database`);
    } else if (count === 1) {
      delivered++;
    }
  }
  const acked = new Set(acks.map((a) => a.id));
  const unacknowledged = rows.filter((r) => !acked.has(r.clientMessageId ?? '')).length;
  return { problems, lost, duplicated, outOfOrder, delivered, unacknowledged, audio };
}

const started = Date.now();
const root = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
const { backend, admin, lanes: laneList } = await setUp(root);
const setupSeconds = (Date.now() - started) / 1000;
const perLane = Array.from({ length: lanes }, (_, i) => Math.floor(totalRuns / lanes) + (i < totalRuns % lanes ? 1 : 0));
const results = await Promise.all(perLane.map((runs, i) => lane(laneList[i]!, runs, root, admin)));
for (const l of laneList) await l.server.close();
await backend.stop();
const sum = (key: keyof Omit<LaneStats, 'failures'>) => results.reduce((a, r) => a + r[key], 0);
const failures = results.flatMap((r) => r.failures);

console.log(`runs: ${sum('runs')}, acknowledged: ${sum('acknowledged')}, delivered: ${sum('delivered')}, lost: ${sum('lost')}, duplicated: ${sum('duplicated')}`);
console.log(
  `details: out of order ${sum('outOfOrder')}, kills with a send in flight ${sum('killedMidFlight')}, ` +
    `kills between server insert and "sent" ${sum('killedAfterServerInsert')} (answer lost on the server side ${sum('killedAnswerLost')}), ` +
    `kills after an upload committed ${sum('killedAfterUpload')}, kills during start-up ${sum('killedWhileStarting')}, ` +
    `runs that finished before the kill ${sum('completedBeforeKill')}, idempotent re-sends ${sum('replays')}, ` +
    `voice notes delivered ${sum('audioDelivered')}, delivered but never acknowledged ${sum('deliveredUnacknowledged')}, ` +
    `lanes ${lanes}, seed ${initialSeed}, set-up ${setupSeconds.toFixed(1)} s, total ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of failures) console.error(`FAIL ${f}`);
if (childArgs.length === 1) rmSync(childArgs[0]!, { force: true });
if (failures.length === 0) rmSync(root, { recursive: true, force: true });
else console.error(`kept the databases in ${root}`);
const ok =
  failures.length === 0 && sum('lost') === 0 && sum('duplicated') === 0 && sum('outOfOrder') === 0 && sum('runs') >= totalRuns;
process.exit(ok ? 0 : 1);
