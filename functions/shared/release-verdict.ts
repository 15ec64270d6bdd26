/**
 * Turns the release task, as Step Functions' `ecs:runTask.sync` reports it (the stopped task on success,
 * or an error whose Cause holds the task), into a verdict a person can act on. Shared by check-release-task
 * (the release pipeline's verdict) and execution-status (the cause of a failed release it records).
 */
import { logStreamLink, taskLogStreamName } from '../../domain/names';

/** One container of the stopped task. */
export interface ContainerOutcome {
  readonly name: string;
  readonly exitCode: number | null;
  readonly reason: string | null;
  readonly essential: boolean;
}

/** The verdict on a release task. */
export interface ReleaseVerdict {
  readonly ok: boolean;
  readonly error?: 'ReleaseFailed';
  readonly cause?: string;
  readonly taskArn: string | null;
  readonly stopCode: string | null;
  readonly stoppedReason: string | null;
  readonly containers: ContainerOutcome[];
  readonly logStream: string | null;
  readonly logLink: string | null;
}

/** What the verdict needs besides the task. */
export interface ReleaseContext {
  readonly containerName: string;
  readonly essentialContainers: readonly string[];
  readonly logGroup: string;
  readonly region: string;
}

type Json = Record<string, unknown>;

/** Step Functions returns ECS objects in PascalCase; the SDK in camelCase. Read either. */
function field(obj: Json | undefined, name: string): unknown {
  if (!obj) return undefined;
  if (name in obj) return obj[name];
  const pascal = name[0].toUpperCase() + name.slice(1);
  return obj[pascal];
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

/** Tries to read the task object out of an error Cause (a JSON document for `States.TaskFailed`). */
export function taskFromCause(cause: unknown): Json | undefined {
  if (typeof cause !== 'string') return undefined;
  try {
    const parsed = JSON.parse(cause) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && (field(parsed as Json, 'containers') !== undefined || field(parsed as Json, 'taskArn') !== undefined)) {
      return parsed as Json;
    }
  } catch {
    /* not JSON: a plain message */
  }
  return undefined;
}

function fail(base: Omit<ReleaseVerdict, 'ok' | 'error' | 'cause'>, cause: string): ReleaseVerdict {
  const where = base.logLink ? ` Logs: ${base.logLink}` : '';
  return { ...base, ok: false, error: 'ReleaseFailed', cause: `${cause}.${where}` };
}

/** Judges a stopped release task. */
export function judgeTask(task: Json, ctx: ReleaseContext): ReleaseVerdict {
  const taskArn = str(field(task, 'taskArn'));
  const taskId = taskArn ? taskArn.slice(taskArn.lastIndexOf('/') + 1) : null;
  const rawContainers = (field(task, 'containers') as Json[] | undefined) ?? [];
  const containers: ContainerOutcome[] = rawContainers.map((c) => {
    const name = str(field(c, 'name')) ?? '(unnamed)';
    const exit = field(c, 'exitCode');
    return { name, exitCode: typeof exit === 'number' ? exit : null, reason: str(field(c, 'reason')), essential: ctx.essentialContainers.includes(name) || name === ctx.containerName };
  });
  const stopCode = str(field(task, 'stopCode'));
  const stoppedReason = str(field(task, 'stoppedReason'));
  const logStream = taskId ? taskLogStreamName(ctx.containerName, taskId) : null;
  const base = { taskArn, stopCode, stoppedReason, containers, logStream, logLink: logStream ? logStreamLink(ctx.region, ctx.logGroup, logStream) : null };
  const main = containers.find((c) => c.name === ctx.containerName);

  if (stopCode === 'TaskFailedToStart' || (main && main.exitCode === null)) {
    const why = stoppedReason ?? main?.reason ?? 'no reason given';
    return fail(base, `the release task failed to start (${stopCode ?? 'no stop code'}): ${why}`);
  }
  if (!main) {
    return fail(base, `the release task has no container named "${ctx.containerName}" (containers: ${containers.map((c) => c.name).join(', ') || 'none'})`);
  }
  if (main.exitCode !== 0) {
    return fail(base, `the release command exited with code ${main.exitCode} in container "${main.name}"${main.reason ? ` (${main.reason})` : ''}; stop code ${stopCode ?? 'none'}: ${stoppedReason ?? 'no reason given'}`);
  }
  const badEssential = containers.filter((c) => c.essential && c.name !== main.name && c.exitCode !== 0);
  if (badEssential.length > 0) {
    const list = badEssential.map((c) => `"${c.name}" exited ${c.exitCode ?? '(never ran)'}`).join(', ');
    return fail(base, `the release command succeeded but essential container ${list}`);
  }
  return { ...base, ok: true };
}

/** Judges RunTask's error when no stopped task came back (capacity, throttling beyond retries, access). */
export function judgeError(error: { Error?: string; Cause?: unknown }, ctx: ReleaseContext): ReleaseVerdict {
  const task = taskFromCause(error.Cause);
  if (task) return judgeTask(task, ctx);
  const base = { taskArn: null, stopCode: null, stoppedReason: null, containers: [], logStream: null, logLink: null };
  const cause = typeof error.Cause === 'string' ? error.Cause : JSON.stringify(error.Cause ?? null);
  if (error.Error === 'AmazonECS.Unknown' || error.Error === 'ECS.AmazonECSException') {
    return fail(base, `ECS could not start the release task (${error.Error}): ${cause}`);
  }
  return fail(base, `the release task could not be run (${error.Error ?? 'unknown error'}): ${cause}`);
}
