import type { RealtimeEvent, RejectionReasonInput, ReviewClaimRow, UserConnection } from '../backend/backend-port';
import { toReviewClaimRow } from '../backend/row-mapping';
import type { EventHub } from '../ipc/event-hub';
import { alertText, type AlertLanguage, type AlertPlatform } from '../alerts';
import { toServerMessage } from './backend-outbox-transport';
import { withDeadline } from './deadline';

/** A burst of queue changes (a bulk approval, a busy hour) costs one count query. */
const COUNT_DEBOUNCE_MS = 250;
/** Leaving (sign-out, window closed) lets go of this user's claims; a server that does not answer must not hold it up. */
const RELEASE_ON_CLOSE_MS = 2_000;

/**
 * One staff member's side of the review queue: claims, bulk approval, rejections with a listed reason, the
 * reasons themselves, and the pending count on the Approvals tab and in the tray. Every rule is SQL
 * (..._review_queue.sql); this turns the staff:approvals feed into contract events and keeps the count current.
 */
export class ReviewQueue {
  private count: number | null = null;
  private countTimer: NodeJS.Timeout | null = null;
  private countRunning: Promise<void> | null = null;
  private countAgain = false;
  private closed = false;
  /** The live claims as this console last learnt them: after a reconnect, what changed meanwhile is told as events. */
  private known = new Map<string, ReviewClaimRow>();

  constructor(
    private readonly connection: UserConnection,
    private readonly hub: EventHub,
    private readonly platform: AlertPlatform,
    private readonly language: AlertLanguage,
  ) {
    this.refreshCountSoon(0);
  }

  /** Feeds the realtime events of staff:approvals; answers whether the event was the queue's alone. */
  onRealtime(event: RealtimeEvent): boolean {
    if (event.topic !== 'staff:approvals') return false;
    if (event.event === 'review_claim') {
      const messageId = String(event.payload.message_id ?? '');
      const claim = event.payload.claim;
      if (!messageId) return true;
      const row = claim && typeof claim === 'object' ? toReviewClaimRow(claim as Record<string, unknown>) : null;
      if (row) this.known.set(messageId, row);
      else this.known.delete(messageId);
      this.hub.emit('reviews.claimChanged', { messageId, claim: row });
      return true;
    }
    // A note arrived, or one left the queue (decided, withdrawn): the count moves; the message itself is the session's.
    if (event.event === 'chat_message') this.refreshCountSoon();
    return false;
  }

  /** After a reconnect, what was missed on staff:approvals: the count (the renderer reloads the queue and claims). */
  caughtUp() {
    this.refreshCountSoon();
    void this.resyncClaims().catch(() => {});
  }

  /** Claims taken, renewed or ended while the channel was down reach the renderer as the events it missed. */
  private async resyncClaims() {
    const now = new Map((await this.connection.reviewClaims()).map((c) => [c.messageId, c]));
    if (this.closed) return;
    for (const [messageId] of this.known) {
      if (!now.has(messageId)) this.hub.emit('reviews.claimChanged', { messageId, claim: null });
    }
    for (const [messageId, claim] of now) {
      const before = this.known.get(messageId);
      if (!before || before.claimedBy !== claim.claimedBy || before.expiresAt !== claim.expiresAt) this.hub.emit('reviews.claimChanged', { messageId, claim });
    }
    this.known = now;
  }

  claim(messageId: string) {
    return this.connection.claimReview(messageId);
  }

  async release(messageId?: string) {
    return { released: await this.connection.releaseReview(messageId) };
  }

  async claims() {
    const claims = await this.connection.reviewClaims();
    this.known = new Map(claims.map((c) => [c.messageId, c]));
    return { claims };
  }

  async pendingCount() {
    if (this.count === null) await this.refreshCount();
    return { count: this.count ?? 0 };
  }

  async bulkApprove(messageIds: string[]) {
    const results = await this.connection.bulkApprove(messageIds);
    this.refreshCountSoon();
    return { results };
  }

  async reject(messageId: string, reasonId: string | undefined, note: string | undefined) {
    const message = toServerMessage(await this.connection.rejectAudio(messageId, reasonId, note?.trim() || undefined));
    this.refreshCountSoon();
    return { message };
  }

  async reasons(includeArchived: boolean) {
    return { reasons: await this.connection.listRejectionReasons(includeArchived) };
  }

  saveReason(input: RejectionReasonInput) {
    return this.connection.saveRejectionReason(input);
  }

  private refreshCountSoon(delay = COUNT_DEBOUNCE_MS) {
    if (this.closed || this.countTimer) return;
    this.countTimer = setTimeout(() => {
      this.countTimer = null;
      void this.refreshCount().catch(() => {});
    }, delay);
    this.countTimer.unref?.();
  }

  private refreshCount(): Promise<void> {
    if (this.countRunning) {
      this.countAgain = true;
      return this.countRunning;
    }
    this.countRunning = (async () => {
      do {
        this.countAgain = false;
        const count = await this.connection.pendingReviewCount();
        if (this.closed) return;
        if (count !== this.count) {
          this.count = count;
          this.hub.emit('reviews.pendingCount', { count });
          this.platform.setPendingReviews?.(count, count > 0 ? alertText(this.language, 'reviews.pending', { count }) : '');
        }
      } while (this.countAgain);
    })().finally(() => {
      this.countRunning = null;
    });
    return this.countRunning;
  }

  /** Leaving: this user's claims end now rather than at their expiry, so the next reviewer need not wait. */
  async close() {
    this.closed = true;
    if (this.countTimer) clearTimeout(this.countTimer);
    this.countTimer = null;
    this.platform.setPendingReviews?.(0, '');
    await withDeadline(this.connection.releaseReview().catch(() => 0), RELEASE_ON_CLOSE_MS);
  }
}
