/**
 * The process the crash test kills. `work` mode enqueues messages through the
 * real outbox into a real database file while the flusher delivers them to
 * the SQLite "server"; each message is printed as `ack <client_message_id>
 * <body>` only after enqueue() resolved, i.e. when the renderer would be told
 * "queued". `drain` mode is the restart: it reports what the crash left in
 * flight, then flushes everything and exits.
 */
import Database from 'better-sqlite3';
import { existsSync, writeSync } from 'node:fs';
import { Outbox } from '../../src/main/outbox';
import { openLocalStore } from '../../src/main/store';
import { SqliteDeliverySink } from './sqlite-delivery-sink';

const [mode, userDir, serverDbPath, runTag, seedText] = process.argv.slice(2);
if ((mode !== 'work' && mode !== 'drain') || !userDir || !serverDbPath || !runTag) {
  throw new Error('usage: child.ts work|drain <userDir> <serverDb> <runTag> <seed>');
}
export const CRASH_SENDER = '00000000-0000-4000-8000-00000000c0de';
const SESSIONS = ['a', 'b', 'c'].map((s) => `00000000-0000-4000-8000-00000000000${s}`);

let seed = Number(seedText ?? 1) >>> 0 || 1;
function random(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
}

function say(line: string): void {
  // Synchronous write: once it returns, the line is in the pipe even if SIGKILL follows.
  writeSync(1, `${line}\n`);
}

const killAfterInsert = Number(process.env.KILL_AFTER_INSERT ?? 0);
let inserts = 0;

const sink = new SqliteDeliverySink(serverDbPath);
const transport = sink.transportFor(CRASH_SENDER, {
  afterInsert: async () => {
    inserts++;
    // The server has committed; the outbox has not heard back yet. Dying here is what idempotency is for.
    if (killAfterInsert > 0 && inserts === killAfterInsert) process.kill(process.pid, 'SIGKILL');
    // The answer travels back: sometimes immediately, sometimes after a few milliseconds.
    if (random() < 0.3) await new Promise((resolve) => setTimeout(resolve, 1 + random() * 3));
    else await new Promise((resolve) => setImmediate(resolve));
  },
});

if (mode === 'drain') {
  // What did the crash leave mid-flight? Read before the outbox's recovery rewrites it.
  // (The killed child may not even have created its database yet.)
  let inFlight: string[] = [];
  if (existsSync(`${userDir}/local.db`)) {
    const peek = new Database(`${userDir}/local.db`, { readonly: true });
    const hasOutbox = peek.prepare(`SELECT 1 FROM sqlite_master WHERE name = 'outbox'`).get() !== undefined;
    if (hasOutbox) inFlight = peek.prepare(`SELECT client_message_id FROM outbox WHERE state = 'sending'`).pluck().all() as string[];
    peek.close();
  }
  const alreadyOnServer = inFlight.filter(
    (id) => sink.db.prepare('SELECT 1 FROM messages WHERE sender_id = ? AND client_message_id = ?').get(CRASH_SENDER, id) !== undefined,
  ).length;
  const store = openLocalStore({ directory: userDir });
  const outbox = new Outbox({ store, transport, random });
  outbox.start();
  while (outbox.unsent().length > 0) {
    await outbox.idle();
    if (outbox.unsent().some((e) => e.state === 'failed')) throw new Error('a message failed permanently during the drain');
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await outbox.close();
  store.close();
  say(`drained ${JSON.stringify({ inFlight: inFlight.length, alreadyOnServer, replays: sink.idempotentReplays })}`);
  sink.close();
} else {
  const store = openLocalStore({ directory: userDir });
  const outbox = new Outbox({ store, transport, random });
  outbox.start();
  say('ready');
  const perSession = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const sessionId = SESSIONS[Math.floor(random() * SESSIONS.length)]!;
    const n = perSession.get(sessionId) ?? 0;
    perSession.set(sessionId, n + 1);
    // The body is unique per message: a duplicate delivery under any client_message_id shows up as a repeated body.
    const body = `${runTag}|${sessionId.slice(-1)}|${String(n).padStart(3, '0')}`;
    const entry =
      i % 5 === 4
        ? await outbox.enqueue({
            sessionId,
            kind: 'audio',
            body,
            file: { bytes: new Uint8Array(2048).fill(i) },
            fileName: 'note.ogg',
            mimeType: 'audio/ogg',
            durationMs: 1500,
            waveform: [0.1, 0.5, 0.9],
          })
        : await outbox.enqueue({ sessionId, kind: 'text', body });
    say(`ack ${entry.clientMessageId} ${body}`);
    if (random() < 0.5) await new Promise((resolve) => setTimeout(resolve, random() * 4));
  }
  await outbox.idle();
  say('done');
  await outbox.close();
  store.close();
  sink.close();
}
