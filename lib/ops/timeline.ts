import type { HistoryEvent } from '@aws-sdk/client-sfn';

/**
 * Turns a Step Functions execution history (GetExecutionHistory's events, all pages, oldest first) into
 * the timeline an operator reads: one entry per state entered, grouped into Map iterations, with each
 * Task attempt (so retries are visible), durations, and the step that failed. Pure: no AWS calls.
 *
 * Events are attributed to their state and Map iteration by following `previousEventId`, because the
 * events of a Map's parallel iterations interleave in the history.
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
  exitedAt?: Date;
  /** running: not exited yet; caught: failed and a Catch moved on; failed: the failure ended the scope. */
  status: 'running' | 'succeeded' | 'caught' | 'failed' | 'aborted';
  readonly attempts: Attempt[];
  /** Set for a Map state: each iteration's outcome. */
  iterations?: { index: number; status: 'running' | 'succeeded' | 'failed' | 'aborted' }[];
  /** After an ExecutionRedriven event (count of the redrive), if any. */
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
  return { error: error ?? (e.type?.endsWith('TimedOut') ? 'States.Timeout' : undefined), cause };
}

function iterationDetails(e: HistoryEvent): { name?: string; index?: number } | undefined {
  return e.mapIterationStartedEventDetails ?? e.mapIterationSucceededEventDetails ?? e.mapIterationFailedEventDetails ?? e.mapIterationAbortedEventDetails;
}

const CONTAINER_ENDS = new Set([
  'MapStateSucceeded', 'MapStateFailed', 'MapStateAborted', 'MapStateExited',
  'ParallelStateSucceeded', 'ParallelStateFailed', 'ParallelStateAborted', 'ParallelStateExited',
]);

const scopeKey = (path: Scope['path']) => path.map((p) => `${p.map}[${p.index}]`).join('/');
const childScope = (parent: Scope, map: string, index: number): Scope => {
  const path = [...parent.path, { map, index }];
  return { key: scopeKey(path), path };
};
const parentScope = (scope: Scope): Scope => {
  const path = scope.path.slice(0, -1);
  return { key: scopeKey(path), path };
};

/**
 * Builds the timeline of an execution from its history events (any order: they are sorted by id).
 *
 * The chains follow what Step Functions writes: a Map iteration's first state points at its
 * MapIterationStarted, a Parallel branch's first state at ParallelStateStarted; MapIteration*
 * end events point at the iteration's last event; MapStateSucceeded/Failed and MapStateExited (and the
 * Parallel ones) may point at the last event inside an iteration or branch, so they are attributed to the
 * innermost Map or Parallel state still open above that event. A state caught by a Catch may or may not
 * have a *StateExited event: the next state entered at the same level closes it.
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
    if (atLevel && (atLevel.type === kind) && !closed.has(atLevel)) return { entry: atLevel, scope: atLevel.scope };
    let s: Scope = scope;
    while (s.path.length > 0) {
      const container = containerOf.get(s.key);
      if (container && container.type === kind && !closed.has(container)) return { entry: container, scope: container.scope };
      s = parentScope(s);
    }
    return undefined;
  };

  for (const e of events) {
    const id = e.id ?? 0;
    const type = e.type ?? '';
    const at = e.timestamp ?? new Date(0);
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
        const it = owner.iterations.find((i) => i.index === d.index);
        const outcome = type === 'MapIterationSucceeded' ? 'succeeded' : type === 'MapIterationFailed' ? 'failed' : 'aborted';
        if (it) it.status = outcome;
        else owner.iterations.push({ index: d.index ?? 0, status: outcome });
      }
      if (type === 'MapIterationAborted' && s.path.length > 0) {
        for (const entry of entries) if (entry.scope.key.startsWith(s.key) && entry.status === 'running') entry.status = 'aborted';
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
      } else if (owner && owner.scope.key === scope.key && !closed.has(owner) && (owner.status === 'running' || owner.status === 'failed') && owner.type !== 'Fail') {
        // The previous state at this level had no *StateExited event (a Catch took it).
        const failed = owner.status === 'failed' || owner.attempts[owner.attempts.length - 1]?.outcome === 'failed';
        owner.status = failed ? 'caught' : 'succeeded';
        owner.exitedAt ??= (prev !== undefined ? byId.get(prev)?.timestamp : undefined) ?? at;
        closed.add(owner);
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
        status: 'running',
        attempts: [],
        redrive: redrives.length > 0 ? redrives[redrives.length - 1].count : 0,
        ...(type === 'MapStateEntered' ? { iterations: [] } : {}),
      };
      entries.push(entry);
      owner = entry;
      if (type === 'FailStateEntered') {
        entry.status = 'failed';
        entry.exitedAt = at;
        closed.add(entry);
      } else if (type === 'SucceedStateEntered') {
        entry.status = 'succeeded';
        entry.exitedAt = at;
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
      status = 'RUNNING';
      endedAt = undefined;
      error = undefined;
      cause = undefined;
    } else if (type === 'ExecutionSucceeded') {
      status = 'SUCCEEDED';
      endedAt = at;
    } else if (type === 'ExecutionFailed') {
      status = 'FAILED';
      endedAt = at;
      error = e.executionFailedEventDetails?.error;
      cause = e.executionFailedEventDetails?.cause;
    } else if (type === 'ExecutionTimedOut') {
      status = 'TIMED_OUT';
      endedAt = at;
      error = e.executionTimedOutEventDetails?.error ?? 'States.Timeout';
      cause = e.executionTimedOutEventDetails?.cause;
    } else if (type === 'ExecutionAborted') {
      status = 'ABORTED';
      endedAt = at;
      error = e.executionAbortedEventDetails?.error;
      cause = e.executionAbortedEventDetails?.cause;
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
      // A Task whose failure ended its branch or iteration is marked aborted right after failing.
      const lastAttempt = owner.attempts[owner.attempts.length - 1];
      owner.status = lastAttempt?.outcome === 'failed' ? 'failed' : 'aborted';
      owner.exitedAt = at;
      closed.add(owner);
    } else if (type === 'MapStateStarted') {
      const length = e.mapStateStartedEventDetails?.length ?? 0;
      owner.iterations = Array.from({ length }, (_, index) => ({ index, status: 'running' as const }));
    } else if (type.endsWith('StateExited')) {
      const lastAttempt = owner.attempts[owner.attempts.length - 1];
      const failed = owner.status === 'failed' || lastAttempt?.outcome === 'failed';
      owner.status = failed ? 'caught' : 'succeeded';
      owner.exitedAt = at;
      closed.add(owner);
    }
  }

  // States still open when the execution ended.
  for (const entry of entries) {
    if (entry.status !== 'running' || status === 'RUNNING') continue;
    const lastAttempt = entry.attempts[entry.attempts.length - 1];
    entry.status = lastAttempt?.outcome === 'failed' || entry.iterations?.some((i) => i.status === 'failed') ? 'failed' : 'aborted';
    entry.exitedAt ??= lastAttempt?.endedAt ?? endedAt;
  }

  const execution: ExecutionSummary = { startedAt, endedAt, status, error, cause, redrives };
  return { execution, entries, failure: findFailure(execution, entries), eventCount: events.length, itemLabels };
}

/**
 * The step that made the execution fail: among the states of the last run (after the last redrive),
 * the innermost one whose own error is the execution's error; else a Fail state inside a Map iteration;
 * else the last state that failed and was caught (a release task that failed, judged afterwards); else
 * the Fail state itself. For a timeout or
 * an abort, the state that was running.
 */
function findFailure(execution: ExecutionSummary, entries: readonly StateEntry[]): FailurePoint | undefined {
  if (execution.status === 'SUCCEEDED' || execution.status === 'RUNNING') return undefined;
  const lastRedrive = execution.redrives.length > 0 ? execution.redrives[execution.redrives.length - 1].at.getTime() : -Infinity;
  const run = entries.filter((e) => e.enteredAt.getTime() >= lastRedrive || e.status === 'running' || e.status === 'failed' || e.status === 'aborted');
  const failedAttempt = (e: StateEntry) => {
    const a = e.attempts[e.attempts.length - 1];
    return a?.outcome === 'failed' ? a : undefined;
  };
  const point = (entry: StateEntry): FailurePoint => {
    const attempt = failedAttempt(entry);
    return { entry, attempt, error: attempt?.error ?? execution.error, cause: attempt?.cause ?? execution.cause };
  };

  if (execution.status === 'FAILED') {
    const own = run.filter((e) => (e.status === 'failed' || e.status === 'caught') && failedAttempt(e)?.error === execution.error);
    if (own.length > 0) return point(own.sort((a, b) => b.scope.path.length - a.scope.path.length || a.eventId - b.eventId)[0]);
    const innerFail = run.filter((e) => e.type === 'Fail' && e.scope.path.length > 0).sort((a, b) => b.scope.path.length - a.scope.path.length || a.eventId - b.eventId)[0];
    if (innerFail) return point(innerFail);
    const caught = run.filter((e) => (e.status === 'caught' || e.status === 'failed') && failedAttempt(e) !== undefined);
    if (caught.length > 0) return point(caught[caught.length - 1]);
    const failState = [...run].reverse().find((e) => e.type === 'Fail');
    if (failState) return point(failState);
  }
  const open = [...run].reverse().find((e) => e.status === 'failed' || e.status === 'aborted');
  return open ? point(open) : undefined;
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

/** The label of each level of a scope: `Deploy each process type #0 (web)`. */
export function scopeLabels(scope: Scope, labels: ReadonlyMap<string, string>): { map: string; index: number; item: string | null }[] {
  return scope.path.map((p, i) => ({ map: p.map, index: p.index, item: labels.get(scopeKey(scope.path.slice(0, i + 1))) ?? null }));
}

/** The state(s) running now, innermost first (for a live progress line). */
export function runningStates(timeline: Timeline): StateEntry[] {
  return timeline.entries.filter((e) => e.status === 'running').sort((a, b) => b.scope.path.length - a.scope.path.length);
}
