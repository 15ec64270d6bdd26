/**
 * Turns the release task, as Step Functions' `ecs:runTask.sync` reports it (the stopped task on success,
 * or an error whose Cause holds the task), into a verdict a person can act on. Shared by check-release-task
 * (the release pipeline's verdict) and execution-status (the cause of a failed release it records).
 */
import { ecsField as field, ecsTaskObjectOfCause } from '../../domain/executions';
import type { JsonObject } from '../../domain/json';
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

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 ? v : null;
}

function fail(base: Omit<ReleaseVerdict, 'ok' | 'error' | 'cause'>, cause: string): ReleaseVerdict {
  const where = base.logLink ? ` Logs: ${base.logLink}` : '';
  return { ...base, ok: false, error: 'ReleaseFailed', cause: `${cause}.${where}` };
}

/** Judges a stopped release task. */
export function judgeTask(task: JsonObject, ctx: ReleaseContext): ReleaseVerdict {
  const taskArn = str(field(task, 'taskArn'));
  const taskId = taskArn ? taskArn.slice(taskArn.lastIndexOf('/') + 1) : null;
  const listed = field(task, 'containers');
  const rawContainers = (Array.isArray(listed) ? listed : []).filter((c): c is JsonObject => Boolean(c) && typeof c === 'object');
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
  const task = ecsTaskObjectOfCause(error.Cause);
  if (task) return judgeTask(task, ctx);
  const base = { taskArn: null, stopCode: null, stoppedReason: null, containers: [], logStream: null, logLink: null };
  const cause = typeof error.Cause === 'string' ? error.Cause : JSON.stringify(error.Cause ?? null);
  if (error.Error === 'AmazonECS.Unknown' || error.Error === 'ECS.AmazonECSException') {
    return fail(base, `ECS could not start the release task (${error.Error}): ${cause}`);
  }
  return fail(base, `the release task could not be run (${error.Error ?? 'unknown error'}): ${cause}`);
}
