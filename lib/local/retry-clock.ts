/**
 * The wait before a Task state's retry, as Step Functions computes it, so that the local runner waits it
 * on the simulated clock (the local engine itself retries at once): a throttled call then meets a bucket
 * that has refilled, as on AWS. Amazon States Language, "Retrying after an error": the first retrier
 * whose `ErrorEquals` names the error (or `States.ALL`; `States.TaskFailed` for any error but
 * `States.Timeout`) applies; its n-th retry waits `IntervalSeconds` (default 1) x `BackoffRate`
 * (default 2) ^ (n - 1), at most `MaxDelaySeconds`; with `JitterStrategy` FULL, a random time between 0
 * and that ("Retry behavior ... jitter").
 */

/** A Retry field's retrier, as the ASL file writes it. */
export interface Retrier {
  readonly ErrorEquals?: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: 'FULL' | 'NONE';
}

/** The index of the retrier that handles `error`, or -1. */
export function matchingRetrier(retriers: readonly Retrier[], error: string): number {
  return retriers.findIndex((r) => {
    const names = r.ErrorEquals ?? [];
    return names.includes(error) || names.includes('States.ALL') || (names.includes('States.TaskFailed') && error !== 'States.Timeout');
  });
}

/** Seconds before retry number `attempt` (1 for the first retry) of `retrier`; `random` in [0, 1) for FULL jitter. */
export function retryDelaySeconds(retrier: Retrier, attempt: number, random: () => number): number {
  const base = (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** Math.max(0, attempt - 1);
  const capped = retrier.MaxDelaySeconds !== undefined ? Math.min(base, retrier.MaxDelaySeconds) : base;
  return retrier.JitterStrategy === 'FULL' ? random() * capped : capped;
}

/** A seeded pseudo-random generator (mulberry32): runs of the simulated account repeat exactly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The retries of one execution attempt: for each Task state and input (a Map iteration has its own), how
 * many times each retrier has handled a failure, and how long the next call of the state waits.
 */
export class RetryWaits {
  private readonly failures = new Map<string, { retrier: number; counts: number[] }>();

  constructor(private readonly random: () => number) {}

  /** The state failed with `error`: remembers which retrier handles it (the engine retries the state). */
  failed(key: string, retriers: readonly Retrier[], error: string): void {
    const i = matchingRetrier(retriers, error);
    const entry = this.failures.get(key) ?? { retrier: -1, counts: retriers.map(() => 0) };
    entry.retrier = i;
    if (i >= 0) entry.counts[i] += 1;
    this.failures.set(key, entry);
  }

  /** The state succeeded: its next call (a later iteration with the same input) is not a retry. */
  succeeded(key: string): void {
    this.failures.delete(key);
  }

  /** Seconds the call of a state waits first: the retry interval when its last call failed, else 0. */
  waitBefore(key: string, retriers: readonly Retrier[]): number {
    const entry = this.failures.get(key);
    if (!entry || entry.retrier < 0) return 0;
    return retryDelaySeconds(retriers[entry.retrier], entry.counts[entry.retrier], this.random);
  }
}
