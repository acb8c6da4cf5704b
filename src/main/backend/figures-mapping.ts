import type { AuditEntry, Figures } from '../../shared/ipc/contract';
import { isoTimestamp } from './row-mapping';

// The figures and audit-log rows (snake_case, bigint counts as JSON numbers or strings) as the contract's shapes.

type Row = Record<string, unknown>;

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const int = (value: unknown): number => {
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new Error(`figures: ${String(value)} is not a count`);
  return n;
};
const real = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));

export function toFigures(reviewers: Row[], readers: Row[], reasons: Row[]): Figures {
  return {
    reviewers: reviewers.map((r) => ({
      reviewerId: str(r.reviewer_id),
      reviewerName: str(r.reviewer_name),
      decisions: int(r.decisions),
      approvals: int(r.approvals),
      rejections: int(r.rejections),
      decisionP50Seconds: real(r.decision_p50_seconds),
      decisionP90Seconds: real(r.decision_p90_seconds),
    })),
    readers: readers.map((r) => ({
      readerId: str(r.reader_id),
      readerName: str(r.reader_name),
      notesDecided: int(r.notes_decided),
      notesRejected: int(r.notes_rejected),
      rejectionRate: real(r.rejection_rate),
      replies: int(r.replies),
      unanswered: int(r.unanswered),
      replyP50Seconds: real(r.reply_p50_seconds),
      replyP90Seconds: real(r.reply_p90_seconds),
    })),
    reasons: reasons.map((r) => ({
      readerId: str(r.reader_id),
      readerName: str(r.reader_name),
      reason: str(r.reason),
      rejections: int(r.rejections),
      decisions: int(r.decisions),
      rate: Number(r.rate),
    })),
  };
}

export function toAuditEntry(row: Row): AuditEntry {
  return {
    id: String(row.id),
    createdAt: isoTimestamp(row.created_at)!,
    tableName: String(row.table_name),
    rowId: str(row.row_id),
    action: String(row.action),
    actorId: str(row.actor_id),
    actorName: str(row.actor_name),
    oldValues: row.old_values ?? null,
    newValues: row.new_values ?? null,
    sourceTable: str(row.source_table),
    sourceId: str(row.source_id),
  };
}
