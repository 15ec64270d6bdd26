/**
 * Facts about Step Functions executions that the handlers (execution-status, check-release-task), the
 * CLI (lib/ops) and the local runner (lib/local) share: the statuses, the history quota, the redrive
 * window, AWS's redrive rule, how an ECS task is read out of a failure's cause, and which app and build an
 * execution's input is about. Pure: no AWS client.
 */

import type { JsonObject } from './json';
import { APP_NAME, appOfParameter, appOfProject } from './names';
import { buildKeysOf } from './table';

/** Execution statuses (DescribeExecution's status enum, and a "Step Functions Execution Status Change" event's). */
export const EXECUTION_STATUSES = ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

/** The statuses that end an execution badly: its failure is recorded, announced, and it may be redriven. */
export const FAILED_STATUSES: ReadonlySet<ExecutionStatus> = new Set(['FAILED', 'TIMED_OUT', 'ABORTED']);

/** Whether `status` ends an execution badly ({@link FAILED_STATUSES}). */
export function isFailedStatus(status: string): boolean {
  return FAILED_STATUSES.has(status as ExecutionStatus);
}

/**
 * A Standard execution's history holds at most 25,000 events ("Maximum execution history size: 25,000
 * events", Step Functions service quotas; the execution fails when it reaches it), and RedriveExecution
 * refuses an execution whose history has more than 24,999 events (API Reference, RedriveExecution).
 */
export const EXECUTION_HISTORY_LIMIT = 25_000;

/**
 * Step Functions redrives an execution only within 14 days of when it closed: "The redrivable period for
 * the execution hasn't exceeded 14 days. Redrivable period refers to the time during which you can
 * redrive a given execution. This period starts from the day a state machine completes its execution"
 * (RedriveExecution, AWS Step Functions API Reference). DescribeExecution then says NOT_REDRIVABLE with
 * `redriveStatusReason` "Execution redrivable period exceeded."
 */
export const REDRIVE_WINDOW_DAYS = 14;

// ---------------------------------------------------------------------------------------------------
// the redrive rule

/** One time a state was entered, as a history shows it. */
export interface StateVisit {
  /** Where it ran: the top level (`''`) or a Map iteration's key. */
  readonly scope: { readonly key: string };
  readonly name: string;
  /** The history has this visit's `...StateExited` event. */
  readonly exited: boolean;
  /** 0 for the first run, n for a visit after the n-th redrive. */
  readonly redrive: number;
}

/**
 * The states a redrive re-runs, by AWS's rule: every state with a `...StateEntered` event and no
 * `...StateExited` event. AWS documents it for the parent of a Map Run ("A parent workflow redrives
 * unsuccessful states if there's no `<stateType>Exited` event corresponding to the `<stateType>Entered`
 * event", docs.aws.amazon.com/step-functions/latest/dg/redrive-map-run.html), and for inline Map and
 * Parallel states RedriveExecution "reschedules and redrives only the iterations and branches that failed
 * or aborted" (API reference, RedriveExecution): the open states inside those iterations (recorded
 * histories: test/fixtures/aws-histories/README.md). A state of an earlier attempt that a later redrive
 * entered again, in the same scope, is not counted twice. In history order; the caller decides whether
 * the execution is one that can be redriven at all (not RUNNING, not SUCCEEDED).
 */
export function statesToRedrive<V extends StateVisit>(visits: readonly V[]): V[] {
  const latest = new Map<string, number>();
  const key = (v: StateVisit) => `${v.scope.key}\u0000${v.name}`;
  for (const v of visits) latest.set(key(v), Math.max(latest.get(key(v)) ?? 0, v.redrive));
  return visits.filter((v) => !v.exited && v.redrive >= (latest.get(key(v)) ?? 0));
}

// ---------------------------------------------------------------------------------------------------
// causes

/** Step Functions returns ECS objects in PascalCase (`Containers`, `StopCode`); the ECS API in camelCase. Reads either. */
export function ecsField(obj: JsonObject | undefined, name: string): unknown {
  if (!obj) return undefined;
  if (name in obj) return obj[name];
  return obj[name[0].toUpperCase() + name.slice(1)];
}

/** A failure's cause as the JSON object it holds, or undefined (plain text, other JSON, not a string). */
export function jsonObjectOfCause(cause: unknown): JsonObject | undefined {
  if (typeof cause !== 'string' || !cause.trimStart().startsWith('{')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(cause);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  return parsed as JsonObject;
}

/**
 * The stopped ECS task in a failure's cause, as the JSON object Step Functions put there, or undefined.
 * For `ecs:runTask.sync`, a failed task's `States.TaskFailed` cause is the JSON of the final ECS task
 * object (PascalCase, not wrapped in `Tasks[]`; recorded: test/fixtures/aws-histories/06b-ecs-runtask-sync-failure.json).
 * An object counts as a task when it has a `containers` list or a `taskArn`; plain messages, other JSON
 * (a Lambda's `{"errorType", "errorMessage"}`, arrays) and non-strings are not tasks.
 */
export function ecsTaskObjectOfCause(cause: unknown): JsonObject | undefined {
  const task = jsonObjectOfCause(cause);
  if (!task) return undefined;
  return Array.isArray(ecsField(task, 'containers')) || ecsField(task, 'taskArn') !== undefined ? task : undefined;
}

/**
 * The app of an execution of a shared state machine, from its input: `app` where the input carries it
 * (release, deploy, schedules started by Slipway or the CLI), else the AWS event that started it
 * (CodeBuild `detail.project-name`, Parameter Store `detail.name`, a milestone's `detail.app`).
 * Undefined when the input names no app of this prefix.
 */
export function appOfExecutionInput(prefix: string, input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as Record<string, unknown>;
  if (typeof i.app === 'string') return APP_NAME.test(i.app) ? i.app : undefined;
  const detail = (typeof i.detail === 'object' && i.detail !== null ? i.detail : {}) as Record<string, unknown>;
  if (i.source === 'aws.codebuild' && typeof detail['project-name'] === 'string') return appOfProject(prefix, detail['project-name']);
  if (i.source === 'aws.ssm' && typeof detail.name === 'string') return appOfParameter(prefix, detail.name);
  if (typeof detail.app === 'string') return APP_NAME.test(detail.app) ? detail.app : undefined;
  return undefined;
}

/**
 * The build an execution's input is about, as the build pipeline keys it: a release or deploy input's
 * `build.buildKey`; a CodeBuild event's build number (`detail.additional-information.build-number`),
 * else the uuid of its `detail.build-id` ({@link buildKeysOf}). Undefined when the input names no build.
 */
export function buildOfExecutionInput(input: unknown): string | undefined {
  const record = (v: unknown) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
  const i = record(input);
  if (!i) return undefined;
  const key = record(i.build)?.buildKey;
  if (typeof key === 'string') return key;
  const detail = record(i.detail);
  if (i.source !== 'aws.codebuild' || !detail) return undefined;
  const number = record(detail['additional-information'])?.['build-number'];
  const buildNumber = typeof number === 'number' ? number : typeof number === 'string' && /^\d+$/.test(number) ? Number(number) : undefined;
  const buildId = typeof detail['build-id'] === 'string' ? detail['build-id'] : undefined;
  return buildNumber !== undefined || buildId ? buildKeysOf(buildNumber, buildId ?? '').buildKey : undefined;
}
