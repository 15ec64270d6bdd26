// Types only: the operations (and the AWS SDK under them) load when a command runs, not with every start.
import type { Command } from 'commander';
import type * as Build from '../ops/build';
import type * as Ps from '../ops/ps';
import type * as Releases from '../ops/releases';
import type * as Shell from '../ops/shell';
import { EXIT, UsageError } from './errors';
import { exitLikeSlipway } from './io';
import { runCommand, type CommandResult } from './run-command';
import { commandIo, prefixOption, type AppCommandOptions, type CommandIo } from './command-io';
import { DEFAULT_FOLLOW_TIMEOUT_SECONDS } from './runtime';
import { checkAppName, checkProcessName } from '../ops/name-checks';

/**
 * The operator commands Heroku and AppPack users reach for every day: `ps` (each process type's tasks
 * and their state), `restart` (a new deployment of the running revision), `shell` (ECS Exec into a task)
 * and `build` (start a build by hand and follow it). These parse and print; lib/ops/ps.ts, shell.ts and
 * build.ts call AWS.
 */

const ps = () => require('../ops/ps') as typeof Ps;
const shell = () => require('../ops/shell') as typeof Shell;
const build = () => require('../ops/build') as typeof Build;
const releases = () => require('../ops/releases') as typeof Releases;

type Options = AppCommandOptions & Record<string, unknown>;

/** Adds `ps`, `restart`, `shell`, `build` and `releases` to the Slipway CLI. */
export function registerOperateCommands(program: Command, io: CommandIo = commandIo): void {
  const common = (c: Command) => c.option('--json', 'print one JSON document').addOption(prefixOption(program));

  /** Checks every argument (no AWS call before), runs `body`, prints its result or its error. */
  const run = (command: Command, check: (o: Options) => void, body: (o: Options) => Promise<CommandResult>) => runCommand(io, command, check, body);
  /** `<app> [process]`: both names checked before any AWS call. */
  const checkAppAndProcess = (app: string, process: string | undefined): void => {
    checkAppName(app);
    if (process !== undefined) checkProcessName(process);
  };
  const timeoutMs = (o: Options) => (o.timeout !== undefined ? Number(o.timeout) : DEFAULT_FOLLOW_TIMEOUT_SECONDS) * 1000;

  const commands: Command[] = [];
  commands.push(
    common(program.command('ps <app> [process]'))
      .description("each process type's service and tasks: running/desired, deployments in progress, each task's state, health, build and uptime, and the one-off tasks of slipway run (like heroku ps)")
      .action(async (app: string, process: string | undefined, _o: unknown, command: Command) =>
        run(
          command,
          () => checkAppAndProcess(app, process),
          async (o) => {
            const out = await ps().listProcesses(io.clients(), app, { prefix: o.prefix, process });
            return { json: out, text: ps().renderProcesses(out, io.clock.now()), code: EXIT.ok };
          },
        ),
      ),
  );

  commands.push(
    common(program.command('restart <app> [process]'))
      .description('replace every task of the app (or of one process type) with new ones on the revision it runs: a new ECS deployment, as heroku restart; the release and config do not change')
      .action(async (app: string, process: string | undefined, _o: unknown, command: Command) =>
        run(
          command,
          () => checkAppAndProcess(app, process),
          async (o) => {
            const out = await ps().restartProcesses(io.clients(), app, { prefix: o.prefix, process });
            return { json: out, text: ps().renderRestart(out), code: EXIT.ok };
          },
        ),
      ),
  );

  commands.push(
    common(program.command('shell <app>'))
      .description("an interactive shell in a running task of a process type (ECS Exec), or in a one-off task when none runs or with --one-off; needs AWS's Session Manager plugin (like heroku run bash)")
      .option('--process <type>', 'the process type (default: web, else the first)')
      .option('--one-off', 'start a one-off task on the process type\'s revision for the shell (stopped when the shell ends) instead of entering a running task')
      .option('--command <command>', 'what to run instead of /bin/sh (e.g. "bin/rails console")')
      .action(async (app: string, _o: unknown, command: Command) =>
        run(
          command,
          (o) => {
            checkAppName(app);
            if (o.process !== undefined) checkProcessName(o.process as string, '--process');
          },
          async (o) => {
            const out = await shell().openShell(io.clients(), app, {
              prefix: o.prefix,
              process: o.process as string | undefined,
              oneOff: Boolean(o.oneOff),
              command: o.command as string | undefined,
              profile: process.env.AWS_PROFILE,
              clock: io.clock,
              onProgress: o.json ? undefined : io.progress,
            });
            const text = `shell in ${out.oneOff ? 'one-off task' : 'task'} ${out.taskArn.slice(out.taskArn.lastIndexOf('/') + 1)} of ${out.app} ${out.process} ended (${out.exitCode})${out.oneOff ? '; the task is stopped' : ''}`;
            return { json: out, text, code: out.exitCode === 0 ? EXIT.ok : EXIT.failed };
          },
        ),
      ),
  );

  commands.push(
    common(program.command('build <app>'))
      .description("start a build of the app's CodeBuild project (its branch, --branch or --commit) and follow it to its end; the pipelines release and deploy what it builds (like apppack build start)")
      .option('--branch <name>', 'build this branch instead of the configured one')
      .option('--commit <sha>', 'build this commit')
      .option('--detach', 'start the build and exit without following it')
      .option('--interval <seconds>', 'poll interval while following', '5')
      .action(async (app: string, _o: unknown, command: Command) =>
        run(
          command,
          (o) => {
            checkAppName(app);
            build().checkBuildSource({ branch: o.branch as string | undefined, commit: o.commit as string | undefined });
          },
          async (o) => {
            const out = await build().startBuild(io.clients(), app, {
              prefix: o.prefix,
              branch: o.branch as string | undefined,
              commit: o.commit as string | undefined,
              detach: Boolean(o.detach),
              clock: io.clock,
              intervalMs: Math.max(1, Number(o.interval) || 5) * 1000,
              timeoutMs: timeoutMs(o),
              onProgress: o.json ? undefined : io.progress,
            });
            return { json: out, text: build().renderBuild(out), code: build().buildExitCode(out) };
          },
        ),
      ),
  );

  commands.push(
    common(program.command('releases <app>'))
      .description('the numbered releases of the app, newest first: each a build plus a config, with its config version, when, by what (push, redeploy, rollback, config change), the current one marked (like heroku releases); slipway rollback <app> --to v<n> deploys one again')
      .option('--limit <n>', `how many releases (default ${20})`)
      .action(async (app: string, _o: unknown, command: Command) =>
        run(
          command,
          (o) => {
            checkAppName(app);
            if (o.limit !== undefined && !/^\d{1,4}$/.test(String(o.limit))) throw new UsageError(`--limit must be a whole number from 1 to 1000 (got ${JSON.stringify(String(o.limit).slice(0, 20))})`);
          },
          async (o) => {
            const out = await releases().listReleases(io.clients(), app, { prefix: o.prefix, limit: o.limit !== undefined ? Number(o.limit) : undefined });
            return { json: out, text: releases().renderReleases(out), code: EXIT.ok };
          },
        ),
      ),
  );

  exitLikeSlipway(io, commands);
}
