/**
 * The process the crash test kills. It is the console's main process as far
 * as sending goes: the real outbox on a real local database, the real
 * createOutboxTransport, over a UserConnection whose calls travel to the real
 * embedded backend in the parent (tests/support/backend-over-socket.ts).
 *
 * `work` mode enqueues messages while the flusher delivers them; each message
 * is printed as `ack <client_message_id> <body>` only after enqueue()
 * resolved, i.e. when the renderer would be told "queued". `drain` mode is the
 * restart: it reports what the crash left in flight, then flushes everything
 * and exits.
 *
 * KILL_AFTER_INSERT=n: the child SIGKILLs itself when the n-th send_message
 * answer arrives, i.e. the server committed and answered, the outbox has not
 * yet marked the row sent.
 */
import Database from 'better-sqlite3';
import { existsSync, writeSync } from 'node:fs';
import { createOutboxTransport } from '../../src/main/core/backend-outbox-transport';
import { Outbox } from '../../src/main/outbox';
import { openLocalStore } from '../../src/main/store';
import { sampleOfSize } from '../support/media-samples';
import { connectUserConnection } from '../support/backend-over-socket';

const [mode, userDir, portText, runTag, seedText, sessionList] = process.argv.slice(2);
if ((mode !== 'work' && mode !== 'drain') || !userDir || !portText || !runTag || !sessionList) {
  throw new Error('usage: child.ts work|drain <userDir> <port> <runTag> <seed> <session,session,...>');
}
const SESSIONS = sessionList.split(',');
export const MESSAGES_PER_RUN = 40;

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

const remote = await connectUserConnection(Number(portText));
const killAfterInsert = Number(process.env.KILL_AFTER_INSERT ?? 0);
let answers = 0;
remote.onAnswer = (method) => {
  if (method !== 'sendMessage') return;
  answers++;
  // The server committed and answered; the outbox has not heard back yet. Dying here is what idempotency is for.
  if (killAfterInsert > 0 && answers === killAfterInsert) process.kill(process.pid, 'SIGKILL');
};
const transport = createOutboxTransport(remote.connection);

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
  const store = openLocalStore({ directory: userDir });
  const outbox = new Outbox({ store, transport, random });
  outbox.start();
  while (outbox.unsent().length > 0) {
    await outbox.idle();
    const failed = outbox.unsent().find((e) => e.state === 'failed');
    if (failed) throw new Error(`a message failed permanently during the drain: ${JSON.stringify(failed)}`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await outbox.close();
  store.close();
  say(`drained ${JSON.stringify({ inFlight })}`);
  remote.close();
} else {
  const store = openLocalStore({ directory: userDir });
  const outbox = new Outbox({ store, transport, random });
  outbox.start();
  say('ready');
  const perSession = new Map<string, number>();
  for (let i = 0; i < MESSAGES_PER_RUN; i++) {
    const index = Math.floor(random() * SESSIONS.length);
    const sessionId = SESSIONS[index]!;
    const n = perSession.get(sessionId) ?? 0;
    perSession.set(sessionId, n + 1);
    // Unique per message and sortable per session: a duplicate under any client_message_id shows up as a repeated
    // body, and the server's created_at order must equal the body order.
    const body = `${runTag}|${index}|${String(n).padStart(3, '0')}`;
    const entry =
      i % 5 === 4
        ? await outbox.enqueue({
            sessionId,
            kind: 'audio',
            body,
            file: { bytes: sampleOfSize('voice.ogg', 2048, i) },
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
  remote.close();
}
