/**
 * Turns a recorded AWS execution history (test/fixtures/aws-histories/*.json: event types, state
 * names, errors, Map lengths and indexes, in order) into `HistoryEvent[]` exactly as GetExecutionHistory
 * returns it: ids from 1, each event's previousEventId the event before it (the fixtures are sequential:
 * one iteration, one branch), timestamps one second apart from T0, and the `...EventDetails` objects.
 * State names can be renamed to ours, and errors/causes given where the fixture leaves them out.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { HistoryEvent } from '@aws-sdk/client-sfn';

import { AWS_HISTORIES } from '../../helpers/fixtures';

export const FIXTURES = AWS_HISTORIES;
export const T0 = new Date('2026-11-20T10:00:00.000Z');

interface FixtureEvent {
  readonly type: string;
  readonly state?: string;
  readonly error?: string;
  readonly length?: number;
  readonly index?: number;
}

interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly ItemProcessor?: { States: Record<string, AslState> };
  readonly Iterator?: { States: Record<string, AslState> };
  readonly Branches?: { States: Record<string, AslState> }[];
}

/** Options of {@link fixtureHistory}. */
export interface FixtureOptions {
  /** Our name for each recorded state name. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Our error for each failure event, by the (recorded) name of the state it belongs to (default: the recorded error). */
  readonly errors?: Readonly<Record<string, string>>;
  /** The cause of each failure event, by the (recorded) name of the state it belongs to. */
  readonly causes?: Readonly<Record<string, string>>;
  /** The error and cause of ExecutionFailed (default: the fixture's error and the failing state's cause). */
  readonly executionFailed?: { readonly error?: string; readonly cause?: string };
  /** Seconds between events, by event index (default 1). */
  readonly seconds?: (index: number, type: string) => number;
}

/** Every state of a definition, nested ones included, by name. */
function allStates(states: Record<string, AslState>, into = new Map<string, AslState>()): Map<string, AslState> {
  for (const [name, s] of Object.entries(states)) {
    into.set(name, s);
    const inner = s.ItemProcessor ?? s.Iterator;
    if (inner) allStates(inner.States, into);
    for (const b of s.Branches ?? []) allStates(b.States, into);
  }
  return into;
}

/** `arn:aws:states:::ecs:runTask.sync` -> `{ resourceType: 'ecs', resource: 'runTask.sync' }`; a Lambda ARN -> lambda. */
function resourceOf(arn: string | undefined): { resourceType: string; resource: string } {
  const m = /^arn:aws:states:::(?:aws-sdk:)?([a-z0-9-]+):(.+)$/.exec(arn ?? '');
  if (m) return { resourceType: arn?.includes(':::aws-sdk:') ? `aws-sdk:${m[1]}` : m[1], resource: m[2] };
  return { resourceType: 'lambda', resource: arn ?? 'unknown' };
}

/** The recorded fixture `name` (file name without .json). */
export function readFixture(name: string): { definition: { States: Record<string, AslState> }; events: FixtureEvent[] } {
  return JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8'));
}

/** The fixture's history as GetExecutionHistory returns it. */
export function fixtureHistory(name: string, options: FixtureOptions = {}): HistoryEvent[] {
  const fixture = readFixture(name);
  const states = allStates(fixture.definition.States);
  const rename = (n: string) => options.rename?.[n] ?? n;
  const events: HistoryEvent[] = [];
  let clock = T0.getTime();
  let current: string | undefined;
  const maps: string[] = [];
  let lastCause: string | undefined;
  let lastError: string | undefined;
  fixture.events.forEach((f, i) => {
    clock += (i === 0 ? 0 : (options.seconds?.(i, f.type) ?? 1)) * 1000;
    const id = i + 1;
    const e: HistoryEvent = { id, previousEventId: i, timestamp: new Date(clock), type: f.type as HistoryEvent['type'] };
    const res = resourceOf(current ? states.get(current)?.Resource : undefined);
    const cause = current ? options.causes?.[current] : undefined;
    const error = (current ? options.errors?.[current] : undefined) ?? f.error;
    if (f.type.endsWith('StateEntered')) {
      current = f.state;
      if (f.type === 'MapStateEntered' && f.state) maps.push(f.state);
      e.stateEnteredEventDetails = { name: rename(f.state ?? '?'), input: '{}', inputDetails: { truncated: false } };
    } else if (f.type.endsWith('StateExited')) {
      e.stateExitedEventDetails = { name: rename(f.state ?? '?'), output: '{}', outputDetails: { truncated: false } };
      if (f.type === 'MapStateExited') maps.pop();
    } else if (f.type === 'ExecutionStarted') {
      e.executionStartedEventDetails = { input: '{}', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/sfn' };
    } else if (f.type === 'TaskScheduled') {
      e.taskScheduledEventDetails = { ...res, region: 'eu-west-1', parameters: '{}' };
    } else if (f.type === 'TaskStarted') {
      e.taskStartedEventDetails = res;
    } else if (f.type === 'TaskSubmitted') {
      e.taskSubmittedEventDetails = { ...res, output: '{}' };
    } else if (f.type === 'TaskSucceeded') {
      e.taskSucceededEventDetails = { ...res, output: '{}' };
    } else if (f.type === 'TaskFailed') {
      lastCause = cause;
      lastError = error;
      e.taskFailedEventDetails = { ...res, ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
    } else if (f.type === 'TaskTimedOut') {
      e.taskTimedOutEventDetails = { ...res, error: f.error ?? 'States.Timeout' };
    } else if (f.type === 'LambdaFunctionScheduled') {
      e.lambdaFunctionScheduledEventDetails = { resource: states.get(current ?? '')?.Resource ?? 'arn', input: '{}' };
    } else if (f.type === 'LambdaFunctionFailed') {
      lastCause = cause;
      lastError = error;
      e.lambdaFunctionFailedEventDetails = { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) };
    } else if (f.type === 'LambdaFunctionSucceeded') {
      e.lambdaFunctionSucceededEventDetails = { output: '{}' };
    } else if (f.type === 'MapStateStarted') {
      e.mapStateStartedEventDetails = { length: f.length ?? 0 };
    } else if (f.type.startsWith('MapIteration')) {
      const details = { name: rename(maps[maps.length - 1] ?? '?'), index: f.index ?? 0 };
      if (f.type === 'MapIterationStarted') e.mapIterationStartedEventDetails = details;
      else if (f.type === 'MapIterationSucceeded') e.mapIterationSucceededEventDetails = details;
      else if (f.type === 'MapIterationFailed') e.mapIterationFailedEventDetails = details;
      else e.mapIterationAbortedEventDetails = details;
    } else if (f.type === 'ExecutionFailed') {
      // An uncaught failure ends the execution with the same error and cause (01, 06b, 07b).
      const execError = options.executionFailed?.error ?? (f.error !== undefined ? (lastError ?? f.error) : undefined);
      const failCause = options.executionFailed?.cause ?? (f.error !== undefined ? lastCause : undefined);
      e.executionFailedEventDetails = { ...(execError !== undefined ? { error: execError } : {}), ...(failCause !== undefined ? { cause: failCause } : {}) };
    } else if (f.type === 'ExecutionSucceeded') {
      e.executionSucceededEventDetails = { output: '{}' };
    }
    events.push(e);
  });
  return events;
}
