import { escapeForTerminal, escapeLines, jsonForTerminal } from '../ops/terminal';
import type { Command, CommanderError } from 'commander';
import { styleText } from 'node:util';
import { describeError, errorOutput, EXIT, type ErrorReport } from './errors';
import { StatusLine } from './status-line';

/** Where a `slipway` command writes and how it exits; tests pass their own. */
export interface CliIo {
  /** `kind` "json" is written as is (never coloured). */
  stdout(text: string, kind?: 'json' | 'text'): void;
  stderr(text: string): void;
  exit(code: number): void;
  /** Whether text output may be coloured (a terminal, NO_COLOR unset, no --no-color). @default false */
  readonly colour?: boolean;
}

/** The live line at the bottom of the terminal (stderr): progress and the AWS spinner. */
export const statusLine = new StatusLine(process.stderr);

/**
 * Whether to colour a stream: never when NO_COLOR is set to anything non-empty (https://no-color.org),
 * never on a pipe or a dumb terminal, always when FORCE_COLOR is set to something other than 0.
 */
export function colourWanted(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '') return env.FORCE_COLOR !== '0';
  return Boolean(stream.isTTY) && env.TERM !== 'dumb';
}

/** Colour settings of this process (`--no-color` turns them off). */
export const colourSettings = { stdout: colourWanted(process.stdout), stderr: colourWanted(process.stderr) };

/**
 * One of Node's styles (`util.inspect.colors`) around text. Whether to colour was decided above, per
 * stream and flag, so styleText is told not to decide again from process.stdout (`validateStream`).
 */
const style = (format: Parameters<typeof styleText>[0]) => (s: string) => styleText(format, s, { validateStream: false });
const red = style('red');
const green = style('green');
const yellow = style('yellow');
const boldYellow = style(['bold', 'yellow']);

/**
 * Colours the marks of our own (already escaped) output: ✓ green, ✗ and "error:" red, … yellow, "warning:"
 * bold yellow. Nothing from outside can carry colour in: it was escaped before.
 */
export function paint(text: string): string {
  return text
    .replace(/^error:/gm, red('error:'))
    .replace(/✓/g, green('✓'))
    .replace(/✗/g, red('✗'))
    .replace(/…/g, yellow('…'))
    .replace(/^warning:/gm, boldYellow('warning:'));
}

/**
 * A reader that goes away (`slipway ... --json | head`) closes the pipe: the next write fails with
 * EPIPE, which Node raises as an unhandled 'error' event (a stack trace). Like other command-line tools,
 * slipway then stops without a word: there is nobody left to tell. Whatever the command started in
 * AWS goes on; only the output ends.
 */
export function endQuietlyWhenOutputCloses(exit: (code: number) => void = (code) => process.exit(code)): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') exit(0);
      else throw e;
    });
  }
}

/** The process's own streams and exit, one line per write, after the status line is put aside. */
export const processIo: CliIo = {
  stdout: (text, kind) => {
    statusLine.beforeOutput();
    process.stdout.write(`${colourSettings.stdout && kind !== 'json' ? paint(text) : text}\n`);
  },
  stderr: (text) => {
    statusLine.beforeOutput();
    process.stderr.write(`${colourSettings.stderr ? paint(text) : text}\n`);
  },
  exit: (code) => process.exit(code),
  get colour() {
    return colourSettings.stdout;
  },
};

/**
 * Prints a command's result: with `json` the document (terminal-safe JSON), else the text with every
 * line escaped for the terminal.
 */
export function printResult(io: CliIo, json: boolean | undefined, data: unknown, text: string): void {
  if (json) io.stdout(jsonForTerminal(data), 'json');
  else io.stdout(escapeLines(text), 'text');
}

export { escapeForTerminal, jsonForTerminal };

/**
 * Reports a command's failure as every command does: one escaped line on stderr, the same as a JSON
 * document on stdout with --json; returns the exit code (usage 2, failed 1, interrupted 130).
 */
export function reportError(io: CliIo, e: unknown, json: boolean | undefined, describe: (e: unknown) => ErrorReport = describeError): number {
  const report = describe(e);
  const out = errorOutput(report, json);
  if (out.stdout) io.stdout(out.stdout, 'json');
  io.stderr(out.stderr);
  return report.code;
}

/**
 * Runs a command's work and prints its result (exit 0), or reports its error (see {@link reportError})
 * and exits with that error's code. `describe` names the errors: the shared vocabulary unless given.
 */
export async function printOutcome(io: CliIo, json: boolean | undefined, work: () => Promise<{ json: unknown; text: string }>, describe?: (e: unknown) => ErrorReport): Promise<void> {
  try {
    const out = await work();
    printResult(io, json, out.json, out.text);
    io.exit(EXIT.ok);
  } catch (e) {
    io.exit(reportError(io, e, json, describe));
  }
}

/**
 * Makes commander's own outcomes of these commands exit as every `slipway` command does: a usage error
 * (missing argument, unknown option) exits 2, help and version exit 0; its text goes through `io`.
 */
export function exitLikeSlipway(io: CliIo, commands: readonly Command[]): void {
  for (const command of commands) {
    command.exitOverride((err: CommanderError) => {
      io.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
      throw err;
    });
    command.configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
  }
}
