import { escapeForTerminal, jsonForTerminal } from '../ops/terminal';
import { describeAwsError, oneLine } from '../ops/aws-errors';
import { EXIT } from '../ops/exit-codes';

// Thrown by lib/ops too, so they live there (cli -> ops, never back).
export { EXIT };
export { UsageError } from '../ops/usage-error';

/** The command ran out of its `--timeout`. Exit 1. */
export class CommandTimedOut extends Error {
  public override readonly name = 'TimedOut';
}

/** Names of errors that mean "the request was wrong" (exit 2) rather than "it failed" (exit 1). */
export const USAGE_ERROR_NAMES: ReadonlySet<string> = new Set(['UsageError', 'InvalidIdentifier', 'InvalidRequest', 'UnknownAction', 'InvalidConfigKey', 'InvalidSchedule', 'InvalidSql', 'TransactionControlRefused', 'InvalidConnectionSetting', 'InvalidRegion', 'InvalidEndpoint']);

/** An error of any command as one line under its name, with the exit code. */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly code: number;
}

/**
 * Turns any error of any command into its report: a usage error exits 2, an AWS failure gets its
 * shared name and what to do ({@link describeAwsError}), a named error of ours keeps its name. The
 * message is one line.
 */
export function describeError(error: unknown): ErrorReport {
  const e = error instanceof Error ? error : new Error(String(error));
  if (USAGE_ERROR_NAMES.has(e.name)) return { name: e.name, message: oneLine(e.message), code: EXIT.usage };
  // The client factory (lib/ops/aws-clients.ts) names the call on the errors of the calls it makes.
  const line = describeAwsError(e, (e as { slipwayCall?: string }).slipwayCall);
  return { name: line.name, message: line.message, code: EXIT.failed };
}

/**
 * The lines a command prints for an error: with `json`, `{"error": name, "message": ...}` on stdout;
 * always `error: <name>: <message>` on stderr, escaped for the terminal.
 */
export function errorOutput(report: Pick<ErrorReport, 'name' | 'message'>, json: boolean | undefined): { stdout?: string; stderr: string } {
  return {
    ...(json ? { stdout: jsonForTerminal({ error: report.name, message: report.message }, 0) } : {}),
    stderr: `error: ${escapeForTerminal(report.name)}: ${escapeForTerminal(oneLine(report.message))}`,
  };
}
