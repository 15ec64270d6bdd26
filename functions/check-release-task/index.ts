import { z } from 'zod';
import { createLogger } from '../shared/logger';
import { parseInput } from '../shared/validation';
import { judgeError, judgeTask, type ReleaseVerdict } from './verdict';

const logger = createLogger('check-release-task');

const inputSchema = z
  .object({
    task: z.record(z.string(), z.unknown()).optional(),
    error: z.object({ Error: z.string().optional(), Cause: z.unknown().optional() }).optional(),
    release: z.object({
      containerName: z.string().min(1),
      essentialContainers: z.array(z.string()).default([]),
      logGroup: z.string().min(1),
      region: z.string().min(1),
    }),
  })
  .refine((v) => v.task !== undefined || v.error !== undefined, { message: 'either task or error is required' });

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
