import { randomUUID } from 'node:crypto';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { logStreamLink, TAG_RUN, taskLogStreamName } from '../../domain/names';
import { WEB_PROCESS } from '../../domain/constants';
import { EXIT } from './exit-codes';
import { UsageError } from './usage-error';
import { aws, CannotProceed, getBuild, getCurrentRelease, locateApp, NotFound, type LocateOptions, type OpsClients } from './aws';
import type { Clock } from './wall-clock';
import { processesOf } from './diff';
import { appLogGroup, appSettings, FOLLOW_INTERVAL_SECONDS, readStream, renderLogEvent } from './logs';
import { checkProcessName } from './name-checks';
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
export const RUN_TAG = { key: TAG_RUN, value: 'cli' } as const;
/** ECS refuses a container command override over 8,192 characters in all. */
const MAX_COMMAND_CHARS = 8192;

/**
 * PERMISSIONS FOR lib/ops/permissions.ts (owned elsewhere): the calls `slipway run` makes on Ctrl-C, to
 * add to the `run` entry of CLI_PERMISSIONS (and so to the management role). ecs:StopTask has
 * resource-level permissions on `task/*` with the `ecs:cluster` condition key, as DescribeTasks does
 * (resource kind `clusterTasks`): the operator may stop tasks in the app's cluster only.
 */
export const RUN_INTERRUPT_CALLS = [{ action: 'ecs:StopTask', resource: { kind: 'clusterTasks' }, why: 'Ctrl-C stops the one-off task it started' }] as const;

/**
 * The reason `slipway run` gives ECS StopTask on Ctrl-C: DescribeTasks shows it as the task's
 * `stoppedReason` (AWS API Reference, StopTask: "the message appears in subsequent DescribeTasks API
 * operations on this task. Up to 255 characters are allowed in this message").
 */
export const INTERRUPT_STOP_REASON = 'Stopped by the operator: Ctrl-C in slipway run';
/**
 * After StopTask, how long the first Ctrl-C follows the task to STOPPED (its last lines, its exit code):
 * ECS sends SIGTERM, then SIGKILL after the container's stop timeout (AWS API Reference,
 * ContainerDefinition.stopTimeout: on Fargate 30 s unless set, at most 120 s), so 150 s covers a
 * Fargate task. On EC2 capacity the agent's ECS_CONTAINER_STOP_TIMEOUT may be longer: the command then
 * says the task is still stopping.
 */
export const STOP_WAIT_MS = 150_000;

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
  /** Ctrl-C: once it is interrupted, the task is stopped (ECS StopTask) and followed to its end. */
  readonly interrupt?: RunInterrupt;
  /** `--detach`: start the task and return at once (outcome `started`), without following it. */
  readonly detach?: boolean;
}

/** What was done about the task after Ctrl-C. */
export type InterruptOutcome =
  /** Ctrl-C came before the task was started: nothing runs. */
  | { readonly kind: 'not-started' }
  /** StopTask accepted; `stoppedWithin` false when the task was still not STOPPED after STOP_WAIT_MS. */
  | { readonly kind: 'stopped'; readonly taskArn: string; readonly stoppedWithin: boolean; readonly lastStatus: string }
  /** StopTask failed (AccessDenied, ...): the task goes on. */
  | { readonly kind: 'stop-failed'; readonly taskArn: string; readonly error: string }
  /** The task had already stopped on its own when the interrupt was handled. */
  | { readonly kind: 'already-stopped'; readonly taskArn: string };

/**
 * Ctrl-C for one `slipway run`: the command's SIGINT handler calls {@link RunInterrupt.interrupt}; the
 * follow loop wakes up, stops the task and follows it to STOPPED. The second Ctrl-C does not come here:
 * lib/cli/runtime.ts exits at once with {@link RunInterrupt.secondMessage}.
 */
export class RunInterrupt {
  private wake: (() => void) | undefined;
  /** Resolves on the first interrupt. */
  public readonly interrupted: Promise<void>;
  private isInterrupted = false;
  /** The task once ECS has started it. */
  public task: { readonly taskArn: string; readonly cluster: string } | undefined;
  /** The cluster, once the RunTask call is about to be sent (a task may be starting). */
  public starting: { readonly cluster: string } | undefined;
  /** Whether StopTask has been sent, and whether it answered. */
  public stop: 'none' | 'sent' | 'accepted' | 'failed' = 'none';

  constructor() {
    this.interrupted = new Promise((resolve) => {
      this.wake = resolve;
    });
  }

  /** Whether the command was interrupted. */
  get requested(): boolean {
    return this.isInterrupted;
  }

  /**
   * The first Ctrl-C. @returns false when nothing needs stopping yet (RunTask not sent): the caller
   * exits at once; true when this run takes over (it stops the task, then ends with Interrupted).
   */
  interrupt(): boolean {
    if (!this.starting) return false;
    this.isInterrupted = true;
    this.wake?.();
    return true;
  }

  /** The line the first Ctrl-C prints at once (stderr). */
  firstMessage(): string {
    const which = this.task ? `task ${shortTaskId(this.task.taskArn)}` : 'the task once ECS has answered RunTask';
    return `Ctrl-C: stopping ${which} (ECS StopTask) and following it until it stops; Ctrl-C again to exit without waiting`;
  }

  /** What the second Ctrl-C says, for the error line it exits with. */
  secondMessage(): string {
    if (!this.task) return `stopped by a second Ctrl-C before ECS answered RunTask: a task may have started; find it with aws ecs list-tasks --cluster ${this.starting?.cluster ?? '<cluster>'} --started-by ${RUN_STARTED_BY}`;
    const how = stopCommand(this.task.cluster, this.task.taskArn);
    if (this.stop === 'accepted') return `stopped by a second Ctrl-C without waiting: ECS accepted StopTask for task ${shortTaskId(this.task.taskArn)}, which is stopping`;
    return `stopped by a second Ctrl-C before ECS StopTask answered: task ${shortTaskId(this.task.taskArn)} may still run; to stop it: ${how}`;
  }
}

const shortTaskId = (taskArn: string) => taskArn.slice(taskArn.lastIndexOf('/') + 1);
const stopCommand = (cluster: string, taskArn: string) => `aws ecs stop-task --cluster ${cluster} --task ${taskArn}`;

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

/** The first line of `slipway run` (stderr): the task, and how to stop it. */
export function renderRunStart(s: RunStarted, detach = false): string {
  const e = escapeForTerminal;
  const stop = detach ? e(stopCommand(s.cluster, s.taskArn)) : `Ctrl-C, or ${e(stopCommand(s.cluster, s.taskArn))}`;
  return `running ${e(JSON.stringify(s.command.join(' ')))} on ${e(s.app)} ${e(s.process)} (build ${e(s.build)}): task ${e(shortTaskId(s.taskArn))}; to stop it: ${stop}`;
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

/** What {@link runTask} returns: the command's output, and what Ctrl-C did when it came. */
export interface RunResult extends RunOutput {
  readonly interrupted?: InterruptOutcome;
}

/**
 * Starts the one-off task and follows it to its end (or `timeoutMs`). With `detach`, returns once ECS
 * has accepted it. After `interrupt`: stops the task (ECS StopTask with {@link INTERRUPT_STOP_REASON})
 * and follows it to STOPPED, at most {@link STOP_WAIT_MS}, so its last lines and exit code are shown.
 */
export async function runTask(clients: OpsClients, app: string, options: RunOptions): Promise<RunResult> {
  const { clock, interrupt } = options;
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

  // From here a Ctrl-C may find a task starting: it is stopped once ECS names it.
  if (interrupt) interrupt.starting = { cluster: settings.cluster };
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
    const out: RunResult = { ...base, taskArn: null, outcome: 'failed-to-start', exitCode: null, stopCode: null, reason, logStream: null, logLink: null, logs: [] };
    return interrupt?.requested ? { ...out, interrupted: { kind: 'not-started' } } : out;
  }
  if (interrupt) interrupt.task = { taskArn, cluster: settings.cluster };
  const taskId = shortTaskId(taskArn);
  options.onStarted?.({ app, build: build.buildKey, process, command: options.command, taskArn, cluster: settings.cluster });
  const logStream = taskLogStreamName(process, taskId);
  const logLink = logStreamLink(settings.region, logGroup, logStream);
  if (options.detach) {
    return { ...base, taskArn, outcome: 'started', exitCode: null, stopCode: null, reason: null, logStream, logLink, logs: [] };
  }
  const lines: LogEvent[] = [];
  const onEvent = (e: LogEvent) => {
    lines.push(e);
    options.onEvent(e);
  };
  let deadline = clock.now().getTime() + (options.timeoutMs ?? 3_600_000);
  let token: string | undefined;
  let status = '';
  let interrupted: InterruptOutcome | undefined;
  for (;;) {
    if (interrupt?.requested && !interrupted) {
      interrupted = await stopOnInterrupt(ecs, interrupt, settings.cluster, taskArn, status);
      // A task that could not be stopped goes on: nothing more to wait for.
      if (interrupted.kind === 'stop-failed') return { ...base, taskArn, outcome: 'interrupted', exitCode: null, stopCode: null, reason: `not stopped: ${interrupted.error}; the task goes on`, logStream, logLink, logs: lines, interrupted };
      deadline = Math.min(deadline, clock.now().getTime() + STOP_WAIT_MS);
    }
    const described = await aws(`ECS DescribeTasks ${taskArn}`, () => ecs.send(new DescribeTasksCommand({ cluster: settings.cluster, tasks: [taskArn] })));
    const task = described.tasks?.[0];
    if (!task) throw new NotFound(`ECS DescribeTasks ${taskArn}: the task is gone (${described.failures?.[0]?.reason ?? 'no reason given'})`);
    if (task.lastStatus !== status) {
      status = task.lastStatus ?? '';
      options.onProgress?.(`task ${taskId}: ${status}`);
    }
    // Read after describing: once the task is seen STOPPED, this read gets its last lines.
    if (task.startedAt || task.lastStatus === ENDED) token = await readStream(logs, logGroup, logStream, token, onEvent);
    if (task.lastStatus === ENDED) {
      const out: RunResult = { ...base, taskArn, ...taskOutcome(task, process), logStream, logLink, logs: lines };
      if (interrupted?.kind === 'stopped') return { ...out, interrupted: { ...interrupted, stoppedWithin: true, lastStatus: ENDED } };
      // Ctrl-C between the last look and now: the task had ended on its own, nothing to stop.
      return interrupt?.requested && !interrupted ? { ...out, interrupted: { kind: 'already-stopped', taskArn } } : out;
    }
    if (clock.now().getTime() >= deadline) {
      const reason = interrupted ? `asked to stop (ECS StopTask), still ${status} after ${STOP_WAIT_MS / 1000} s` : `still ${status} after --timeout; the task goes on`;
      const out: RunResult = { ...base, taskArn, outcome: interrupted ? 'interrupted' : 'timed-out', exitCode: null, stopCode: null, reason, logStream, logLink, logs: lines };
      return interrupted?.kind === 'stopped' ? { ...out, interrupted: { ...interrupted, stoppedWithin: false, lastStatus: status } } : out;
    }
    // A Ctrl-C stops the task now, and ends a wait at once.
    if (interrupt?.requested && !interrupted) continue;
    await Promise.race([clock.sleep(options.intervalMs ?? FOLLOW_INTERVAL_SECONDS.default * 1000), ...(interrupt && !interrupted ? [interrupt.interrupted] : [])]);
  }
}

/** Ctrl-C: ECS StopTask on the task, with the operator's reason. Never throws: a failure is reported. */
async function stopOnInterrupt(ecs: NonNullable<OpsClients['ecs']>, interrupt: RunInterrupt, cluster: string, taskArn: string, lastStatus: string): Promise<InterruptOutcome> {
  interrupt.stop = 'sent';
  try {
    await aws(`ECS StopTask ${taskArn}`, () => ecs.send(new StopTaskCommand({ cluster, task: taskArn, reason: INTERRUPT_STOP_REASON })));
    interrupt.stop = 'accepted';
    return { kind: 'stopped', taskArn, stoppedWithin: false, lastStatus };
  } catch (e) {
    interrupt.stop = 'failed';
    const err = e as Error;
    return { kind: 'stop-failed', taskArn, error: `${err.name}: ${err.message}` };
  }
}

/**
 * The error line `slipway run` ends with after Ctrl-C (exit 130): what became of the task.
 */
export function interruptMessage(outcome: InterruptOutcome, cluster: string): string {
  switch (outcome.kind) {
    case 'not-started':
      return 'stopped by Ctrl-C: ECS started no task';
    case 'already-stopped':
      return `stopped by Ctrl-C: task ${shortTaskId(outcome.taskArn)} had already stopped`;
    case 'stopped':
      return outcome.stoppedWithin
        ? `stopped by Ctrl-C: task ${shortTaskId(outcome.taskArn)} was stopped (ECS StopTask, reason "${INTERRUPT_STOP_REASON}")`
        : `stopped by Ctrl-C: ECS accepted StopTask for task ${shortTaskId(outcome.taskArn)}, still ${outcome.lastStatus || 'stopping'} after ${STOP_WAIT_MS / 1000} s; it stops after its stop timeout`;
    case 'stop-failed':
      return `stopped by Ctrl-C, but the task could not be stopped (${outcome.error}): it goes on; to stop it: ${stopCommand(cluster, outcome.taskArn)}`;
  }
}

/** The exit code of `slipway run`: 130 after Ctrl-C, 0 for a detached start, the container's, else 1. */
export function runExitCode(out: RunResult): number {
  if (out.interrupted) return EXIT.interrupted;
  if (out.outcome === 'started') return 0;
  return out.outcome === 'exited' && out.exitCode !== null ? Math.min(Math.max(out.exitCode, 0), 255) : 1;
}

/** The line `slipway run` ends with (on stderr: stdout holds the task's own output). */
export function renderRunEnd(out: RunOutput): string {
  const task = out.taskArn ? shortTaskId(out.taskArn) : null;
  const where = `${out.process} task${task ? ` ${task}` : ''} (build ${out.build})`;
  if (out.outcome === 'exited') return `${where} exited with code ${out.exitCode}${out.reason ? `: ${escapeForTerminal(out.reason)}` : ''}`;
  if (out.outcome === 'failed-to-start') return `${where} failed to start${out.stopCode ? ` (${escapeForTerminal(out.stopCode)})` : ''}: ${escapeForTerminal(out.reason)}`;
  if (out.outcome === 'started') return `${where} started and left running (--detach); its lines: slipway logs ${out.app} ${out.process} --follow, or ${out.logLink ?? '-'}`;
  return `stopped following ${where}: ${escapeForTerminal(out.reason)}; logs: ${out.logLink ?? '-'}`;
}

export { renderLogEvent };
