import { randomUUID } from 'node:crypto';
import { DescribeTasksCommand, RunTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { logStreamLink } from '../../functions/check-release-task/verdict';
import { WEB_PROCESS } from '../app-settings';
import { UsageError } from '../cli/errors';
import { aws, CannotProceed, getBuild, getCurrentRelease, locateApp, NotFound, type LocateOptions, type OpsClients } from './aws';
import type { Clock } from './commands';
import { processesOf } from './diff';
import { appLogGroup, appSettings, checkProcessName, FOLLOW_INTERVAL_SECONDS, readStream, renderLogEvent } from './logs';
import type { LogEvent, RunOutput } from './schemas';
import { escapeForTerminal } from './terminal';

/**
 * `slipway run <app> [--process P] -- <command...>`: a one-off task on the current release's task
 * definition, as `heroku run`, `copilot task run` and `ecspresso run` do: the app's cluster, network
 * and capacity (the settings record, as the release task gets them), the command overridden, its log
 * stream followed until the task stops, and its container's exit code.
 */

/** `startedBy` of every task `slipway run` starts (ECS lists them with `ListTasks --started-by`). */
export const RUN_STARTED_BY = 'slipway-run';
/** The tag that marks a one-off task (the task definition's slipway:app and slipway:build tags are propagated). */
export const RUN_TAG = { key: 'slipway:run', value: 'cli' } as const;
/** ECS refuses a container command override over 8,192 characters in all. */
const MAX_COMMAND_CHARS = 8192;

/** Checks the command of `slipway run` before any AWS call. @throws UsageError */
export function checkRunCommand(command: readonly string[]): void {
  if (command.length === 0 || command.every((c) => c.trim() === '')) throw new UsageError('give the command to run after --, e.g. slipway run <app> -- bin/rails db:migrate');
  if (command.join(' ').length > MAX_COMMAND_CHARS) throw new UsageError(`the command is longer than ECS accepts (${MAX_COMMAND_CHARS} characters)`);
}

/** Options of {@link runTask}. */
export interface RunOptions extends LocateOptions {
  /** The process type whose task definition runs the command. @default web, else the app's first */
  readonly process?: string;
  readonly command: readonly string[];
  readonly clock: Clock;
  readonly intervalMs?: number;
  /** Following stops after this long (the task goes on). */
  readonly timeoutMs?: number;
  /** Each log line of the task, as it is read. */
  readonly onEvent: (event: LogEvent) => void;
  /** Once ECS accepted the task: what runs where. */
  readonly onStarted?: (started: RunStarted) => void;
  /** The task's status when it changes (PROVISIONING, PENDING, RUNNING, ...). */
  readonly onProgress?: (line: string) => void;
}

const ENDED = 'STOPPED';

/** The task `slipway run` started. */
export interface RunStarted {
  readonly app: string;
  readonly build: string;
  readonly process: string;
  readonly command: readonly string[];
  readonly taskArn: string;
  readonly cluster: string;
}

/** The first line of `slipway run` (stderr): the task, and how to stop it if the command is interrupted. */
export function renderRunStart(s: RunStarted): string {
  const e = escapeForTerminal;
  return `running ${e(JSON.stringify(s.command.join(' ')))} on ${e(s.app)} ${e(s.process)} (build ${e(s.build)}): task ${e(s.taskArn.slice(s.taskArn.lastIndexOf('/') + 1))}; to stop it: aws ecs stop-task --cluster ${e(s.cluster)} --task ${e(s.taskArn)}`;
}

/** How a stopped task ended: the container's exit code, or why it never ran. */
export function taskOutcome(task: Task, container: string): Pick<RunOutput, 'outcome' | 'exitCode' | 'stopCode' | 'reason'> {
  const c = task.containers?.find((x) => x.name === container);
  const stopCode = task.stopCode ?? null;
  if (stopCode === 'TaskFailedToStart' || c?.exitCode === undefined || c.exitCode === null) {
    return { outcome: 'failed-to-start', exitCode: null, stopCode, reason: task.stoppedReason ?? c?.reason ?? 'no reason given' };
  }
  return { outcome: 'exited', exitCode: c.exitCode, stopCode, reason: c.reason ?? (c.exitCode === 0 ? null : task.stoppedReason ?? null) };
}

/** Starts the one-off task and follows it to its end (or `timeoutMs`). */
export async function runTask(clients: OpsClients, app: string, options: RunOptions): Promise<RunOutput> {
  const { clock } = options;
  checkRunCommand(options.command);
  if (options.process !== undefined) checkProcessName(options.process, '--process');
  if (!clients.ecs || !clients.logs) throw new UsageError('slipway run needs ECS and CloudWatch Logs clients (OpsClients.ecs, .logs)');
  const { ecs, logs } = clients;
  const target = await locateApp(clients, app, options);
  const settings = await appSettings(clients, target);
  const current = await getCurrentRelease(clients, target);
  if (!current) throw new CannotProceed(`app "${app}" has no release yet: deploy a build first (slipway pipelines ${app})`);
  const build = await getBuild(clients, target, current.buildKey);
  if (!build) throw new NotFound(`the current release of "${app}", build ${current.buildKey}, is not recorded`);
  const processes = await processesOf(clients, target, build);
  const names = processes.map((p) => p.name);
  const process = options.process ?? (names.includes(WEB_PROCESS) ? WEB_PROCESS : names[0]);
  const chosen = processes.find((p) => p.name === process);
  if (!chosen) throw new UsageError(`app "${app}" has no process type "${process}" in build ${build.buildKey} (it has: ${names.join(', ')})`);
  const logGroup = appLogGroup(settings, settings.processes[process] ? process : undefined);
  const base = { app, build: build.buildKey, process, command: [...options.command], taskDefinitionArn: chosen.taskDefinitionArn, logGroup };

  const started = await aws(`ECS RunTask ${chosen.taskDefinitionArn}`, () =>
    ecs.send(
      new RunTaskCommand({
        cluster: settings.cluster,
        taskDefinition: chosen.taskDefinitionArn,
        count: 1,
        capacityProviderStrategy: settings.capacityProviderStrategy.map((c) => ({ ...c })),
        networkConfiguration: { awsvpcConfiguration: { subnets: [...settings.network.subnets], securityGroups: [...settings.network.securityGroups], assignPublicIp: settings.network.assignPublicIp } },
        overrides: { containerOverrides: [{ name: process, command: [...options.command] }] },
        startedBy: RUN_STARTED_BY,
        tags: [{ ...RUN_TAG }],
        propagateTags: 'TASK_DEFINITION',
        // The SDK retries a call that timed out: the same token makes ECS start the task once.
        clientToken: randomUUID(),
      }),
    ),
  );
  const taskArn = started.tasks?.[0]?.taskArn;
  if (!taskArn) {
    const failure = started.failures?.[0];
    const reason = failure ? `${failure.reason ?? 'unknown'}${failure.detail ? ` (${failure.detail})` : ''}` : 'ECS started no task and gave no reason';
    return { ...base, taskArn: null, outcome: 'failed-to-start', exitCode: null, stopCode: null, reason, logStream: null, logLink: null, logs: [] };
  }
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  options.onStarted?.({ app, build: build.buildKey, process, command: options.command, taskArn, cluster: settings.cluster });
  const logStream = `${process}/${process}/${taskId}`;
  const logLink = logStreamLink(settings.region, logGroup, logStream);
  const lines: LogEvent[] = [];
  const onEvent = (e: LogEvent) => {
    lines.push(e);
    options.onEvent(e);
  };
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 3_600_000);
  let token: string | undefined;
  let status = '';
  for (;;) {
    const described = await aws(`ECS DescribeTasks ${taskArn}`, () => ecs.send(new DescribeTasksCommand({ cluster: settings.cluster, tasks: [taskArn] })));
    const task = described.tasks?.[0];
    if (!task) throw new NotFound(`ECS DescribeTasks ${taskArn}: the task is gone (${described.failures?.[0]?.reason ?? 'no reason given'})`);
    if (task.lastStatus !== status) {
      status = task.lastStatus ?? '';
      options.onProgress?.(`task ${taskId}: ${status}`);
    }
    // Read after describing: once the task is seen STOPPED, this read gets its last lines.
    if (task.startedAt || task.lastStatus === ENDED) token = await readStream(logs, logGroup, logStream, token, onEvent);
    if (task.lastStatus === ENDED) return { ...base, taskArn, ...taskOutcome(task, process), logStream, logLink, logs: lines };
    if (clock.now().getTime() >= deadline) {
      return { ...base, taskArn, outcome: 'timed-out', exitCode: null, stopCode: null, reason: `still ${status} after --timeout; the task goes on`, logStream, logLink, logs: lines };
    }
    await clock.sleep(options.intervalMs ?? FOLLOW_INTERVAL_SECONDS.default * 1000);
  }
}

/** The exit code of `slipway run`: the container's, else 1. */
export function runExitCode(out: RunOutput): number {
  return out.outcome === 'exited' && out.exitCode !== null ? Math.min(Math.max(out.exitCode, 0), 255) : 1;
}

/** The line `slipway run` ends with (on stderr: stdout holds the task's own output). */
export function renderRunEnd(out: RunOutput): string {
  const task = out.taskArn ? out.taskArn.slice(out.taskArn.lastIndexOf('/') + 1) : null;
  const where = `${out.process} task${task ? ` ${task}` : ''} (build ${out.build})`;
  if (out.outcome === 'exited') return `${where} exited with code ${out.exitCode}${out.reason ? `: ${escapeForTerminal(out.reason)}` : ''}`;
  if (out.outcome === 'failed-to-start') return `${where} failed to start${out.stopCode ? ` (${escapeForTerminal(out.stopCode)})` : ''}: ${escapeForTerminal(out.reason)}`;
  return `stopped following ${where}: ${escapeForTerminal(out.reason)}; logs: ${out.logLink ?? '-'}`;
}

export { renderLogEvent };
