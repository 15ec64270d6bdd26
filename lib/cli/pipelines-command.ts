// Types only: the program (lib/cli/program.ts) loads commander.
import type { Command } from 'commander';
import { isFailedStatus } from '../../domain/executions';
// The implementation (and the AWS SDK under it) loads when a command runs, not with every start.
import type * as Aws from '../ops/aws';
import type * as ListPipelines from '../ops/list-pipelines';
import type * as Status from '../ops/status';
import type * as Redrive from '../ops/redrive';
import type * as Deploy from '../ops/deploy';
import type * as Rollback from '../ops/rollback';
import type * as Watch from '../ops/watch';
import type * as ExecutionTarget from '../ops/execution-target';
import type * as Follow from '../ops/follow-execution';
import type * as Diff from '../ops/diff';
import type * as Apps from '../ops/apps';
import type * as Releases from '../ops/releases';
import type { FollowOptions } from '../ops/follow-execution';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { EXIT, UsageError } from './errors';
import { exitLikeSlipway } from './io';
import { runCommand, type CommandResult } from './run-command';
import { commandIo, prefixOption, tableOption, type AppCommandOptions, type CommandIo } from './command-io';
import { DEFAULT_FOLLOW_TIMEOUT_SECONDS } from './runtime';
import { checkAppName } from '../ops/name-checks';

const aws = () => require('../ops/aws') as typeof Aws;
const executionTarget = () => require('../ops/execution-target') as typeof ExecutionTarget;
const releases = () => require('../ops/releases') as typeof Releases;
const diff = () => require('../ops/diff') as typeof Diff;
const apps = () => require('../ops/apps') as typeof Apps;

interface CommonOptions extends AppCommandOptions {
  app?: string;
}

/** The exit code of a finished `--watch` (loaded with the command's operation). */
const watchedExit = (w: Parameters<typeof Follow.watchedExit>[0]) => (require('../ops/follow-execution') as typeof Follow).watchedExit(w);

/** Checks `<execution-arn>` or `<app> <build>` (and `--app`) before any AWS call. @throws UsageError */
function checkTarget(first: string, second: string | undefined, app?: string): void {
  if (app !== undefined) checkAppName(app);
  const target = executionTarget().parseExecutionTarget(first, second, app);
  if ('app' in target && target.app !== undefined) checkAppName(target.app);
}

function positiveInt(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new UsageError(`${name} must be a positive whole number, got "${value}"`);
  }
  return n;
}

/**
 * Adds `apps`, `pipelines`, `status`, `redrive`, `deploy`, `rollback` and `watch` to the Slipway CLI. AWS
 * credentials and region come from the standard SDK chain (AWS_PROFILE, AWS_REGION, ...). `--json` on
 * every command prints one JSON document described by lib/ops/schemas.ts. Exit codes: 0 ok, 1 failed
 * (an AWS error, a failed execution, nothing to act on), 2 usage.
 */
export function registerPipelineCommands(program: Command, io: CommandIo = commandIo): void {
  const common = (c: Command) =>
    c
      .option('--json', 'print one JSON document')
      .addOption(prefixOption(program))
      .addOption(tableOption(program));
  const appOption = (c: Command) => c.option('--app <app>', 'with an execution ARN: the app it must belong to (the state machines are shared by the apps of a cluster); another app\'s is refused (WrongApp)');

  const run = (command: Command, check: (opts: CommonOptions & Record<string, unknown>) => void, body: (opts: CommonOptions & Record<string, unknown>) => Promise<CommandResult>) => runCommand(io, command, check, body);
  const locate = (o: CommonOptions) => ({ prefix: o.prefix, table: o.table });
  const follow = (o: CommonOptions & Record<string, unknown>): FollowOptions => ({
    clock: io.clock,
    intervalMs: positiveInt('--interval', o.interval as string | undefined, 5) * 1000,
    // --timeout (an option of every command) bounds the whole command; the follow loop stops at it too.
    timeoutMs: positiveInt('--timeout', o.timeout as string | undefined, DEFAULT_FOLLOW_TIMEOUT_SECONDS) * 1000,
    onProgress: o.json ? undefined : io.progress,
  });
  const watchOptions = (c: Command) =>
    c.option('--interval <seconds>', 'poll interval while watching', '5');

  const commands: Command[] = [];
  const add = (c: Command) => {
    commands.push(c);
    return c;
  };

  add(
    program
      .command('apps')
      .option('--json', 'print one JSON document')
      .addOption(prefixOption(program)),
  )
    .description('the apps deployed in the account and region (their settings parameters /<prefix>/apps/<app>/settings): control plane, cluster, process types')
    .action(async (_o: unknown, command: Command) =>
      run(command, () => undefined, async (o) => {
        const out = await apps().listApps(io.clients().ssm, o.prefix ?? DEFAULT_PREFIX);
        return { json: out, text: apps().renderApps(out), code: EXIT.ok };
      }),
    );

  add(common(program.command('pipelines <app>')))
    .description("recent builds with their build, release and deploy executions side by side")
    .option('--limit <n>', 'how many builds, newest first', '10')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkAppName(app);
        positiveInt('--limit', o.limit as string, 10);
      }, async (o) => {
        const { listPipelines, renderPipelines } = require('../ops/list-pipelines') as typeof ListPipelines;
        const out = await listPipelines(io.clients(), app, { ...locate(o), limit: positiveInt('--limit', o.limit as string, 10) });
        return { json: out, text: renderPipelines(out), code: EXIT.ok };
      }),
    );

  add(appOption(common(program.command('status <execution-arn-or-app> [build]'))))
    .description("an execution's timeline: states, Map iterations, retries, durations; the failure, its logs, and what a redrive would re-run (or why it would not help)")
    .action(async (first: string, second: string | undefined, _o: unknown, command: Command) =>
      run(command, (o) => checkTarget(first, second, o.app), async (o) => {
        const { executionStatus, renderStatus } = require('../ops/status') as typeof Status;
        const out = await executionStatus(io.clients(), executionTarget().parseExecutionTarget(first, second, o.app), { ...locate(o), clock: io.clock });
        const failed = isFailedStatus(out.execution.status);
        return { json: out, text: renderStatus(out), code: failed ? EXIT.failed : EXIT.ok };
      }),
    );

  add(appOption(watchOptions(common(program.command('redrive <execution-arn-or-app> [build]')))))
    .description('redrive the failed pipeline execution of a build (or the given execution): Step Functions re-runs the states that did not exit; refused, with what helps instead, when that cannot change the outcome')
    .option('--watch', 'follow the redriven execution to its end; exit with its result')
    .action(async (first: string, second: string | undefined, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkTarget(first, second, o.app);
        follow(o);
      }, async (o) => {
        const { redrive, renderRedrive } = require('../ops/redrive') as typeof Redrive;
        const out = await redrive(io.clients(), executionTarget().parseExecutionTarget(first, second, o.app), { ...locate(o), clock: io.clock, watch: o.watch ? follow(o) : false });
        return { json: out, text: renderRedrive(out), code: watchedExit(out.watched) };
      }),
    );

  add(watchOptions(common(program.command('deploy <app>'))))
    .description('deploy a recorded build again (its registered task definitions), without rebuilding')
    .requiredOption('--build <n>', 'the build number to deploy')
    .option('--force', 'deploy even if a newer build holds the app')
    .option('--watch', 'follow the deploy to its end; exit with its result')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkAppName(app);
        aws().checkBuildKey(o.build as string);
        follow(o);
      }, async (o) => {
        const { deployBuild, renderDeploy } = require('../ops/deploy') as typeof Deploy;
        const out = await deployBuild(io.clients(), app, o.build as string, { ...locate(o), clock: io.clock, force: Boolean(o.force), watch: o.watch ? follow(o) : false });
        return { json: out, text: renderDeploy(out), code: watchedExit(out.watched) };
      }),
    );

  add(watchOptions(common(program.command('rollback <app>'))))
    .description('deploy the last good release before the current one (or --to vN / N), without rebuilding')
    .option('--to <release>', 'the release to roll back to: vN, a numbered release of slipway releases (its build and its config), or N, a build (it must have been released successfully)')
    .option('--watch', 'follow the deploy to its end; exit with its result')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkAppName(app);
        if (o.to !== undefined && !/^[vV]\d/.test(o.to as string)) aws().checkBuildKey(o.to as string);
        if (o.to !== undefined) releases().parseReleaseNumber(o.to as string);
        follow(o);
      }, async (o) => {
        const { rollback } = require('../ops/rollback') as typeof Rollback;
        const { renderDeploy } = require('../ops/deploy') as typeof Deploy;
        const out = await rollback(io.clients(), app, o.to as string | undefined, { ...locate(o), clock: io.clock, watch: o.watch ? follow(o) : false });
        return { json: out, text: renderDeploy(out), code: watchedExit(out.watched) };
      }),
    );

  add(common(program.command('diff <app>')))
    .description('what deploying build N (a redeploy or a rollback) would change against the current release, per process type: image, command, cpu, memory, environment, config keys')
    .requiredOption('--build <n>', 'the build to compare with the current release')
    .action(async (app: string, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkAppName(app);
        aws().checkBuildKey(o.build as string);
      }, async (o) => {
        const out = await diff().diffBuild(io.clients(), app, o.build as string, locate(o));
        return { json: out, text: diff().renderDiff(out), code: EXIT.ok };
      }),
    );

  add(watchOptions(common(program.command('watch <app> [build]'))))
    .description('follow a build (default: the latest) through build, release and deploy')
    .action(async (app: string, build: string | undefined, _o: unknown, command: Command) =>
      run(command, (o) => {
        checkAppName(app);
        if (build !== undefined) aws().checkBuildKey(build);
        follow(o);
      }, async (o) => {
        const { renderWatch, watchPipeline } = require('../ops/watch') as typeof Watch;
        const out = await watchPipeline(io.clients(), app, build, { ...locate(o), ...follow(o) });
        return { json: out, text: renderWatch(out), code: out.outcome === 'deployed' ? EXIT.ok : EXIT.failed };
      }),
    );

  exitLikeSlipway(io, commands);
}
