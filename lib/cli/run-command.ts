import type { Command } from 'commander';
import { printResult, reportError } from './io';
import { checkPrefix, type AppCommandOptions, type CommandIo } from './command-io';

/** What a command's work returns: its `--json` document, its text and its exit code. */
export interface CommandResult {
  readonly json: unknown;
  readonly text: string;
  readonly code: number;
}

/**
 * Runs a command: `check` validates every argument first (a usage error never reaches AWS), then `body`
 * does the work; its result is printed (JSON with --json), and any error is reported under its shared
 * name, in JSON too with --json.
 */
export async function runCommand<O extends AppCommandOptions>(io: CommandIo, command: Command, check: (opts: O) => void, body: (opts: O) => Promise<CommandResult>): Promise<void> {
  const opts = command.optsWithGlobals<O>();
  let result;
  try {
    checkPrefix(opts.prefix);
    check(opts);
    result = await body(opts);
  } catch (e) {
    io.exit(reportError(io, e, opts.json));
    return;
  }
  printResult(io, opts.json, result.json, result.text);
  io.exit(result.code);
}
