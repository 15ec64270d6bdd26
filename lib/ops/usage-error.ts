/** A usage or input problem: one line on stderr, exit code 2 (lib/cli/errors.ts reports it). */
export class UsageError extends Error {
  public override readonly name = 'UsageError';
}
