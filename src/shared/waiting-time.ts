/**
 * How long a client has waited against the reply-time target (console.reply.target_minutes): one rule for the
 * sidebar's figure and warning, in every process. "Close" starts when less than a fifth of the target is left
 * (at least one minute before it), so a 15-minute target warns at 12 minutes and a 2-minute one at 1.
 */
export type WaitLevel = 'ok' | 'close' | 'passed';

export interface WaitState {
  /** Whole seconds waited (never negative: a clock a little behind the server's shows zero). */
  seconds: number;
  level: WaitLevel;
}

const MINUTE_MS = 60_000;

/** When the warning starts, in ms after the wait began, for a target in minutes. */
export function closeAfterMs(targetMinutes: number): number {
  const target = targetMinutes * MINUTE_MS;
  return Math.max(0, target - Math.max(MINUTE_MS, target / 5));
}

/**
 * The wait of a client since `waitingSince` (ISO) at `nowMs`; targetMinutes null: no target, never a warning.
 * Throws on a timestamp that does not parse or a target that is not a positive whole number: a wrong figure
 * would mislead the reader.
 */
export function waitState(waitingSince: string, nowMs: number, targetMinutes: number | null): WaitState {
  const since = Date.parse(waitingSince);
  if (Number.isNaN(since)) throw new TypeError(`waitingSince must be an ISO timestamp, got ${JSON.stringify(waitingSince)}.`);
  if (targetMinutes !== null) checkTarget(targetMinutes);
  const waited = waitedMs(since, nowMs);
  return { seconds: Math.floor(waited / 1000), level: targetMinutes === null ? 'ok' : levelAfter(waited, targetMinutes) };
}

/**
 * How many of these waits (their start, in ms since the epoch) have passed the target at `nowMs`, and how many are
 * close to it, by waitState's rule: the sidebar's summary counts hundreds of them every second, from starts read
 * once, not from timestamps parsed again each time.
 */
export function countWaiting(sinceMs: readonly number[], nowMs: number, targetMinutes: number): { passed: number; close: number } {
  checkTarget(targetMinutes);
  let passed = 0;
  let close = 0;
  for (const since of sinceMs) {
    const level = levelAfter(waitedMs(since, nowMs), targetMinutes);
    if (level === 'passed') passed++;
    else if (level === 'close') close++;
  }
  return { passed, close };
}

/** Never negative: a clock a little behind the server's shows zero. */
const waitedMs = (since: number, nowMs: number) => Math.max(0, nowMs - since);

function levelAfter(waited: number, targetMinutes: number): WaitLevel {
  if (waited >= targetMinutes * MINUTE_MS) return 'passed';
  return waited >= closeAfterMs(targetMinutes) ? 'close' : 'ok';
}

function checkTarget(targetMinutes: number) {
  if (!Number.isInteger(targetMinutes) || targetMinutes <= 0) {
    throw new TypeError(`The reply target must be a positive whole number of minutes, got ${JSON.stringify(targetMinutes)}.`);
  }
}

/**
 * Sessions longest waiting first (the oldest waitingSince first); those where nobody waits follow in the order they
 * came. Stable, and leaves its input alone.
 */
export function byLongestWaiting<T extends { waitingSince?: string | null | undefined }>(sessions: readonly T[]): T[] {
  const indexed = sessions.map((session, index) => ({ session, index, since: session.waitingSince ? Date.parse(session.waitingSince) : Number.NaN }));
  indexed.sort((a, b) => {
    const wa = !Number.isNaN(a.since);
    const wb = !Number.isNaN(b.since);
    if (wa !== wb) return wa ? -1 : 1;
    if (wa && a.since !== b.since) return a.since - b.since;
    return a.index - b.index;
  });
  return indexed.map((entry) => entry.session);
}
