// Types only: the program (lib/cli/program.ts) loads commander.
import type { Command } from 'commander';
// The implementation (and the AWS SDK under it) loads when a command runs, not with every start.
import type * as Aws from '../ops/aws';
import type * as Logs from '../ops/logs';
import type * as RunTask from '../ops/run-task';
import type { LogEvent } from '../ops/schemas';
import { errorOutput, EXIT, UsageError } from './errors';
import { exitLikeSlipway, jsonForTerminal, reportError } from './io';
import { checkPrefix, commandIo, prefixOption, tableOption, type AppCommandOptions, type CommandIo } from './command-io';
import { DEFAULT_FOLLOW_TIMEOUT_SECONDS, handleInterrupts } from './runtime';
import { checkAppName, checkProcessName } from '../ops/name-checks';

const aws = () => require('../ops/aws') as typeof Aws;
const logs = () => require('../ops/logs') as typeof Logs;
const runTask = () => require('../ops/run-task') as typeof RunTask;

interface TaskOptions extends AppCommandOptions {
  timeout?: string;
  interval?: string;
  [key: string]: unknown;
}

/**
 * Adds `logs` and `run` to the Slipway CLI: the app's CloudWatch logs (`--follow` as `heroku logs
 * --tail`), and a one-off task on the current release (as `heroku run`). Both print the tasks' lines
 * as they are read, every line escaped for the terminal; `run` exits with the container's exit code.
 */
export function registerTaskCommands(program: Command, io: CommandIo = commandIo): void {
  const common = (c: Command) =>
    c
      .option('--json', 'JSON output (logs: one event per line; run: one document at the end)')
      .option('--interval <seconds>', 'poll interval while following', String(2))
      .addOption(prefixOption(program))
      .addOption(tableOption(program));

  /** Checks every argument (no AWS call before), runs `body`, reports any error under its shared name. */
  const execute = async (command: Command, check: (o: TaskOptions) => void, body: (o: TaskOptions) => Promise<number>): Promise<void> => {
    const opts = command.optsWithGlobals<TaskOptions>();
    let code: number;
    try {
      checkPrefix(opts.prefix);
      logs().parseInterval(opts.interval);
      check(opts);
      code = await body(opts);
    } catch (e) {
      io.exit(reportError(io, e, opts.json));
      return;
    }
    io.exit(code);
  };
  // --timeout bounds the whole command (runtime.ts); the follow loops stop at the same bound.
  const timeoutMs = (o: TaskOptions) => (o.timeout !== undefined ? Number(o.timeout) : DEFAULT_FOLLOW_TIMEOUT_SECONDS) * 1000;
  // A log line is printed as written (escaped), never painted: its ✓ or "error:" is the app's, not ours.
  const printEvent = (json: boolean | undefined) => (e: LogEvent) => io.stdout(json ? jsonForTerminal(e, 0) : logs().renderLogEvent(e), 'json');

  const commands: Command[] = [];
  commands.push(
    common(program.command('logs <app> [process]'))
      .description("the app's CloudWatch logs, every process type's tasks and the release task (a task of the release process type), oldest first; --follow for new lines as they come")
      .option('--since <when>', `how far back: 30s, 10m, 2h, 7d or an ISO 8601 time (default: 1h; 5m with --follow)`)
      .option('--build <n>', "only the tasks that ran build N (its release task included), from its release until the next release; ECS traces each task to its image, a task it no longer describes is placed by when it started")
      .option('-f, --follow', 'keep printing new lines until Ctrl-C or --timeout (like heroku logs --tail)')
      .option('-t, --tail', 'the same as --follow')
      .action(async (app: string, process: string | undefined, _o: unknown, command: Command) =>
        execute(
          command,
          (o) => {
            checkAppName(app);
            if (process !== undefined) checkProcessName(process);
            if (o.build !== undefined) aws().checkBuildKey(o.build as string);
            if (o.since !== undefined) logs().parseSince(o.since as string, io.clock.now());
            if (o.build !== undefined && o.since !== undefined) throw new UsageError('give --build or --since, not both');
          },
          async (o) => {
            const out = await logs().streamLogs(io.clients(), app, {
              prefix: o.prefix,
              table: o.table,
              process,
              build: o.build as string | undefined,
              since: o.since as string | undefined,
              follow: Boolean(o.follow || o.tail),
              clock: io.clock,
              intervalMs: logs().parseInterval(o.interval),
              timeoutMs: timeoutMs(o),
              onEvent: printEvent(o.json),
            });
            const end = o.json ? undefined : logs().renderLogsEnd(out);
            if (end) io.stderr(end);
            return EXIT.ok;
          },
        ),
      ),
  );

  commands.push(
    common(program.command('run <app> [command...]'))
      .description("run a one-off task on the current release's task definition (the app's cluster and network, the command overridden), print its logs as they come, and exit with its exit code: slipway run <app> -- <command...>; Ctrl-C stops the task (a second Ctrl-C exits without waiting)")
      .option('--process <type>', 'the process type whose task definition runs the command (default: web, else the first)')
      .option('--detach', 'start the task and exit 0 once ECS has accepted it, without following it (Ctrl-C then leaves it running)')
      .action(async (app: string, argv: string[], _o: unknown, command: Command) =>
        execute(
          command,
          (o) => {
            checkAppName(app);
            if (o.process !== undefined) checkProcessName(o.process as string, '--process');
            runTask().checkRunCommand(argv);
          },
          async (o) => {
            const detach = Boolean(o.detach);
            // Ctrl-C stops the task this command started (not with --detach: nothing is followed).
            const interrupt = detach ? undefined : new (runTask().RunInterrupt)();
            const release = interrupt
              ? handleInterrupts({ first: () => (interrupt.interrupt() ? interrupt.firstMessage() : undefined), second: () => interrupt.secondMessage() })
              : () => undefined;
            let out: RunTask.RunResult;
            let cluster = '';
            try {
              out = await runTask().runTask(io.clients(), app, {
                prefix: o.prefix,
                table: o.table,
                process: o.process as string | undefined,
                command: argv,
                clock: io.clock,
                intervalMs: logs().parseInterval(o.interval),
                timeoutMs: timeoutMs(o),
                interrupt,
                detach,
                // With --json the lines are in the one document at the end.
                onEvent: o.json ? () => undefined : printEvent(false),
                onProgress: o.json ? undefined : io.progress,
                // Before any line of the task: which task it is, so it can be found (or stopped) if this ends first.
                onStarted: (s) => {
                  cluster = s.cluster;
                  if (!o.json) io.stderr(runTask().renderRunStart(s, detach));
                },
              });
            } finally {
              release();
            }
            if (out.interrupted) {
              // How the task ended, when it was seen to end, then the one Interrupted error line.
              if (!o.json && (out.outcome === 'exited' || out.outcome === 'failed-to-start')) io.stderr(runTask().renderRunEnd(out));
              const end = errorOutput({ name: 'Interrupted', message: runTask().interruptMessage(out.interrupted, cluster) }, o.json);
              if (end.stdout) io.stdout(end.stdout, 'json');
              io.stderr(end.stderr);
              return runTask().runExitCode(out);
            }
            if (o.json) io.stdout(jsonForTerminal(out), 'json');
            else io.stderr(runTask().renderRunEnd(out));
            return runTask().runExitCode(out);
          },
        ),
      ),
  );

  exitLikeSlipway(io, commands);
}
