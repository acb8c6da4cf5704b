import { describe, expect, it } from 'vitest';
import type { ChatMessage, Emergency, OutboxItem } from '../../../src/shared/ipc/contract';
import { applyOutboxChange, buildTimeline, mergeMessages } from '../../../src/renderer/lib/timeline';
import { computeWindow, prefixSums } from '../../../src/renderer/lib/virtual-window';
import { computePeaks } from '../../../src/renderer/lib/peaks';
import { checkAttachment, MAX_ATTACHMENT_BYTES } from '../../../src/renderer/lib/attachments';
import { byUrgency, secondsUntil } from '../../../src/renderer/emergencies/urgency';
import { sessionTitle } from '../../../src/renderer/lib/directory';

const S = '00000000-0000-4000-8000-000000000001';
const msg = (id: string, createdAt: string, extra: Partial<ChatMessage> = {}): ChatMessage => ({
  id, sessionId: S, senderId: 'u1', type: 'text', body: id, storagePath: null, mimeType: null, sizeBytes: null, durationMs: null,
  waveform: null, replyTo: null, status: 'sent', clientMessageId: null, createdAt, editedAt: null, reviewedBy: null, reviewedAt: null,
  reviewReason: null, ...extra,
});
const entry = (clientMessageId: string, extra: Partial<OutboxItem> = {}): OutboxItem => ({
  clientMessageId, job: 'message', sessionId: S, kind: 'text', body: 'hi', fileName: null, mimeType: null, sizeBytes: null, durationMs: null,
  waveform: null, replyTo: null, createdAt: 1, state: 'queued', attempts: 0, lastError: null, serverMessageId: null, ...extra,
});

describe('the timeline', () => {
  it('merges pages and live changes by id, oldest first, ignoring other sessions', () => {
    let list = mergeMessages([], [msg('b', '2026-01-02'), msg('a', '2026-01-01')], S);
    expect(list.map((m) => m.id)).toEqual(['a', 'b']);
    list = mergeMessages(list, [msg('a', '2026-01-01', { body: 'edited', editedAt: '2026-01-03' }), msg('x', '2026-01-01', { sessionId: 'other' })], S);
    expect(list.map((m) => m.body)).toEqual(['edited', 'b']);
    expect(mergeMessages(list, [msg('b', '2026-01-02')], S)).toBe(list); // unchanged: same array, no re-render
  });

  it('shows an outbox entry until the server copy with its client message id arrives, never both', () => {
    let pending = applyOutboxChange([], { entry: entry('c1'), clientMessageId: 'c1', state: 'queued' }, S);
    pending = applyOutboxChange(pending, { entry: entry('c1', { state: 'failed' }), clientMessageId: 'c1', state: 'failed' }, S);
    expect(pending.map((p) => p.state)).toEqual(['failed']);
    expect(buildTimeline([msg('a', '2026-01-01')], pending).map((r) => r.kind)).toEqual(['message', 'pending']);
    expect(buildTimeline([msg('a', '2026-01-01'), msg('s', '2026-01-02', { clientMessageId: 'c1' })], pending).map((r) => r.key)).toEqual(['a', 's']);
    expect(applyOutboxChange(pending, { entry: null, clientMessageId: 'c1', state: 'cancelled' }, S)).toEqual([]);
    // Review jobs and other sessions' entries are not this timeline's rows.
    expect(applyOutboxChange([], { entry: entry('r', { job: 'review' }), clientMessageId: 'r', state: 'queued' }, S)).toEqual([]);
  });
});

describe('the virtual window', () => {
  it('renders only the rows that meet the viewport, whatever the history length', () => {
    const sums = prefixSums(10_000, () => 50);
    const top = computeWindow(sums, 0, 500, 2);
    expect([top.start, top.end]).toEqual([0, 13]);
    const bottom = computeWindow(sums, 10_000 * 50 - 500, 500, 2);
    expect(bottom.end).toBe(10_000);
    expect(bottom.end - bottom.start).toBeLessThan(20);
    expect(bottom.offsetBefore + (bottom.end - bottom.start) * 50 + bottom.offsetAfter).toBe(bottom.totalHeight);
  });

  it('uses measured heights', () => {
    const sums = prefixSums(3, (i) => [10, 1000, 10][i]!);
    const win = computeWindow(sums, 500, 100, 0);
    expect([win.start, win.end]).toEqual([1, 2]);
  });
});

describe('voice note peaks', () => {
  it('computes the requested number of peaks in [0, 1], loudest at 1', () => {
    const samples = new Float32Array(48_000);
    for (let i = 0; i < samples.length; i++) samples[i] = Math.sin(i / 10) * (i < 24_000 ? 0.25 : 0.5);
    const peaks = computePeaks([samples], 200);
    expect(peaks).toHaveLength(200);
    expect(Math.max(...peaks)).toBe(1);
    expect(peaks[10]!).toBeCloseTo(0.5, 1);
    expect(peaks.every((p) => p >= 0 && p <= 1)).toBe(true);
    expect(computePeaks([new Float32Array(0)])).toEqual([]);
    expect(computePeaks([new Float32Array(100)], 200).every((p) => p === 0)).toBe(true);
  });
});

describe('attachments', () => {
  it('are checked for size and type before they are queued', () => {
    expect(checkAttachment({ size: 1000, type: 'image/png' })).toEqual({ ok: true, kind: 'image', mimeType: 'image/png' });
    expect(checkAttachment({ size: 1000, type: 'audio/webm;codecs=opus' })).toEqual({ ok: true, kind: 'audio', mimeType: 'audio/webm' });
    expect(checkAttachment({ size: 1000, type: 'application/pdf' })).toMatchObject({ ok: true, kind: 'file' });
    expect(checkAttachment({ size: MAX_ATTACHMENT_BYTES + 1, type: 'image/png' })).toEqual({ ok: false, reason: 'composer.attachTooLarge', limitBytes: MAX_ATTACHMENT_BYTES });
    expect(checkAttachment({ size: 10, type: 'application/x-msdownload' })).toEqual({ ok: false, reason: 'composer.attachType' });
    expect(checkAttachment({ size: 0, type: 'text/plain' })).toEqual({ ok: false, reason: 'composer.attachEmpty' });
  });
});

describe('emergency urgency', () => {
  const e = (id: string, state: Emergency['state'], level: number, createdAt: string): Emergency => ({
    id, sessionId: S, clientId: S, state, escalationLevel: level, escalateAt: null, acceptedBy: null, acknowledgedBy: null, resolvedBy: null,
    resolutionNote: null, createdAt,
  });
  it('puts waiting calls first, most escalated then oldest, and closed calls last', () => {
    const list = [
      e('resolved', 'resolved', 2, '2026-01-01'),
      e('accepted', 'accepted', 0, '2026-01-01'),
      e('young', 'ringing', 0, '2026-01-03'),
      e('old', 'ringing', 0, '2026-01-02'),
      e('escalated', 'escalated', 1, '2026-01-04'),
    ].sort(byUrgency);
    expect(list.map((x) => x.id)).toEqual(['escalated', 'old', 'young', 'accepted', 'resolved']);
    expect(secondsUntil('2026-01-01T00:01:00Z', Date.parse('2026-01-01T00:00:00Z'))).toBe(60);
    expect(secondsUntil(null, 0)).toBeNull();
  });
});

describe('session titles', () => {
  it('name the other participants, or their part in the session when the backend gives no name', () => {
    const session = {
      id: S, type: 'support' as const, status: 'active' as const, bookingId: null, lastMessageAt: null, createdAt: '2026-01-01', unreadCount: 0, lastReadAt: null,
      participants: [
        { userId: 'me', displayName: 'Rana', role: 'reader' as const, roleInSession: 'reader' as const, availability: 'online' as const, lastReadAt: null },
        { userId: 'c', displayName: '', role: 'client' as const, roleInSession: 'client' as const, availability: 'offline' as const, lastReadAt: null },
      ],
    };
    expect(sessionTitle(session, 'me', 'Conversation', (r) => `(${r})`)).toBe('(client)');
    expect(sessionTitle({ ...session, participants: [session.participants[0]!] }, 'me', 'Conversation')).toBe('Conversation');
  });
});
