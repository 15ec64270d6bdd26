import { DescribeServicesCommand, DescribeTaskDefinitionCommand, DescribeTasksCommand, ListTasksCommand, UpdateServiceCommand, type Service, type Task } from '@aws-sdk/client-ecs';
import { serviceName, TAG_BUILD } from '../../domain/names';
import { UsageError } from './usage-error';
import { aws, locateApp, NotFound, type AppTarget, type LocateOptions, type OpsClients } from './aws';
import { checkProcessName } from './name-checks';
import { RUN_STARTED_BY } from './run-task';
import { escapeForTerminal } from './terminal';
import { runningBuilds } from './advice';

/**
 * `slipway ps <app>` (like `heroku ps`): each process type's ECS service, its deployments and its tasks
 * with their state and build, and the one-off tasks `slipway run` started; `slipway restart <app>
 * [process]`: a new deployment of each service on the revision it runs (ECS replaces every task).
 */

/** One ECS task of the app. */
export interface TaskRow {
  /** The task ID (the last part of its ARN). */
  readonly id: string;
  /** The process type whose task definition it runs (null: not one of the app's families). */
  readonly process: string | null;
  /** ECS `lastStatus`: PROVISIONING, PENDING, ACTIVATING, RUNNING, DEACTIVATING, STOPPING, DEPROVISIONING, STOPPED. */
  readonly status: string;
  readonly desiredStatus: string | null;
  /** ECS `healthStatus`: HEALTHY, UNHEALTHY, UNKNOWN. */
  readonly health: string | null;
  /** The task-definition revision (`family:revision`). */
  readonly revision: string;
  /** The build it runs (its task definition's `slipway:build` tag). */
  readonly build: string | null;
  readonly startedAt: string | null;
  /** Why it stopped or is stopping. */
  readonly stoppedReason: string | null;
}

/** One deployment of a service (ECS keeps the primary and those it is replacing). */
export interface DeploymentRow {
  readonly id: string;
  /** PRIMARY (the newest), ACTIVE (being replaced), INACTIVE. */
  readonly status: string;
  /** IN_PROGRESS, COMPLETED, FAILED. */
  readonly rolloutState: string | null;
  readonly revision: string;
  readonly build: string | null;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
}

/** One process type. */
export interface ProcessRow {
  readonly process: string;
  readonly service: string;
  /** The service's status (ACTIVE, DRAINING, INACTIVE), or `missing` before its first deploy. */
  readonly status: string;
  readonly desired: number;
  readonly running: number;
  readonly pending: number;
  /** The build of its primary deployment (what it runs, or is moving to). */
  readonly build: string | null;
  readonly deployments: DeploymentRow[];
  readonly tasks: TaskRow[];
}

/** The output of `slipway ps`. */
export interface PsOutput {
  readonly app: string;
  readonly cluster: string;
  readonly processes: ProcessRow[];
  /** One-off tasks (`slipway run`) still running or stopping. */
  readonly oneOff: TaskRow[];
  /** Each build the services' primary deployments run; more than one after a deploy that did not finish everywhere. */
  readonly builds: string[];
}

const idOf = (arn: string | undefined): string => (arn ?? '').slice((arn ?? '').lastIndexOf('/') + 1);
const revisionOf = (arn: string | undefined): string => idOf(arn);
const iso = (d: Date | undefined): string | null => (d ? d.toISOString() : null);

/** The ECS client of the CLI's clients. @throws UsageError when none was given (a programming error). */
function ecsOf(clients: OpsClients) {
  if (!clients.ecs) throw new UsageError('this command needs an ECS client (OpsClients.ecs)');
  return clients.ecs;
}

/** Each task definition's `slipway:build` tag, one DescribeTaskDefinition per revision. */
async function buildsOf(clients: OpsClients, arns: readonly string[]): Promise<Map<string, string | null>> {
  const ecs = ecsOf(clients);
  const out = new Map<string, string | null>();
  for (const arn of new Set(arns)) {
    if (!arn) continue;
    const d = await aws(`ECS DescribeTaskDefinition ${revisionOf(arn)}`, () => ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn, include: ['TAGS'] })));
    out.set(arn, d.tags?.find((t) => t.key === TAG_BUILD)?.value ?? null);
  }
  return out;
}

/** The app's services, by process type (DescribeServices takes 10 names at a time). */
async function describeServices(clients: OpsClients, target: AppTarget, processes: readonly string[]): Promise<Map<string, Service>> {
  const ecs = ecsOf(clients);
  const names = processes.map((p) => serviceName(target.app, p));
  const found = new Map<string, Service>();
  for (let i = 0; i < names.length; i += 10) {
    const batch = names.slice(i, i + 10);
    const out = await aws(`ECS DescribeServices ${batch.join(', ')}`, () => ecs.send(new DescribeServicesCommand({ cluster: target.settings.cluster, services: batch })));
    for (const s of out.services ?? []) if (s.serviceName) found.set(s.serviceName, s);
  }
  return found;
}

/** Every task ARN ListTasks gives for a filter (paged). */
async function listTasks(clients: OpsClients, cluster: string, filter: { serviceName?: string; startedBy?: string }): Promise<string[]> {
  const ecs = ecsOf(clients);
  const arns: string[] = [];
  let nextToken: string | undefined;
  do {
    const out = await aws(`ECS ListTasks ${filter.serviceName ?? filter.startedBy}`, () => ecs.send(new ListTasksCommand({ cluster, ...filter, nextToken })));
    arns.push(...(out.taskArns ?? []));
    nextToken = out.nextToken;
  } while (nextToken);
  return arns;
}

/** DescribeTasks, 100 at a time. */
async function describeTasks(clients: OpsClients, cluster: string, arns: readonly string[]): Promise<Task[]> {
  const ecs = ecsOf(clients);
  const tasks: Task[] = [];
  for (let i = 0; i < arns.length; i += 100) {
    const batch = arns.slice(i, i + 100);
    const out = await aws(`ECS DescribeTasks in ${cluster}`, () => ecs.send(new DescribeTasksCommand({ cluster, tasks: batch })));
    tasks.push(...(out.tasks ?? []));
  }
  return tasks;
}

/** `slipway ps <app> [process]`: what each process type runs now. */
export async function listProcesses(clients: OpsClients, app: string, options: LocateOptions & { process?: string } = {}): Promise<PsOutput> {
  if (options.process !== undefined) checkProcessName(options.process);
  const target = await locateApp(clients, app, options);
  return processesOfTarget(clients, target, options.process);
}

/** {@link listProcesses} for a located app (also `slipway status` of a deploy: what runs now). */
export async function processesOfTarget(clients: OpsClients, target: AppTarget, only?: string): Promise<PsOutput> {
  const all = Object.keys(target.settings.processes);
  if (only !== undefined && !all.includes(only)) throw new NotFound(`app "${target.app}" has no process type "${only}" (it has: ${all.join(', ')})`);
  const processes = only !== undefined ? [only] : all;
  const cluster = target.settings.cluster;
  const services = await describeServices(clients, target, processes);
  const taskArns = new Map<string, string[]>();
  for (const p of processes) {
    const name = serviceName(target.app, p);
    taskArns.set(p, services.has(name) ? await listTasks(clients, cluster, { serviceName: name }) : []);
  }
  const families = new Map(Object.entries(target.settings.processes).map(([p, s]) => [s.family, p]));
  const oneOffArns = only === undefined ? await listTasks(clients, cluster, { startedBy: RUN_STARTED_BY }) : [];
  const tasks = await describeTasks(clients, cluster, [...[...taskArns.values()].flat(), ...oneOffArns]);
  const byArn = new Map(tasks.map((t) => [t.taskArn ?? '', t]));
  const revisions = [...[...services.values()].flatMap((s) => (s.deployments ?? []).map((d) => d.taskDefinition ?? '')), ...tasks.map((t) => t.taskDefinitionArn ?? '')];
  const builds = await buildsOf(clients, revisions);
  const familyOf = (arn: string | undefined) => /task-definition\/([^:]+):\d+$/.exec(arn ?? '')?.[1];
  const taskRow = (t: Task): TaskRow => ({
    id: idOf(t.taskArn),
    process: families.get(familyOf(t.taskDefinitionArn) ?? '') ?? null,
    status: t.lastStatus ?? 'UNKNOWN',
    desiredStatus: t.desiredStatus ?? null,
    health: t.healthStatus ?? null,
    revision: revisionOf(t.taskDefinitionArn),
    build: builds.get(t.taskDefinitionArn ?? '') ?? null,
    startedAt: iso(t.startedAt),
    stoppedReason: t.stoppedReason ?? null,
  });
  const rows: ProcessRow[] = processes.map((p) => {
    const s = services.get(serviceName(target.app, p));
    const deployments = (s?.deployments ?? []).map((d) => ({
      id: d.id ?? '',
      status: d.status ?? 'UNKNOWN',
      rolloutState: d.rolloutState ?? null,
      revision: revisionOf(d.taskDefinition),
      build: builds.get(d.taskDefinition ?? '') ?? null,
      desired: d.desiredCount ?? 0,
      running: d.runningCount ?? 0,
      pending: d.pendingCount ?? 0,
    }));
    const primary = deployments.find((d) => d.status === 'PRIMARY');
    return {
      process: p,
      service: serviceName(target.app, p),
      status: s?.status ?? 'missing',
      desired: s?.desiredCount ?? 0,
      running: s?.runningCount ?? 0,
      pending: s?.pendingCount ?? 0,
      build: primary?.build ?? null,
      deployments,
      tasks: (taskArns.get(p) ?? []).map((arn) => byArn.get(arn)).filter((t): t is Task => t !== undefined).map(taskRow),
    };
  });
  const running = rows.filter((r) => r.status !== 'missing');
  return {
    app: target.app,
    cluster,
    processes: rows,
    oneOff: oneOffArns.map((arn) => byArn.get(arn)).filter((t): t is Task => t !== undefined).map(taskRow),
    builds: [...new Set(running.map((r) => r.build ?? 'unknown'))],
  };
}

const since = (iso: string | null, now: Date): string => {
  if (!iso) return '';
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : s < 86400 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : `${Math.floor(s / 86400)}d`;
};

const taskLine = (t: TaskRow, now: Date): string =>
  `  ${escapeForTerminal(t.id)}  ${escapeForTerminal(t.status)}${t.desiredStatus && t.desiredStatus !== t.status ? ` -> ${escapeForTerminal(t.desiredStatus)}` : ''}${t.health && t.health !== 'UNKNOWN' ? ` ${escapeForTerminal(t.health)}` : ''}  build ${escapeForTerminal(t.build ?? '?')} (${escapeForTerminal(t.revision)})${t.startedAt ? `  up ${since(t.startedAt, now)}` : ''}${t.stoppedReason ? `  ${escapeForTerminal(t.stoppedReason)}` : ''}`;

/** Human output of `slipway ps`. */
export function renderProcesses(out: PsOutput, now: Date = new Date()): string {
  const lines: string[] = [];
  for (const p of out.processes) {
    if (p.status === 'missing') {
      lines.push(`=== ${escapeForTerminal(p.process)}: no service yet (created by the app's first deploy)`);
      continue;
    }
    lines.push(`=== ${escapeForTerminal(p.process)} (${escapeForTerminal(p.service)}): ${p.running}/${p.desired} running${p.pending ? `, ${p.pending} pending` : ''}, build ${escapeForTerminal(p.build ?? '?')}${p.status !== 'ACTIVE' ? ` [${escapeForTerminal(p.status)}]` : ''}`);
    for (const d of p.deployments) {
      if (d.status === 'PRIMARY' && d.rolloutState === 'COMPLETED' && p.deployments.length === 1) continue;
      lines.push(`  deployment ${escapeForTerminal(d.status.toLowerCase())} ${escapeForTerminal(d.rolloutState ?? '')}: build ${escapeForTerminal(d.build ?? '?')} (${escapeForTerminal(d.revision)}), ${d.running}/${d.desired} running${d.pending ? `, ${d.pending} pending` : ''}`);
    }
    if (p.tasks.length === 0) lines.push('  no tasks');
    for (const t of p.tasks) lines.push(taskLine(t, now));
  }
  if (out.oneOff.length > 0) {
    lines.push('=== one-off (slipway run)');
    for (const t of out.oneOff) lines.push(`${taskLine(t, now)}${t.process ? `  [${escapeForTerminal(t.process)}]` : ''}`);
  }
  const mixed = runningBuilds(out.processes.filter((p) => p.status !== 'missing').map((p) => ({ service: p.process, build: p.build })));
  if (mixed) lines.push('', escapeForTerminal(mixed));
  return lines.join('\n');
}

/** The output of `slipway restart`. */
export interface RestartOutput {
  readonly app: string;
  readonly restarted: { readonly process: string; readonly service: string; readonly deploymentId: string | null; readonly revision: string }[];
}

/**
 * `slipway restart <app> [process]`: a new deployment of each process type's service (or one) on the
 * revision it runs now (UpdateService `forceNewDeployment`): ECS starts new tasks and stops the old ones
 * as a deploy does, keeping the desired count; the release and config do not change.
 */
export async function restartProcesses(clients: OpsClients, app: string, options: LocateOptions & { process?: string } = {}): Promise<RestartOutput> {
  if (options.process !== undefined) checkProcessName(options.process);
  const target = await locateApp(clients, app, options);
  const all = Object.keys(target.settings.processes);
  if (options.process !== undefined && !all.includes(options.process)) throw new NotFound(`app "${app}" has no process type "${options.process}" (it has: ${all.join(', ')})`);
  const processes = options.process !== undefined ? [options.process] : all;
  const services = await describeServices(clients, target, processes);
  const missing = processes.filter((p) => services.get(serviceName(app, p))?.status !== 'ACTIVE');
  if (missing.length > 0) throw new NotFound(`app "${app}" has no running service for ${missing.join(', ')} (${missing.map((p) => serviceName(app, p)).join(', ')}): deploy the app first`);
  const ecs = ecsOf(clients);
  const restarted: RestartOutput['restarted'][number][] = [];
  for (const p of processes) {
    const name = serviceName(app, p);
    const out = await aws(`ECS UpdateService ${name}`, () => ecs.send(new UpdateServiceCommand({ cluster: target.settings.cluster, service: name, forceNewDeployment: true })));
    const primary = out.service?.deployments?.find((d) => d.status === 'PRIMARY');
    restarted.push({ process: p, service: name, deploymentId: primary?.id ?? null, revision: revisionOf(primary?.taskDefinition ?? out.service?.taskDefinition) });
  }
  return { app, restarted };
}

/** Human output of `slipway restart`. */
export function renderRestart(out: RestartOutput): string {
  return [
    ...out.restarted.map((r) => `restarting ${escapeForTerminal(r.process)} (${escapeForTerminal(r.service)}, ${escapeForTerminal(r.revision)}): deployment ${escapeForTerminal(r.deploymentId ?? '?')}`),
    `ECS replaces every task of ${out.restarted.length === 1 ? 'it' : 'them'}, keeping the task count; follow it: slipway ps ${escapeForTerminal(out.app)}`,
  ].join('\n');
}
