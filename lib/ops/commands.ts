import { GetExecutionHistoryCommand, ListExecutionsCommand, RedriveExecutionCommand, StartExecutionCommand, type DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { appAndBuildOf, cliExecutionName, logStreamLink, pipelineExecutionName, taskLogStreamName } from '../../domain/names';
// The build's three pipelines (config-change and schedules executions are not part of a build).
import { supersededDeploy, type BuildPipelineName as StateMachineName } from '../../domain/pipelines';
import { buildSortKey, type BuildRecord } from '../../domain/table';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { UsageError } from '../cli/errors';
import {
  assertExecutionOf,
  aws,
  CannotProceed,
  checkBuildKey,
  describeExecution,
  executionArn,
  executionOwner,
  functionLogGroup,
  getBuild,
  getCurrentRelease,
  getDeployClaim,
  getFullHistory,
  locateApp,
  NotFound,
  parseExecutionArn,
  pipelineOfArn,
  recentBuilds,
  type AppTarget,
  type LocateOptions,
  type OpsClients,
} from './aws';
import type { DeployOutput, ExecutionRef, Executions, PipelinesOutput, RedriveOutput, StatusOutput, WatchOutput } from './schemas';
import { getRelease, parseReleaseNumber } from './releases';
import { escapeForTerminal, formatDuration, renderRedriveVerdict, renderRerun, renderSteps } from './terminal';
import { assessRedrive, buildTimeline, ecsTaskOfCause, groupedLabels, runningStates, scopeLabels, stepLabel, stepsOf, summariseCause, whereLabel, type RedriveAssessment, type Timeline } from './timeline';

export { formatDuration } from './terminal';
export { groupedLabels, HISTORY_LIMIT, REDRIVE_WINDOW_DAYS, stepLabel } from './timeline';

/** Time, injectable so tests never wait. */
export interface Clock {
  now(): Date;
  sleep(ms: number): Promise<void>;
}

/** The real clock. */
export const realClock: Clock = { now: () => new Date(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

const PIPELINES: readonly StateMachineName[] = ['build', 'release', 'deploy'];

const seconds = (from?: Date, to?: Date): number | null => (from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 100) / 10) : null);
const isoOrNull = (d?: Date): string | null => (d ? d.toISOString() : null);
const isFailed = (status?: string) => status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED';

/** Console link of an execution. */
export function executionConsoleLink(arn: string): string {
  const region = parseExecutionArn(arn)?.region ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${arn}`;
}

/** CloudWatch console link to a log group's events between two times. */
export function logGroupLink(region: string, group: string, from: Date, to: Date): string {
  const enc = (s: string) => encodeURIComponent(encodeURIComponent(s)).replace(/%/g, '$');
  return `https://${region}.console.aws.amazon.com/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${enc(group)}/log-events$3Fstart$3D${from.getTime()}$26end$3D${to.getTime()}`;
}

/** An execution in the form `pipelines` and `watch` show. */
function executionRef(pipeline: StateMachineName, d: DescribeExecutionCommandOutput, timeline?: Timeline): ExecutionRef {
  const failure = timeline?.failure;
  return {
    pipeline,
    arn: d.executionArn ?? '',
    name: d.name ?? '',
    status: (d.status ?? 'RUNNING') as ExecutionRef['status'],
    startedAt: (d.startDate ?? new Date(0)).toISOString(),
    stoppedAt: isoOrNull(d.stopDate),
    durationSeconds: seconds(d.startDate, d.stopDate),
    failedStep: failure ? stepLabel(failure.entry, timeline?.itemLabels) : null,
    error: d.error ?? null,
    cause: d.cause ?? null,
    redriveCount: d.redriveCount ?? 0,
    superseded: supersededOf(pipeline, d),
  };
}

/** A deploy that SUCCEEDED without deploying (its output's `outcome` "superseded"), else null. */
function supersededOf(pipeline: string | undefined, d: DescribeExecutionCommandOutput): ExecutionRef['superseded'] {
  const s = pipeline === 'deploy' && d.status === 'SUCCEEDED' ? supersededDeploy(d.output) : undefined;
  return s ? { by: s.supersededBy ?? null, reason: s.reason ?? null } : null;
}

/** "superseded by build N" (or without N when the deploy could not tell). */
function supersededText(s: NonNullable<ExecutionRef['superseded']>): string {
  return s.by ? `superseded by build ${escapeForTerminal(s.by)}` : 'superseded by a newer deploy';
}

/** The ARNs of a build's three executions: build from the record, release and deploy by name. */
function executionArnsOf(target: AppTarget, build: BuildRecord): Record<StateMachineName, string | undefined> {
  const failed = build.failedExecution ? pipelineOfArn(build.failedExecution) : undefined;
  // The latest deploy of the build: a CLI deploy or rollback (its own name) records itself on the build
  // too, as deployExecution when it succeeds and failedExecution when it fails.
  const failedDeployIsLatest = failed === 'deploy' && (!build.releasedAt || (build.failedAt ?? '') > build.releasedAt);
  return {
    build: build.recordedBy ?? (failed === 'build' ? build.failedExecution : undefined),
    release: executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')),
    deploy: failedDeployIsLatest ? build.failedExecution : (build.deployExecution ?? executionArn(target, 'deploy', pipelineExecutionName(target.app, build.buildKey, 'deploy'))),
  };
}

/** Describes a build's executions (and, for a failed one, reads its history for the failed step). */
async function describeExecutions(
  clients: OpsClients,
  target: AppTarget,
  build: BuildRecord,
  withFailedStep: boolean,
): Promise<{ refs: Executions; raw: Record<StateMachineName, DescribeExecutionCommandOutput | undefined>; timelines: Partial<Record<StateMachineName, Timeline>> }> {
  const arns = executionArnsOf(target, build);
  const raw = {} as Record<StateMachineName, DescribeExecutionCommandOutput | undefined>;
  const timelines: Partial<Record<StateMachineName, Timeline>> = {};
  const refs = {} as { -readonly [K in StateMachineName]: ExecutionRef | null };
  for (const p of PIPELINES) {
    const arn = arns[p];
    const d = arn ? await describeExecution(clients, arn) : undefined;
    raw[p] = d;
    const timeline = d && withFailedStep && isFailed(d.status) ? buildTimeline(await getFullHistory(clients, d.executionArn ?? (arn as string))) : undefined;
    if (timeline) timelines[p] = timeline;
    refs[p] = d ? executionRef(p, d, timeline) : null;
  }
  return { refs, raw, timelines };
}

// ---------------------------------------------------------------------------------------------------
// pipelines

/** `slipway pipelines <app>`: the recent builds and their build, release and deploy executions. */
export async function listPipelines(clients: OpsClients, app: string, options: LocateOptions & { limit?: number } = {}): Promise<PipelinesOutput> {
  const limit = options.limit ?? 10;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new UsageError(`--limit must be a whole number from 1 to 100, got ${options.limit}`);
  const target = await locateApp(clients, app, options);
  const [builds, current] = [await recentBuilds(clients, target, limit), await getCurrentRelease(clients, target)];
  // Five builds at a time: fast enough for an operator, gentle on the Step Functions API quotas.
  const described: Executions[] = [];
  for (let i = 0; i < builds.length; i += 5) {
    described.push(...(await Promise.all(builds.slice(i, i + 5).map(async (b) => (await describeExecutions(clients, target, b, true)).refs))));
  }
  const rows: PipelinesOutput['builds'] = [];
  for (const [i, build] of builds.entries()) {
    const refs = described[i];
    rows.push({
      build: build.buildKey,
      codeBuildStatus: build.status ?? null,
      commit: build.commit ?? null,
      image: build.image ?? null,
      eventTime: build.eventTime ?? null,
      released: build.releasedAt !== undefined,
      current: current?.buildKey === build.buildKey,
      pipelineError: build.pipelineError ?? null,
      executions: refs,
    });
  }
  return { app, region: target.region, account: target.account, currentRelease: current?.buildKey ?? null, builds: rows };
}

// ---------------------------------------------------------------------------------------------------
// status

/**
 * What the operator named: an execution ARN (with `app`, the app it must belong to: `--app`), or an app
 * and a build.
 */
export type ExecutionTarget = { arn: string; app?: string } | { app: string; build: string };

/** Reads `<execution-arn>` or `<app> <build>` (and `--app`) from the command's arguments. */
export function parseExecutionTarget(first: string, second: string | undefined, app?: string): ExecutionTarget {
  if (first.startsWith('arn:')) {
    if (!parseExecutionArn(first)) throw new UsageError(`"${first}" is not a Step Functions execution ARN (arn:aws:states:<region>:<account>:execution:<state machine>:<name>)`);
    if (second !== undefined) throw new UsageError('give an execution ARN, or an app and a build number, not both');
    return app !== undefined ? { arn: first, app } : { arn: first };
  }
  if (second === undefined) throw new UsageError(`give an execution ARN, or an app and a build number (e.g. "${first} 42")`);
  if (app !== undefined && app !== first) throw new UsageError(`--app ${app} and the app argument "${first}" differ: give one app`);
  return { app: first, build: checkBuildKey(second) };
}

/** How many failed build executions `status`/`redrive <app> <build>` reads when the build is not recorded. */
export const UNRECORDED_BUILD_SEARCH = 100;

/**
 * A build execution of the app's build N that failed before "Record the build" (so the app's table
 * does not know it): the shared build state machine's latest failed executions, newest first, whose
 * input (the CodeBuild event) is of the app's project and build N. EventBridge names build executions
 * at random, so only their input tells whose they are; other apps' executions are passed over.
 */
export async function findUnrecordedBuildExecution(clients: OpsClients, target: AppTarget, buildKey: string): Promise<DescribeExecutionCommandOutput | undefined> {
  let seen = 0;
  let pages = 0;
  let nextToken: string | undefined;
  do {
    pages += 1;
    const page = await aws(`Step Functions ListExecutions ${target.stateMachines.build}`, () =>
      clients.sfn.send(new ListExecutionsCommand({ stateMachineArn: target.stateMachines.build, statusFilter: 'FAILED', maxResults: UNRECORDED_BUILD_SEARCH - seen, nextToken })),
    );
    const arns = (page.executions ?? []).map((e) => e.executionArn).filter((a): a is string => typeof a === 'string').slice(0, UNRECORDED_BUILD_SEARCH - seen);
    seen += arns.length;
    // Five at a time: gentle on the Step Functions API quotas.
    for (let i = 0; i < arns.length; i += 5) {
      // Another app's execution the caller may not describe (a per-app grant) is not this app's: skipped.
      const described = await Promise.all(arns.slice(i, i + 5).map((arn) => describeExecution(clients, arn).catch((e: Error) => (e.name === 'AccessDenied' ? undefined : Promise.reject(e)))));
      const mine = described.find((d) => {
        const owner = d ? executionOwner(d.name, d.input, target.prefix) : {};
        return owner.app === target.app && owner.build === buildKey;
      });
      if (mine) return mine;
    }
    nextToken = page.nextToken;
  } while (nextToken && seen < UNRECORDED_BUILD_SEARCH && pages < 10);
  return undefined;
}

/**
 * For `<app> <build>`: the execution to look at — the last of build -> release -> deploy that exists
 * (a child starts only when its parent got that far, so it is the failed or the running one); for a
 * build that is not recorded, its failed build execution.
 */
async function resolveExecution(clients: OpsClients, t: ExecutionTarget, options: LocateOptions): Promise<{ arn: string; target?: AppTarget; build?: BuildRecord; executions?: Record<StateMachineName, DescribeExecutionCommandOutput | undefined> }> {
  if ('arn' in t) return { arn: t.arn };
  const target = await locateApp(clients, t.app, options);
  const build = await getBuild(clients, target, t.build);
  if (!build) {
    const unrecorded = await findUnrecordedBuildExecution(clients, target, t.build);
    if (unrecorded?.executionArn) return { arn: unrecorded.executionArn, target };
    throw new NotFound(`build ${t.build} of app "${t.app}" is not recorded (table ${target.tableName}) and none of the last ${UNRECORDED_BUILD_SEARCH} failed build executions is its: its build pipeline never ran (see slipway pipelines ${t.app})`);
  }
  const { raw } = await describeExecutions(clients, target, build, false);
  const last = [...PIPELINES].reverse().find((p) => raw[p]);
  if (!last) throw new NotFound(`build ${t.build} of app "${t.app}" has no pipeline execution`);
  // The app's records name its executions; a record that names another app's is refused, not acted on.
  assertExecutionOf(target.app, raw[last] as DescribeExecutionCommandOutput, target.prefix);
  return { arn: raw[last]?.executionArn as string, target, build, executions: raw };
}

const CONSOLE_LOG_URL = /https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudwatch\/[^\s"'\\]+/;

/** The CloudWatch Logs link of the Lambda function or ECS task that failed. */
async function failureLogLink(clients: OpsClients, timeline: Timeline, d: DescribeExecutionCommandOutput, region: string): Promise<string | null> {
  const failure = timeline.failure;
  if (!failure) return null;
  const fromCause = [failure.cause, timeline.execution.cause, d.cause].map((c) => (c ? CONSOLE_LOG_URL.exec(c)?.[0] : undefined)).find(Boolean);
  if (fromCause) return fromCause;
  const attempt = failure.attempt;
  if (!attempt) return null;
  let params: Record<string, unknown> = {};
  try {
    params = JSON.parse(attempt.parameters ?? '{}') as Record<string, unknown>;
  } catch {
    /* no execution data */
  }
  if (attempt.resourceType === 'lambda' && typeof params.FunctionName === 'string') {
    const group = await functionLogGroup(clients, params.FunctionName);
    const from = new Date(attempt.scheduledAt.getTime() - 60_000);
    const to = new Date((attempt.endedAt ?? attempt.scheduledAt).getTime() + 60_000);
    return logGroupLink(region, group, from, to);
  }
  if (attempt.resourceType === 'ecs') {
    const taskArn = ecsTaskOfCause(attempt.cause)?.taskArn ?? submittedTaskArn(attempt.submitted);
    let input: { release?: { logGroup?: string; containerName?: string; region?: string } } = {};
    try {
      input = JSON.parse(d.input ?? '{}');
    } catch {
      /* not JSON */
    }
    const release = input.release;
    if (taskArn && release?.logGroup && release.containerName) {
      const taskId = taskArn.slice(taskArn.lastIndexOf('/') + 1);
      return logStreamLink(release.region ?? region, release.logGroup, taskLogStreamName(release.containerName, taskId));
    }
  }
  return null;
}

/** RunTask's answer when the `.sync` task was submitted (`{"Tasks": [{"TaskArn": ...}]}`): the task's ARN. */
function submittedTaskArn(submitted: string | undefined): string | undefined {
  try {
    const out = JSON.parse(submitted ?? '{}') as { Tasks?: { TaskArn?: unknown; taskArn?: unknown }[]; tasks?: { taskArn?: unknown }[] };
    const task = (out.Tasks ?? out.tasks ?? [])[0] as { TaskArn?: unknown; taskArn?: unknown } | undefined;
    const arn = task?.TaskArn ?? task?.taskArn;
    return typeof arn === 'string' ? arn : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The app and build, for the commands an answer suggests: as the operator named them, else from the
 * execution's name (`<app>--<build>-release`) or input (the app; a build execution has a random name,
 * its input is the CodeBuild event of project `<prefix>-<app>`).
 */
function namedBuild(t: ExecutionTarget, d: DescribeExecutionCommandOutput, prefix = DEFAULT_PREFIX): { app?: string; build?: string } {
  if ('build' in t) return { app: t.app, build: t.build };
  const owner = executionOwner(d.name ?? parseExecutionArn(t.arn)?.name, d.input, prefix);
  return { ...(owner.app ? { app: owner.app } : {}), ...(owner.build ? { build: owner.build } : {}) };
}

/** With `--app`, an execution named by ARN must be that app's. @throws WrongApp */
function checkNamedApp(t: ExecutionTarget, d: DescribeExecutionCommandOutput, prefix = DEFAULT_PREFIX): void {
  if ('arn' in t && t.app !== undefined) assertExecutionOf(t.app, d, prefix, true);
}

/** The status output's `redrive` object from the model's assessment. */
function redriveOf(a: RedriveAssessment): StatusOutput['redrive'] {
  return { verdict: a.verdict, possible: a.possible, status: a.status, statusReason: a.statusReason, reason: a.reason, instead: a.instead, rerun: a.rerun };
}

/** `slipway status`: the timeline of an execution, its failure and whether a redrive can help. */
export async function executionStatus(clients: OpsClients, t: ExecutionTarget, options: LocateOptions & { clock?: Clock } = {}): Promise<StatusOutput> {
  const { arn } = await resolveExecution(clients, t, options);
  const d = await aws(`Step Functions DescribeExecution ${arn}`, () => describeExecutionOrThrow(clients, arn));
  checkNamedApp(t, d, options.prefix);
  const events = await getFullHistory(clients, arn);
  const timeline = buildTimeline(events);
  const region = parseExecutionArn(arn)?.region ?? 'us-east-1';
  const failure = timeline.failure;
  const logLink = failure ? await failureLogLink(clients, timeline, d, region) : null;
  const assessment = assessRedrive(timeline, d, { now: (options.clock ?? realClock).now(), ...namedBuild(t, d, options.prefix) });
  return {
    execution: {
      arn,
      name: d.name ?? parseExecutionArn(arn)?.name ?? '',
      pipeline: pipelineOfArn(arn) ?? null,
      status: (d.status ?? timeline.execution.status) as StatusOutput['execution']['status'],
      startedAt: (d.startDate ?? timeline.execution.startedAt ?? new Date(0)).toISOString(),
      stoppedAt: isoOrNull(d.stopDate),
      durationSeconds: seconds(d.startDate, d.stopDate),
      redriveCount: d.redriveCount ?? 0,
      consoleLink: executionConsoleLink(arn),
      superseded: supersededOf(pipelineOfArn(arn), d),
    },
    steps: stepsOf(timeline),
    failure: failure
      ? {
          state: failure.entry.name,
          iteration: scopeLabels(failure.entry.scope, timeline.itemLabels),
          at: isoOrNull(failure.attempt?.endedAt ?? failure.entry.exitedAt),
          error: failure.error ?? null,
          cause: failure.cause ?? null,
          summary: summariseCause(failure.cause ?? d.cause, { logLink: ecsTaskOfCause(failure.cause ?? d.cause) ? logLink : null, error: failure.error ?? d.error }),
          executionError: d.error ?? timeline.execution.error ?? null,
          executionCause: d.cause ?? timeline.execution.cause ?? null,
          logLink,
        }
      : null,
    redrive: redriveOf(assessment),
    eventCount: timeline.eventCount,
  };
}

async function describeExecutionOrThrow(clients: OpsClients, arn: string): Promise<DescribeExecutionCommandOutput> {
  const d = await describeExecution(clients, arn);
  if (!d) throw new NotFound(`execution ${arn} does not exist (Step Functions keeps closed executions for 90 days)`);
  return d;
}

// ---------------------------------------------------------------------------------------------------
// following an execution

/** A progress line for a running execution: its innermost running states and how long it has run. */
export async function progressOf(clients: OpsClients, arn: string, d: DescribeExecutionCommandOutput, now: Date): Promise<string> {
  const elapsed = formatDuration(seconds(d.startDate, d.stopDate ?? now));
  if (d.status !== 'RUNNING') return `${d.name}: ${d.status} after ${elapsed}`;
  const page = await aws(`Step Functions GetExecutionHistory ${arn}`, () => clients.sfn.send(new GetExecutionHistoryCommand({ executionArn: arn, reverseOrder: true, maxResults: 100, includeExecutionData: false })));
  const recent = buildTimeline(page.events ?? []);
  const open = runningStates(recent);
  // A Map or Parallel state is shown through the states running inside it.
  const running = open.filter((e) => !((e.type === 'Map' || e.type === 'Parallel') && open.some((o) => o.scope.path.length > e.scope.path.length)));
  const where = running.length > 0 ? groupedLabels(running, recent.itemLabels).slice(0, 3).join(', ') : 'starting';
  return `${d.name}: running ${elapsed} — ${where}`;
}

/** Options of `--watch`. */
export interface FollowOptions {
  readonly clock?: Clock;
  /** Poll interval. @default 5000 */
  readonly intervalMs?: number;
  /** Give up after this long (the execution goes on). @default 2 hours */
  readonly timeoutMs?: number;
  /** Called with a progress line whenever it changes. */
  readonly onProgress?: (line: string) => void;
}

/** Follows one execution until it stops (or the timeout passes). */
export async function followExecution(clients: OpsClients, arn: string, options: FollowOptions = {}): Promise<NonNullable<RedriveOutput['watched']>> {
  const clock = options.clock ?? realClock;
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 2 * 3_600_000);
  let last = '';
  for (;;) {
    const d = await describeExecutionOrThrow(clients, arn);
    const line = await progressOf(clients, arn, d, clock.now());
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (d.status !== 'RUNNING' && d.status !== 'PENDING_REDRIVE') {
      return { status: d.status as NonNullable<RedriveOutput['watched']>['status'], durationSeconds: seconds(d.redriveDate ?? d.startDate, d.stopDate), error: d.error ?? null, cause: d.cause ?? null, timedOut: false };
    }
    if (clock.now().getTime() >= deadline) return { status: 'RUNNING', durationSeconds: null, error: null, cause: null, timedOut: true };
    await clock.sleep(options.intervalMs ?? 5000);
  }
}

// ---------------------------------------------------------------------------------------------------
// redrive

/**
 * `slipway redrive`: RedriveExecution of the failed pipeline execution of a build (or the given ARN),
 * only when the model says it can help: an execution that runs or succeeded, one Step Functions reports
 * NOT_REDRIVABLE, and one whose redrive would re-enter a `Fail` state are refused with one line that says
 * why and what helps instead (CannotProceed, exit 1), without calling RedriveExecution. On success the
 * output lists what AWS re-runs: the states with an Entered and no Exited event.
 */
export async function redrive(clients: OpsClients, t: ExecutionTarget, options: LocateOptions & { watch?: FollowOptions | false; clock?: Clock; dryRun?: boolean } = {}): Promise<RedriveOutput> {
  const resolved = await resolveExecution(clients, t, options);
  const arn = resolved.arn;
  const d = await describeExecutionOrThrow(clients, arn);
  checkNamedApp(t, d, options.prefix);
  const name = d.name ?? parseExecutionArn(arn)?.name ?? arn;
  const label = 'build' in t ? `build ${t.build} of "${t.app}": ${name}` : name;
  const timeline = buildTimeline(d.status === 'RUNNING' || d.status === 'SUCCEEDED' ? [] : await getFullHistory(clients, arn));
  const assessment = assessRedrive(timeline, d, { now: (options.clock ?? realClock).now(), ...namedBuild(t, d, options.prefix) });
  if (d.status === 'RUNNING' || d.status === 'PENDING_REDRIVE') {
    throw new CannotProceed(`${label} is ${d.status === 'RUNNING' ? 'still running' : 'being redriven'}; nothing to redrive (follow it with ${'build' in t ? `slipway watch ${t.app} ${t.build}` : `slipway status ${arn}`})`);
  }
  const superseded = supersededOf(pipelineOfArn(arn), d);
  if (superseded) throw new CannotProceed(`${label} was ${supersededText(superseded)}: it deployed nothing and there is nothing to redrive${assessment.instead ? ` (${assessment.instead})` : ''}`);
  if (d.status === 'SUCCEEDED') throw new CannotProceed(`${label} succeeded; nothing to redrive${assessment.instead ? ` (${assessment.instead})` : ''}`);
  if (assessment.verdict === 'would-not-help') throw new CannotProceed(`${label} was not redriven: redrive would not help: ${assessment.reason}. Instead: ${assessment.instead}`);
  if (!assessment.possible) throw new CannotProceed(`${label} cannot be redriven: ${assessment.reason}${assessment.instead ? `. Instead: ${assessment.instead}` : ''}`);
  // A dry run (the dashboard's confirmation) stops here: what would be redriven, nothing done.
  const out = options.dryRun ? { redriveDate: (options.clock ?? realClock).now() } : await aws(`Step Functions RedriveExecution ${arn}`, () => clients.sfn.send(new RedriveExecutionCommand({ executionArn: arn })));
  const watched = options.watch && !options.dryRun ? await followExecution(clients, arn, options.watch) : null;
  return {
    pipeline: pipelineOfArn(arn) ?? null,
    arn,
    name: d.name ?? '',
    failedStep: timeline.failure ? stepLabel(timeline.failure.entry, timeline.itemLabels) : null,
    rerun: assessment.rerun,
    rerunLabels: assessment.rerunLabels,
    redriveDate: (out.redriveDate ?? new Date()).toISOString(),
    redriveCount: (d.redriveCount ?? 0) + 1,
    watched,
  };
}

// ---------------------------------------------------------------------------------------------------
// deploy and rollback

interface DeployInput {
  build: Record<string, unknown>;
  processes: { name: string; taskDefinitionArn: string }[];
  deployTimeoutSeconds: number;
}

/** What the deploy state machine needs for a recorded build: the release's input, else the build record. */
async function deployInputFor(clients: OpsClients, target: AppTarget, build: BuildRecord, releaseProcesses?: DeployInput['processes']): Promise<DeployInput> {
  const release = await describeExecution(clients, executionArn(target, 'release', pipelineExecutionName(target.app, build.buildKey, 'release')));
  let fromRelease: Partial<DeployInput> = {};
  try {
    fromRelease = JSON.parse(release?.input ?? '{}') as Partial<DeployInput>;
  } catch {
    /* unreadable input: fall back to the record */
  }
  const processes = releaseProcesses ?? build.releaseProcesses?.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn })) ?? fromRelease.processes;
  if (!processes || processes.length === 0) {
    throw new CannotProceed(`build ${build.buildKey} has no registered task definitions (its build pipeline stopped before "Register task definitions"${build.pipelineError ? `: ${build.pipelineError}` : ''}): nothing to deploy; redrive its build pipeline first (slipway redrive ${target.app} ${build.buildKey})`);
  }
  const deployTimeoutSeconds = typeof fromRelease.deployTimeoutSeconds === 'number' ? fromRelease.deployTimeoutSeconds : target.settings.deployTimeoutSeconds;
  const recorded: Record<string, unknown> = {
    project: build.project,
    buildId: build.buildId,
    buildKey: build.buildKey,
    sortKey: build.sortKey,
    status: build.status,
    commit: build.commit ?? 'unknown',
    image: build.image,
    logLink: build.logLink ?? 'none',
    eventTime: build.eventTime,
  };
  return { build: fromRelease.build && typeof fromRelease.build === 'object' ? fromRelease.build : recorded, processes, deployTimeoutSeconds };
}

/** Options of `deploy` and `rollback`. */
export interface DeployOptions extends LocateOptions {
  readonly clock?: Clock;
  /** Deploy even when a newer build holds the app. */
  readonly force?: boolean;
  readonly watch?: FollowOptions | false;
  /** Check everything and say what would start, without starting it (the dashboard's confirmation). */
  readonly dryRun?: boolean;
}

/** A numbered release to deploy again (`rollback --to v<n>`): its revisions instead of the build's latest. */
interface ReleaseOverride {
  readonly number: number;
  readonly processes: { name: string; taskDefinitionArn: string }[];
}

async function startDeploy(clients: OpsClients, target: AppTarget, build: BuildRecord, kind: 'deploy' | 'rollback', force: boolean, from: string | null, options: DeployOptions, release?: ReleaseOverride): Promise<DeployOutput> {
  if (build.status !== undefined && build.status !== 'SUCCEEDED') throw new CannotProceed(`build ${build.buildKey} of "${target.app}" did not succeed in CodeBuild (${build.status}): there is no image to deploy`);
  if (!build.image || build.image === 'none') throw new CannotProceed(`build ${build.buildKey} of "${target.app}" has no image recorded`);
  const input = await deployInputFor(clients, target, build, release?.processes);
  const clock = options.clock ?? realClock;
  const name = cliExecutionName(target.app, build.buildKey, kind === 'deploy' ? 'redeploy' : 'rollback', clock.now());
  // The shared deploy state machine reads and writes the app's records in the table its input names.
  const body = { app: target.app, table: target.tableName, build: input.build, processes: input.processes, deployTimeoutSeconds: input.deployTimeoutSeconds, force };
  if (options.dryRun) {
    return { app: target.app, kind, build: build.buildKey, from, force, arn: executionArn(target, 'deploy', name), name, startedAt: clock.now().toISOString(), processes: input.processes, watched: null };
  }
  const started = await aws(`Step Functions StartExecution ${target.stateMachines.deploy}`, () =>
    clients.sfn.send(new StartExecutionCommand({ stateMachineArn: target.stateMachines.deploy, name, input: JSON.stringify(body) })),
  ).catch((e: Error) => {
    if (/ExecutionAlreadyExists/.test(e.message)) throw new CannotProceed(`a deploy named ${name} was started a moment ago: wait a second and try again`);
    throw e;
  });
  const arn = started.executionArn ?? executionArn(target, 'deploy', name);
  const watched = options.watch ? await followExecution(clients, arn, options.watch) : null;
  return { app: target.app, kind, build: build.buildKey, from, force, arn, name, startedAt: (started.startDate ?? clock.now()).toISOString(), processes: input.processes, ...(release ? { release: release.number } : {}), watched };
}

/** `slipway deploy <app> --build N`: deploys a recorded build again, without rebuilding. */
export async function deployBuild(clients: OpsClients, app: string, buildArg: string, options: DeployOptions = {}): Promise<DeployOutput> {
  const key = checkBuildKey(buildArg);
  const target = await locateApp(clients, app, options);
  const build = await getBuild(clients, target, key);
  if (!build) throw new NotFound(`build ${key} of app "${app}" is not recorded (see slipway pipelines ${app})`);
  const claim = await getDeployClaim(clients, target);
  if (claim && claim.buildSortKey > build.sortKey && !options.force) {
    throw new CannotProceed(`build ${key} is older than build ${claim.buildKey}, which holds the app: pass --force to deploy it anyway, or use slipway rollback ${app} --to ${key}`);
  }
  const current = await getCurrentRelease(clients, target);
  return startDeploy(clients, target, build, 'deploy', options.force ?? false, current?.buildKey ?? null, options);
}

/** `slipway rollback <app> [--to N|vN]`: deploys the last good release before the current one (or build N, or release vN with its config). */
export async function rollback(clients: OpsClients, app: string, to: string | undefined, options: DeployOptions = {}): Promise<DeployOutput> {
  const target = await locateApp(clients, app, options);
  const current = await getCurrentRelease(clients, target);
  const releaseNumber = to !== undefined ? parseReleaseNumber(to) : undefined;
  if (releaseNumber !== undefined) {
    // A numbered release (slipway releases): its build and the revisions it ran (its config).
    const release = await getRelease(clients, target, releaseNumber);
    if (!release) throw new NotFound(`release v${releaseNumber} of app "${app}" is not recorded (see slipway releases ${app})`);
    if (current?.execution && current.execution === release.execution) throw new CannotProceed(`release v${releaseNumber} is already the current release of "${app}"`);
    const releasedBuild = await getBuild(clients, target, release.buildKey);
    if (!releasedBuild) throw new NotFound(`build ${release.buildKey} of release v${releaseNumber} is no longer recorded`);
    if (release.processes.length === 0) throw new CannotProceed(`release v${releaseNumber} of "${app}" records no task definitions: roll back to its build instead (slipway rollback ${app} --to ${release.buildKey})`);
    return startDeploy(clients, target, releasedBuild, 'rollback', true, current?.buildKey ?? null, options, { number: release.number, processes: release.processes.map((p) => ({ name: p.process, taskDefinitionArn: p.taskDefinitionArn })) });
  }
  let build: BuildRecord | undefined;
  if (to !== undefined) {
    const key = checkBuildKey(to);
    build = await getBuild(clients, target, key);
    if (!build) throw new NotFound(`build ${key} of app "${app}" is not recorded (see slipway pipelines ${app})`);
    if (!build.releasedAt) throw new CannotProceed(`build ${key} was never released successfully, so it is not a known-good release: deploy it on purpose with slipway deploy ${app} --build ${key} --force`);
    if (current && current.buildKey === build.buildKey) throw new CannotProceed(`build ${key} is already the current release of "${app}"`);
  } else {
    if (!current) throw new CannotProceed(`app "${app}" has no release yet: nothing to roll back`);
    [build] = await recentBuilds(clients, target, 1, { before: current.buildSortKey || buildSortKey(current.buildKey), releasedOnly: true });
    if (!build) throw new CannotProceed(`app "${app}" has no release before build ${current.buildKey}: nothing to roll back to`);
  }
  return startDeploy(clients, target, build, 'rollback', true, current?.buildKey ?? null, options);
}

// ---------------------------------------------------------------------------------------------------
// watch

const STAGE_MARK: Record<string, string> = { SUCCEEDED: '✓', FAILED: '✗', TIMED_OUT: '✗', ABORTED: '✗', RUNNING: '…', PENDING_REDRIVE: '…' };

/** How often `watch` looks for a build pipeline that failed before it recorded the build. */
export const WATCH_SEARCH_INTERVAL_MS = 300_000;

/** `slipway watch <app> [build]`: follows a build through build, release and deploy. */
export async function watchPipeline(clients: OpsClients, app: string, buildArg: string | undefined, options: LocateOptions & FollowOptions = {}): Promise<WatchOutput> {
  const clock = options.clock ?? realClock;
  const target = await locateApp(clients, app, options);
  let key = buildArg !== undefined ? checkBuildKey(buildArg) : undefined;
  if (key === undefined) {
    const [latest] = await recentBuilds(clients, target, 1);
    if (!latest) throw new NotFound(`app "${app}" has no recorded builds yet: push a commit, or name a build number`);
    key = latest.buildKey;
  }
  const deadline = clock.now().getTime() + (options.timeoutMs ?? 2 * 3_600_000);
  let last = '';
  let nextSearch = clock.now().getTime();
  const empty: Executions = { build: null, release: null, deploy: null };
  for (;;) {
    const build = await getBuild(clients, target, key);
    let executions = empty;
    let detail = '';
    let outcome: WatchOutput['outcome'] | undefined;
    let message = '';
    if (build) {
      const described = await describeExecutions(clients, target, build, false);
      executions = described.refs;
      const running = PIPELINES.find((p) => described.raw[p]?.status === 'RUNNING');
      if (running) detail = ` — ${await progressOf(clients, described.raw[running]?.executionArn as string, described.raw[running] as DescribeExecutionCommandOutput, clock.now())}`;
      const failed = PIPELINES.find((p) => isFailed(described.raw[p]?.status));
      if (executions.deploy?.superseded) {
        outcome = 'not-deployed';
        message = `build ${key} of "${app}" was not deployed: its deploy was ${supersededText(executions.deploy.superseded)} (nothing to redrive; to deploy it on purpose: slipway deploy ${app} --build ${key} --force)`;
      } else if (executions.deploy?.status === 'SUCCEEDED') {
        outcome = 'deployed';
        message = `build ${key} of "${app}" is deployed`;
      } else if (failed) {
        const full = await describeExecutions(clients, target, build, true);
        executions = full.refs;
        const ref = executions[failed] as ExecutionRef;
        outcome = 'failed';
        const timeline = full.timelines[failed];
        const assessment = timeline ? assessRedrive(timeline, full.raw[failed], { now: clock.now(), app, build: key }) : undefined;
        const next =
          !assessment || assessment.possible
            ? `after fixing the cause: slipway redrive ${app} ${key}`
            : assessment.verdict === 'would-not-help'
              ? `redrive would not help: ${assessment.reason}; instead: ${assessment.instead}`
              : `it cannot be redriven: ${assessment.reason}${assessment.instead ? `; instead: ${assessment.instead}` : ''}`;
        message = `the ${failed} pipeline of build ${key} failed${ref.failedStep ? ` at "${ref.failedStep}"` : ''}: ${ref.error ?? 'no error'}${ref.cause ? ` — ${summariseCause(ref.cause, { max: 300, error: ref.error })}` : ''}. Details: slipway status ${app} ${key}; ${next}`;
      } else if (build.status && build.status !== 'SUCCEEDED' && build.status !== 'IN_PROGRESS' && executions.build?.status === 'SUCCEEDED') {
        outcome = 'build-failed';
        message = `CodeBuild build ${key} ended ${build.status}: nothing to deploy.${build.logLink && build.logLink !== 'none' ? ` Build logs: ${build.logLink}` : ''}`;
      } else if (build.status === 'SUCCEEDED' && executions.build?.status === 'SUCCEEDED' && !executions.release) {
        outcome = 'not-deployed';
        message = `the build pipeline of build ${key} finished without starting a release (a duplicate or ignored event?): see slipway status ${executions.build.arn}`;
      } else if (executions.release?.status === 'SUCCEEDED' && !executions.deploy) {
        outcome = 'not-deployed';
        message = `the release of build ${key} finished without starting a deploy: see slipway status ${executions.release.arn}`;
      }
    } else if (clock.now().getTime() >= nextSearch) {
      // A build pipeline that failed before "Record the build" leaves nothing in the app's table: look
      // for it among the shared build state machine's failed executions, at the start and every 5 minutes
      // (each look may describe up to UNRECORDED_BUILD_SEARCH executions).
      nextSearch = clock.now().getTime() + WATCH_SEARCH_INTERVAL_MS;
      const unrecorded = await findUnrecordedBuildExecution(clients, target, key);
      if (unrecorded?.executionArn) {
        const ref = executionRef('build', unrecorded, buildTimeline(await getFullHistory(clients, unrecorded.executionArn)));
        executions = { build: ref, release: null, deploy: null };
        outcome = 'failed';
        message = `the build pipeline of build ${key} failed before it recorded the build${ref.failedStep ? ` at "${ref.failedStep}"` : ''}: ${ref.error ?? 'no error'}${ref.cause ? ` — ${summariseCause(ref.cause, { max: 300, error: ref.error })}` : ''}. Details: slipway status ${app} ${key}; after fixing the cause: slipway redrive ${app} ${key}`;
      }
    }
    const stages = PIPELINES.map((p) => {
      const ref = executions[p];
      if (!ref) return `${p} ·`;
      const d = ref.durationSeconds ?? seconds(new Date(ref.startedAt), clock.now());
      return `${p} ${STAGE_MARK[ref.status] ?? '?'} ${formatDuration(d)}`;
    }).join('  ');
    const codebuild = build ? (build.status === 'IN_PROGRESS' ? ' (CodeBuild building)' : '') : ' (waiting for CodeBuild)';
    const line = `build ${key}${codebuild}  ${stages}${outcome ? '' : detail}`;
    if (line !== last) options.onProgress?.(line);
    last = line;
    if (outcome) return { app, build: key, outcome, message, executions };
    if (clock.now().getTime() >= deadline) return { app, build: key, outcome: 'timed-out', message: `stopped watching build ${key} after ${formatDuration((options.timeoutMs ?? 7_200_000) / 1000)}; the pipeline goes on`, executions };
    await clock.sleep(options.intervalMs ?? 5000);
  }
}

// ---------------------------------------------------------------------------------------------------
// human output

const short = (iso: string | null) => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-');

function cell(ref: ExecutionRef | null): string {
  if (!ref) return '-';
  if (ref.superseded) return `${supersededText(ref.superseded)} ${formatDuration(ref.durationSeconds)}`;
  const base = `${ref.status} ${formatDuration(ref.durationSeconds)}`;
  return ref.failedStep ? `${base} at "${escapeForTerminal(ref.failedStep)}"` : base;
}

/** Human output of `pipelines`. */
export function renderPipelines(out: PipelinesOutput): string {
  if (out.builds.length === 0) return `no builds recorded for ${out.app} (${out.region}, account ${out.account})`;
  const header = ['BUILD', 'STARTED', 'CODEBUILD', 'COMMIT', 'BUILD PIPELINE', 'RELEASE', 'DEPLOY'];
  const rows = out.builds.map((b) => [
    `${b.build}${b.current ? ' *' : ''}`,
    short(b.executions.build?.startedAt ?? b.eventTime),
    b.codeBuildStatus ?? '-',
    (b.commit ?? '-').slice(0, 8),
    cell(b.executions.build),
    cell(b.executions.release),
    cell(b.executions.deploy),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const failures = out.builds.flatMap((b) =>
    PIPELINES.map((p) => b.executions[p]).filter((r): r is ExecutionRef => r !== null && isFailed(r.status)).map((r) => `  build ${b.build} ${r.pipeline}: ${escapeForTerminal(r.error ?? '')}${r.cause ? ` — ${escapeForTerminal(summariseCause(r.cause, { max: 200, error: r.error }))}` : ''}`),
  );
  return [
    `${out.app} (${out.region}, account ${out.account}); current release: ${out.currentRelease ?? 'none'} (*)`,
    line(header),
    ...rows.map(line),
    ...(failures.length > 0 ? ['', 'failures:', ...failures] : []),
  ].join('\n');
}

/** Human output of `status`. */
export function renderStatus(out: StatusOutput): string {
  const e = out.execution;
  const lines = [
    `${escapeForTerminal(e.name)} (${e.pipeline ?? 'execution'}): ${e.status}, started ${short(e.startedAt)}, ${e.stoppedAt ? `took ${formatDuration(e.durationSeconds)}` : 'running'}${e.redriveCount > 0 ? `, redriven ${e.redriveCount}×` : ''}`,
    `console: ${escapeForTerminal(e.consoleLink)}`,
    '',
    ...renderSteps(out.steps, { causes: false }),
  ];
  if (out.failure) {
    const f = out.failure;
    const where = f.iteration.length > 0 ? ` (${escapeForTerminal(whereLabel(f.iteration))})` : '';
    lines.push('', `failed at: ${escapeForTerminal(f.state)}${where}${f.at ? `, ${short(f.at)}` : ''}`, `error: ${escapeForTerminal(f.error)}`, `cause: ${escapeForTerminal(f.summary)}`);
    if (f.executionError && f.executionError !== f.error) lines.push(`execution error: ${escapeForTerminal(f.executionError)}${f.executionCause && f.executionCause !== f.cause ? ` — ${escapeForTerminal(summariseCause(f.executionCause, { error: f.executionError }))}` : ''}`);
    lines.push(`logs: ${f.logLink ? escapeForTerminal(f.logLink) : 'no log link (see the console)'}`);
  }
  if (e.superseded) lines.push('', `${supersededText(e.superseded)}: nothing was deployed, and there is nothing to redrive${out.redrive.instead ? ` (${escapeForTerminal(out.redrive.instead)})` : ''}`);
  if (e.status !== 'RUNNING' && e.status !== 'SUCCEEDED') lines.push(...renderRedriveVerdict(out.redrive, `slipway redrive ${e.arn}`));
  return lines.join('\n');
}

/** Human output of `redrive`. */
export function renderRedrive(out: RedriveOutput): string {
  const rerun = renderRerun(out.rerun);
  const head = `redrove ${escapeForTerminal(out.name)} (${out.pipeline ?? 'execution'}, redrive ${out.redriveCount}) at ${short(out.redriveDate)}: Step Functions re-runs ${rerun || 'the states still open'}\nconsole: ${executionConsoleLink(out.arn)}`;
  if (!out.watched) return head;
  // A redriven build or release starts the next pipeline itself: say how to follow it.
  const m = out.name.endsWith('-release') ? appAndBuildOf(out.name) : {};
  const next = out.watched.status === 'SUCCEEDED' && out.pipeline !== 'deploy' ? (m.app && m.build ? `\nthe deploy goes on: slipway watch ${escapeForTerminal(m.app)} ${m.build}` : '\nthe next pipeline goes on: slipway pipelines <app>') : '';
  return `${head}\n${renderWatched(out.watched)}${next}`;
}

function renderWatched(w: NonNullable<RedriveOutput['watched']>): string {
  if (w.timedOut) return 'stopped watching: still running';
  return `${w.status} after ${formatDuration(w.durationSeconds)}${w.error ? `: ${escapeForTerminal(w.error)}${w.cause ? ` — ${escapeForTerminal(summariseCause(w.cause, { error: w.error }))}` : ''}` : ''}`;
}

/** Human output of `deploy` and `rollback`. */
export function renderDeploy(out: DeployOutput): string {
  const what = out.kind === 'rollback' ? `rolling back ${out.app} from build ${out.from ?? '?'} to build ${out.build}` : `deploying build ${out.build} of ${out.app}${out.from ? ` (current: ${out.from})` : ''}`;
  const lines = [`${what}${out.force ? ' (forced)' : ''}: started ${out.name}`, `processes: ${out.processes.map((p) => `${p.name} -> ${p.taskDefinitionArn.slice(p.taskDefinitionArn.lastIndexOf('/') + 1)}`).join(', ')}`, `console: ${executionConsoleLink(out.arn)}`];
  if (out.watched) lines.push(renderWatched(out.watched));
  return lines.join('\n');
}

/** Human output of `watch` (the final line; progress lines are printed while it runs). */
export function renderWatch(out: WatchOutput): string {
  return escapeForTerminal(out.message);
}

/** Exit code of a finished `--watch`: 0 if it succeeded. */
export function watchedExit(w: RedriveOutput['watched']): number {
  return !w || w.status === 'SUCCEEDED' ? 0 : 1;
}
