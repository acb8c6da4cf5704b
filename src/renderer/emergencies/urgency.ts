import type { Emergency } from '../../shared/ipc/contract';
import { OPEN_STATES, WAITING_STATES } from '../../shared/emergency/state-machine';

export { OPEN_STATES } from '../../shared/emergency/state-machine';

/** Open calls first; among them the most escalated, then the oldest; closed calls last, newest first. */
export function byUrgency(a: Emergency, b: Emergency): number {
  const openA = OPEN_STATES.has(a.state) ? 1 : 0;
  const openB = OPEN_STATES.has(b.state) ? 1 : 0;
  if (openA !== openB) return openB - openA;
  if (!openA) return b.createdAt.localeCompare(a.createdAt);
  const waitingA = WAITING_STATES.has(a.state) ? 1 : 0;
  const waitingB = WAITING_STATES.has(b.state) ? 1 : 0;
  if (waitingA !== waitingB) return waitingB - waitingA;
  if (a.escalationLevel !== b.escalationLevel) return b.escalationLevel - a.escalationLevel;
  return a.createdAt.localeCompare(b.createdAt);
}

export function upsertEmergency(list: readonly Emergency[], emergency: Emergency): Emergency[] {
  const rest = list.filter((e) => e.id !== emergency.id);
  return [...rest, emergency].sort(byUrgency);
}

/** Seconds left before the next escalation (negative once overdue: the sweep will catch up). */
export const secondsUntil = (iso: string | null, now: number) => (iso ? Math.round((Date.parse(iso) - now) / 1000) : null);
