// Types only: commander 15 is ESM-only, and jest (CommonJS) could not load this module otherwise.
import type { Command, CommanderError } from 'commander';
import { defaultClients, type OpsClients } from '../ops/aws';
import {
  deployBuild,
  executionStatus,
  listPipelines,
  parseExecutionTarget,
  realClock,
  redrive,
  renderDeploy,
  renderPipelines,
  renderRedrive,
  renderStatus,
  renderWatch,
  rollback,
  watchedExit,
  watchPipeline,
  type Clock,
  type FollowOptions,
} from '../ops/commands';
import { escapeForTerminal } from '../ops/terminal';
import { EXIT, UsageError } from './errors';
import type { CliIo } from './io';

/** Environment variable for `--prefix` (the deployment's name prefix, config `prefix`). */
export const PREFIX_ENV = 'SLIPWAY_PREFIX';
/** Environment variable for `--table` (the app's table, when the build state machine cannot be read). */
export const TABLE_ENV = 'SLIPWAY_TABLE';

/** Where the pipeline commands write, how they exit, their clients and clock (tests pass their own). */
export interface PipelinesCliIo extends CliIo {
  /** A live progress line (rewritten in place on a terminal). */
  progress(line: string): void;
  clients(): OpsClients;
  clock: Clock;
}

const isTty = Boolean(process.stderr.isTTY);
/** A live progress line is on the terminal, not yet ended by a newline. */
let liveLine = false;
const endLiveLine = () => {
  if (liveLine) process.stderr.write('\n');
  liveLine = false;
};
const defaultIo: PipelinesCliIo = {
  stdout: (text) => {
    endLiveLine();
    process.stdout.write(`${text}\n`);
  },
  stderr: (text) => {
    endLiveLine();
    process.stderr.write(`${text}\n`);
  },
  exit: (code) => process.exit(code),
  progress: (line) => {
    if (!isTty) {
      process.stderr.write(`${line}\n`);
      return;
    }
    process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns ?? 120) - 1)}`);
    liveLine = true;
  },
  clients: defaultClients,
  clock: realClock,
};

interface CommonOptions {
  json?: boolean;
  prefix?: string;
  table?: string;
}

const USAGE = new Set(['UsageError']);
const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ').trim();

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
  }
  return n;
}

/**
 * Adds `pipelines`, `status`, `redrive`, `deploy`, `rollback` and `watch` to the Slipway CLI. AWS
 * credentials and region come from the standard SDK chain (AWS_PROFILE, AWS_REGION, ...). `--json` on
 * every command prints one JSON document described by lib/ops/schemas.ts. Exit codes: 0 ok, 1 failed
 * (an AWS error, a failed execution, nothing to act on), 2 usage.
 */
export function registerPipelineCommands(program: Command, io: PipelinesCliIo = defaultIo): void {
  const common = (c: Command) =>
    c
      .option('--json', 'print one JSON document')
      .addOption(program.createOption('--prefix <prefix>', 'name prefix of the Slipway deployment (config "prefix")').env(PREFIX_ENV).default('slipway'))
      .addOption(program.createOption('--table <name>', "the app's DynamoDB table (default: read from the build state machine)").env(TABLE_ENV));

  const run = async (command: Command, body: (opts: CommonOptions & Record<string, unknown>) => Promise<{ json: unknown; text: string; code: number }>): Promise<void> => {
    const opts = command.opts<CommonOptions & Record<string, unknown>>();
    let result;
    try {
      result = await body(opts);
    } catch (e) {
      const err = e as Error;
      const name = err?.name ?? 'Error';
      const message = oneLine(String(err?.message ?? e));
      if (opts.json) io.stdout(JSON.stringify({ error: name, message }));
      // Messages quote AWS (execution names, causes, service errors): shown, never interpreted.
      io.stderr(`error: ${escapeForTerminal(name)}: ${escapeForTerminal(message)}`);
      io.exit(USAGE.has(name) ? EXIT.usage : EXIT.failed);
      return;
    }
    io.stdout(opts.json ? JSON.stringify(result.json, null, 2) : result.text);
    io.exit(result.code);
  };
  const locate = (o: CommonOptions) => ({ prefix: o.prefix, table: o.table });
  const follow = (o: CommonOptions & Record<string, unknown>): FollowOptions => ({
    clock: io.clock,
    intervalMs: positiveInt('--interval', o.interval as string | undefined, 5) * 1000,
    timeoutMs: positiveInt('--timeout', o.timeout as string | undefined, 7200) * 1000,
    onProgress: o.json ? undefined : (line: string) => io.progress(escapeForTerminal(line)),
  });
  const watchOptions = (c: Command) =>
    c.option('--interval <seconds>', 'poll interval while watching', '5').option('--timeout <seconds>', 'stop watching after this long (the pipeline goes on)', '7200');

  const commands: Command[] = [];
  const add = (c: Command) => {
    commands.push(c);
    return c;
  };

  add(common(program.command('pipelines <app>')))
    .description("recent builds with their build, release and deploy executions side by side")
    .option('--limit <n>', 'how many builds, newest first', '10')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await listPipelines(io.clients(), app, { ...locate(o), limit: positiveInt('--limit', o.limit as string, 10) });
        return { json: out, text: renderPipelines(out), code: EXIT.ok };
      }),
    );

  add(common(program.command('status <execution-arn-or-app> [build]')))
    .description("an execution's timeline: states, Map iterations, retries, durations; the failure, its logs, and what a redrive would re-run (or why it would not help)")
    .action(async (first: string, second: string | undefined, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await executionStatus(io.clients(), parseExecutionTarget(first, second), { ...locate(o), clock: io.clock });
        const failed = ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(out.execution.status);
        return { json: out, text: renderStatus(out), code: failed ? EXIT.failed : EXIT.ok };
      }),
    );

  add(watchOptions(common(program.command('redrive <execution-arn-or-app> [build]'))))
    .description('redrive the failed pipeline execution of a build (or the given execution): Step Functions re-runs the states that did not exit; refused, with what helps instead, when that cannot change the outcome')
    .option('--watch', 'follow the redriven execution to its end; exit with its result')
    .action(async (first: string, second: string | undefined, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await redrive(io.clients(), parseExecutionTarget(first, second), { ...locate(o), clock: io.clock, watch: o.watch ? follow(o) : false });
        return { json: out, text: renderRedrive(out), code: watchedExit(out.watched) };
      }),
    );

  add(watchOptions(common(program.command('deploy <app>'))))
    .description('deploy a recorded build again (its registered task definitions), without rebuilding')
    .requiredOption('--build <n>', 'the build number to deploy')
    .option('--force', 'deploy even if a newer build holds the app')
    .option('--watch', 'follow the deploy to its end; exit with its result')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await deployBuild(io.clients(), app, o.build as string, { ...locate(o), clock: io.clock, force: Boolean(o.force), watch: o.watch ? follow(o) : false });
        return { json: out, text: renderDeploy(out), code: watchedExit(out.watched) };
      }),
    );

  add(watchOptions(common(program.command('rollback <app>'))))
    .description('deploy the last good release before the current one (or --to N), without rebuilding')
    .option('--to <n>', 'the build to roll back to (it must have been released successfully)')
    .option('--watch', 'follow the deploy to its end; exit with its result')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await rollback(io.clients(), app, o.to as string | undefined, { ...locate(o), clock: io.clock, watch: o.watch ? follow(o) : false });
        return { json: out, text: renderDeploy(out), code: watchedExit(out.watched) };
      }),
    );

  add(watchOptions(common(program.command('watch <app> [build]'))))
    .description('follow a build (default: the latest) through build, release and deploy')
    .action(async (app: string, build: string | undefined, _o: unknown, command: Command) =>
      run(command, async (o) => {
        const out = await watchPipeline(io.clients(), app, build, { ...locate(o), ...follow(o) });
        return { json: out, text: renderWatch(out), code: out.outcome === 'deployed' ? EXIT.ok : EXIT.failed };
      }),
    );

  // Commander's own usage errors (missing argument, unknown option) exit 2; help exits 0.
  for (const command of commands) {
    command.exitOverride((err: CommanderError) => {
      io.exit(err.exitCode === 0 ? EXIT.ok : EXIT.usage);
      throw err;
    });
    command.configureOutput({ writeOut: (s) => io.stdout(s.trimEnd()), writeErr: (s) => io.stderr(s.trimEnd()) });
  }
}
