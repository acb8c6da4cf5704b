import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalDatabase } from './local-database';
import type { ServerMessage } from './message-cache';
import { normalizeTimestamp } from './timestamps';

export type ReviewDecision = 'approve' | 'reject';
/**
 * pending: not decided yet; decided: decided here, waiting in the outbox;
 * applied: the server took this decision; superseded: someone else decided first (server's first-wins rule).
 */
export type ReviewItemState = 'pending' | 'decided' | 'applied' | 'superseded';

export interface ReviewItem {
  messageId: string;
  packId: string;
  sessionId: string;
  senderId: string;
  senderName: string | null;
  createdAt: string;
  mimeType: string;
  sizeBytes: number;
  durationMs: number | null;
  waveform: number[] | null;
  storagePath: string;
  /** Absolute path of the downloaded audio. */
  audioPath: string;
  state: ReviewItemState;
  decision: ReviewDecision | null;
  reason: string | null;
  decidedAt: number | null;
  outboxClientMessageId: string | null;
  /** What the server holds once settled: our decision when applied, the winner's when superseded. */
  outcomeDecision: ReviewDecision | null;
  outcomeReviewedBy: string | null;
  outcomeAt: string | null;
}

export interface ReviewPackSummary {
  id: string;
  label: string;
  downloadedAt: number;
  total: number;
  pending: number;
  decided: number;
  applied: number;
  superseded: number;
}

export interface ReviewPackItemInput {
  message: ServerMessage;
  senderName: string | null;
  audio: Uint8Array;
}

export interface ReviewPackInput {
  id: string;
  label: string;
  items: readonly ReviewPackItemInput[];
}

export type ReviewSettlement =
  | { outcome: 'applied'; decision: ReviewDecision; reviewedAt: string }
  | { outcome: 'already_decided'; decision: ReviewDecision | null; reviewedBy: string | null; reviewedAt: string | null };

export class ReviewPackError extends Error {
  constructor(
    readonly code:
      | 'review.invalid_input'
      | 'review.not_found'
      | 'review.not_pending'
      | 'review.reason_required'
      | 'review.pack_has_unsynced_decisions',
    message: string,
  ) {
    super(message);
    this.name = 'ReviewPackError';
  }
}

interface ItemRow {
  message_id: string;
  pack_id: string;
  session_id: string;
  sender_id: string;
  sender_name: string | null;
  created_at: string;
  mime_type: string;
  size_bytes: number;
  duration_ms: number | null;
  waveform: string | null;
  storage_path: string;
  audio_file: string;
  state: ReviewItemState;
  decision: ReviewDecision | null;
  reason: string | null;
  decided_at: number | null;
  outbox_client_message_id: string | null;
  outcome_decision: ReviewDecision | null;
  outcome_reviewed_by: string | null;
  outcome_at: string | null;
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
export const MAX_REVIEW_REASON_CHARS = 2000;

/**
 * Voice notes support staff download to review offline. Decisions are
 * recorded here and travel through the outbox as 'review' jobs (see
 * Outbox.enqueueReview), so they survive restarts and meet the server's
 * first-wins rule when they sync.
 */
export class ReviewPacks {
  constructor(
    private readonly database: LocalDatabase,
    private readonly directory: string,
    private readonly now: () => number,
  ) {
    mkdirSync(directory, { recursive: true });
  }

  /** Stores the pack's metadata and audio files. Items already held (from another pack) are kept as they are. */
  async importPack(pack: ReviewPackInput): Promise<{ imported: number; alreadyHeld: number }> {
    if (!SAFE_ID.test(pack.id)) throw new ReviewPackError('review.invalid_input', `Review pack id ${JSON.stringify(pack.id)} must be 1-128 letters, digits, '-' or '_'`);
    if (typeof pack.label !== 'string' || pack.label.trim() === '') throw new ReviewPackError('review.invalid_input', 'A review pack needs a label');
    const rows: ItemRow[] = [];
    for (const [index, item] of pack.items.entries()) {
      const m = item.message;
      const where = `review pack item ${index} (message ${String(m?.id)})`;
      if (!m || !SAFE_ID.test(m.id)) throw new ReviewPackError('review.invalid_input', `${where}: the message id is missing or malformed`);
      if (m.type !== 'audio') throw new ReviewPackError('review.invalid_input', `${where}: only voice notes are reviewed, got type ${m.type}`);
      if (!m.storagePath || !m.mimeType) throw new ReviewPackError('review.invalid_input', `${where}: storage path and MIME type are required`);
      if (!(item.audio instanceof Uint8Array) || item.audio.byteLength === 0) {
        throw new ReviewPackError('review.invalid_input', `${where}: the audio bytes are missing`);
      }
      rows.push({
        message_id: m.id,
        pack_id: pack.id,
        session_id: m.sessionId,
        sender_id: m.senderId,
        sender_name: item.senderName,
        created_at: normalizeTimestamp(m.createdAt),
        mime_type: m.mimeType,
        size_bytes: item.audio.byteLength,
        duration_ms: m.durationMs,
        waveform: m.waveform ? JSON.stringify(m.waveform) : null,
        storage_path: m.storagePath,
        audio_file: join(pack.id, m.id),
        state: 'pending',
        decision: null,
        reason: null,
        decided_at: null,
        outbox_client_message_id: null,
        outcome_decision: null,
        outcome_reviewed_by: null,
        outcome_at: null,
      });
    }
    const packDir = join(this.directory, pack.id);
    await mkdir(packDir, { recursive: true });
    // Files first, rows second: a row never points at a file that is not there.
    await Promise.all(
      pack.items.map(async (item) => {
        const target = join(packDir, item.message.id);
        const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
        await writeFile(tmp, item.audio);
        await rename(tmp, target);
      }),
    );
    const insert = this.database.statement(
      `INSERT INTO review_items (message_id, pack_id, session_id, sender_id, sender_name, created_at, mime_type, size_bytes,
         duration_ms, waveform, storage_path, audio_file, state)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending') ON CONFLICT (message_id) DO NOTHING`,
    );
    return this.database.transaction(() => {
      this.database
        .statement(`INSERT INTO review_packs (id, label, downloaded_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET label = excluded.label`)
        .run(pack.id, pack.label, this.now());
      let imported = 0;
      for (const r of rows) {
        imported += insert.run(
          r.message_id, r.pack_id, r.session_id, r.sender_id, r.sender_name, r.created_at, r.mime_type, r.size_bytes,
          r.duration_ms, r.waveform, r.storage_path, r.audio_file,
        ).changes;
      }
      return { imported, alreadyHeld: rows.length - imported };
    });
  }

  packs(): ReviewPackSummary[] {
    return this.database
      .statement<[], { id: string; label: string; downloaded_at: number; total: number; pending: number; decided: number; applied: number; superseded: number }>(
        `SELECT p.id, p.label, p.downloaded_at, count(i.message_id) AS total,
           count(*) FILTER (WHERE i.state = 'pending') AS pending,
           count(*) FILTER (WHERE i.state = 'decided') AS decided,
           count(*) FILTER (WHERE i.state = 'applied') AS applied,
           count(*) FILTER (WHERE i.state = 'superseded') AS superseded
         FROM review_packs p LEFT JOIN review_items i ON i.pack_id = p.id
         GROUP BY p.id ORDER BY p.downloaded_at, p.id`,
      )
      .all()
      .map((r) => ({
        id: r.id,
        label: r.label,
        downloadedAt: r.downloaded_at,
        total: r.total,
        pending: r.pending,
        decided: r.decided,
        applied: r.applied,
        superseded: r.superseded,
      }));
  }

  items(packId: string): ReviewItem[] {
    return this.database
      .statement<[string], ItemRow>('SELECT * FROM review_items WHERE pack_id = ? ORDER BY created_at, message_id')
      .all(packId)
      .map((r) => this.fromRow(r));
  }

  item(messageId: string): ReviewItem | null {
    const row = this.database.statement<[string], ItemRow>('SELECT * FROM review_items WHERE message_id = ?').get(messageId);
    return row ? this.fromRow(row) : null;
  }

  /**
   * Records a local decision. Only the outbox calls this, inside the same
   * transaction that queues the review job, so a decision and its job exist together or not at all.
   */
  markDecided(messageId: string, decision: ReviewDecision, reason: string | null, outboxClientMessageId: string): ReviewItem {
    const item = this.item(messageId);
    if (!item) throw new ReviewPackError('review.not_found', `Voice note ${messageId} is not in any downloaded review pack`);
    if (item.state !== 'pending') {
      throw new ReviewPackError('review.not_pending', `Voice note ${messageId} already has a decision (${item.state}); cancel the queued one to change it`);
    }
    if (decision !== 'approve' && decision !== 'reject') {
      throw new ReviewPackError('review.invalid_input', `A review decision is 'approve' or 'reject', got ${JSON.stringify(decision)}`);
    }
    const trimmed = typeof reason === 'string' ? reason.trim() : '';
    if (decision === 'reject' && trimmed === '') {
      throw new ReviewPackError('review.reason_required', 'Rejecting a voice note requires a reason');
    }
    if (trimmed.length > MAX_REVIEW_REASON_CHARS) {
      throw new ReviewPackError('review.invalid_input', `A review reason is at most ${MAX_REVIEW_REASON_CHARS} characters`);
    }
    this.database
      .statement(`UPDATE review_items SET state = 'decided', decision = ?, reason = ?, decided_at = ?, outbox_client_message_id = ? WHERE message_id = ?`)
      .run(decision, trimmed === '' ? null : trimmed, this.now(), outboxClientMessageId, messageId);
    return this.item(messageId)!;
  }

  /** The queued review job was cancelled: the voice note is open for a decision again. */
  undoDecision(messageId: string): void {
    this.database
      .statement(
        `UPDATE review_items SET state = 'pending', decision = NULL, reason = NULL, decided_at = NULL, outbox_client_message_id = NULL
         WHERE message_id = ? AND state = 'decided'`,
      )
      .run(messageId);
  }

  /** The server's answer to a synced decision (called by the outbox in the transaction that marks the job sent). */
  recordSettlement(messageId: string, settlement: ReviewSettlement): void {
    const state: ReviewItemState = settlement.outcome === 'applied' ? 'applied' : 'superseded';
    const reviewedBy = settlement.outcome === 'applied' ? null : settlement.reviewedBy;
    this.database
      .statement(`UPDATE review_items SET state = ?, outcome_decision = ?, outcome_reviewed_by = ?, outcome_at = ? WHERE message_id = ?`)
      .run(
        state,
        settlement.decision,
        reviewedBy,
        settlement.reviewedAt === null ? null : normalizeTimestamp(settlement.reviewedAt),
        messageId,
      );
  }

  /** Deletes a pack and its audio; refused while one of its decisions has not reached the server. */
  async removePack(packId: string): Promise<void> {
    const unsynced = this.database
      .statement<[string], { n: number }>(`SELECT count(*) AS n FROM review_items WHERE pack_id = ? AND state = 'decided'`)
      .get(packId)!.n;
    if (unsynced > 0) {
      throw new ReviewPackError('review.pack_has_unsynced_decisions', `Review pack ${packId} has ${unsynced} decision(s) not yet synced`);
    }
    this.database.statement('DELETE FROM review_packs WHERE id = ?').run(packId);
    if (SAFE_ID.test(packId)) await rm(join(this.directory, packId), { recursive: true, force: true });
  }

  private fromRow(r: ItemRow): ReviewItem {
    return {
      messageId: r.message_id,
      packId: r.pack_id,
      sessionId: r.session_id,
      senderId: r.sender_id,
      senderName: r.sender_name,
      createdAt: r.created_at,
      mimeType: r.mime_type,
      sizeBytes: r.size_bytes,
      durationMs: r.duration_ms,
      waveform: r.waveform === null ? null : (JSON.parse(r.waveform) as number[]),
      storagePath: r.storage_path,
      audioPath: join(this.directory, r.audio_file),
      state: r.state,
      decision: r.decision,
      reason: r.reason,
      decidedAt: r.decided_at,
      outboxClientMessageId: r.outbox_client_message_id,
      outcomeDecision: r.outcome_decision,
      outcomeReviewedBy: r.outcome_reviewed_by,
      outcomeAt: r.outcome_at,
    };
  }
}
