export interface BackoffPolicy {
  /** Ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay ever exceeds this. */
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, capMs: 5 * 60 * 1000 };

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): a uniform draw in [0, min(cap, base * 2^(attempt-1))).
 * Full jitter spreads the retries of many consoles that lost the network at
 * the same moment, instead of having them hammer the server in lockstep.
 */
export function backoffDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const draw = random();
  const unit = draw >= 0 && draw < 1 ? draw : 0;
  return Math.floor(unit * ceiling);
}
