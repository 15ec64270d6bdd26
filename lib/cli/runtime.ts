// Types only: commander is loaded by the entry point.
import type { Command } from 'commander';
import { escapeForTerminal } from '../ops/terminal';
import { checkAwsEnvironment } from './aws-settings';
import { awsCalls, type CallsInFlight } from '../ops/calls';
import { CommandTimedOut, describeError, errorOutput, EXIT, UsageError } from './errors';
import { colourSettings, statusLine, type CliIo } from './io';
import { startSpinner } from './status-line';

/**
 * What every `slipway` command shares: `--profile`, `--region`, `--timeout` and `--no-color`, the bound
 * on the command's total time, the "waiting for AWS" spinner and a clean Ctrl-C.
 */

/** The options every command inherits from `slipway`. */
export interface GlobalOptions {
  readonly profile?: string;
  readonly region?: string;
  readonly timeout?: string;
  /** false with --no-color. */
  readonly color?: boolean;
  readonly json?: boolean;
  readonly watch?: boolean;
  /** `logs --follow` (`--tail`). */
  readonly follow?: boolean;
  readonly tail?: boolean;
  /** `run --detach`: starts the task and returns, follows nothing. */
  readonly detach?: boolean;
}

/** A command that talks to AWS gives up after this long, unless --timeout says otherwise. */
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** `watch`, and `--watch` on redrive/deploy/rollback, follow a pipeline: they give up after this long. */
export const DEFAULT_FOLLOW_TIMEOUT_SECONDS = 7200;
/** The longest --timeout accepted (a day). */
export const MAX_TIMEOUT_SECONDS = 86_400;

// Commands that make no AWS call are bounded only when --timeout is given.
const OFFLINE_COMMANDS = new Set(['local', 'completion']);

// Region codes: us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-4, ...
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
// Profile names as the AWS CLI accepts them in practice: no spaces, brackets or control characters.
const PROFILE = /^[A-Za-z0-9_.@+=,:/-]{1,128}$/;

/** The path of a command, without `slipway`: ["db", "sql"]. */
export function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

/**
 * Checks the inherited options and applies --profile and --region to the process (as AWS_PROFILE and
 * AWS_REGION, which every SDK client reads when it first resolves its credentials and region).
 * @returns the command's time bound in milliseconds, or undefined for an unbounded offline command.
 * @throws UsageError for a malformed option.
 */
export function applyGlobalOptions(opts: GlobalOptions, path: readonly string[], env: NodeJS.ProcessEnv = process.env): number | undefined {
  if (opts.profile !== undefined) {
    if (!PROFILE.test(opts.profile)) throw new UsageError(`--profile ${JSON.stringify(opts.profile.slice(0, 60))} is not a profile name (letters, digits and _ . @ + = , : / -)`);
    env.AWS_PROFILE = opts.profile;
  }
  if (opts.region !== undefined) {
    if (!REGION.test(opts.region)) throw new UsageError(`--region ${JSON.stringify(opts.region.slice(0, 60))} is not an AWS region code (e.g. eu-west-1, us-east-1)`);
    env.AWS_REGION = opts.region;
  }
  if (opts.color === false) {
    colourSettings.stdout = false;
    colourSettings.stderr = false;
  }
  if (opts.timeout !== undefined) {
    const n = Number(opts.timeout);
    if (!/^\d+$/.test(opts.timeout) || n < 1 || n > MAX_TIMEOUT_SECONDS) throw new UsageError(`--timeout must be a whole number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, got ${JSON.stringify(opts.timeout.slice(0, 20))}`);
    return n * 1000;
  }
  if (OFFLINE_COMMANDS.has(path[0] ?? '')) return undefined;
  // AWS_REGION with a newline, AWS_ENDPOINT_URL=notaurl: usage errors naming the variable, before any call.
  checkAwsEnvironment(env);
  return (follows(opts, path) ? DEFAULT_FOLLOW_TIMEOUT_SECONDS : DEFAULT_TIMEOUT_SECONDS) * 1000;
}

/**
 * Whether the command follows something that goes on without it (a pipeline, a task, a log group):
 * `watch`, `--watch`, `run` (not `run --detach`) and `logs --follow` get the long default bound.
 */
export function follows(opts: GlobalOptions, path: readonly string[]): boolean {
  return path[0] === 'watch' || (path[0] === 'run' && !opts.detach) || path[0] === 'shell' || (path[0] === 'build' && !opts.detach) || Boolean(opts.watch) || (path[0] === 'logs' && Boolean(opts.follow || opts.tail));
}

/** What {@link beginCommand} started; `end` stops it. */
export interface CommandSession {
  end(): void;
}

/** Options of {@link beginCommand}. */
export interface BeginOptions {
  readonly io: CliIo;
  readonly calls?: CallsInFlight;
  /** Set timers (tests pass their own). */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
}

const realTimer = (fn: () => void, ms: number): (() => void) => {
  const t = setTimeout(fn, ms);
  // A command that finished in time is never held open by its deadline.
  t.unref();
  return () => clearTimeout(t);
};

/**
 * Starts what bounds and shows a command: the deadline (after `timeoutMs` the command ends with
 * TimedOut, exit 1, naming the AWS call it was waiting for) and, on a terminal without --json, the
 * spinner.
 */
export function beginCommand(timeoutMs: number | undefined, opts: GlobalOptions, path: readonly string[], options: BeginOptions): CommandSession {
  const calls = options.calls ?? awsCalls;
  const spinner = !opts.json && statusLine.live ? startSpinner(statusLine, calls) : undefined;
  const cancel =
    timeoutMs === undefined
      ? undefined
      : (options.setTimer ?? realTimer)(() => {
          spinner?.stop();
          statusLine.clear();
          const waiting = calls.oldest();
          const goesOn = path[0] === 'run' ? '; the task goes on' : path[0] === 'logs' ? '' : '; the pipeline goes on';
          const message = `gave up after ${timeoutMs / 1000} s (--timeout)${waiting ? `, waiting for ${waiting.label}` : ''}${follows(opts, path) ? goesOn : ''}: check the network, proxy and AWS_ENDPOINT_URL, or pass a longer --timeout`;
          const out = errorOutput(describeError(new CommandTimedOut(message)), opts.json);
          if (out.stdout) options.io.stdout(out.stdout, 'json');
          options.io.stderr(out.stderr);
          options.io.exit(EXIT.failed);
        }, timeoutMs);
  return {
    end: () => {
      cancel?.();
      spinner?.stop();
    },
  };
}

/**
 * What a running command does on Ctrl-C instead of the plain exit: `slipway run` stops the task it
 * started. Registered with {@link handleInterrupts} while the command runs.
 */
export interface InterruptHandler {
  /**
   * The first Ctrl-C. @returns a line to print when the command takes over (it ends itself, exit 130,
   * once it has done what Ctrl-C asks), or undefined for the plain exit at once.
   */
  first(): string | undefined;
  /** The message of the Interrupted error the second Ctrl-C exits with, at once. */
  second(): string;
}

let interruptHandler: InterruptHandler | undefined;

/** Makes `handler` answer Ctrl-C until the returned function is called (in a `finally`). */
export function handleInterrupts(handler: InterruptHandler): () => void {
  interruptHandler = handler;
  return () => {
    if (interruptHandler === handler) interruptHandler = undefined;
  };
}

/** Listens for the next SIGINT once (tests pass their own). */
export type NextInterrupt = (listener: () => void) => void;
const nextSigint: NextInterrupt = (listener) => {
  process.once('SIGINT', listener);
};

function exitInterrupted(io: CliIo, json: boolean, message: string): void {
  statusLine.clear();
  const out = errorOutput({ name: 'Interrupted', message }, json);
  if (out.stdout) io.stdout(out.stdout, 'json');
  io.stderr(out.stderr);
  io.exit(EXIT.interrupted);
}

/**
 * Ctrl-C (bin/slipway.ts listens once for SIGINT): wipe the status line, say so, exit 130 (128 +
 * SIGINT), as shells expect. Nothing the command started is waited for: an AWS call in flight is
 * abandoned, a pipeline it started goes on. A command that registered an {@link InterruptHandler}
 * (`slipway run`) takes over instead: this prints its line and listens for a second Ctrl-C, which
 * exits 130 at once without waiting for it.
 */
export function onInterrupt(io: CliIo, json: boolean, next: NextInterrupt = nextSigint): void {
  const handler = interruptHandler;
  if (handler) {
    interruptHandler = undefined;
    // Listen first: the handler's work may take a while, and a second Ctrl-C must never kill the
    // process without its line (Node's default for an unhandled SIGINT).
    next(() => exitInterrupted(io, json, handler.second()));
    const line = handler.first();
    if (line !== undefined) {
      statusLine.clear();
      // It names what AWS named (a task ID): printed inert, as every line from outside.
      io.stderr(escapeForTerminal(line));
      return;
    }
  }
  exitInterrupted(io, json, 'stopped by Ctrl-C (anything already started in AWS goes on)');
}
