import { useEffect, useState } from 'react';
import type { ChatMessage, ReviewClaim } from '../../shared/ipc/contract';
import type { ConsoleClient } from '../bridge/console-client';

/** The claim on a note that still holds at `now` (an expired claim is no claim, as in SQL). */
export function liveClaim(claims: ReadonlyMap<string, ReviewClaim>, messageId: string, now: number): ReviewClaim | null {
  const claim = claims.get(messageId);
  return claim && Date.parse(claim.expiresAt) > now ? claim : null;
}

/** Held by another reviewer right now: the note is theirs to listen to and decide. */
export function claimedByOther(claims: ReadonlyMap<string, ReviewClaim>, messageId: string, selfId: string, now: number): ReviewClaim | null {
  const claim = liveClaim(claims, messageId, now);
  return claim && claim.claimedBy !== selfId ? claim : null;
}

/**
 * The note the reviewer works on: the one they chose while it is still in the queue, else the oldest nobody
 * else is reviewing, else the oldest.
 */
export function currentNote(items: readonly ChatMessage[], chosenId: string | null, claims: ReadonlyMap<string, ReviewClaim>, selfId: string, now: number): ChatMessage | null {
  if (chosenId) {
    const chosen = items.find((m) => m.id === chosenId);
    if (chosen) return chosen;
  }
  return items.find((m) => !claimedByOther(claims, m.id, selfId, now)) ?? items[0] ?? null;
}

/** How long a note has waited, in whole minutes and hours, for the "waiting" label. */
export function waitingParts(createdAt: string, now: number): { hours: number; minutes: number } {
  const total = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  return { hours: Math.floor(total / 60), minutes: total % 60 };
}

/** A clock for live labels (waiting times, claims running out), ticking every `intervalMs`. */
export function useNow(intervalMs: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/** Voice notes waiting for review (staff only; null while unknown or for others), kept current by the main process. */
export function usePendingReviewCount(client: ConsoleClient, enabled: boolean): number | null {
  const [count, setCount] = useState<number | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const off = client.on('reviews.pendingCount', ({ count: next }) => setCount(next));
    client
      .call('reviews.pendingCount', {})
      .then(({ count: first }) => {
        if (live) setCount((known) => known ?? first);
      })
      .catch(() => {});
    return () => {
      live = false;
      off();
    };
  }, [client, enabled]);
  return enabled ? count : null;
}
