import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock, FileUpload, OutboxTransport, ReviewAudioRequest, SendMessageRequest, TimerHandle } from '../../../src/main/outbox';
import type { SqliteDeliverySink } from '../../outbox-crash/sqlite-delivery-sink';

/** Lets all pending promise callbacks and I/O callbacks run (the outbox itself uses no real timers). */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** Time that moves only when the test says so; timers fire in due order. */
export class ManualClock implements Clock {
  private timers: { id: number; at: number; fn: () => void }[] = [];
  private nextId = 1;
  constructor(public current = 1_700_000_000_000) {}

  now(): number {
    return this.current;
  }
  setTimeout(fn: () => void, delayMs: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, delayMs), fn };
    this.timers.push(timer);
    return timer;
  }
  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((t) => t !== handle);
  }
  get pendingTimers(): number {
    return this.timers.length;
  }
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers[0];
      if (!next || next.at > target) break;
      this.timers.shift();
      this.current = next.at;
      next.fn();
      await settle();
    }
    this.current = target;
    await settle();
  }
}

export interface Gate {
  promise: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

type Call = { op: 'upload'; request: FileUpload } | { op: 'send'; request: SendMessageRequest } | { op: 'review'; request: ReviewAudioRequest };

/**
 * The transport the unit tests drive: the real idempotent SQLite sink
 * (tests/outbox-crash/sqlite-delivery-sink.ts) behind a hook that can hold a
 * call at a gate or make it fail, like a flaky network would. It stands in
 * for the backend port, which is built in parallel (issue 5's backend part).
 */
export class ScriptedTransport implements OutboxTransport {
  readonly calls: Call[] = [];
  inFlight = 0;
  readonly inFlightBySession = new Map<string, number>();
  maxInFlightPerSession = 0;
  /** Runs before the sink is reached; throw to fail the call, await to hold it. */
  hook: ((call: Call) => void | Promise<void>) | null = null;
  private readonly inner: OutboxTransport;

  constructor(
    readonly sink: SqliteDeliverySink,
    senderId: string,
  ) {
    this.inner = sink.transportFor(senderId);
  }

  uploadFile(request: FileUpload) {
    return this.around({ op: 'upload', request }, request.sessionId, () => this.inner.uploadFile(request));
  }
  sendMessage(request: SendMessageRequest) {
    return this.around({ op: 'send', request }, request.sessionId, () => this.inner.sendMessage(request));
  }
  reviewAudio(request: ReviewAudioRequest) {
    return this.around({ op: 'review', request }, `review:${request.messageId}`, () => this.inner.reviewAudio(request));
  }

  sentBodies(sessionId?: string): (string | null)[] {
    return this.sink
      .rows()
      .filter((r) => sessionId === undefined || r.session_id === sessionId)
      .map((r) => r.body);
  }

  private async around<T>(call: Call, key: string, run: () => Promise<T>): Promise<T> {
    this.calls.push(call);
    this.inFlight++;
    const n = (this.inFlightBySession.get(key) ?? 0) + 1;
    this.inFlightBySession.set(key, n);
    this.maxInFlightPerSession = Math.max(this.maxInFlightPerSession, n);
    try {
      await this.hook?.(call);
      return await run();
    } finally {
      this.inFlight--;
      this.inFlightBySession.set(key, (this.inFlightBySession.get(key) ?? 1) - 1);
    }
  }
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export const SESSION_A = '00000000-0000-4000-8000-00000000000a';
export const SESSION_B = '00000000-0000-4000-8000-00000000000b';
export const SESSION_C = '00000000-0000-4000-8000-00000000000c';
export const SENDER = '00000000-0000-4000-8000-0000000000ff';
