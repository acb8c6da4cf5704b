import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeTimestamp, openLocalStore, TimestampError, type LocalStore, type ServerMessage } from '../../../src/main/store';
import { SESSION_A, SESSION_B, SENDER, tempDir } from '../outbox/support';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).reverse().forEach((c) => c()));
function store(): LocalStore {
  const dir = tempDir('cache-');
  const s = openLocalStore({ directory: join(dir.path, 'u') });
  cleanups.push(() => dir.remove(), () => s.close());
  return s;
}

function message(i: number, overrides: Partial<ServerMessage> = {}): ServerMessage {
  // Three messages share each timestamp, so paging must break ties by id.
  const second = Math.floor(i / 3);
  return {
    id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    sessionId: SESSION_A,
    senderId: SENDER,
    type: 'text',
    body: `m${i}`,
    storagePath: null,
    mimeType: null,
    sizeBytes: null,
    durationMs: null,
    waveform: null,
    replyTo: null,
    status: 'sent',
    clientMessageId: null,
    createdAt: new Date(Date.UTC(2025, 0, 1) + second * 1000).toISOString(),
    editedAt: null,
    reviewedBy: null,
    reviewedAt: null,
    reviewReason: null,
    ...overrides,
  };
}

describe('normalizeTimestamp', () => {
  it('turns server timestamps into one UTC shape that sorts as text, keeping microseconds', () => {
    expect(normalizeTimestamp('2025-03-01T10:00:00.123456+00:00')).toBe('2025-03-01T10:00:00.123456Z');
    expect(normalizeTimestamp('2025-03-01 12:30:00.5+02:30')).toBe('2025-03-01T10:00:00.500000Z');
    expect(normalizeTimestamp('2025-03-01T00:00:00-05')).toBe('2025-03-01T05:00:00.000000Z');
    expect(normalizeTimestamp('2025-03-01T10:00:00.123Z')).toBe('2025-03-01T10:00:00.123000Z');
    expect(() => normalizeTimestamp('yesterday')).toThrow(TimestampError);
    expect(() => normalizeTimestamp('2025-03-01T10:00:00')).toThrow(/time zone/);
  });
});

describe('MessageCache', () => {
  it('pages a session newest first by (created_at, id), completely and without overlap', () => {
    const s = store();
    const all = Array.from({ length: 1000 }, (_, i) => message(i));
    s.messages.upsertMessages([...all].sort(() => Math.random() - 0.5));
    s.messages.upsertMessages([message(5000, { sessionId: SESSION_B })]);
    const seen: string[] = [];
    let cursor = null;
    for (;;) {
      const page = s.messages.pageBefore(SESSION_A, cursor, 64);
      if (page.length === 0) break;
      seen.push(...page.map((m) => m.id));
      const last = page[page.length - 1]!;
      cursor = { createdAt: last.createdAt, id: last.id };
    }
    expect(seen).toEqual(all.map((m) => m.id).reverse());
  });

  it('reports the newest cached message as the reconcile cursor', () => {
    const s = store();
    expect(s.messages.latestCursor(SESSION_A)).toBeNull();
    s.messages.upsertMessages([message(1), message(2), message(0)]);
    expect(s.messages.latestCursor(SESSION_A)).toEqual({ createdAt: '2025-01-01T00:00:00.000000Z', id: message(2).id });
  });

  it('refreshes known messages on upsert (approval, edits) without duplicating them', () => {
    const s = store();
    s.messages.upsertMessages([message(1, { type: 'audio', status: 'pending_approval', waveform: [0.5] })]);
    s.messages.upsertMessages([message(1, { type: 'audio', status: 'approved', reviewedBy: SENDER, reviewedAt: '2025-01-02T00:00:00+00:00', waveform: [0.5] })]);
    expect(s.messages.pageBefore(SESSION_A, null, 10)).toEqual([
      expect.objectContaining({ status: 'approved', reviewedAt: '2025-01-02T00:00:00.000000Z', waveform: [0.5] }),
    ]);
  });

  it('rejects a batch with a bad timestamp as a whole', () => {
    const s = store();
    expect(() => s.messages.upsertMessages([message(1), message(2, { createdAt: 'soon' })])).toThrow(TimestampError);
    expect(s.messages.pageBefore(SESSION_A, null, 10)).toEqual([]);
  });

  it('checks page sizes and trims a session to its newest messages', () => {
    const s = store();
    expect(() => s.messages.pageBefore(SESSION_A, null, 0)).toThrow(RangeError);
    expect(() => s.messages.pageBefore(SESSION_A, null, 10_000)).toThrow(RangeError);
    s.messages.upsertMessages(Array.from({ length: 30 }, (_, i) => message(i)));
    expect(s.messages.trimSession(SESSION_A, 10)).toBe(20);
    expect(s.messages.pageBefore(SESSION_A, null, 100).map((m) => m.body)).toEqual(Array.from({ length: 10 }, (_, i) => `m${29 - i}`));
  });

  it('keeps each session within its cap as messages arrive, and trims what an earlier run left', () => {
    const dir = tempDir('cache-cap-');
    const path = join(dir.path, 'u');
    cleanups.push(() => dir.remove());
    const uncapped = openLocalStore({ directory: path, messagesPerSession: 5_000 });
    uncapped.messages.upsertMessages(Array.from({ length: 1_200 }, (_, i) => message(i)));
    uncapped.messages.upsertMessages(Array.from({ length: 30 }, (_, i) => message(10_000 + i, { sessionId: SESSION_B })));
    uncapped.close();

    const s = openLocalStore({ directory: path, messagesPerSession: 500 });
    cleanups.push(() => s.close());
    expect(s.messages.count(SESSION_A)).toBe(1_200);
    expect(s.messages.trimAll()).toBe(700);
    expect(s.messages.count(SESSION_A)).toBe(500);
    expect(s.messages.count(SESSION_B)).toBe(30);
    // The newest stay, ties on the timestamp broken by id as in paging.
    expect(s.messages.pageBefore(SESSION_A, null, 1)[0]?.body).toBe('m1199');
    expect(s.messages.pageBefore(SESSION_A, { createdAt: message(700).createdAt, id: message(700).id }, 10)).toEqual([]);

    // Arrivals one by one: never more than the cap plus the writes between two trims.
    let most = 0;
    for (let i = 1_200; i < 1_700; i++) {
      s.messages.upsertMessages([message(i)]);
      most = Math.max(most, s.messages.count(SESSION_A));
    }
    expect(most).toBeLessThan(500 + 100);
    expect(s.messages.pageBefore(SESSION_A, null, 1)[0]?.body).toBe('m1699');
    expect(() => openLocalStore({ directory: join(dir.path, 'v'), messagesPerSession: 10 })).toThrow(RangeError);
  });

  it('uses the (session_id, created_at, id) index for paging, so the cost does not grow with history', () => {
    const s = store();
    const plan = s.database.db
      .prepare(
        `EXPLAIN QUERY PLAN SELECT * FROM cached_messages WHERE session_id = ? AND (created_at, id) < (?, ?) ORDER BY created_at DESC, id DESC LIMIT ?`,
      )
      .all(SESSION_A, 'x', 'y', 10) as { detail: string }[];
    const text = plan.map((p) => p.detail).join(' | ');
    expect(text).toMatch(/USING INDEX cached_messages_page/);
    expect(text).not.toMatch(/TEMP B-TREE/);
  });
});

describe('Drafts', () => {
  it('keeps one draft per session and treats an empty one as none', () => {
    const s = store();
    expect(s.drafts.get(SESSION_A)).toBeNull();
    s.drafts.set(SESSION_A, 'half a thought', SESSION_B);
    s.drafts.set(SESSION_B, 'other');
    s.drafts.set(SESSION_A, 'a whole thought', SESSION_B);
    expect(s.drafts.get(SESSION_A)).toMatchObject({ body: 'a whole thought', replyTo: SESSION_B });
    s.drafts.set(SESSION_B, '');
    expect(s.drafts.get(SESSION_B)).toBeNull();
    s.drafts.clear(SESSION_A);
    expect(s.drafts.get(SESSION_A)).toBeNull();
  });
});
