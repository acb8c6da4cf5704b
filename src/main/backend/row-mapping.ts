import type { ClientHistorySession } from '../../shared/ipc/contract';
import type { BulkApproveRow, EmergencyRow, MessageRow, ProfileRow, RejectionReasonRow, ReviewClaimRow, SessionRow } from './backend-port';

// The RPCs return Postgres rows in snake_case (through PostgREST, or a realtime payload's record);
// these are the one place where they become the port's shapes.

type Row = Record<string, unknown>;

const str = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));
const num = (value: unknown): number | null => (value === null || value === undefined ? null : Number(value));
/**
 * ISO 8601 in UTC with the database's full precision: Postgres keeps microseconds, and keyset paging on
 * (created_at, id) must hand them back exactly, so text from Postgres is reshaped, never parsed into a Date.
 */
export const isoTimestamp = (value: unknown): string | null => {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  const text = String(value).trim();
  const match = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?$/.exec(text);
  if (!match) return new Date(text).toISOString();
  const [, date, time, fraction = '', zone = 'Z'] = match;
  if (zone === 'Z' || /^[+-]00(:?00)?$/.test(zone)) return `${date}T${time}${fraction}Z`;
  // Another zone: let Date move it to UTC, then put the sub-millisecond digits back.
  const utc = new Date(`${date}T${time}${fraction.slice(0, 4)}${zone.length === 3 ? `${zone}:00` : zone}`).toISOString();
  return fraction.length > 4 ? utc.replace(/\.\d{3}Z$/, `${fraction}Z`) : utc;
};
const iso = isoTimestamp;
const peaks = (value: unknown): number[] | null => {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(Number);
  // PostgREST may hand real[] back as a Postgres array literal.
  const text = String(value).replace(/^\{|\}$/g, '');
  return text ? text.split(',').map(Number) : [];
};

export function toMessageRow(row: Row): MessageRow {
  return {
    id: String(row.id),
    sessionId: String(row.session_id),
    senderId: str(row.sender_id),
    type: row.type as MessageRow['type'],
    body: str(row.body),
    storagePath: str(row.storage_path),
    mimeType: str(row.mime_type),
    sizeBytes: num(row.size_bytes),
    durationMs: num(row.duration_ms),
    waveform: peaks(row.waveform),
    replyTo: str(row.reply_to),
    status: row.status as MessageRow['status'],
    reviewedBy: str(row.reviewed_by),
    reviewedAt: iso(row.reviewed_at),
    reviewReason: str(row.review_reason),
    clientMessageId: str(row.client_message_id),
    createdAt: iso(row.created_at)!,
    editedAt: iso(row.edited_at),
  };
}

export function toProfileRow(row: Row): ProfileRow {
  return {
    id: String(row.id),
    displayName: str(row.display_name) ?? '',
    role: (row.role ?? 'client') as ProfileRow['role'],
    preferredLanguage: row.preferred_language === 'ar' ? 'ar' : 'en',
    emergencyOptIn: Boolean(row.emergency_opt_in),
    availability: (row.availability ?? 'offline') as ProfileRow['availability'],
    ...(row.availability_choice ? { availabilityChoice: row.availability_choice as ProfileRow['availability'] } : {}),
  };
}

const jsonValue = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

const toLastMessage = (row: Row | null): SessionRow['lastMessage'] =>
  row
    ? {
        id: String(row.id),
        type: row.type as NonNullable<SessionRow['lastMessage']>['type'],
        preview: str(row.preview),
        senderId: str(row.sender_id) ?? '',
        createdAt: iso(row.created_at)!,
      }
    : null;

export function toSessionRow(row: Row): SessionRow {
  const participants = (jsonValue(row.participants) as Row[] | null) ?? [];
  return {
    id: String(row.id),
    type: row.type as SessionRow['type'],
    status: row.status as SessionRow['status'],
    bookingId: str(row.booking_id),
    lastMessageAt: iso(row.last_message_at),
    createdAt: iso(row.created_at)!,
    unreadCount: Number(row.unread_count ?? 0),
    lastReadAt: iso(row.last_read_at),
    lastMessage: toLastMessage(jsonValue(row.last_message) as Row | null),
    waitingSince: iso(row.waiting_since),
    participants: participants.map((p) => ({
      userId: String(p.user_id),
      displayName: str(p.display_name) ?? '',
      role: (p.role ?? 'client') as SessionRow['participants'][number]['role'],
      roleInSession: p.role_in_session as SessionRow['participants'][number]['roleInSession'],
      availability: (p.availability ?? 'offline') as SessionRow['participants'][number]['availability'],
      lastReadAt: iso(p.last_read_at),
    })),
  };
}

export function toEmergencyRow(row: Row): EmergencyRow {
  return {
    id: String(row.id),
    sessionId: String(row.session_id),
    clientId: String(row.client_id),
    state: row.state as EmergencyRow['state'],
    escalationLevel: Number(row.escalation_level ?? 0),
    escalateAt: iso(row.escalate_at),
    acceptedBy: str(row.accepted_by),
    acknowledgedBy: str(row.acknowledged_by),
    resolvedBy: str(row.resolved_by),
    resolutionNote: str(row.resolution_note),
    createdAt: iso(row.created_at)!,
  };
}

/** One row of client_history: a date line of one of the client's sessions. */
export function toClientHistorySession(row: Row): ClientHistorySession {
  const readers = jsonValue(row.readers);
  return {
    sessionId: String(row.session_id),
    type: row.type as ClientHistorySession['type'],
    status: row.status as ClientHistorySession['status'],
    createdAt: isoTimestamp(row.created_at) ?? '',
    lastActivityAt: isoTimestamp(row.last_activity_at) ?? isoTimestamp(row.created_at) ?? '',
    readers: Array.isArray(readers)
      ? readers.map((r: Row) => ({ userId: String(r.user_id), displayName: str(r.display_name) ?? '' }))
      : [],
    tookPart: Boolean(row.took_part),
  };
}

// The review queue (..._review_queue.sql). A claim's shape is the same in claim_review / review_claims rows
// and in the `review_claim` broadcast's `claim`.
export function toReviewClaimRow(row: Row): ReviewClaimRow {
  return {
    messageId: String(row.message_id),
    claimedBy: String(row.claimed_by),
    claimedByName: str(row.claimed_by_name),
    claimedAt: iso(row.claimed_at) ?? '',
    expiresAt: iso(row.expires_at) ?? '',
  };
}

const BULK_OUTCOMES = ['approved', 'already_decided', 'claimed', 'not_found', 'own_message', 'not_reviewable'] as const;

export function toBulkApproveRow(row: Row): BulkApproveRow {
  const outcome = BULK_OUTCOMES.find((o) => o === row.outcome);
  if (!outcome) throw new TypeError(`bulk_approve answered an unknown outcome ${JSON.stringify(row.outcome)}`);
  const detail = (row.detail && typeof row.detail === 'object' ? row.detail : {}) as Row;
  return {
    messageId: String(row.message_id),
    outcome,
    errorCode: str(row.error_code),
    reviewedByName: str(detail.reviewed_by_name),
    claimedByName: str(detail.claimed_by_name),
    expiresAt: iso(detail.expires_at),
  };
}

export function toRejectionReasonRow(row: Row): RejectionReasonRow {
  return {
    id: String(row.id),
    labelEn: String(row.label_en),
    labelAr: String(row.label_ar),
    position: Number(row.sort_order),
    active: Boolean(row.active),
  };
}
