import type * as z from 'zod/mini';
import { formatZodIssues } from '../../domain/zod-issues';
import { InvalidInput } from './errors';

/** Parses a handler's input with a zod schema. @throws InvalidInput naming the first bad field. */
export function parseInput<S extends z.ZodMiniType>(schema: S, input: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new InvalidInput(`${what}: ${formatZodIssues(result.error.issues, { max: 3 })}`);
  }
  return result.data;
}

/**
 * When `event` is an EventBridge Scheduler/rule "Scheduled Event" (the 5-minute sweeps), the time it is
 * for: its `time`, else now when that is missing or unreadable. Undefined for any other event.
 */
export function scheduledEventTime(event: unknown): Date | undefined {
  const e = (event ?? {}) as Record<string, unknown>;
  if (e['detail-type'] !== 'Scheduled Event') return undefined;
  return typeof e.time === 'string' && !Number.isNaN(Date.parse(e.time)) ? new Date(e.time) : new Date();
}
