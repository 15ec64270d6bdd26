/**
 * Pure decisions of execution-status: which events matter, whether one is newer than what was already
 * processed, which state failed (from the execution history), and what the failure record and the
 * milestone event say. No AWS calls here.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { buildKeysOf } from '../../domain/table';
import type { Milestone, StateMachineName } from '../../domain/pipelines';
import { FAILED_STATUSES, statesToRedrive, type ExecutionStatus, type StateVisit } from '../../domain/executions';
import { judgeError, type ReleaseContext } from '../shared/release-verdict';

/** One status change of one execution, from the event (or, in the sweep, from DescribeExecution). */
export interface StatusFacts {
  readonly executionArn: string;
  readonly pipeline: StateMachineName;
  readonly status: ExecutionStatus;
  readonly redriveCount: number;
  /** The execution's input (a JSON string), when the event included it. */
  readonly input?: string;
  readonly error?: string;
  readonly cause?: string;
  /** The execution's output (a JSON string), when it succeeded and the event included it. */
  readonly output?: string;
  /** When the execution stopped (epoch ms), else when the event was sent. */
  readonly at: number;
}

/** What to do with a status change. */
export type StatusAction = { readonly kind: 'failure' } | { readonly kind: 'redriven' } | { readonly kind: 'recovered' } | { readonly kind: 'ignore'; readonly reason: string };

/** Decides what a status change means; first starts and plain successes are not the bookkeeping's business. */
export function actionFor(facts: Pick<StatusFacts, 'status' | 'redriveCount'>): StatusAction {
  if (FAILED_STATUSES.has(facts.status)) return { kind: 'failure' };
  if (facts.status === 'RUNNING' && facts.redriveCount > 0) return { kind: 'redriven' };
  if (facts.status === 'SUCCEEDED' && facts.redriveCount > 0) return { kind: 'recovered' };
  return { kind: 'ignore', reason: `${facts.status} with redrive count ${facts.redriveCount} needs no bookkeeping` };
}

/**
 * Orders the status changes of one execution: attempt n (redrive count n) runs, then ends; the next
 * redrive runs as attempt n+1. A change whose rank is not above the one processed last is a duplicate
 * or arrived out of order, and changes nothing.
 */
export function rankOf(facts: Pick<StatusFacts, 'status' | 'redriveCount'>): number {
  return facts.redriveCount * 2 + (facts.status === 'RUNNING' ? 0 : 1);
}

/** Where and how an execution failed, as the history shows it. */
export interface HistoryFailure {
  /** The state that failed: the latest state with an Entered event and no Exited event (AWS redrives it). */
  readonly failedStep?: string;
  /** Index of the failed Map iteration, if the failure was inside one. */
  readonly iteration?: number;
  readonly error?: string;
  readonly cause?: string;
}

const ENTERED = /StateEntered$/;
const EXITED = /StateExited$/;

/**
 * Reads the failed state out of the last events of an execution history, newest first
 * (`GetExecutionHistory` with `reverseOrder`): the newest of the states AWS would redrive (an Entered
 * event and no Exited event, domain/executions.ts statesToRedrive; see test/fixtures/aws-histories/README.md),
 * which is the innermost step that failed. Each Exited event closes the latest open visit of its state.
 */
export function failureFromHistory(eventsNewestFirst: readonly HistoryEvent[]): HistoryFailure {
  const visits: { -readonly [K in keyof StateVisit]: StateVisit[K] }[] = [];
  let redrive = 0;
  let iteration: number | undefined;
  let error: string | undefined;
  let cause: string | undefined;
  for (const e of [...eventsNewestFirst].reverse()) {
    const type = e.type ?? '';
    if (type === 'ExecutionFailed') {
      error = e.executionFailedEventDetails?.error ?? error;
      cause = e.executionFailedEventDetails?.cause ?? cause;
    }
    if (type === 'ExecutionRedriven') redrive += 1;
    if (type === 'MapIterationFailed') iteration = e.mapIterationFailedEventDetails?.index ?? iteration;
    if (ENTERED.test(type)) visits.push({ scope: { key: '' }, name: e.stateEnteredEventDetails?.name ?? '', exited: false, redrive });
    else if (EXITED.test(type)) {
      const name = e.stateExitedEventDetails?.name ?? '';
      const open = visits.findLast((v) => v.name === name && !v.exited);
      if (open) open.exited = true;
    }
  }
  return { failedStep: statesToRedrive(visits).at(-1)?.name, iteration, error, cause };
}

/** A Lambda function error's Cause is `{"errorType", "errorMessage", "trace"}`: the message is what a person reads. */
export function readableCause(cause: string | undefined): string | undefined {
  if (!cause) return cause;
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (parsed && typeof parsed === 'object' && typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string') return (parsed as { errorMessage: string }).errorMessage;
  } catch {
    /* a plain message */
  }
  return cause;
}

/** The first CloudWatch console link in a cause, if any. */
export function logLinkIn(text: string | undefined): string | undefined {
  return text ? /https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\/cloudwatch\/\S+/.exec(text)?.[0]?.replace(/[.,;)]+$/, '') : undefined;
}

/** The build an execution works on: release and deploy carry it in `build`; build gets the CodeBuild event. */
export interface BuildKeys {
  readonly buildKey: string;
  readonly sortKey: string;
}

function object(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Parses an execution's input (a JSON string) into an object, or undefined. */
export function parseExecutionInput(input: string | undefined): Record<string, unknown> | undefined {
  if (!input) return undefined;
  try {
    return object(JSON.parse(input));
  } catch {
    return undefined;
  }
}

/** The build keys of an execution of `pipeline`, from its input; undefined when the input does not say. */
export function buildKeysFromInput(pipeline: StateMachineName, input: Record<string, unknown> | undefined): BuildKeys | undefined {
  if (!input) return undefined;
  if (pipeline === 'release' || pipeline === 'deploy') {
    const build = object(input.build);
    return typeof build?.buildKey === 'string' && typeof build.sortKey === 'string' ? { buildKey: build.buildKey, sortKey: build.sortKey } : undefined;
  }
  if (pipeline === 'build') {
    const detail = object(input.detail);
    const info = object(detail?.['additional-information']);
    const id = detail?.['build-id'];
    const n = info?.['build-number'];
    if (typeof id !== 'string' || !id) return undefined;
    return buildKeysOf(typeof n === 'number' && Number.isInteger(n) ? n : undefined, id);
  }
  return undefined;
}

/** The failure as it is recorded on the build and announced. */
export interface FailureRecord {
  /** The named error (`ReleaseFailed` for a release task that failed, whatever name AWS gave it). */
  readonly error: string;
  readonly cause: string;
  readonly failedStep?: string;
  /** The process type of the failed Map iteration (deploy). */
  readonly process?: string;
  readonly logLink?: string;
  /** The error as AWS named it, when it was translated (`States.TaskFailed` from `ecs:runTask.sync`). */
  readonly awsError?: string;
}

/** Errors `ecs:runTask.sync` fails with: the stopped task (JSON) or RunTask's failures in the cause. */
const ECS_TASK_ERRORS = new Set(['States.TaskFailed', 'AmazonECS.Unknown', 'ECS.AmazonECSException']);

function releaseContext(input: Record<string, unknown> | undefined, region: string): ReleaseContext | undefined {
  const release = object(input?.release);
  if (!release || typeof release.containerName !== 'string' || typeof release.logGroup !== 'string') return undefined;
  const essential = Array.isArray(release.essentialContainers) ? release.essentialContainers.filter((c): c is string => typeof c === 'string') : [];
  return { containerName: release.containerName, essentialContainers: essential, logGroup: release.logGroup, region: typeof release.region === 'string' ? release.region : region };
}

/**
 * What is recorded and announced for a failed execution: the error and cause from the event (else the
 * history), the failed step, and for a release task that ECS reported as failed (`States.TaskFailed`,
 * whose cause is the stopped task) the same verdict "Judge the release task" gives: ReleaseFailed with
 * the container, exit code or start failure, and the log link.
 */
export function describeFailure(facts: StatusFacts, history: HistoryFailure, input: Record<string, unknown> | undefined, region: string): FailureRecord {
  const fallback = facts.status === 'TIMED_OUT' ? 'States.Timeout' : facts.status === 'ABORTED' ? 'ExecutionAborted' : 'UnknownError';
  const error = facts.error ?? history.error ?? fallback;
  const rawCause = facts.cause ?? history.cause;
  const processes = Array.isArray(input?.processes) ? (input.processes as unknown[]) : [];
  const process = history.iteration !== undefined ? object(processes[history.iteration])?.name : undefined;
  const where = { failedStep: history.failedStep, ...(typeof process === 'string' ? { process } : {}) };
  if (facts.pipeline === 'release' && ECS_TASK_ERRORS.has(error)) {
    const ctx = releaseContext(input, region);
    if (ctx) {
      const verdict = judgeError({ Error: error, Cause: rawCause }, ctx);
      return { error: 'ReleaseFailed', cause: verdict.cause ?? String(rawCause ?? ''), ...where, ...(verdict.logLink ? { logLink: verdict.logLink } : {}), awsError: error };
    }
  }
  const cause =
    readableCause(rawCause) ??
    (facts.status === 'ABORTED' ? 'the execution was stopped (StopExecution or the console)' : facts.status === 'TIMED_OUT' ? "the execution ran longer than the state machine's TimeoutSeconds" : 'no cause was recorded');
  const logLink = logLinkIn(cause);
  return { error, cause, ...where, ...(logLink ? { logLink } : {}) };
}

/** The milestone a failure of `pipeline` is announced as: the state machines put none for a failure, execution-status does. */
export function failureMilestone(pipeline: StateMachineName, error: string): Milestone | undefined {
  switch (pipeline) {
    case 'build':
      return 'Build Failed';
    case 'release':
      return 'Release Failed';
    case 'deploy':
      return error === 'DeploymentRolledBack' ? 'Deploy Rolled Back' : 'Deploy Failed';
    default:
      return undefined;
  }
}

/** The milestone a redrive of `pipeline` is announced as. */
export function redriveMilestone(pipeline: StateMachineName): Milestone | undefined {
  switch (pipeline) {
    case 'build':
      return 'Build Redriven';
    case 'release':
      return 'Release Redriven';
    case 'deploy':
      return 'Deploy Redriven';
    default:
      return undefined;
  }
}

