import type * as z from 'zod/mini';
import { formatZodIssues } from '../../domain/zod-issues';
import { InvalidEvent } from './errors';

/*
 * Events a rule delivers (EventBridge, Scheduler) are parsed at the boundary, one way: into a typed value
 * or an InvalidEvent that says what is wrong. The handler decides what to do with the error: throw it
 * (execution-status: the rule's invocation fails and is reported) or hand it to its state machine as data
 * (parse-build-event: the build ASL's `Fail` state reads `$.error` and `$.cause`, see
 * {@link invalidEventResult}).
 */

/** An event parsed at the boundary: its typed value, or the InvalidEvent that says what is wrong with it. */
export type EventParse<T> = { readonly ok: true; readonly event: T } | { readonly ok: false; readonly error: InvalidEvent };

/** What a handler expects of its event, for the words of its InvalidEvent. */
export interface EventExpectation {
  /** What the event was expected to be, the start of the error's message (`not a usable CodeBuild "Build State Change" event`). */
  readonly expected: string;
  /** How many of the schema's issues the message names. @default 3 */
  readonly max?: number;
  /** Whether a missing field is named as missing (`detail.build-id is missing`: zod's `reportInput`). @default false */
  readonly reportInput?: boolean;
}

/** Parses an event with a zod schema: `{ ok: true, event }`, or `{ ok: false, error }` with an InvalidEvent naming the first issues. */
export function parseEvent<S extends z.ZodMiniType>(schema: S, event: unknown, expectation: EventExpectation): EventParse<z.infer<S>> {
  const parsed = expectation.reportInput ? schema.safeParse(event, { reportInput: true }) : schema.safeParse(event);
  if (parsed.success) return { ok: true, event: parsed.data };
  return { ok: false, error: new InvalidEvent(`${expectation.expected}: ${formatZodIssues(parsed.error.issues, { max: expectation.max ?? 3 })}`) };
}

/** An InvalidEvent handed to a state machine as data: its `Fail` state takes the error from `$.error` and the cause from `$.cause`. */
export interface InvalidEventResult {
  readonly ok: false;
  readonly error: 'InvalidEvent';
  readonly cause: string;
}

/** The data form of an InvalidEvent ({@link InvalidEventResult}). */
export function invalidEventResult(error: InvalidEvent): InvalidEventResult {
  return { ok: false, error: error.name, cause: error.message };
}
