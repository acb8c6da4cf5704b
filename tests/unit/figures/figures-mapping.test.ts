// The figures and audit rows as PostgREST (JSON numbers) or a driver (bigint as text) hands them over.
import { describe, expect, it } from 'vitest';
import { toAuditEntry, toFigures } from '../../../src/main/backend/figures-mapping';
import { figuresSchema, auditEntrySchema } from '../../../src/shared/ipc/contract';

describe('figures-mapping', () => {
  it('reads counts given as numbers or text, keeps null percentiles, and fits the contract', () => {
    const figures = toFigures(
      [{ reviewer_id: null, reviewer_name: null, decisions: '5', approvals: 2, rejections: '3', decision_p50_seconds: 1800, decision_p90_seconds: '3120.5' }],
      [{ reader_id: 'a1', reader_name: 'ليلى', notes_decided: 0, notes_rejected: 0, rejection_rate: null, replies: '2', unanswered: 0, reply_p50_seconds: null, reply_p90_seconds: null }],
      [{ reader_id: null, reader_name: null, reason: 'Noise', rejections: 2, decisions: 5, rate: 0.4 }],
    );
    expect(figures.reviewers[0]).toEqual({ reviewerId: null, reviewerName: null, decisions: 5, approvals: 2, rejections: 3, decisionP50Seconds: 1800, decisionP90Seconds: 3120.5 });
    expect(figures.readers[0]).toMatchObject({ readerName: 'ليلى', rejectionRate: null, replies: 2, replyP50Seconds: null });
    expect(figuresSchema.parse(figures)).toEqual(figures);
    expect(() => toFigures([{ decisions: 'many' }], [], [])).toThrow(/not a count/);
  });

  it('keeps the audit timestamp\'s microseconds for the next page\'s cursor', () => {
    const entry = toAuditEntry({
      id: 42, created_at: '2026-12-01T15:00:00.123456+00:00', table_name: 'chat_messages', row_id: 'x', action: 'status:rejected',
      actor_id: null, actor_name: null, old_values: { status: 'pending_approval' }, new_values: null, source_table: null, source_id: null,
    });
    expect(entry).toMatchObject({ id: '42', createdAt: '2026-12-01T15:00:00.123456Z', oldValues: { status: 'pending_approval' }, newValues: null });
    expect(auditEntrySchema.parse(entry)).toEqual(entry);
  });
});
