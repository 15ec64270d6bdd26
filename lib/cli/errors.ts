/** Exit codes of every `slipway` command. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** A usage or input problem: one line on stderr, exit code 2. */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}
