import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Outbox, OutboxTransportError, type OutboxTransport } from '../../../src/main/outbox';
import { openLocalStore } from '../../../src/main/store';
import { SqliteDeliverySink } from '../../outbox-crash/sqlite-delivery-sink';
import { ManualClock, SENDER, settle, tempDir } from './support';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * A flaky network in front of the idempotent SQLite sink: calls are dropped
 * before reaching the server, answers are lost after the server committed,
 * some are refused with a retry hint, all are delayed by a random number of
 * turns, and the connection drops in and out.
 */
describe('outbox under faults', () => {
  it('delivers every message exactly once and in order per session', async () => {
    const dir = tempDir('outbox-faults-');
    const clock = new ManualClock();
    const store = openLocalStore({ directory: join(dir.path, 'user') });
    const sink = new SqliteDeliverySink(join(dir.path, 'server.db'));
    let seed = 20_251_124;
    const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const inner = sink.transportFor(SENDER);
    const inFlight = new Map<string, number>();
    let maxInFlight = 0;
    const stats = { dropped: 0, lostAnswers: 0, refused: 0 };
    const delay = async () => {
      for (let i = Math.floor(random() * 4); i > 0; i--) await new Promise<void>((r) => setImmediate(r));
    };
    const flaky: OutboxTransport = {
      uploadFile: inner.uploadFile,
      reviewAudio: inner.reviewAudio,
      sendMessage: async (request) => {
        const n = (inFlight.get(request.sessionId) ?? 0) + 1;
        inFlight.set(request.sessionId, n);
        maxInFlight = Math.max(maxInFlight, n);
        try {
          await delay();
          const roll = random();
          if (roll < 0.2) {
            stats.dropped++;
            throw new Error('ECONNRESET before the server');
          }
          if (roll < 0.3) {
            stats.refused++;
            throw new OutboxTransportError({ code: 'SA429', messageKey: 'chat.rate_limited', permanent: false, retryAfterMs: 2000 });
          }
          const message = await inner.sendMessage(request);
          await delay();
          if (roll < 0.45) {
            stats.lostAnswers++;
            throw new Error('socket hang up after the server committed');
          }
          return message;
        } finally {
          inFlight.set(request.sessionId, inFlight.get(request.sessionId)! - 1);
        }
      },
    };
    const outbox = new Outbox({ store, transport: flaky, clock, random, maxConcurrentQueues: 4 });
    cleanups.push(() => dir.remove(), () => sink.close(), () => store.close(), () => outbox.close());
    outbox.start();

    const sessions = Array.from({ length: 6 }, (_, i) => `00000000-0000-4000-8000-0000000001${String(i).padStart(2, '0')}`);
    const expected = new Map<string, string[]>(sessions.map((s) => [s, []]));
    for (let i = 0; i < 300; i++) {
      const sessionId = sessions[Math.floor(random() * sessions.length)]!;
      const body = `${sessionId.slice(-2)}:${String(expected.get(sessionId)!.length).padStart(4, '0')}`;
      expected.get(sessionId)!.push(body);
      await outbox.enqueue({ sessionId, kind: 'text', body });
      if (random() < 0.05) outbox.setOnline(!outbox.isOnline);
      if (random() < 0.3) await clock.advance(Math.floor(random() * 3000));
    }
    outbox.setOnline(true);
    for (let round = 0; round < 1000 && outbox.unsent().length > 0; round++) {
      await clock.advance(5000);
      await settle();
    }

    expect(outbox.unsent()).toEqual([]);
    const rows = sink.rows();
    expect(rows).toHaveLength(300);
    expect(new Set(rows.map((r) => r.client_message_id)).size).toBe(300);
    for (const sessionId of sessions) {
      expect(rows.filter((r) => r.session_id === sessionId).map((r) => r.body)).toEqual(expected.get(sessionId));
    }
    expect(maxInFlight).toBe(1);
    // Every send that reaches the server after the first is a replay, and only a lost answer causes one.
    expect(sink.idempotentReplays).toBe(stats.lostAnswers);
    expect(stats.dropped).toBeGreaterThan(20);
    expect(stats.lostAnswers).toBeGreaterThan(20);
    expect(stats.refused).toBeGreaterThan(10);
  });
});
