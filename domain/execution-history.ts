import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { statesToRedrive } from './executions';

/**
 * The one model of a Step Functions execution that Slipway shows, for `slipway status`, `slipway
 * redrive`, `slipway watch` and the local runner's report alike. Its input is an execution history in
 * exactly the shape `GetExecutionHistory` returns (`HistoryEvent`: `id`, `previousEventId`, `timestamp`,
 * `type` and the `...EventDetails` objects; all pages, any order), plus the execution's
 * `DescribeExecution` data when there is some. Its output ({@link buildTimeline}): each state entered, in
 * its Map iteration, with each Task attempt (retries are visible), when it was entered and when it exited
 * or failed; the failed step with its error and cause ({@link FailurePoint}); and what a redrive would
 * re-run by AWS's rule ({@link redriveScope}).
 *
 * Pure functions, no AWS calls. Events are attributed to their state and Map iteration by following
 * `previousEventId`, because the events of a Map's parallel iterations interleave in the history. What
 * the CLI and the local runner print of it: lib/ops/step-labels.ts, execution-steps.ts, failure-causes.ts
 * and redrive-advice.ts.
 */

/** Where a state ran: the top level, or one iteration of a Map state (possibly nested). */
export interface Scope {
  readonly key: string;
  /** The Map state and item index, innermost last; empty at the top level. */
  readonly path: readonly { readonly map: string; readonly index: number }[];
}

/** One try of a Task state (the first, or a retry). */
export interface Attempt {
  readonly scheduledAt: Date;
  endedAt?: Date;
  outcome: 'running' | 'succeeded' | 'failed';
  error?: string;
  cause?: string;
  /** e.g. `lambda`, `ecs`, `dynamodb`, `states`. */
  readonly resourceType?: string;
  /** e.g. `invoke`, `runTask.sync`, `updateItem`. */
  readonly resource?: string;
  /** The Task's resolved parameters (a JSON string), when the history includes execution data. */
  readonly parameters?: string;
  /** What the service answered when the task was submitted (e.g. RunTask's response), if any. */
  submitted?: string;
}

/** One state entered. */
export interface StateEntry {
  readonly eventId: number;
  readonly name: string;
  /** Task, Choice, Map, Parallel, Pass, Wait, Succeed, Fail. */
  readonly type: string;
  readonly scope: Scope;
  readonly enteredAt: Date;
  /** When it exited, failed or was aborted; unset while it runs. */
  exitedAt?: Date;
  /** The history has this state's `...StateExited` event (AWS's redrive rule reads exactly this). */
  exited: boolean;
  /** The state's output (a JSON string), from its `...StateExited` event, when the history includes execution data. */
  output?: string;
  /** running: not exited yet; caught: failed and a Catch moved on; failed: the failure ended the scope. */
  status: 'running' | 'succeeded' | 'caught' | 'failed' | 'aborted';
  readonly attempts: Attempt[];
  /** Set for a Map state: each iteration's outcome. */
  iterations?: { index: number; status: 'running' | 'succeeded' | 'failed' | 'aborted' }[];
  /** 0 for the first run, n for a state entered after the n-th redrive. */
  readonly redrive: number;
}

/** The execution as a whole. */
export interface ExecutionSummary {
  readonly startedAt?: Date;
  readonly endedAt?: Date;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, as the history tells it. */
  readonly status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly error?: string;
  readonly cause?: string;
  readonly redrives: readonly { readonly at: Date; readonly count: number }[];
}

/** The step to look at when an execution did not succeed. */
export interface FailurePoint {
  readonly entry: StateEntry;
  /** The failing attempt, for a Task. */
  readonly attempt?: Attempt;
  readonly error?: string;
  readonly cause?: string;
}

/** The result of {@link buildTimeline}. */
export interface Timeline {
  readonly execution: ExecutionSummary;
  readonly entries: readonly StateEntry[];
  readonly failure?: FailurePoint;
  readonly eventCount: number;
  /**
   * What each Map iteration works on, by scope key, read from its first state's input (`process` or
   * `name`, e.g. "web"), when the history includes execution data.
   */
  readonly itemLabels: ReadonlyMap<string, string>;
}

const TOP: Scope = { key: '', path: [] };

const TASK_FAILURES = new Set(['TaskFailed', 'TaskTimedOut', 'TaskStartFailed', 'TaskSubmitFailed', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut', 'LambdaFunctionStartFailed', 'LambdaFunctionScheduleFailed', 'ActivityFailed', 'ActivityTimedOut', 'ActivityScheduleFailed']);
const TASK_SUCCESSES = new Set(['TaskSucceeded', 'LambdaFunctionSucceeded', 'ActivitySucceeded']);
const TASK_SCHEDULED = new Set(['TaskScheduled', 'LambdaFunctionScheduled', 'ActivityScheduled']);
const ITERATION_ENDS = new Set(['MapIterationSucceeded', 'MapIterationFailed', 'MapIterationAborted']);
const EXECUTION_ENDS = new Set(['ExecutionSucceeded', 'ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);

function failureDetails(e: HistoryEvent): { error?: string; cause?: string } {
  const d =
    e.taskFailedEventDetails ??
    e.taskTimedOutEventDetails ??
    e.taskStartFailedEventDetails ??
    e.taskSubmitFailedEventDetails ??
    e.lambdaFunctionFailedEventDetails ??
    e.lambdaFunctionTimedOutEventDetails ??
    e.lambdaFunctionStartFailedEventDetails ??
    e.lambdaFunctionScheduleFailedEventDetails ??
    e.activityFailedEventDetails ??
    e.activityTimedOutEventDetails ??
    e.activityScheduleFailedEventDetails;
  const error = d && 'error' in d ? d.error : undefined;
  const cause = d && 'cause' in d ? d.cause : undefined;
  // A timeout is recorded as TaskTimedOut with error States.Timeout and no cause (recorded AWS history
  // test/fixtures/aws-histories/07f-lambda-invoke-timeout-caught.json).
  return { error: error ?? (e.type?.endsWith('TimedOut') ? 'States.Timeout' : undefined), cause };
}

function iterationDetails(e: HistoryEvent): { name?: string; index?: number } | undefined {
  return e.mapIterationStartedEventDetails ?? e.mapIterationSucceededEventDetails ?? e.mapIterationFailedEventDetails ?? e.mapIterationAbortedEventDetails;
}

const CONTAINER_ENDS = new Set([
  'MapStateSucceeded', 'MapStateFailed', 'MapStateAborted', 'MapStateExited',
  'ParallelStateSucceeded', 'ParallelStateFailed', 'ParallelStateAborted', 'ParallelStateExited',
]);

/** The key of a scope's path: `Deploy each process type[0]/Inner map[2]`. */
export const scopeKey = (path: Scope['path']) => path.map((p) => `${p.map}[${p.index}]`).join('/');

const childScope = (parent: Scope, map: string, index: number): Scope => {
  const path = [...parent.path, { map, index }];
  return { key: scopeKey(path), path };
};
const parentScope = (scope: Scope): Scope => {
  const path = scope.path.slice(0, -1);
  return { key: scopeKey(path), path };
};

/** A history timestamp as a Date (the SDK gives Dates; a JSON report gives ISO strings or epoch numbers). */
function toDate(value: unknown): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return new Date(0);
}

/**
 * Builds the timeline of an execution from its history events (any order: they are sorted by id).
 *
 * The chains follow what Step Functions writes: a Map iteration's first state points at its
 * MapIterationStarted, a Parallel branch's first state at ParallelStateStarted; MapIteration* end
 * events point at the iteration's last event; MapStateSucceeded/Failed and MapStateExited (and the
 * Parallel ones) may point at the last event inside an iteration or branch, so they are attributed to the
 * innermost Map or Parallel state still open above that event. A state is closed only by its own
 * `...StateExited` (a caught failure included: AWS records `TaskFailed -> TaskStateExited` before the
 * Catch target, test/fixtures/aws-histories/README.md rule 1), by `...StateAborted`, or by the end
 * of the execution (then it failed or was aborted, and a redrive re-runs it).
 */
export function buildTimeline(history: readonly HistoryEvent[]): Timeline {
  const events = [...history].sort((a, b) => (a.id ?? 0) - (b.id ?? 0));
  const byId = new Map(events.map((x) => [x.id ?? 0, x]));
  const scopeOf = new Map<number, Scope>();
  const ownerOf = new Map<number, StateEntry>();
  /** The Map or Parallel entry that opened each iteration or branch scope. */
  const containerOf = new Map<string, StateEntry>();
  const branchCount = new Map<StateEntry, number>();
  const closed = new Set<StateEntry>();
  const itemLabels = new Map<string, string>();
  const entries: StateEntry[] = [];
  const redrives: { at: Date; count: number }[] = [];
  let startedAt: Date | undefined;
  let endedAt: Date | undefined;
  let status: ExecutionSummary['status'] = 'RUNNING';
  let error: string | undefined;
  let cause: string | undefined;

  /** The innermost open Map/Parallel entry that holds `scope` (or owns the event at its own level). */
  const openContainer = (scope: Scope, atLevel: StateEntry | undefined, kind: string): { entry: StateEntry; scope: Scope } | undefined => {
    if (atLevel && atLevel.type === kind && !closed.has(atLevel)) return { entry: atLevel, scope: atLevel.scope };
    let s: Scope = scope;
    while (s.path.length > 0) {
      const container = containerOf.get(s.key);
      if (container && container.type === kind && !closed.has(container)) return { entry: container, scope: container.scope };
      s = parentScope(s);
    }
    return undefined;
  };

  /** The execution ended: what is still open failed (its last attempt failed) or was aborted. */
  const closeOpen = (at: Date) => {
    for (const entry of entries) {
      if (entry.status !== 'running') continue;
      const lastAttempt = entry.attempts[entry.attempts.length - 1];
      entry.status = lastAttempt?.outcome === 'failed' || entry.iterations?.some((i) => i.status === 'failed') ? 'failed' : 'aborted';
      entry.exitedAt ??= lastAttempt?.endedAt ?? at;
    }
  };

  for (const e of events) {
    const id = e.id ?? 0;
    const type = e.type ?? '';
    const at = toDate(e.timestamp);
    const prev = e.previousEventId;
    const prevScope = prev !== undefined && scopeOf.has(prev) ? (scopeOf.get(prev) as Scope) : TOP;
    const prevType = prev !== undefined ? byId.get(prev)?.type : undefined;
    let scope = prevScope;
    let owner = prev !== undefined ? ownerOf.get(prev) : undefined;

    if (type === 'MapIterationStarted') {
      const d = iterationDetails(e) ?? {};
      scope = childScope(prevScope, d.name ?? '?', d.index ?? 0);
      if (owner) containerOf.set(scope.key, owner);
    } else if (ITERATION_ENDS.has(type)) {
      // Back to the Map's own level: the scope that holds the iteration this event closes.
      const d = iterationDetails(e) ?? {};
      let s: Scope = prevScope;
      while (s.path.length > 0) {
        const last = s.path[s.path.length - 1];
        if (last.map === d.name && last.index === d.index) break;
        s = parentScope(s);
      }
      if (s.path.length > 0) {
        owner = containerOf.get(s.key) ?? owner;
        scope = parentScope(s);
      }
      if (owner?.iterations) {
        const at = owner.iterations[d.index ?? -1];
        const it = at?.index === d.index ? at : owner.iterations.find((i) => i.index === d.index);
        const outcome = type === 'MapIterationSucceeded' ? 'succeeded' : type === 'MapIterationFailed' ? 'failed' : 'aborted';
        if (it) it.status = outcome;
        else owner.iterations.push({ index: d.index ?? 0, status: outcome });
      }
      if (type === 'MapIterationAborted' && s.path.length > 0) {
        for (const entry of entries) if (entry.scope.key.startsWith(s.key) && entry.status === 'running') Object.assign(entry, { status: 'aborted', exitedAt: entry.exitedAt ?? at });
      }
    } else if (CONTAINER_ENDS.has(type)) {
      const found = openContainer(prevScope, owner, type.startsWith('Map') ? 'Map' : 'Parallel');
      if (found) {
        owner = found.entry;
        scope = found.scope;
      }
    } else if (type.endsWith('StateEntered')) {
      if (owner && owner.type === 'Parallel' && prevType === 'ParallelStateStarted') {
        // The first state of a Parallel branch: a scope per branch, numbered in the order they start.
        const n = branchCount.get(owner) ?? 0;
        branchCount.set(owner, n + 1);
        scope = childScope(prevScope, owner.name, n);
        containerOf.set(scope.key, owner);
      }
      if (prevType === 'MapIterationStarted' && scope.path.length > 0 && !itemLabels.has(scope.key)) {
        const label = itemLabel(e.stateEnteredEventDetails?.input);
        if (label) itemLabels.set(scope.key, label);
      }
      const entry: StateEntry = {
        eventId: id,
        name: e.stateEnteredEventDetails?.name ?? '?',
        type: type.slice(0, -'StateEntered'.length),
        scope,
        enteredAt: at,
        exited: false,
        status: 'running',
        attempts: [],
        redrive: redrives.length > 0 ? redrives[redrives.length - 1].count : 0,
        ...(type === 'MapStateEntered' ? { iterations: [] } : {}),
      };
      entries.push(entry);
      owner = entry;
      if (type === 'FailStateEntered') {
        // A Fail state has no exit event (recorded: 09-fail-state-direct.json, 05-map-iteration-fail-caught.json).
        entry.status = 'failed';
        entry.exitedAt = at;
        closed.add(entry);
      }
    } else if (type.endsWith('StateExited')) {
      // Normally the previous event's state; by name when the chain says otherwise.
      const name = e.stateExitedEventDetails?.name;
      if (name !== undefined && owner?.name !== name) {
        owner = entries.findLast((x) => x.name === name && !x.exited && x.scope.key === scope.key) ?? entries.findLast((x) => x.name === name && !x.exited) ?? owner;
        if (owner) scope = owner.scope;
      }
    }

    if (type.startsWith('Execution')) {
      // Execution-level events belong to no state (a redrive's first state must not close the failed one).
      scope = TOP;
      owner = undefined;
    }
    scopeOf.set(id, scope);
    if (owner) ownerOf.set(id, owner);

    if (type === 'ExecutionStarted') {
      startedAt = at;
    } else if (type === 'ExecutionRedriven') {
      redrives.push({ at, count: e.executionRedrivenEventDetails?.redriveCount ?? redrives.length + 1 });
      // A Map or Parallel state that never exited is not entered again by a redrive: it resumes, and only
      // its failed iterations or branches run again (RedriveExecution, API reference). It is running again.
      for (const entry of entries) {
        if (entry.exited || !isContainer(entry) || (entry.status !== 'failed' && entry.status !== 'aborted')) continue;
        entry.status = 'running';
        entry.exitedAt = undefined;
        closed.delete(entry);
      }
      status = 'RUNNING';
      endedAt = undefined;
      error = undefined;
      cause = undefined;
    } else if (EXECUTION_ENDS.has(type)) {
      endedAt = at;
      if (type === 'ExecutionSucceeded') status = 'SUCCEEDED';
      else if (type === 'ExecutionFailed') {
        status = 'FAILED';
        error = e.executionFailedEventDetails?.error;
        cause = e.executionFailedEventDetails?.cause;
      } else if (type === 'ExecutionTimedOut') {
        status = 'TIMED_OUT';
        error = e.executionTimedOutEventDetails?.error ?? 'States.Timeout';
        cause = e.executionTimedOutEventDetails?.cause;
      } else {
        status = 'ABORTED';
        error = e.executionAbortedEventDetails?.error;
        cause = e.executionAbortedEventDetails?.cause;
      }
      if (status !== 'SUCCEEDED') closeOpen(at);
    } else if (!owner) {
      continue;
    } else if (TASK_SCHEDULED.has(type)) {
      const d = e.taskScheduledEventDetails;
      owner.attempts.push({ scheduledAt: at, outcome: 'running', resourceType: d?.resourceType ?? (type.startsWith('Lambda') ? 'lambda' : undefined), resource: d?.resource, parameters: d?.parameters ?? e.lambdaFunctionScheduledEventDetails?.input });
    } else if (type === 'TaskSubmitted') {
      const attempt = owner.attempts[owner.attempts.length - 1];
      if (attempt) attempt.submitted = e.taskSubmittedEventDetails?.output;
    } else if (TASK_SUCCESSES.has(type)) {
      const attempt = owner.attempts[owner.attempts.length - 1];
      if (attempt) Object.assign(attempt, { outcome: 'succeeded', endedAt: at });
    } else if (TASK_FAILURES.has(type)) {
      let attempt = owner.attempts[owner.attempts.length - 1];
      if (!attempt || attempt.outcome !== 'running') {
        attempt = { scheduledAt: at, outcome: 'running' };
        owner.attempts.push(attempt);
      }
      Object.assign(attempt, { outcome: 'failed', endedAt: at, ...failureDetails(e) });
    } else if (type === 'MapStateFailed' || type === 'ParallelStateFailed') {
      owner.status = 'failed';
      owner.exitedAt = at;
    } else if (type.endsWith('StateAborted')) {
      // A Task whose failure ended its branch or iteration is marked aborted right after failing
      // (07e-parallel-callback-failure-caught.json); it has no exit event, so a redrive re-runs it.
      const lastAttempt = owner.attempts[owner.attempts.length - 1];
      owner.status = lastAttempt?.outcome === 'failed' ? 'failed' : 'aborted';
      owner.exitedAt = at;
      closed.add(owner);
    } else if (type === 'MapStateStarted') {
      const length = e.mapStateStartedEventDetails?.length ?? 0;
      const known = new Map((owner.iterations ?? []).map((i) => [i.index, i]));
      // A redrive or a Map retry starts the Map again: keep what the iterations already did.
      owner.iterations = Array.from({ length }, (_, index) => known.get(index) ?? { index, status: 'running' as const });
    } else if (type.endsWith('StateExited')) {
      const lastAttempt = owner.attempts[owner.attempts.length - 1];
      const failed = owner.status === 'failed' || lastAttempt?.outcome === 'failed';
      owner.status = failed ? 'caught' : 'succeeded';
      owner.exitedAt = at;
      owner.exited = true;
      if (e.stateExitedEventDetails?.output !== undefined) owner.output = e.stateExitedEventDetails.output;
      closed.add(owner);
    }
  }

  const execution: ExecutionSummary = { startedAt, endedAt, status, error, cause, redrives };
  const timeline = { execution, entries, eventCount: events.length, itemLabels };
  return { ...timeline, failure: findFailure(timeline) };
}

/**
 * What a redrive of the execution would re-run, by AWS's rule (domain/executions.ts statesToRedrive:
 * every state with a `...StateEntered` event and no `...StateExited` event, an earlier attempt's state
 * entered again not counted twice). Empty while the execution runs or after it succeeded.
 */
export function redriveScope(timeline: Pick<Timeline, 'execution' | 'entries'>): StateEntry[] {
  if (timeline.execution.status === 'RUNNING' || timeline.execution.status === 'SUCCEEDED') return [];
  // Within one Map iteration or Parallel branch (a scope here) a state runs one visit at a time, so only
  // its last visit can still be open: an earlier open one was abandoned when a Retry on the enclosing Map
  // or Parallel ran the iteration again (recorded: test/fixtures/aws-histories/11-map-retry.json, three
  // attempts of one iteration, one state left open).
  const last = new Map<string, StateEntry>();
  for (const e of timeline.entries) last.set(`${e.scope.key}\u0000${e.name}`, e);
  return statesToRedrive(timeline.entries).filter((e) => last.get(`${e.scope.key}\u0000${e.name}`) === e);
}

/** A Map or Parallel state: it holds other states. */
export const isContainer = (e: Pick<StateEntry, 'type'>) => e.type === 'Map' || e.type === 'Parallel';
const byDepthThenTime = (a: StateEntry, b: StateEntry) => b.scope.path.length - a.scope.path.length || (a.exitedAt ?? a.enteredAt).getTime() - (b.exitedAt ?? b.enteredAt).getTime() || a.eventId - b.eventId;

/**
 * The step that made the execution fail, among the states a redrive would re-run (they are where it
 * stopped): the innermost one whose own failure is the execution's error, else one whose last attempt
 * failed, else a Fail state, else (a timeout, an abort) a state that was running. Histories that do not
 * follow AWS's rule fall back to the last state whose attempt failed.
 */
function findFailure(timeline: Pick<Timeline, 'execution' | 'entries'>): FailurePoint | undefined {
  const execution = timeline.execution;
  if (execution.status === 'SUCCEEDED' || execution.status === 'RUNNING') return undefined;
  const failedAttempt = (e: StateEntry) => {
    const a = e.attempts[e.attempts.length - 1];
    return a?.outcome === 'failed' ? a : undefined;
  };
  const point = (entry: StateEntry): FailurePoint => {
    const attempt = failedAttempt(entry);
    return { entry, attempt, error: attempt?.error ?? execution.error, cause: attempt?.cause ?? execution.cause };
  };
  const open = redriveScope(timeline).filter((e) => !isContainer(e)).sort(byDepthThenTime);
  const pick =
    open.find((e) => failedAttempt(e)?.error !== undefined && failedAttempt(e)?.error === execution.error) ??
    open.find((e) => failedAttempt(e) !== undefined) ??
    open.find((e) => e.type === 'Fail') ??
    open[0] ??
    [...timeline.entries].reverse().find((e) => failedAttempt(e) !== undefined && e.status !== 'succeeded');
  return pick ? point(pick) : undefined;
}

/** `{"process": "web", ...}` -> `web`: what a Map item is about, if its input says. */
function itemLabel(input: string | undefined): string | undefined {
  if (!input) return undefined;
  try {
    const value = JSON.parse(input) as unknown;
    if (typeof value === 'string' || typeof value === 'number') return String(value).slice(0, 40);
    if (value && typeof value === 'object') {
      const o = value as Record<string, unknown>;
      const label = [o.process, o.name, o.id].find((v) => typeof v === 'string' || typeof v === 'number');
      return label === undefined ? undefined : String(label).slice(0, 40);
    }
  } catch {
    /* truncated or not JSON */
  }
  return undefined;
}

/** The state(s) running now, innermost first (for a live progress line). */
export function runningStates(timeline: Timeline): StateEntry[] {
  return timeline.entries.filter((e) => e.status === 'running').sort((a, b) => b.scope.path.length - a.scope.path.length);
}
