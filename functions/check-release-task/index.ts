import * as z from 'zod/mini';
import { createLogger } from '../shared/logger';
import { parseInput } from '../shared/validation';
import { judgeError, judgeTask, type ReleaseVerdict } from './verdict';

const logger = createLogger('check-release-task');

const nonEmpty = () => z.string().check(z.minLength(1));
const inputSchema = z
  .object({
    task: z.optional(z.record(z.string(), z.unknown())),
    error: z.optional(z.object({ Error: z.optional(z.string()), Cause: z.optional(z.unknown()) })),
    release: z.object({
      containerName: nonEmpty(),
      essentialContainers: z._default(z.array(z.string()), []),
      logGroup: nonEmpty(),
      region: nonEmpty(),
    }),
  })
  .check(z.refine((v) => v.task !== undefined || v.error !== undefined, { message: 'either task or error is required' }));

/**
 * Turns the release task's outcome into a verdict: `{ ok: true, ... }`, or `{ ok: false, error:
 * "ReleaseFailed", cause }` naming the container, its exit code or why it never started, and its logs.
 */
export async function handler(event: unknown): Promise<ReleaseVerdict> {
  const input = parseInput(inputSchema, event, 'check-release-task input');
  const ctx = { ...input.release };
  const verdict = input.task ? judgeTask(input.task, ctx) : judgeError(input.error ?? {}, ctx);
  logger.info('release task verdict', { verdict });
  return verdict;
}
