import { ABAC_SHORT_HINT, isAppTableAccessDenied } from '../../domain/abac';
import { ecsField as field, ecsTaskObjectOfCause, jsonObjectOfCause } from '../../domain/executions';
import type { JsonObject } from '../../domain/json';

/**
 * A failure's cause for people: an `ecs:runTask.sync` `States.TaskFailed` cause (the JSON of the
 * stopped ECS task) as one line with exit code, container, stop code and reason; placement failures; a
 * Lambda error's cause without the repeated error name.
 */

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** What a stopped ECS task (an `ecs:runTask.sync` cause) says, read from the task's JSON. */
export interface EcsTaskOutcome {
  readonly taskArn?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers: readonly { name: string; exitCode?: number; reason?: string }[];
}

/**
 * Reads the stopped ECS task out of a cause: for `ecs:runTask.sync`, a failed task's `States.TaskFailed`
 * cause is the JSON of the final ECS task object (PascalCase, not wrapped in `Tasks[]`; recorded:
 * test/fixtures/aws-histories/06b-ecs-runtask-sync-failure.json). Undefined for anything else.
 */
export function ecsTaskOfCause(cause: string | undefined | null): EcsTaskOutcome | undefined {
  const task = ecsTaskObjectOfCause(cause);
  if (!task) return undefined;
  const containers = field(task, 'containers');
  return {
    taskArn: str(field(task, 'taskArn')),
    stopCode: str(field(task, 'stopCode')),
    stoppedReason: str(field(task, 'stoppedReason')),
    containers: (Array.isArray(containers) ? containers : []).filter((c): c is JsonObject => Boolean(c) && typeof c === 'object').map((c) => {
      const exit = field(c, 'exitCode');
      return { name: str(field(c, 'name')) ?? '(unnamed)', ...(typeof exit === 'number' ? { exitCode: exit } : {}), ...(str(field(c, 'reason')) ? { reason: str(field(c, 'reason')) } : {}) };
    }),
  };
}

/** One line for a stopped ECS task: which container exited how, the stop code and reason. */
export function describeEcsTask(task: EcsTaskOutcome, options: { logLink?: string | null } = {}): string {
  const id = task.taskArn ? task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1) : undefined;
  const exited = task.containers.filter((c) => c.exitCode !== undefined);
  const failedContainers = exited.filter((c) => c.exitCode !== 0);
  let what: string;
  if (task.stopCode === 'TaskFailedToStart' || exited.length === 0) {
    what = `the ECS task${id ? ` ${id}` : ''} failed to start${task.containers.length > 0 ? ` (container${task.containers.length > 1 ? 's' : ''} ${task.containers.map((c) => `"${c.name}"`).join(', ')} never ran)` : ''}`;
  } else if (failedContainers.length > 0) {
    what = `container ${failedContainers.map((c) => `"${c.name}" exited with code ${c.exitCode}${c.reason ? ` (${flat(c.reason)})` : ''}`).join(', ')} in ECS task${id ? ` ${id}` : ''}`;
  } else {
    what = `the ECS task${id ? ` ${id}` : ''} stopped (every container exited 0)`;
  }
  const stop = task.stopCode || task.stoppedReason ? `; stop code ${task.stopCode ?? 'none'}${task.stoppedReason ? `: ${flat(task.stoppedReason)}` : ''}` : '';
  const logs = options.logLink ? `; logs: ${options.logLink}` : '';
  return `${what}${stop}${logs}`;
}

/**
 * A cause in one line a person can read: an ECS task's JSON (`ecs:runTask.sync`) becomes exit code,
 * container, stop code and reason ({@link describeEcsTask}); a Lambda error document
 * (`{"errorType", "errorMessage", "trace"}`) becomes `errorType: errorMessage`; anything else is
 * flattened to one line and cut at `max` characters. Not escaped for a terminal: callers printing it do
 * that ({@link ../ops/terminal}).
 */
export function summariseCause(cause: string | undefined | null, options: { logLink?: string | null; max?: number; error?: string | null } = {}): string | null {
  if (cause === undefined || cause === null || cause === '') return null;
  const max = options.max ?? 600;
  const task = ecsTaskOfCause(cause);
  if (task) return describeEcsTask(task, options);
  const placement = placementFailuresOfCause(cause);
  if (placement) return describePlacementFailures(placement).slice(0, max);
  let text = flat(cause);
  if (cause.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
      if (parsed && typeof parsed.errorMessage === 'string') text = flat(`${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`);
    } catch {
      /* not JSON */
    }
  }
  text = withoutErrorName(text, options.error);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // A denied app table says where to look (the handlers' AppTableAccessDenied carries the long hint; a DynamoDB Task state's error does not).
  return isAppTableAccessDenied(options.error, cause) && !cut.includes('slipway doctor') ? `${cut} — ${ABAC_SHORT_HINT}` : cut;
}

/**
 * A cause without the error name it starts with, when that name is printed beside it already: a
 * Lambda's error document reads `InvalidInput: <message>`, and `error: cause` would say `InvalidInput:
 * InvalidInput: <message>`. Repeated prefixes (a message that itself starts with the name) go too.
 */
export function withoutErrorName(text: string, error: string | null | undefined): string {
  if (!error) return text;
  let out = text;
  while (out.startsWith(`${error}: `)) out = out.slice(error.length + 2);
  return out.length > 0 ? out : text;
}

/** One placement failure of RunTask (`failures[]` of the response: the task definition or container instance, and why). */
export interface PlacementFailure {
  readonly arn?: string;
  readonly reason: string;
  readonly detail?: string;
}

/**
 * Reads RunTask's `failures` out of a cause: when ECS places no task, RunTask answers with
 * `failures[]` (`arn`, `reason`, `detail`) and no task, and the `ecs:runTask` integration fails the
 * state with that response as the Cause (PascalCase `Failures`, as Step Functions serialises ECS
 * objects). Undefined for anything else.
 */
export function placementFailuresOfCause(cause: string | undefined | null): PlacementFailure[] | undefined {
  const parsed = jsonObjectOfCause(cause);
  if (!parsed) return undefined;
  const failures = field(parsed, 'failures');
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  return failures
    .filter((f): f is JsonObject => Boolean(f) && typeof f === 'object')
    .map((f) => ({ ...(str(field(f, 'arn')) ? { arn: str(field(f, 'arn')) } : {}), reason: str(field(f, 'reason')) ?? 'no reason given', ...(str(field(f, 'detail')) ? { detail: str(field(f, 'detail')) } : {}) }));
}

/**
 * What a placement failure reason means, from the Amazon ECS Developer Guide's "API failure reasons"
 * (docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
 */
const PLACEMENT_REASONS: Readonly<Record<string, string>> = {
  'RESOURCE:CPU': 'no capacity with enough free CPU',
  'RESOURCE:MEMORY': 'no capacity with enough free memory',
  'RESOURCE:ENI': 'no free elastic network interface (awsvpc) on the capacity',
  'RESOURCE:GPU': 'no capacity with enough free GPUs',
  'RESOURCE:PORTS': 'the ports the task needs are taken',
  AGENT: 'the container instance\'s agent is disconnected',
  ATTRIBUTE: 'no container instance has an attribute the task needs',
  MISSING: 'the container instance does not exist',
};

/** Placement failures as one sentence a person reads. */
export function describePlacementFailures(failures: readonly PlacementFailure[]): string {
  const parts = failures.map((f) => {
    const what = f.arn ? ` (${f.arn.slice(f.arn.lastIndexOf('/') + 1)})` : '';
    const meaning = PLACEMENT_REASONS[f.reason];
    return `${f.reason}${meaning ? `: ${meaning}` : ''}${f.detail ? ` — ${flat(f.detail)}` : ''}${what}`;
  });
  return `ECS could not place the task: ${parts.join('; ')}; add capacity or lower the task's cpu/memory, then redrive`;
}
