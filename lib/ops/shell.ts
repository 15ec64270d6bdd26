import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { DescribeServicesCommand, DescribeTasksCommand, ExecuteCommandCommand, ListTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { serviceName } from '../../domain/names';
import { WEB_PROCESS } from '../../domain/constants';
import { UsageError } from './usage-error';
import { aws, CannotProceed, locateApp, NotFound, type LocateOptions, type OpsClients } from './aws';
import { realClock, type Clock } from './wall-clock';
import { checkProcessName } from './name-checks';
import { RUN_STARTED_BY } from './run-task';

/**
 * `slipway shell <app> [--process P] [--one-off] [--command C]` (like `heroku run bash` and `apppack
 * shell`): an interactive shell in a running task of a process type through ECS Exec, or in a one-off
 * task started for it when none runs (or when asked). ECS Exec needs, in AWS: the task started with
 * `enableExecuteCommand` (the deploy sets it on every service, `slipway shell --one-off` on its task), the
 * task role allowed the four `ssmmessages` channel actions (the app stack grants them), and on this
 * machine AWS's Session Manager plugin, which carries the session
 * (docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html).
 */

/** The Session Manager plugin is not installed: ECS Exec cannot open the session. Exit 1. */
export class SessionManagerPluginMissing extends Error {
  public override readonly name = 'SessionManagerPluginMissing';
}

/** The running tasks were started without ECS Exec (before Slipway enabled it, or by hand). Exit 1. */
export class ExecNotEnabled extends Error {
  public override readonly name = 'ExecNotEnabled';
}

/** Where to install the plugin (AWS Systems Manager User Guide). */
export const PLUGIN_INSTALL_URL = 'https://docs.aws.amazon.com/systems-manager/latest/userguide/session-manager-working-with-install-plugin.html';
/** The plugin's executable. */
export const PLUGIN = 'session-manager-plugin';
/** How long a one-off shell task may live (it runs `sleep`, and is stopped when the session ends). */
export const ONE_OFF_SECONDS = 3600;

/**
 * The Session Manager plugin's path on `PATH` (with Windows' extensions), or undefined.
 * `exists` is injectable for tests.
 */
export function findPlugin(env: NodeJS.ProcessEnv = process.env, exists: (file: string) => boolean = existsSync, platform: NodeJS.Platform = process.platform): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const names = platform === 'win32' ? [`${PLUGIN}.exe`, PLUGIN] : [PLUGIN];
  for (const dir of dirs) for (const name of names) if (exists(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

/** The error when the plugin is missing, with how to install it on this platform. */
export function pluginMissing(platform: NodeJS.Platform = process.platform): SessionManagerPluginMissing {
  const how = platform === 'darwin' ? 'brew install --cask session-manager-plugin' : platform === 'win32' ? 'run the installer from the AWS page' : 'install the .deb or .rpm package from the AWS page';
  return new SessionManagerPluginMissing(`ECS Exec needs AWS's Session Manager plugin (${PLUGIN}) on PATH: ${how} (${PLUGIN_INSTALL_URL}), then try again`);
}

/** Runs the plugin with its arguments, the terminal attached; resolves with its exit code (tests pass their own). */
export type PluginRunner = (plugin: string, args: readonly string[]) => Promise<number>;

const runPlugin: PluginRunner = (plugin, args) =>
  new Promise((resolve, reject) => {
    const child = spawn(plugin, [...args], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });

/** Options of {@link openShell}. */
export interface ShellOptions extends LocateOptions {
  /** The process type (default: web, else the first). */
  readonly process?: string;
  /** Start a one-off task for the shell even when tasks run. */
  readonly oneOff?: boolean;
  /** The command to run (default `/bin/sh`). */
  readonly command?: string;
  /** The AWS profile the plugin reports (AWS_PROFILE). */
  readonly profile?: string;
  readonly clock?: Clock;
  /** How long to wait for a one-off task to run with its exec agent. @default 300000 */
  readonly startTimeoutMs?: number;
  readonly onProgress?: (line: string) => void;
  /** Tests pass their own. */
  readonly plugin?: string;
  readonly runPlugin?: PluginRunner;
}

/** The output of `slipway shell` (printed after the session). */
export interface ShellOutput {
  readonly app: string;
  readonly process: string;
  readonly cluster: string;
  readonly taskArn: string;
  /** Whether the shell ran in a one-off task started for it (stopped afterwards). */
  readonly oneOff: boolean;
  readonly command: string;
  /** The plugin's exit code. */
  readonly exitCode: number;
}

const execAgentRunning = (t: Task, container: string): boolean =>
  t.enableExecuteCommand === true && (t.containers ?? []).some((c) => c.name === container && (c.managedAgents ?? []).some((a) => a.name === 'ExecuteCommandAgent' && a.lastStatus === 'RUNNING'));

/**
 * The arguments of the Session Manager plugin for an ECS Exec session, as the AWS CLI passes them
 * (awscli/customizations/ecs/executecommand.py): the session (PascalCase, as the API's JSON names it),
 * the region, `StartSession`, the profile, the target `ecs:<cluster>_<task id>_<container runtime id>`,
 * and the Systems Manager endpoint.
 */
export function pluginArgs(session: { sessionId?: string; streamUrl?: string; tokenValue?: string }, region: string, profile: string, cluster: string, taskArn: string, runtimeId: string): string[] {
  const clusterName = cluster.slice(cluster.lastIndexOf('/') + 1);
  const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
  const suffix = region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
  return [
    JSON.stringify({ SessionId: session.sessionId, StreamUrl: session.streamUrl, TokenValue: session.tokenValue }),
    region,
    'StartSession',
    profile,
    JSON.stringify({ Target: `ecs:${clusterName}_${taskId}_${runtimeId}` }),
    `https://ssm.${region}.${suffix}`,
  ];
}

/** `slipway shell <app>`: an interactive ECS Exec session in a task of the app. */
export async function openShell(clients: OpsClients, app: string, options: ShellOptions = {}): Promise<ShellOutput> {
  if (options.process !== undefined) checkProcessName(options.process, '--process');
  const command = options.command ?? '/bin/sh';
  if (command.trim() === '' || command.length > 1024) throw new UsageError('--command must be a command of 1 to 1024 characters');
  // Before any AWS call: without the plugin nothing can be done.
  const plugin = options.plugin ?? findPlugin();
  if (!plugin) throw pluginMissing();
  if (!clients.ecs) throw new UsageError('slipway shell needs an ECS client (OpsClients.ecs)');
  const ecs = clients.ecs;
  const target = await locateApp(clients, app, options);
  const { settings } = target;
  const names = Object.keys(settings.processes);
  const process = options.process ?? (names.includes(WEB_PROCESS) ? WEB_PROCESS : names[0]);
  if (!settings.processes[process]) throw new NotFound(`app "${app}" has no process type "${process}" (it has: ${names.join(', ')})`);
  const cluster = settings.cluster;
  const service = serviceName(app, process);
  const clock = options.clock ?? realClock;

  let task: Task | undefined;
  let taskDefinition: string | undefined;
  if (!options.oneOff) {
    const listed = await aws(`ECS ListTasks ${service}`, () => ecs.send(new ListTasksCommand({ cluster, serviceName: service, desiredStatus: 'RUNNING' }))).catch((e: Error) => {
      if (e.name === 'NotFound') return { taskArns: [] as string[] };
      throw e;
    });
    const arns = (listed.taskArns ?? []).slice(0, 100);
    const tasks = arns.length > 0 ? ((await aws(`ECS DescribeTasks in ${cluster}`, () => ecs.send(new DescribeTasksCommand({ cluster, tasks: arns })))).tasks ?? []) : [];
    const running = tasks.filter((t) => t.lastStatus === 'RUNNING');
    task = running.find((t) => execAgentRunning(t, process));
    if (!task && running.length > 0) {
      throw new ExecNotEnabled(`the running tasks of ${process} (${service}) were started without ECS Exec (or its agent is not running yet): run slipway restart ${app} ${process} once (the deploy enables ECS Exec on the service), or slipway shell ${app} --process ${process} --one-off`);
    }
  }
  const oneOff = !task;
  if (!task) {
    const described = await aws(`ECS DescribeServices ${service}`, () => ecs.send(new DescribeServicesCommand({ cluster, services: [service] })));
    taskDefinition = described.services?.find((s) => s.serviceName === service && s.status === 'ACTIVE')?.taskDefinition;
    if (!taskDefinition) throw new NotFound(`app "${app}" has no service ${service} to take the task definition from: deploy the app first`);
    options.onProgress?.(`starting a one-off ${process} task for the shell (it is stopped when the shell ends)`);
    const started = await aws(`ECS RunTask ${taskDefinition}`, () =>
      ecs.send(
        new RunTaskCommand({
          cluster,
          taskDefinition,
          count: 1,
          enableExecuteCommand: true,
          capacityProviderStrategy: settings.capacityProviderStrategy.map((c) => ({ ...c })),
          networkConfiguration: { awsvpcConfiguration: { subnets: [...settings.network.subnets], securityGroups: [...settings.network.securityGroups], assignPublicIp: settings.network.assignPublicIp } },
          overrides: { containerOverrides: [{ name: process, command: ['sleep', String(ONE_OFF_SECONDS)] }] },
          startedBy: RUN_STARTED_BY,
          propagateTags: 'TASK_DEFINITION',
          clientToken: randomUUID(),
        }),
      ),
    );
    const arn = started.tasks?.[0]?.taskArn;
    if (!arn) {
      const f = started.failures?.[0];
      throw new CannotProceed(`ECS started no task for the shell: ${f ? `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}` : 'no reason given'}`);
    }
    const deadline = clock.now().getTime() + (options.startTimeoutMs ?? 300_000);
    for (;;) {
      const out = await aws(`ECS DescribeTasks ${arn}`, () => ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] })));
      const t = out.tasks?.[0];
      if (t && execAgentRunning(t, process) && t.lastStatus === 'RUNNING') {
        task = t;
        break;
      }
      if (t?.lastStatus === 'STOPPED') throw new CannotProceed(`the one-off task ${arn} stopped before the shell could open: ${t.stoppedReason ?? 'no reason given'}`);
      if (clock.now().getTime() >= deadline) {
        await stopQuietly(clients, cluster, arn);
        throw new CannotProceed(`the one-off task ${arn} did not run with its ECS Exec agent within ${Math.round((options.startTimeoutMs ?? 300_000) / 1000)} s; it was stopped`);
      }
      options.onProgress?.(`waiting for the one-off task: ${t?.lastStatus ?? 'PROVISIONING'}`);
      await clock.sleep(3000);
    }
  }

  const taskArn = task.taskArn as string;
  const runtimeId = task.containers?.find((c) => c.name === process)?.runtimeId ?? '';
  try {
    const exec = await aws(`ECS ExecuteCommand ${taskArn}`, () => ecs.send(new ExecuteCommandCommand({ cluster, task: taskArn, container: process, interactive: true, command })));
    const region = settings.region;
    const code = await (options.runPlugin ?? runPlugin)(plugin, pluginArgs(exec.session ?? {}, region, options.profile ?? '', cluster, taskArn, runtimeId));
    return { app, process, cluster, taskArn, oneOff, command, exitCode: code };
  } finally {
    if (oneOff) await stopQuietly(clients, cluster, taskArn);
  }
}

async function stopQuietly(clients: OpsClients, cluster: string, taskArn: string): Promise<void> {
  await clients.ecs?.send(new StopTaskCommand({ cluster, task: taskArn, reason: 'slipway shell ended' })).catch(() => undefined);
}
