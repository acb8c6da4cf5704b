// Presence as Phoenix.Presence shapes it for realtime-js: per topic, each key lists the metas of the
// channels tracking it (`{ key: { metas: [{ phx_ref, ...payload }] } }`); every change is a diff of
// joins and leaves. Held in memory only, as Supabase's tracker holds it.
import { randomBytes } from 'node:crypto';

export type PresenceMeta = Record<string, unknown> & { phx_ref: string; phx_ref_prev?: string };
export type PresenceState = Record<string, { metas: PresenceMeta[] }>;
export interface PresenceDiff {
  joins: PresenceState;
  leaves: PresenceState;
}

interface Tracked {
  key: string;
  meta: PresenceMeta;
}

const newRef = () => randomBytes(8).toString('base64');

function add(state: PresenceState, key: string, meta: PresenceMeta): void {
  (state[key] ??= { metas: [] }).metas.push(meta);
}

export class PresenceRegistry {
  /** topic → channel id → what that channel tracks (one presence per channel, as in Phoenix). */
  private readonly topics = new Map<string, Map<number, Tracked>>();

  /** Tracks or updates the channel's presence; null when nothing changed. */
  track(topic: string, channelId: number, key: string, payload: Record<string, unknown>): PresenceDiff | null {
    let tracked = this.topics.get(topic);
    if (!tracked) this.topics.set(topic, (tracked = new Map()));
    const previous = tracked.get(channelId);
    const { phx_ref: _ref, phx_ref_prev: _prev, ...userPayload } = payload;
    if (previous && previous.key === key && JSON.stringify(withoutRefs(previous.meta)) === JSON.stringify(userPayload)) return null;
    const meta: PresenceMeta = { ...userPayload, phx_ref: newRef() };
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    if (previous) {
      if (previous.key === key) meta.phx_ref_prev = previous.meta.phx_ref;
      add(diff.leaves, previous.key, previous.meta);
    }
    add(diff.joins, key, meta);
    tracked.set(channelId, { key, meta });
    return diff;
  }

  /** Removes the channel's presence; null when it tracked nothing. */
  untrack(topic: string, channelId: number): PresenceDiff | null {
    const tracked = this.topics.get(topic);
    const previous = tracked?.get(channelId);
    if (!tracked || !previous) return null;
    tracked.delete(channelId);
    if (tracked.size === 0) this.topics.delete(topic);
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    add(diff.leaves, previous.key, previous.meta);
    return diff;
  }

  state(topic: string): PresenceState {
    const state: PresenceState = {};
    for (const { key, meta } of this.topics.get(topic)?.values() ?? []) add(state, key, meta);
    return state;
  }

  clear(): void {
    this.topics.clear();
  }
}

function withoutRefs(meta: PresenceMeta): Record<string, unknown> {
  const { phx_ref: _ref, phx_ref_prev: _prev, ...rest } = meta;
  return rest;
}
