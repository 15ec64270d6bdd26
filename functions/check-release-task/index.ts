import * as z from 'zod/mini';
import { addLambdaContext, createLogger, type LambdaContext } from '../shared/logger';
import { parseInput } from '../shared/validation';
import { judgeTask, type ReleaseVerdict } from '../shared/release-verdict';

const logger = createLogger('check-release-task');

/**
 * The release failed: the Error Step Functions records for the "Stop on the failed release" state. Its
 * message (the Cause) names the container, the exit code or why the task never started, and the logs.
 */
export class ReleaseFailed extends Error {
  public override readonly name = 'ReleaseFailed';
}

const nonEmpty = () => z.string().check(z.minLength(1));
export const judgeSchema = z.object({
  /** The app whose release is judged (every payload of the shared control plane names it; for the logs). */
  app: z.optional(z.string()),
  /** The stopped release task (`$.releaseTask`: runTask.sync's output). A failed runTask.sync is not caught: it fails the execution at "Run release task", so no error output reaches this state. */
  task: z.record(z.string(), z.unknown()),
  release: z.object({
    containerName: nonEmpty(),
    essentialContainers: z._default(z.array(z.string()), []),
    logGroup: nonEmpty(),
    region: nonEmpty(),
  }),
});

export const stopSchema = z.object({
  app: z.optional(z.string()),
  /** The verdict of "Judge the release task" (ok false). */
  failed: z.object({ ok: z.boolean(), error: z.optional(z.string()), cause: z.optional(z.string()) }),
  /** `$$.Execution.RedriveCount` when the task was judged. */
  judgedAtRedrive: z.int().check(z.nonnegative()),
  /** `$$.Execution.RedriveCount` now. */
  redriveCount: z.int().check(z.nonnegative()),
});

/** What "Stop on the failed release" returns after a redrive (it throws ReleaseFailed otherwise). */
export interface RunAgain {
  readonly runAgain: true;
}

/**
 * Decides "Stop on the failed release": fail with ReleaseFailed when entered in the attempt that judged
 * the task; return `runAgain` when a redrive re-entered it (a higher redrive count), so that the
 * execution runs a new release task instead of failing again on the old verdict.
 */
export function stopOnFailedRelease(input: z.infer<typeof stopSchema>): RunAgain {
  if (input.redriveCount > input.judgedAtRedrive) return { runAgain: true };
  throw new ReleaseFailed(input.failed.cause ?? 'the release task failed (no cause was recorded)');
}

/**
 * Two uses, told apart by the input. With `task`: turns the release task's outcome into a
 * verdict, `{ ok: true, ... }` or `{ ok: false, error: "ReleaseFailed", cause }` naming the container,
 * its exit code or why it never started, and its logs. With `failed`: see {@link stopOnFailedRelease}.
 */
export async function handler(event: unknown, context?: LambdaContext): Promise<ReleaseVerdict | RunAgain> {
  addLambdaContext(context);
  if (event !== null && typeof event === 'object' && 'failed' in event) {
    const input = parseInput(stopSchema, event, 'check-release-task input (failed release)');
    const out = stopOnFailedRelease(input);
    logger.info('failed release redriven: running a new release task', { app: input.app, judgedAtRedrive: input.judgedAtRedrive, redriveCount: input.redriveCount });
    return out;
  }
  const input = parseInput(judgeSchema, event, 'check-release-task input');
  const ctx = { ...input.release };
  const verdict = judgeTask(input.task, ctx);
  logger.info('release task verdict', { app: input.app, verdict });
  return verdict;
}
