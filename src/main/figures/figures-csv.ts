import type { Figures } from '../../shared/ipc/contract';
import { toCsv, type CsvValue } from './csv-writer';

/**
 * The figures as one CSV table, one row per figure row, self-describing: every row names the range and which
 * figure it belongs to (reviewer, reader, rejection_reason), and a column is empty where a figure has no such
 * value. Headers are stable English identifiers, numbers plain (seconds, rates as fractions), times ISO 8601 UTC,
 * so the file reads the same in any spreadsheet language; names and reasons stay as people wrote them.
 */
export const FIGURES_CSV_HEADER = [
  'from', 'to', 'figure', 'person_id', 'person_name', 'reason', 'decisions', 'approvals', 'rejections', 'rejection_rate',
  'replies', 'unanswered', 'p50_seconds', 'p90_seconds',
] as const;

export function figuresCsv(figures: Figures, range: { from: string; to: string }): string {
  const at = (figure: string, values: Partial<Record<(typeof FIGURES_CSV_HEADER)[number], CsvValue>>): CsvValue[] =>
    FIGURES_CSV_HEADER.map((column) => (column === 'from' ? range.from : column === 'to' ? range.to : column === 'figure' ? figure : values[column] ?? null));
  const rows: CsvValue[][] = [
    ...figures.reviewers.map((r) =>
      at('reviewer', {
        person_id: r.reviewerId ?? 'all', person_name: r.reviewerName, decisions: r.decisions, approvals: r.approvals, rejections: r.rejections,
        rejection_rate: r.decisions > 0 ? r.rejections / r.decisions : null, p50_seconds: r.decisionP50Seconds, p90_seconds: r.decisionP90Seconds,
      }),
    ),
    ...figures.readers.map((r) =>
      at('reader', {
        person_id: r.readerId ?? 'all', person_name: r.readerName, decisions: r.notesDecided, rejections: r.notesRejected,
        rejection_rate: r.rejectionRate, replies: r.replies, unanswered: r.unanswered, p50_seconds: r.replyP50Seconds, p90_seconds: r.replyP90Seconds,
      }),
    ),
    ...figures.reasons.map((r) =>
      at('rejection_reason', {
        person_id: r.readerId ?? 'all', person_name: r.readerName, reason: r.reason, decisions: r.decisions, rejections: r.rejections, rejection_rate: r.rate,
      }),
    ),
  ];
  return toCsv(FIGURES_CSV_HEADER, rows);
}

/** figures-2026-11-01-2026-12-01.csv: the range's dates as the user gave them (UTC). */
export const figuresFileName = (range: { from: string; to: string }) =>
  `figures-${range.from.slice(0, 10)}-${range.to.slice(0, 10)}.csv`;
