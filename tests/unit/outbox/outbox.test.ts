import Database from 'better-sqlite3';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  Outbox,
  OutboxActionError,
  OutboxInputError,
  OutboxTransportError,
  type OutboxEvent,
  type OutboxOptions,
} from '../../../src/main/outbox';
import { openLocalStore } from '../../../src/main/store';
import { SqliteDeliverySink } from '../../outbox-crash/sqlite-delivery-sink';
import { gate, ManualClock, ScriptedTransport, SENDER, SESSION_A, SESSION_B, SESSION_C, settle, tempDir } from './support';
import { outboxLimitsFromSettings } from '../../../src/main/outbox';
import { sample, sampleOfSize } from '../../support/media-samples';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

function setup(options: Partial<OutboxOptions> & { start?: boolean } = {}) {
  const dir = tempDir('outbox-test-');
  const clock = (options.clock as ManualClock | undefined) ?? new ManualClock();
  const store = openLocalStore({ directory: join(dir.path, 'user'), now: () => clock.now() });
  const sink = new SqliteDeliverySink(join(dir.path, 'server.db'));
  const transport = new ScriptedTransport(sink, SENDER);
  const events: OutboxEvent[] = [];
  const outbox = new Outbox({ store, transport, clock, random: () => 0.5, onInternalError: (e) => { throw e; }, ...options });
  outbox.on((e) => events.push(e));
  if (options.start !== false) outbox.start();
  cleanups.push(() => dir.remove(), () => sink.close(), () => store.close(), () => outbox.close());
  return { dir, clock, store, sink, transport, events, outbox };
}

const text = (sessionId: string, body: string) => ({ sessionId, kind: 'text' as const, body });
// A real Ogg Opus file: the outbox checks a file's bytes against its declared type and name.
const voiceNote = (sessionId: string, bytes = sample('voice.ogg')) => ({
  sessionId,
  kind: 'audio' as const,
  file: { bytes },
  fileName: 'note.ogg',
  mimeType: 'audio/ogg; codecs=opus',
  durationMs: 4200,
  waveform: [0, 0.25, 1, 0.5],
});

function types(events: OutboxEvent[], clientMessageId: string): string[] {
  return events.filter((e) => (e.type === 'cancelled' ? e.clientMessageId : e.entry.clientMessageId) === clientMessageId).map((e) => e.type);
}

describe('enqueue', () => {
  it('has the row on disk, readable by another connection, before it resolves', async () => {
    const { outbox, store } = setup({ start: false });
    const entry = await outbox.enqueue({ ...text(SESSION_A, 'hello'), replyTo: SESSION_C });
    expect(entry.state).toBe('queued');
    expect(entry.clientMessageId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const other = new Database(store.database.path, { readonly: true });
    const row = other.prepare('SELECT state, body, session_id, reply_to FROM outbox WHERE client_message_id = ?').get(entry.clientMessageId);
    other.close();
    expect(row).toEqual({ state: 'queued', body: 'hello', session_id: SESSION_A, reply_to: SESSION_C });
  });

  it('writes a voice note file into the outbox folder before the row, and reports its size', async () => {
    const { outbox, store, events } = setup({ start: false });
    const entry = await outbox.enqueue(voiceNote(SESSION_A, sampleOfSize('voice.ogg', 1000, 7)));
    expect(entry).toMatchObject({ kind: 'audio', sizeBytes: 1000, durationMs: 4200, waveform: [0, 0.25, 1, 0.5], fileName: 'note.ogg' });
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([entry.clientMessageId]);
    expect(events.map((e) => e.type)).toEqual(['queued']);
  });

  it('copies a picked file by path', async () => {
    const { outbox, dir, store } = setup({ start: false });
    const picked = join(dir.path, 'contract.pdf');
    writeFileSync(picked, sampleOfSize('document.pdf', 321));
    const entry = await outbox.enqueue({ sessionId: SESSION_A, kind: 'file', file: { sourcePath: picked }, fileName: 'contract.pdf', mimeType: 'application/pdf' });
    expect(entry.sizeBytes).toBe(321);
    expect(existsSync(join(store.outboxFilesDirectory, entry.clientMessageId))).toBe(true);
  });

  it.each([
    ['a session id that is not a UUID', { sessionId: 'abc', kind: 'text', body: 'x' }, 'sessionId'],
    ['an empty text', { sessionId: SESSION_A, kind: 'text', body: '   ' }, 'body'],
    ['an unknown kind', { sessionId: SESSION_A, kind: 'sticker', body: 'x' }, 'kind'],
    ['a reply to a non-UUID', { sessionId: SESSION_A, kind: 'text', body: 'x', replyTo: 'nope' }, 'replyTo'],
    ['a voice note without peaks', { ...voiceNote(SESSION_A), waveform: [] }, 'waveform'],
    ['a voice note with a peak above 1', { ...voiceNote(SESSION_A), waveform: [0.2, 1.5] }, 'waveform'],
    ['a voice note without a duration', { ...voiceNote(SESSION_A), durationMs: 0 }, 'durationMs'],
    ['a voice note with an image MIME type', { ...voiceNote(SESSION_A), mimeType: 'image/png' }, 'mimeType'],
    ['a file name with a path', { ...voiceNote(SESSION_A), fileName: '../etc/passwd' }, 'fileName'],
    ['an empty file', { ...voiceNote(SESSION_A), file: { bytes: new Uint8Array(0) } }, 'file'],
    ['a missing picked file', { sessionId: SESSION_A, kind: 'file', file: { sourcePath: '/nonexistent/x.pdf' }, fileName: 'x.pdf', mimeType: 'application/pdf' }, 'file'],
    ['random bytes named .jpg', { sessionId: SESSION_A, kind: 'image', file: { bytes: new Uint8Array(512).map((_, i) => (i * 7919) % 251) }, fileName: 'photo.jpg', mimeType: 'image/jpeg' }, 'file'],
    ['a PNG declared as a JPEG', { sessionId: SESSION_A, kind: 'image', file: { bytes: sample('image.png') }, fileName: 'photo.jpg', mimeType: 'image/jpeg' }, 'file'],
    ['a PNG named .jpg', { sessionId: SESSION_A, kind: 'image', file: { bytes: sample('image.png') }, fileName: 'photo.jpg', mimeType: 'image/png' }, 'file'],
    ['a text file declared as a PDF', { sessionId: SESSION_A, kind: 'file', file: { bytes: sample('notes.txt') }, fileName: 'reading.pdf', mimeType: 'application/pdf' }, 'file'],
  ])('refuses %s with a specific error and stores nothing', async (_name, input, field) => {
    const { outbox, store, events } = setup({ start: false });
    const error = await outbox.enqueue(input as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutboxInputError);
    expect((error as OutboxInputError).field).toBe(field);
    expect(outbox.unsent()).toEqual([]);
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([]);
    expect(events).toEqual([]);
  });
});

describe('the content check and the console settings', () => {
  it('says what the bytes really are when they disagree with the declared type or the name', async () => {
    const { outbox } = setup({ start: false });
    const mislabelled = await outbox
      .enqueue({ sessionId: SESSION_A, kind: 'image', file: { bytes: sample('image.png') }, fileName: 'photo.jpg', mimeType: 'image/jpeg' })
      .catch((e: unknown) => e as OutboxInputError);
    expect(mislabelled).toMatchObject({ messageKey: 'outbox.error.content_mismatch', params: { fileName: 'photo.jpg', declared: 'image/jpeg', detected: 'image/png' } });
    const random = await outbox
      .enqueue({ sessionId: SESSION_A, kind: 'image', file: { bytes: new Uint8Array(256).fill(0x9c) }, fileName: 'photo.jpg', mimeType: 'image/jpeg' })
      .catch((e: unknown) => e as OutboxInputError);
    expect(random).toMatchObject({ messageKey: 'outbox.error.content_unrecognised', params: { fileName: 'photo.jpg', declared: 'image/jpeg' } });
  });

  it('checks a picked file by path too, reading only its head', async () => {
    const { outbox, dir } = setup({ start: false });
    const picked = join(dir.path, 'spread.jpg');
    writeFileSync(picked, sampleOfSize('image.png', 200_000));
    const error = await outbox.enqueue({ sessionId: SESSION_A, kind: 'image', file: { sourcePath: picked }, fileName: 'spread.jpg', mimeType: 'image/jpeg' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ messageKey: 'outbox.error.content_mismatch', params: { detected: 'image/png' } });
  });

  it('enforces the settings it is given: the body length (never cutting), file sizes and types', async () => {
    const limits = outboxLimitsFromSettings({
      'console.message.max_body_length': 12_000,
      'console.image.max_size_bytes': 100,
      'console.file.mime_types': ['application/pdf'],
    });
    const { outbox } = setup({ start: false, limits: () => limits });
    const reading = 'ل'.repeat(12_000);
    expect((await outbox.enqueue(text(SESSION_A, reading))).body).toBe(reading);
    const tooLong = await outbox.enqueue(text(SESSION_A, `${reading}!`)).catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ field: 'body', messageKey: 'outbox.error.body_too_long', params: { length: 12_001, max: 12_000 } });
    // Characters are code points, as SQL's char_length counts them: 12,000 emoji are 24,000 UTF-16 units.
    expect((await outbox.enqueue(text(SESSION_A, '🌙'.repeat(12_000)))).body).toHaveLength(24_000);
    const big = await outbox.enqueue({ sessionId: SESSION_A, kind: 'image', file: { bytes: sample('image.jpg') }, fileName: 'a.jpg', mimeType: 'image/jpeg' }).catch((e: unknown) => e);
    expect(big).toMatchObject({ messageKey: 'outbox.error.file_too_large', params: { maxBytes: 100 } });
    const txt = await outbox.enqueue({ sessionId: SESSION_A, kind: 'file', file: { bytes: sample('notes.txt') }, fileName: 'notes.txt', mimeType: 'text/plain' }).catch((e: unknown) => e);
    expect(txt).toMatchObject({ messageKey: 'outbox.error.type_not_allowed', params: { declared: 'text/plain' } });
  });

  it('reads the limits from the console settings as settings.get returns them, leaving out what is malformed', () => {
    expect(
      outboxLimitsFromSettings({
        'console.message.max_body_length': '20000',
        'console.audio.max_size_bytes': -1,
        'console.audio.mime_types': 'audio/webm, audio/ogg',
        'console.image.mime_types': [],
      }),
    ).toEqual({ maxBodyChars: 20_000, maxBytes: {}, mimeTypes: { audio: ['audio/webm', 'audio/ogg'] } });
  });
});

describe('flushing', () => {
  it('sends text and voice notes, marks them sent with the server id, caches the message and removes the file', async () => {
    const { outbox, sink, store, events } = setup();
    const a = await outbox.enqueue(text(SESSION_A, 'hi'));
    const v = await outbox.enqueue(voiceNote(SESSION_A));
    await outbox.idle();
    const rows = sink.rows();
    expect(rows.map((r) => r.client_message_id)).toEqual([a.clientMessageId, v.clientMessageId]);
    expect(rows[1]!.storage_path).toBe(`${SESSION_A}/${v.clientMessageId}/note.ogg`);
    expect(outbox.get(v.clientMessageId)).toMatchObject({ state: 'sent', serverMessageId: rows[1]!.id });
    expect(types(events, a.clientMessageId)).toEqual(['queued', 'sending', 'sent']);
    const sent = events.find((e) => e.type === 'sent' && e.entry.clientMessageId === v.clientMessageId);
    expect(sent).toMatchObject({ serverMessageId: rows[1]!.id, message: { status: 'pending_approval', waveform: [0, 0.25, 1, 0.5] } });
    const cached = store.messages.pageBefore(SESSION_A, null, 10).map((m) => m.id);
    expect(cached).toHaveLength(2);
    expect(cached).toEqual(expect.arrayContaining([rows[0]!.id, rows[1]!.id]));
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([]);
    expect(outbox.unsent()).toEqual([]);
  });

  it('keeps one session in order: message N+1 waits until N is sent', async () => {
    const { outbox, transport, sink } = setup();
    const held: { body: string | null; open: () => void }[] = [];
    transport.hook = async (call) => {
      if (call.op !== 'send') return;
      const g = gate();
      held.push({ body: call.request.body, open: g.open });
      await g.promise;
    };
    for (let i = 0; i < 5; i++) await outbox.enqueue(text(SESSION_A, `m${i}`));
    await settle();
    for (let i = 0; i < 5; i++) {
      expect(held.map((h) => h.body)).toEqual([...Array(i + 1).keys()].map((k) => `m${k}`));
      expect(transport.inFlight).toBe(1);
      held[i]!.open();
      await settle();
    }
    await outbox.idle();
    expect(sink.rows().map((r) => r.body)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    expect(transport.maxInFlightPerSession).toBe(1);
  });

  it('lets other sessions flow while one session is stuck on a slow send', async () => {
    const { outbox, transport, sink } = setup();
    const slow = gate();
    transport.hook = async (call) => {
      if (call.op === 'send' && call.request.sessionId === SESSION_A) await slow.promise;
    };
    await outbox.enqueue(text(SESSION_A, 'a0'));
    await outbox.enqueue(text(SESSION_B, 'b0'));
    await outbox.enqueue(text(SESSION_C, 'c0'));
    await outbox.enqueue(text(SESSION_B, 'b1'));
    await settle();
    expect(sink.rows().map((r) => r.body)).toEqual(['b0', 'c0', 'b1']);
    slow.open();
    await outbox.idle();
    expect(sink.rows().map((r) => r.body)).toEqual(['b0', 'c0', 'b1', 'a0']);
  });

  it('runs sessions concurrently, up to maxConcurrentQueues requests at once', async () => {
    const { outbox, transport } = setup({ maxConcurrentQueues: 2 });
    const g = gate();
    let peak = 0;
    transport.hook = async () => {
      peak = Math.max(peak, transport.inFlight);
      await g.promise;
    };
    await outbox.enqueue(text(SESSION_A, 'a'));
    await outbox.enqueue(text(SESSION_B, 'b'));
    await outbox.enqueue(text(SESSION_C, 'c'));
    await settle();
    expect(transport.inFlight).toBe(2);
    g.open();
    await outbox.idle();
    expect(peak).toBe(2);
    expect(transport.sentBodies().sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('transient errors and backoff', () => {
  it('retries with growing, jittered, capped delays and keeps the last error visible', async () => {
    const { outbox, transport, clock, events, sink } = setup({ backoff: { baseMs: 1000, capMs: 300_000 }, random: () => 0.5 });
    let failuresLeft = 12;
    transport.hook = (call) => {
      if (call.op === 'send' && failuresLeft-- > 0) throw new Error('ECONNRESET');
    };
    const start = clock.now();
    const entry = await outbox.enqueue(text(SESSION_A, 'flaky'));
    await settle();
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 12; attempt++) {
      const row = outbox.get(entry.clientMessageId)!;
      expect(row).toMatchObject({ state: 'queued', attempts: attempt, lastError: { code: 'outbox.transport_failed', permanent: false } });
      const delay = row.nextAttemptAt - clock.now();
      delays.push(delay);
      await clock.advance(delay - 1);
      expect(outbox.get(entry.clientMessageId)!.attempts).toBe(attempt); // not early
      await clock.advance(1);
    }
    // 0.5 * min(300 s, 1 s * 2^(n-1)): doubles, then stays at half the 5-minute cap
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 32_000, 64_000, 128_000, 150_000, 150_000, 150_000]);
    await outbox.idle();
    expect(outbox.get(entry.clientMessageId)).toMatchObject({ state: 'sent', attempts: 13, lastError: null });
    expect(sink.rows()).toHaveLength(1);
    expect(types(events, entry.clientMessageId).filter((t) => t === 'queued')).toHaveLength(13);
    expect(clock.now() - start).toBe(delays.reduce((a, b) => a + b, 0));
  });

  it('honours a transient refusal that says when to retry', async () => {
    const { outbox, transport, clock } = setup({ random: () => 0 });
    let once = true;
    transport.hook = (call) => {
      if (call.op === 'send' && once) {
        once = false;
        throw new OutboxTransportError({ code: 'SA429', messageKey: 'chat.rate_limited', permanent: false, retryAfterMs: 20_000 });
      }
    };
    const entry = await outbox.enqueue(text(SESSION_A, 'slow down'));
    await settle();
    expect(outbox.get(entry.clientMessageId)).toMatchObject({ state: 'queued', nextAttemptAt: clock.now() + 20_000, lastError: { code: 'SA429' } });
    await clock.advance(19_999);
    expect(outbox.get(entry.clientMessageId)!.state).toBe('queued');
    await clock.advance(1);
    await outbox.idle();
    expect(outbox.get(entry.clientMessageId)!.state).toBe('sent');
  });

  it('never waits longer than the cap, even when the server asks for more', async () => {
    const { outbox, transport, clock } = setup({ backoff: { baseMs: 1000, capMs: 300_000 } });
    let once = true;
    transport.hook = (call) => {
      if (call.op === 'send' && once) {
        once = false;
        throw new OutboxTransportError({ code: 'SA429', messageKey: 'chat.rate_limited', permanent: false, retryAfterMs: 3_600_000 });
      }
    };
    const entry = await outbox.enqueue(text(SESSION_A, 'later'));
    await settle();
    expect(outbox.get(entry.clientMessageId)!.nextAttemptAt).toBe(clock.now() + 300_000);
  });

  it('does not wait out a backoff scheduled by a clock that was later set back', async () => {
    const { outbox, transport, clock, sink, store } = setup({ random: () => 0.99 });
    let once = true;
    transport.hook = (call) => {
      if (call.op === 'send' && once) {
        once = false;
        throw new Error('ETIMEDOUT');
      }
    };
    await outbox.enqueue(text(SESSION_A, 'time travel'));
    await settle();
    await outbox.close();
    clock.current -= 24 * 60 * 60_000; // the user fixed a clock that ran a day fast, then restarted
    const restarted = new Outbox({ store, transport, clock });
    cleanups.push(() => restarted.close());
    restarted.start();
    await restarted.idle();
    expect(sink.rows().map((r) => r.body)).toEqual(['time travel']);
  });

  it('re-sends safely when the answer to a send was lost (idempotent on client_message_id)', async () => {
    const { outbox, transport, sink, clock } = setup();
    let lose = true;
    const inner = transport.sendMessage.bind(transport);
    transport.sendMessage = async (request) => {
      const message = await inner(request);
      if (lose) {
        lose = false;
        throw new Error('socket hang up after the server committed');
      }
      return message;
    };
    const entry = await outbox.enqueue(text(SESSION_A, 'once'));
    await settle();
    await clock.advance(1000);
    await outbox.idle();
    expect(sink.rows()).toHaveLength(1);
    expect(sink.idempotentReplays).toBe(1);
    expect(outbox.get(entry.clientMessageId)!.serverMessageId).toBe(sink.rows()[0]!.id);
  });

  it('uploads a file once even when the send after it fails', async () => {
    const { outbox, transport, clock } = setup();
    let failSend = true;
    transport.hook = (call) => {
      if (call.op === 'send' && failSend) {
        failSend = false;
        throw new Error('timeout');
      }
    };
    await outbox.enqueue(voiceNote(SESSION_A));
    await settle();
    await clock.advance(1000);
    await outbox.idle();
    expect(transport.calls.map((c) => c.op)).toEqual(['upload', 'send', 'send']);
  });
});

describe('offline', () => {
  it('sends nothing while offline, however long, and keeps no timer running', async () => {
    const { outbox, transport, clock, sink } = setup();
    outbox.setOnline(false);
    await outbox.enqueue(text(SESSION_A, 'while offline'));
    await clock.advance(60 * 60_000);
    expect(transport.calls).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
    outbox.setOnline(true);
    await outbox.idle();
    expect(sink.rows().map((r) => r.body)).toEqual(['while offline']);
  });

  it('coming back online flushes at once, without waiting out a pending backoff', async () => {
    const { outbox, transport, clock, sink } = setup({ random: () => 0.5 });
    let fail = true;
    transport.hook = (call) => {
      if (fail && call.op === 'send') throw new Error('ENETUNREACH');
    };
    const a = await outbox.enqueue(text(SESSION_A, 'before'));
    await settle();
    const due = outbox.get(a.clientMessageId)!.nextAttemptAt;
    expect(due).toBe(clock.now() + 500);
    outbox.setOnline(false);
    fail = false;
    await outbox.enqueue(text(SESSION_B, 'while offline'));
    await clock.advance(400);
    expect(transport.calls).toHaveLength(1);
    outbox.setOnline(true);
    await outbox.idle();
    expect(clock.now()).toBeLessThan(due);
    expect(sink.rows().map((r) => r.body).sort()).toEqual(['before', 'while offline']);
  });
});

describe('permanent errors, retry and cancel', () => {
  function refuseBody(transport: ScriptedTransport, body: string) {
    transport.hook = (call) => {
      if (call.op === 'send' && call.request.body === body) {
        throw new OutboxTransportError({ code: 'SA403', messageKey: 'chat.session_locked', permanent: true });
      }
    };
  }

  it('marks the row failed with the reason, holds the later messages of that session, not other sessions', async () => {
    const { outbox, transport, sink, events, clock } = setup();
    refuseBody(transport, 'a1');
    await outbox.enqueue(text(SESSION_A, 'a0'));
    const failed = await outbox.enqueue(text(SESSION_A, 'a1'));
    const waiting = await outbox.enqueue(text(SESSION_A, 'a2'));
    await outbox.enqueue(text(SESSION_B, 'b0'));
    await outbox.idle();
    await clock.advance(60 * 60_000);
    expect(sink.rows().map((r) => r.body)).toEqual(['a0', 'b0']);
    expect(outbox.get(failed.clientMessageId)).toMatchObject({
      state: 'failed',
      attempts: 1,
      lastError: { code: 'SA403', messageKey: 'chat.session_locked', permanent: true },
    });
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ error: { code: 'SA403', permanent: true } });
    expect(outbox.get(waiting.clientMessageId)!.state).toBe('queued');
    expect(outbox.unsent(SESSION_A).map((e) => [e.body, e.state, e.blockedBy])).toEqual([
      ['a1', 'failed', undefined],
      ['a2', 'queued', failed.clientMessageId],
    ]);
    expect(transport.calls.filter((c) => c.op === 'send')).toHaveLength(3);
  });

  it('retry sends the failed message and then the ones that waited, in order', async () => {
    const { outbox, transport, sink } = setup();
    refuseBody(transport, 'a1');
    await outbox.enqueue(text(SESSION_A, 'a0'));
    const failed = await outbox.enqueue(text(SESSION_A, 'a1'));
    await outbox.enqueue(text(SESSION_A, 'a2'));
    await outbox.idle();
    transport.hook = null;
    expect(outbox.retry(failed.clientMessageId)).toMatchObject({ state: 'queued', attempts: 0 });
    await outbox.idle();
    expect(sink.rows().map((r) => r.body)).toEqual(['a0', 'a1', 'a2']);
  });

  it('cancel drops the failed message (and its file) and unblocks the session', async () => {
    const { outbox, transport, sink, store, events } = setup();
    transport.hook = (call) => {
      if (call.op === 'upload') throw new OutboxTransportError({ code: 'SA413', messageKey: 'storage.too_large', permanent: true });
    };
    const note = await outbox.enqueue(voiceNote(SESSION_A));
    await outbox.enqueue(text(SESSION_A, 'after the note'));
    await outbox.idle();
    expect(outbox.get(note.clientMessageId)!.state).toBe('failed');
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([note.clientMessageId]);
    await outbox.cancel(note.clientMessageId);
    await outbox.idle();
    expect(outbox.get(note.clientMessageId)).toBeNull();
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([]);
    expect(sink.rows().map((r) => r.body)).toEqual(['after the note']);
    expect(types(events, note.clientMessageId)).toEqual(['queued', 'sending', 'failed', 'cancelled']);
  });

  it('refuses to cancel a message that is sending or sent, and to retry one that is sent', async () => {
    const { outbox, transport } = setup();
    const g = gate();
    transport.hook = () => g.promise;
    const entry = await outbox.enqueue(text(SESSION_A, 'in flight'));
    await settle();
    expect(outbox.get(entry.clientMessageId)!.state).toBe('sending');
    await expect(outbox.cancel(entry.clientMessageId)).rejects.toMatchObject({ code: 'outbox.cancel_refused' });
    expect(() => outbox.retry(entry.clientMessageId)).toThrow(OutboxActionError);
    g.open();
    await outbox.idle();
    await expect(outbox.cancel(entry.clientMessageId)).rejects.toMatchObject({ code: 'outbox.cancel_refused' });
    expect(() => outbox.retry(entry.clientMessageId)).toThrow(/sent/);
    await expect(outbox.cancel('00000000-0000-4000-8000-000000000999')).rejects.toMatchObject({ code: 'outbox.not_found' });
  });

  it('cancels a queued message before it is sent', async () => {
    const { outbox, sink } = setup({ online: false });
    const entry = await outbox.enqueue(text(SESSION_A, 'never mind'));
    await outbox.cancel(entry.clientMessageId);
    outbox.setOnline(true);
    await outbox.idle();
    expect(sink.rows()).toEqual([]);
  });

  it('isolates a throwing listener from the queue', async () => {
    const errors: unknown[] = [];
    const { outbox, sink } = setup({ onInternalError: (e) => errors.push(e) });
    outbox.on(() => {
      throw new Error('renderer gone');
    });
    await outbox.enqueue(text(SESSION_A, 'still sent'));
    await outbox.idle();
    expect(sink.rows()).toHaveLength(1);
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('shutdown', () => {
  it('close() waits for a request in flight to be recorded', async () => {
    const { outbox, transport } = setup();
    const g = gate();
    transport.hook = () => g.promise;
    const entry = await outbox.enqueue(text(SESSION_A, 'last words'));
    await settle();
    const closing = outbox.close();
    g.open();
    await closing;
    expect(outbox.get(entry.clientMessageId)!.state).toBe('sent');
    await expect(outbox.enqueue(text(SESSION_A, 'too late'))).rejects.toMatchObject({ code: 'outbox.closed' });
  });

  it('close() gives up on an unanswered request after its timeout; the row stays "sending" for the next start', async () => {
    const { outbox, transport, clock, store } = setup();
    transport.hook = () => new Promise<void>(() => {});
    const entry = await outbox.enqueue(text(SESSION_A, 'no answer'));
    await settle();
    const closing = outbox.close(5000);
    await clock.advance(5000);
    await closing;
    expect(store.outboxRows.get(entry.clientMessageId)!.state).toBe('sending');
  });
});

describe('restart', () => {
  it('puts rows caught in "sending" back in the queue; the re-send returns the original server row', async () => {
    const dir = tempDir('outbox-restart-');
    cleanups.push(() => dir.remove());
    const clock = new ManualClock();
    const sink = new SqliteDeliverySink(join(dir.path, 'server.db'));
    cleanups.push(() => sink.close());
    const userDir = join(dir.path, 'user');

    // First life: the server commits the message, then the process dies before the outbox hears back.
    const store1 = openLocalStore({ directory: userDir, now: () => clock.now() });
    const never = new Promise<never>(() => {});
    const inner = sink.transportFor(SENDER);
    const outbox1 = new Outbox({
      store: store1,
      clock,
      transport: { ...inner, sendMessage: async (r) => (await inner.sendMessage(r), never) },
    });
    outbox1.start();
    const a = await outbox1.enqueue(text(SESSION_A, 'crash mid-flight'));
    const b = await outbox1.enqueue(voiceNote(SESSION_A));
    await settle();
    expect(outbox1.get(a.clientMessageId)!.state).toBe('sending');
    expect(sink.rows()).toHaveLength(1);
    store1.close(); // no outbox.close(): as abrupt as it gets in-process (the SIGKILL case is tests/outbox-crash)

    const store2 = openLocalStore({ directory: userDir, now: () => clock.now() });
    cleanups.push(() => store2.close());
    const outbox2 = new Outbox({ store: store2, clock, transport: sink.transportFor(SENDER) });
    cleanups.push(() => outbox2.close());
    expect(outbox2.get(a.clientMessageId)).toMatchObject({ state: 'queued', attempts: 1 });
    outbox2.start();
    await outbox2.idle();
    const rows = sink.rows();
    expect(rows.map((r) => r.client_message_id)).toEqual([a.clientMessageId, b.clientMessageId]);
    expect(outbox2.get(a.clientMessageId)).toMatchObject({ state: 'sent', serverMessageId: rows[0]!.id });
    expect(sink.idempotentReplays).toBe(1);
  });

  it('removes outbox files no unsent row needs (a crash between file and row)', async () => {
    const { store, outbox } = setup({ start: false });
    const kept = await outbox.enqueue(voiceNote(SESSION_A));
    writeFileSync(join(store.outboxFilesDirectory, 'orphan'), 'x');
    writeFileSync(join(store.outboxFilesDirectory, `${kept.clientMessageId}.tmp`), 'partial');
    new Outbox({ store, transport: null as never, clock: new ManualClock() });
    expect(readdirSync(store.outboxFilesDirectory)).toEqual([kept.clientMessageId]);
  });
});

describe('review decisions', () => {
  const NOTE = '11111111-1111-4111-8111-111111111111';

  async function withPack(ctx: ReturnType<typeof setup>) {
    ctx.sink.addPendingVoiceNote(NOTE);
    await ctx.store.reviewPacks.importPack({
      id: 'pack-1',
      label: 'Tuesday',
      items: [
        {
          senderName: 'Reader R',
          audio: new Uint8Array([9, 9, 9]),
          message: {
            id: NOTE, sessionId: SESSION_A, senderId: SENDER, type: 'audio', body: null, storagePath: `${SESSION_A}/${NOTE}/n.ogg`,
            mimeType: 'audio/ogg', sizeBytes: 3, durationMs: 1000, waveform: [0.1], replyTo: null, status: 'pending_approval',
            clientMessageId: null, createdAt: '2025-01-01T10:00:00Z', editedAt: null, reviewedBy: null, reviewedAt: null, reviewReason: null,
          },
        },
      ],
    });
  }

  it('records the decision locally, sends it through the outbox, and records "applied"', async () => {
    const ctx = setup({ online: false });
    await withPack(ctx);
    const entry = ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'reject', reason: ' off-topic ' });
    expect(ctx.store.reviewPacks.item(NOTE)).toMatchObject({ state: 'decided', decision: 'reject', reason: 'off-topic', outboxClientMessageId: entry.clientMessageId });
    ctx.outbox.setOnline(true);
    await ctx.outbox.idle();
    expect(ctx.store.reviewPacks.item(NOTE)).toMatchObject({ state: 'applied', outcomeDecision: 'reject' });
    expect(ctx.events.find((e) => e.type === 'sent')).toMatchObject({ review: { outcome: 'applied' } });
  });

  it('records "already decided by someone else" as final, surfaces it, and does not retry', async () => {
    const ctx = setup({ online: false });
    await withPack(ctx);
    ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'approve' });
    ctx.sink.review('00000000-0000-4000-8000-0000000000ee', { clientDecisionId: 'x', messageId: NOTE, decision: 'reject', reason: 'faster' });
    ctx.outbox.setOnline(true);
    await ctx.outbox.idle();
    await ctx.clock.advance(60 * 60_000);
    expect(ctx.transport.calls.filter((c) => c.op === 'review')).toHaveLength(1);
    expect(ctx.store.reviewPacks.item(NOTE)).toMatchObject({
      state: 'superseded',
      decision: 'approve',
      outcomeDecision: 'reject',
      outcomeReviewedBy: '00000000-0000-4000-8000-0000000000ee',
    });
    expect(ctx.events.find((e) => e.type === 'sent')).toMatchObject({ review: { outcome: 'already_decided', decision: 'reject' } });
    expect(ctx.store.reviewPacks.packs()[0]).toMatchObject({ total: 1, superseded: 1, pending: 0 });
  });

  it('refuses a rejection without a reason and a second decision; cancel reopens the voice note', async () => {
    const ctx = setup({ online: false });
    await withPack(ctx);
    expect(() => ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'reject', reason: '  ' })).toThrow(/requires a reason/);
    expect(ctx.outbox.unsent()).toEqual([]);
    const entry = ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'approve' });
    expect(() => ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'reject', reason: 'no' })).toThrow(/already has a decision/);
    await expect(ctx.store.reviewPacks.removePack('pack-1')).rejects.toMatchObject({ code: 'review.pack_has_unsynced_decisions' });
    await ctx.outbox.cancel(entry.clientMessageId);
    expect(ctx.store.reviewPacks.item(NOTE)).toMatchObject({ state: 'pending', decision: null });
    expect(() => ctx.outbox.enqueueReview({ messageId: '22222222-2222-4222-8222-222222222222', decision: 'approve' })).toThrow(/not in any downloaded review pack/);
  });

  it('a permanent refusal of a review (forbidden) fails the job with the reason, a retry can apply it later', async () => {
    const ctx = setup();
    await withPack(ctx);
    ctx.transport.hook = (call) => {
      if (call.op === 'review') throw new OutboxTransportError({ code: 'SA403', messageKey: 'review.forbidden', permanent: true });
    };
    const entry = ctx.outbox.enqueueReview({ messageId: NOTE, decision: 'approve' });
    await ctx.outbox.idle();
    expect(ctx.outbox.get(entry.clientMessageId)).toMatchObject({ state: 'failed', lastError: { messageKey: 'review.forbidden' } });
    expect(ctx.store.reviewPacks.item(NOTE)!.state).toBe('decided');
    ctx.transport.hook = null;
    ctx.outbox.retry(entry.clientMessageId);
    await ctx.outbox.idle();
    expect(ctx.store.reviewPacks.item(NOTE)!.state).toBe('applied');
  });
});
