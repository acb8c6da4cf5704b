/**
 * Crash test for the outbox (issue 5): a child process enqueues through the
 * real outbox and flushes to an idempotent SQLite "server"; it is killed with
 * SIGKILL at random points, then restarted to drain. After every restart,
 * each message the child had acknowledged as "queued" must be on the server
 * exactly once, in per-session order, and the outbox must be empty.
 *
 * Kill points: a random delay after spawn (sometimes during start-up and
 * recovery), or, in a share of runs, inside the transport right after the
 * server committed and before the outbox could mark the row sent.
 *
 * Usage: npm run test:crash [-- --runs 200 --lanes 2]
 */
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

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
const childArgs = await prepareChild();

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

interface ChildResult {
  acks: { id: string; body: string }[];
  lines: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

function runChild(args: string[], env: Record<string, string>, killAfterMs: number | null, killAfterReady: boolean): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [...childArgs, ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
  killedWhileStarting: number;
  completedBeforeKill: number;
  replays: number;
  leftoverFiles: number;
  failures: string[];
}

async function lane(index: number, runs: number, root: string): Promise<LaneStats> {
  const laneDir = join(root, `lane-${index}`);
  const userDir = join(laneDir, 'user');
  const serverDb = join(laneDir, 'server.db');
  mkdirSync(laneDir, { recursive: true });
  const stats: LaneStats = {
    runs: 0, acknowledged: 0, delivered: 0, lost: 0, duplicated: 0, outOfOrder: 0, deliveredUnacknowledged: 0,
    killedMidFlight: 0, killedAfterServerInsert: 0, killedWhileStarting: 0, completedBeforeKill: 0, replays: 0, leftoverFiles: 0, failures: [],
  };
  const acked = new Map<string, string>(); // client_message_id -> body

  for (let run = 0; run < runs; run++) {
    const runTag = `L${index}R${String(run).padStart(4, '0')}`;
    const childSeed = String(Math.floor(random() * 2 ** 31) + 1);
    const roll = random();
    const env: Record<string, string> = {};
    let killAfterMs: number | null;
    let afterReady = true;
    if (roll < 0.3) {
      env.KILL_AFTER_INSERT = String(1 + Math.floor(random() * 30)); // dies inside the transport, right after a server commit
      killAfterMs = 5000; // safety net if it finished first
    } else if (roll < 0.4) {
      killAfterMs = Math.floor(random() * 120); // during process start-up, recovery and the first sends
      afterReady = false;
    } else {
      killAfterMs = Math.floor(random() * 150);
    }
    const work = await runChild(['work', userDir, serverDb, runTag, childSeed], env, killAfterMs, afterReady);
    stats.runs++;
    if (work.signal !== 'SIGKILL') {
      if (work.code !== 0) {
        stats.failures.push(`${runTag}: work child exited ${work.code}: ${work.stderr.slice(0, 2000)}`);
        break;
      }
      stats.completedBeforeKill++;
    }
    if (!work.lines.includes('ready')) stats.killedWhileStarting++;
    for (const ack of work.acks) acked.set(ack.id, ack.body);

    // A drain that cannot finish (rows stuck after recovery) is a failure, not a hang.
    const drain = await runChild(['drain', userDir, serverDb, runTag, childSeed], {}, 30_000, false);
    const drainedLine = drain.lines.find((l) => l.startsWith('drained '));
    if (drain.code !== 0 || !drainedLine) {
      stats.failures.push(`${runTag}: drain failed (${drain.code} ${drain.signal}): ${drain.stderr.slice(0, 2000)}`);
      break;
    }
    const drained = JSON.parse(drainedLine.slice('drained '.length)) as { inFlight: number; alreadyOnServer: number; replays: number };
    if (drained.inFlight > 0) stats.killedMidFlight++;
    if (drained.alreadyOnServer > 0) stats.killedAfterServerInsert++;
    stats.replays += drained.replays;

    // The check, after every restart: everything acknowledged so far is on the server exactly once.
    const server = new Database(serverDb, { readonly: true });
    const rows = server
      .prepare('SELECT client_message_id AS id, body, session_id AS session FROM messages ORDER BY seq')
      .all() as { id: string; body: string; session: string }[];
    server.close();
    const byId = new Map<string, number>();
    const byBody = new Map<string, number>();
    for (const r of rows) {
      byId.set(r.id, (byId.get(r.id) ?? 0) + 1);
      byBody.set(r.body, (byBody.get(r.body) ?? 0) + 1);
    }
    let lost = 0;
    for (const [id, body] of acked) if (byId.get(id) !== 1 || byBody.get(body) !== 1) lost += byId.has(id) ? 0 : 1;
    const duplicated = [...byBody.values()].filter((n) => n > 1).length + [...byId.values()].filter((n) => n > 1).length;
    // Per-session order: bodies are runTag|session|index, so server order must be sorted order within a session.
    const lastBySession = new Map<string, string>();
    let outOfOrder = 0;
    for (const r of rows) {
      const prev = lastBySession.get(r.session);
      if (prev !== undefined && prev >= r.body) outOfOrder++;
      lastBySession.set(r.session, r.body);
    }
    const local = new Database(join(userDir, 'local.db'), { readonly: true });
    const unsent = local.prepare(`SELECT count(*) FROM outbox WHERE state <> 'sent'`).pluck().get() as number;
    const mismatched = local
      .prepare(`SELECT count(*) FROM outbox WHERE state = 'sent' AND server_message_id IS NULL`)
      .pluck()
      .get() as number;
    local.close();
    const files = readdirSync(join(userDir, 'outbox-files')).length;
    stats.lost = lost;
    stats.duplicated = duplicated;
    stats.outOfOrder = outOfOrder;
    stats.acknowledged = acked.size;
    stats.delivered = [...acked.keys()].filter((id) => byId.get(id) === 1).length;
    stats.deliveredUnacknowledged = rows.length - stats.delivered;
    stats.leftoverFiles = files;
    if (lost || duplicated || outOfOrder || unsent || mismatched || files) {
      stats.failures.push(`${runTag}: lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}, unsent ${unsent}, sent without id ${mismatched}, leftover files ${files}`);
      break;
    }
  }
  return stats;
}

const started = Date.now();
const root = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
const perLane = Array.from({ length: lanes }, (_, i) => Math.floor(totalRuns / lanes) + (i < totalRuns % lanes ? 1 : 0));
const results = await Promise.all(perLane.map((runs, i) => lane(i, runs, root)));
const sum = (key: keyof Omit<LaneStats, 'failures'>) => results.reduce((a, r) => a + r[key], 0);
const failures = results.flatMap((r) => r.failures);

console.log(`runs: ${sum('runs')}, acknowledged: ${sum('acknowledged')}, delivered: ${sum('delivered')}, lost: ${sum('lost')}, duplicated: ${sum('duplicated')}`);
console.log(
  `details: out of order ${sum('outOfOrder')}, kills with a send in flight ${sum('killedMidFlight')}, ` +
    `kills between server insert and "sent" ${sum('killedAfterServerInsert')}, kills during start-up ${sum('killedWhileStarting')}, ` +
    `runs that finished before the kill ${sum('completedBeforeKill')}, idempotent re-sends ${sum('replays')}, ` +
    `delivered but never acknowledged ${sum('deliveredUnacknowledged')}, lanes ${lanes}, seed ${initialSeed}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
for (const f of failures) console.error(`FAIL ${f}`);
if (childArgs.length === 1) rmSync(childArgs[0]!, { force: true });
if (failures.length === 0) rmSync(root, { recursive: true, force: true });
else console.error(`kept the databases in ${root}`);
const ok = failures.length === 0 && sum('lost') === 0 && sum('duplicated') === 0 && sum('runs') >= totalRuns;
process.exit(ok ? 0 : 1);
