import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { appAndBuildOf } from '../../domain/names';
import { supersededDeploy } from '../../domain/pipelines';
import { ABAC_SHORT_HINT, isAppTableAccessDenied } from '../../domain/abac';
import { ecsField as field, ecsTaskObjectOfCause, jsonObjectOfCause, EXECUTION_HISTORY_LIMIT as HISTORY_LIMIT, REDRIVE_WINDOW_DAYS, statesToRedrive, type JsonObject } from '../../domain/executions';

/**
 * The one model of a Step Functions execution that Slipway shows, for `slipway status`, `slipway
 * redrive`, `slipway watch` and the local runner's report alike. Its input is an execution history in
 * exactly the shape `GetExecutionHistory` returns (`HistoryEvent`: `id`, `previousEventId`, `timestamp`,
 * `type` and the `...EventDetails` objects; all pages, any order), plus the execution's
 * `DescribeExecution` data when there is some. Its output:
 *
 * * the timeline of states ({@link buildTimeline}, {@link stepsOf}): each state entered, in its Map
 *   iteration, with each Task attempt (retries are visible), when it was entered and when it exited or
 *   failed;
 * * the failed step, its error and cause ({@link FailurePoint}, {@link summariseCause}: an
 *   `ecs:runTask.sync` `States.TaskFailed` cause, which is the JSON of the stopped ECS task, becomes one
 *   line with exit code, container, stop code and reason);
 * * what a redrive would re-run by AWS's rule, and whether that can help ({@link redriveScope},
 *   {@link assessRedrive}).
 *
 * Pure functions, no AWS calls. Events are attributed to their state and Map iteration by following
 * `previousEventId`, because the events of a Map's parallel iterations interleave in the history.
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

const scopeKey = (path: Scope['path']) => path.map((p) => `${p.map}[${p.index}]`).join('/');
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

const isContainer = (e: Pick<StateEntry, 'type'>) => e.type === 'Map' || e.type === 'Parallel';
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

/** One level of where a state ran: the Map state, the iteration's index and what it works on. */
export interface IterationLevel {
  readonly map: string;
  readonly index: number;
  readonly item: string | null;
}

/** The label of each level of a scope: `Deploy each process type #0 (web)`. */
export function scopeLabels(scope: Scope, labels: ReadonlyMap<string, string>): IterationLevel[] {
  return scope.path.map((p, i) => ({ map: p.map, index: p.index, item: labels.get(scopeKey(scope.path.slice(0, i + 1))) ?? null }));
}

/** The state(s) running now, innermost first (for a live progress line). */
export function runningStates(timeline: Timeline): StateEntry[] {
  return timeline.entries.filter((e) => e.status === 'running').sort((a, b) => b.scope.path.length - a.scope.path.length);
}

/** Where a step ran, for people: `Deploy each process type #0 web`. */
export function whereLabel(levels: readonly { map: string; index: number; item?: string | null }[]): string {
  return levels.map((p) => `${p.map} #${p.index}${p.item ? ` ${p.item}` : ''}`).join(' > ');
}

/** A step with where it ran: `Update the service and wait for its deployment (Deploy each process type #0 web)`. */
export function stepLabel(entry: Pick<StateEntry, 'name' | 'scope'>, labels: ReadonlyMap<string, string> = new Map()): string {
  return entry.scope.path.length === 0 ? entry.name : `${entry.name} (${whereLabel(scopeLabels(entry.scope, labels))})`;
}

/** Several steps, the same state of several Map iterations once: `Update the service and wait for its deployment (Deploy each process type #0, #1)`. */
export function groupedLabels(entries: readonly Pick<StateEntry, 'name' | 'scope'>[], labels: ReadonlyMap<string, string> = new Map()): string[] {
  const groups = new Map<string, { name: string; where: string; items: { index: number; text: string }[] }>();
  for (const e of entries) {
    const levels = scopeLabels(e.scope, labels);
    const outer = levels.length > 1 ? `${whereLabel(levels.slice(0, -1))} > ` : '';
    const last = levels[levels.length - 1];
    const key = `${e.name}|${outer}${last?.map ?? ''}`;
    const g = groups.get(key) ?? { name: e.name, where: last ? `${outer}${last.map}` : '', items: [] };
    if (last) g.items.push({ index: last.index, text: `#${last.index}${last.item ? ` ${last.item}` : ''}` });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => (g.where ? `${g.name} (${g.where} ${g.items.sort((a, b) => a.index - b.index).map((i) => i.text).join(', ')})` : g.name));
}

// ---------------------------------------------------------------------------------------------------
// steps: the rows every renderer shows

/** One state entered, as `slipway status --json` and the local report show it. */
export interface Step {
  readonly name: string;
  readonly type: string;
  readonly iteration: IterationLevel[];
  readonly status: StateEntry['status'];
  readonly enteredAt: string;
  /** When it exited, failed or was aborted (null while it runs). */
  readonly exitedAt: string | null;
  readonly durationSeconds: number | null;
  readonly attempts: number;
  /** Attempts that failed and were retried. */
  readonly retries: { at: string; error: string | null; cause: string | null }[];
  /** The error of its last attempt, if that failed (for a Fail state, the execution's error). */
  readonly error: string | null;
  /** That error's cause in one line ({@link summariseCause}). */
  readonly cause: string | null;
  /** 0 for the first run, n for the states run after the n-th redrive. */
  readonly redrive: number;
  /** The history has its `...StateExited` event. */
  readonly exited: boolean;
  /** A redrive would run it again (AWS's rule, {@link redriveScope}). */
  readonly rerun: boolean;
}

const seconds = (from?: Date, to?: Date): number | null => (from && to ? Math.max(0, Math.round((to.getTime() - from.getTime()) / 100) / 10) : null);

/**
 * The timeline as rows: top-level states in the order they were entered, each Map iteration's states
 * right after their Map state, iterations by index (so interleaved iterations read one after the other),
 * each row with when it exited or failed.
 */
export function stepsOf(timeline: Timeline): Step[] {
  const rerun = new Set(redriveScope(timeline));
  const toStep = (e: StateEntry): Step => {
    const failed = e.attempts.filter((a) => a.outcome === 'failed');
    const last = e.attempts[e.attempts.length - 1];
    const retried = last?.outcome === 'failed' && e.status !== 'succeeded' ? failed.slice(0, -1) : failed;
    return {
      name: e.name,
      type: e.type,
      iteration: scopeLabels(e.scope, timeline.itemLabels),
      status: e.status,
      enteredAt: e.enteredAt.toISOString(),
      exitedAt: e.exitedAt ? e.exitedAt.toISOString() : null,
      durationSeconds: seconds(e.enteredAt, e.exitedAt),
      attempts: e.attempts.length,
      retries: retried.map((a) => ({ at: (a.endedAt ?? a.scheduledAt).toISOString(), error: a.error ?? null, cause: a.cause ?? null })),
      error: last?.outcome === 'failed' ? (last.error ?? null) : e.type === 'Fail' ? (timeline.execution.error ?? null) : null,
      cause: last?.outcome === 'failed' ? summariseCause(last.cause, { error: last.error }) : e.type === 'Fail' ? summariseCause(timeline.execution.cause, { error: timeline.execution.error }) : null,
      redrive: e.redrive,
      exited: e.exited,
      rerun: rerun.has(e),
    };
  };
  // One pass: the entries of each scope, and the iteration (or branch) scopes opened under each scope.
  const inScope = new Map<string, StateEntry[]>();
  const childScopes = new Map<string, Map<string, { map: string; index: number }>>();
  for (const e of timeline.entries) {
    const list = inScope.get(e.scope.key);
    if (list) list.push(e);
    else inScope.set(e.scope.key, [e]);
    for (let d = 0; d < e.scope.path.length; d++) {
      const parent = scopeKey(e.scope.path.slice(0, d));
      const children = childScopes.get(parent) ?? new Map<string, { map: string; index: number }>();
      children.set(scopeKey(e.scope.path.slice(0, d + 1)), e.scope.path[d]);
      childScopes.set(parent, children);
    }
  }
  const out: Step[] = [];
  const emitted = new Set<string>();
  const emit = (key: string) => {
    for (const e of inScope.get(key) ?? []) {
      out.push(toStep(e));
      if (!isContainer(e)) continue;
      // The iterations (or branches) this Map or Parallel state opened, by index.
      const children = [...(childScopes.get(key) ?? new Map()).entries()].filter(([, level]) => level.map === e.name).sort((a, b) => a[1].index - b[1].index);
      for (const [child] of children) {
        if (emitted.has(child)) continue;
        emitted.add(child);
        emit(child);
      }
    }
  };
  emit('');
  return out;
}

// ---------------------------------------------------------------------------------------------------
// causes

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const flat = (text: string) => text.replace(/\s+/g, ' ').trim();

/** What a stopped ECS task (an `ecs:runTask.sync` cause) says, read from the task's JSON. */
export interface EcsTaskOutcome {
  readonly taskArn?: string;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containers: readonly { name: string; exitCode?: number; reason?: string }[];
}

/**
 * Reads the stopped ECS task out of a cause: for `ecs:runTask.sync`, a failed task's `States.TaskFailed`
 * cause is the JSON of the final ECS task object (PascalCase, not wrapped in `Tasks[]`; recorded:
 * test/fixtures/aws-histories/06b-ecs-runtask-sync-failure.json). Undefined for anything else.
 */
export function ecsTaskOfCause(cause: string | undefined | null): EcsTaskOutcome | undefined {
  const task = ecsTaskObjectOfCause(cause);
  if (!task) return undefined;
  const containers = field(task, 'containers');
  return {
    taskArn: str(field(task, 'taskArn')),
    stopCode: str(field(task, 'stopCode')),
    stoppedReason: str(field(task, 'stoppedReason')),
    containers: (Array.isArray(containers) ? containers : []).filter((c): c is JsonObject => Boolean(c) && typeof c === 'object').map((c) => {
      const exit = field(c, 'exitCode');
      return { name: str(field(c, 'name')) ?? '(unnamed)', ...(typeof exit === 'number' ? { exitCode: exit } : {}), ...(str(field(c, 'reason')) ? { reason: str(field(c, 'reason')) } : {}) };
    }),
  };
}

/** One line for a stopped ECS task: which container exited how, the stop code and reason. */
export function describeEcsTask(task: EcsTaskOutcome, options: { logLink?: string | null } = {}): string {
  const id = task.taskArn ? task.taskArn.slice(task.taskArn.lastIndexOf('/') + 1) : undefined;
  const exited = task.containers.filter((c) => c.exitCode !== undefined);
  const failedContainers = exited.filter((c) => c.exitCode !== 0);
  let what: string;
  if (task.stopCode === 'TaskFailedToStart' || exited.length === 0) {
    what = `the ECS task${id ? ` ${id}` : ''} failed to start${task.containers.length > 0 ? ` (container${task.containers.length > 1 ? 's' : ''} ${task.containers.map((c) => `"${c.name}"`).join(', ')} never ran)` : ''}`;
  } else if (failedContainers.length > 0) {
    what = `container ${failedContainers.map((c) => `"${c.name}" exited with code ${c.exitCode}${c.reason ? ` (${flat(c.reason)})` : ''}`).join(', ')} in ECS task${id ? ` ${id}` : ''}`;
  } else {
    what = `the ECS task${id ? ` ${id}` : ''} stopped (every container exited 0)`;
  }
  const stop = task.stopCode || task.stoppedReason ? `; stop code ${task.stopCode ?? 'none'}${task.stoppedReason ? `: ${flat(task.stoppedReason)}` : ''}` : '';
  const logs = options.logLink ? `; logs: ${options.logLink}` : '';
  return `${what}${stop}${logs}`;
}

/**
 * A cause in one line a person can read: an ECS task's JSON (`ecs:runTask.sync`) becomes exit code,
 * container, stop code and reason ({@link describeEcsTask}); a Lambda error document
 * (`{"errorType", "errorMessage", "trace"}`) becomes `errorType: errorMessage`; anything else is
 * flattened to one line and cut at `max` characters. Not escaped for a terminal: callers printing it do
 * that ({@link ../ops/terminal}).
 */
export function summariseCause(cause: string | undefined | null, options: { logLink?: string | null; max?: number; error?: string | null } = {}): string | null {
  if (cause === undefined || cause === null || cause === '') return null;
  const max = options.max ?? 600;
  const task = ecsTaskOfCause(cause);
  if (task) return describeEcsTask(task, options);
  const placement = placementFailuresOfCause(cause);
  if (placement) return describePlacementFailures(placement).slice(0, max);
  let text = flat(cause);
  if (cause.trimStart().startsWith('{')) {
    try {
      const parsed = JSON.parse(cause) as { errorType?: unknown; errorMessage?: unknown };
      if (parsed && typeof parsed.errorMessage === 'string') text = flat(`${typeof parsed.errorType === 'string' ? `${parsed.errorType}: ` : ''}${parsed.errorMessage}`);
    } catch {
      /* not JSON */
    }
  }
  text = withoutErrorName(text, options.error);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  // A denied app table says where to look (the handlers' AppTableAccessDenied carries the long hint; a DynamoDB Task state's error does not).
  return isAppTableAccessDenied(options.error, cause) && !cut.includes('slipway doctor') ? `${cut} — ${ABAC_SHORT_HINT}` : cut;
}

/**
 * A cause without the error name it starts with, when that name is printed beside it already: a
 * Lambda's error document reads `InvalidInput: <message>`, and `error: cause` would say `InvalidInput:
 * InvalidInput: <message>`. Repeated prefixes (a message that itself starts with the name) go too.
 */
export function withoutErrorName(text: string, error: string | null | undefined): string {
  if (!error) return text;
  let out = text;
  while (out.startsWith(`${error}: `)) out = out.slice(error.length + 2);
  return out.length > 0 ? out : text;
}

/** One placement failure of RunTask (`failures[]` of the response: the task definition or container instance, and why). */
export interface PlacementFailure {
  readonly arn?: string;
  readonly reason: string;
  readonly detail?: string;
}

/**
 * Reads RunTask's `failures` out of a cause: when ECS places no task, RunTask answers with
 * `failures[]` (`arn`, `reason`, `detail`) and no task, and the `ecs:runTask` integration fails the
 * state with that response as the Cause (PascalCase `Failures`, as Step Functions serialises ECS
 * objects). Undefined for anything else.
 */
export function placementFailuresOfCause(cause: string | undefined | null): PlacementFailure[] | undefined {
  const parsed = jsonObjectOfCause(cause);
  if (!parsed) return undefined;
  const failures = field(parsed, 'failures');
  if (!Array.isArray(failures) || failures.length === 0) return undefined;
  return failures
    .filter((f): f is JsonObject => Boolean(f) && typeof f === 'object')
    .map((f) => ({ ...(str(field(f, 'arn')) ? { arn: str(field(f, 'arn')) } : {}), reason: str(field(f, 'reason')) ?? 'no reason given', ...(str(field(f, 'detail')) ? { detail: str(field(f, 'detail')) } : {}) }));
}

/**
 * What a placement failure reason means, from the Amazon ECS Developer Guide's "API failure reasons"
 * (docs.aws.amazon.com/AmazonECS/latest/developerguide/api_failures_messages.html).
 */
const PLACEMENT_REASONS: Readonly<Record<string, string>> = {
  'RESOURCE:CPU': 'no capacity with enough free CPU',
  'RESOURCE:MEMORY': 'no capacity with enough free memory',
  'RESOURCE:ENI': 'no free elastic network interface (awsvpc) on the capacity',
  'RESOURCE:GPU': 'no capacity with enough free GPUs',
  'RESOURCE:PORTS': 'the ports the task needs are taken',
  AGENT: 'the container instance\'s agent is disconnected',
  ATTRIBUTE: 'no container instance has an attribute the task needs',
  MISSING: 'the container instance does not exist',
};

/** Placement failures as one sentence a person reads. */
export function describePlacementFailures(failures: readonly PlacementFailure[]): string {
  const parts = failures.map((f) => {
    const what = f.arn ? ` (${f.arn.slice(f.arn.lastIndexOf('/') + 1)})` : '';
    const meaning = PLACEMENT_REASONS[f.reason];
    return `${f.reason}${meaning ? `: ${meaning}` : ''}${f.detail ? ` — ${flat(f.detail)}` : ''}${what}`;
  });
  return `ECS could not place the task: ${parts.join('; ')}; add capacity or lower the task's cpu/memory, then redrive`;
}

// ---------------------------------------------------------------------------------------------------
// redrive

/** The redrive window and the history quota: domain/executions.ts. */
export { HISTORY_LIMIT, REDRIVE_WINDOW_DAYS };

/** A state a redrive would re-run. */
export interface RerunState {
  readonly state: string;
  readonly type: string;
  readonly iteration: IterationLevel[];
}

/** Whether a redrive is possible and would help, and what it re-runs. */
export interface RedriveAssessment {
  /**
   * `possible`: Step Functions accepts it and it re-runs the failed work; `would-not-help`: it would
   * re-enter a Fail state and fail the same way; `not-redrivable`: Step Functions refuses it;
   * `not-failed`: the execution runs or succeeded.
   */
  readonly verdict: 'possible' | 'would-not-help' | 'not-redrivable' | 'not-failed';
  readonly possible: boolean;
  /** DescribeExecution's `redriveStatus`, as AWS gives it, when known. */
  readonly status: string | null;
  /** DescribeExecution's `redriveStatusReason`, as AWS gives it, when known. */
  readonly statusReason: string | null;
  /** Why it is not possible or would not help (one sentence), else null. */
  readonly reason: string | null;
  /** What does help instead (a command), when the verdict is not `possible`. */
  readonly instead: string | null;
  /** The states AWS would re-run ({@link redriveScope}), outermost first. */
  readonly rerun: RerunState[];
  /** The same, for people: leaf states with where they ran, iterations grouped. */
  readonly rerunLabels: string[];
}

/** Why a Fail-state outcome cannot be changed by a redrive, and what does help, by its error. */
function failOutcome(error: string | undefined, cause: string | undefined, failState: string, ctx: { app?: string; build?: string }): { why: string; instead: string } {
  const app = ctx.app ?? '<app>';
  const build = ctx.build ?? '<build>';
  const deploy = `slipway deploy ${app} --build ${build}`;
  const what = summariseCause(cause, { max: 200, error });
  if (error === 'DeploymentSuperseded') {
    return {
      why: `a newer build holds the app (DeploymentSuperseded${what ? `: ${what}` : ''}); a redrive re-enters the Fail state "${failState}" and stops again`,
      instead: `nothing, if the newer build should run; to put build ${build} back on purpose: ${deploy} --force`,
    };
  }
  if (error === 'DeployRefused') {
    return {
      why: `the deploy's input asks for what the app did not build (DeployRefused${what ? `: ${what}` : ''}), and a redrive runs with the same input`,
      instead: `deploy one of the app's own builds: slipway pipelines ${app}, then slipway deploy ${app} --build <N>`,
    };
  }
  if (error === 'InvalidEvent') {
    return {
      why: `the event that started it is malformed (InvalidEvent${what ? `: ${what}` : ''}) and a redrive runs with the same input`,
      instead: ctx.build ? `deploy the build from its record: ${deploy}` : `start a new build, or deploy a recorded one: slipway pipelines ${app}, then slipway deploy ${app} --build <N>`,
    };
  }
  return {
    why: `it ended in the Fail state "${failState}"${error ? ` (${error}${what ? `: ${what}` : ''})` : ''}, which a redrive re-enters and fails again`,
    instead: `fix the cause, then start a new execution: ${deploy}`,
  };
}

/**
 * Can a redrive help this execution, and what would it re-run? In this order: an execution that runs
 * or succeeded has nothing to redrive; DescribeExecution's `redriveStatus` NOT_REDRIVABLE (with its
 * `redriveStatusReason`) wins when present; if the states AWS would re-run include a `Fail` state, the
 * redrive fails again at once, so it "would not help" and the answer says what does; without a
 * `redriveStatus`, the 14-day window and the 25,000-event limit are checked here.
 */
export function assessRedrive(
  timeline: Timeline,
  describe: Pick<DescribeExecutionCommandOutput, 'status' | 'redriveStatus' | 'redriveStatusReason' | 'startDate' | 'stopDate' | 'name' | 'output'> | undefined,
  options: { now: Date; app?: string; build?: string },
): RedriveAssessment {
  const status = describe?.status ?? timeline.execution.status;
  const scope = status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED' ? redriveScope(timeline) : [];
  const rerun = scope.map((e) => ({ state: e.name, type: e.type, iteration: scopeLabels(e.scope, timeline.itemLabels) }));
  const leaves = scope.filter((e) => !isContainer(e) || !scope.some((o) => o.scope.path.length > e.scope.path.length && o.scope.path[e.scope.path.length]?.map === e.name));
  const rerunLabels = groupedLabels(leaves, timeline.itemLabels);
  const ctx = { ...appAndBuildOf(describe?.name), ...(options.app ? { app: options.app } : {}), ...(options.build ? { build: options.build } : {}) };
  const base = { status: describe?.redriveStatus ?? null, statusReason: describe?.redriveStatusReason ?? null, rerun, rerunLabels };
  const newExecution = ctx.app && ctx.build ? `start a new execution: slipway deploy ${ctx.app} --build ${ctx.build}` : 'start a new execution (slipway deploy <app> --build <N>)';
  const no = (verdict: RedriveAssessment['verdict'], reason: string, instead: string | null): RedriveAssessment => ({ ...base, verdict, possible: false, reason, instead });

  if (status === 'RUNNING' || status === 'PENDING_REDRIVE') return no('not-failed', status === 'RUNNING' ? 'it is still running' : 'a redrive of it is starting', null);
  const superseded = status === 'SUCCEEDED' ? supersededDeploy(describe?.output) : undefined;
  if (superseded) {
    const by = superseded.supersededBy ? `build ${superseded.supersededBy}` : 'a newer deploy';
    return no('not-failed', `it was superseded by ${by} (a newer build, a rollback or a config redeploy holds the app): it deployed nothing, and there is nothing to redrive`, ctx.app && ctx.build ? `to deploy build ${ctx.build} on purpose: slipway deploy ${ctx.app} --build ${ctx.build} --force` : null);
  }
  if (status === 'SUCCEEDED') return no('not-failed', 'it succeeded: there is nothing to redrive', ctx.app && ctx.build ? `to deploy this build again: slipway deploy ${ctx.app} --build ${ctx.build}` : null);

  const awsReason = describe?.redriveStatusReason ?? null;
  const limit = timeline.eventCount >= HISTORY_LIMIT - 1 || /history/i.test(awsReason ?? '');
  // The window counts from when the execution closed (its last stop: after a redrive, the redrive's).
  const closed = describe?.stopDate;
  const tooOld = closed !== undefined && options.now.getTime() - closed.getTime() > REDRIVE_WINDOW_DAYS * 86_400_000;
  if (describe?.redriveStatus === 'NOT_REDRIVABLE' || (!describe?.redriveStatus && (limit || tooOld))) {
    let reason: string;
    if (limit) reason = `its history reached the ${HISTORY_LIMIT.toLocaleString('en-US')}-event limit`;
    else if (tooOld && closed) reason = `it closed more than ${REDRIVE_WINDOW_DAYS} days ago (${closed.toISOString().slice(0, 10)}): Step Functions redrives an execution only within ${REDRIVE_WINDOW_DAYS} days of when it closed`;
    else reason = awsReason ?? 'Step Functions reports it as not redrivable';
    return no('not-redrivable', awsReason && awsReason !== reason ? `${reason} (Step Functions: ${awsReason})` : reason, newExecution);
  }
  if (describe?.redriveStatus === 'REDRIVABLE_BY_MAP_RUN') return no('not-redrivable', 'a Distributed Map run inside it is being redriven', null);

  const fail = scope.find((e) => e.type === 'Fail');
  if (fail) {
    const { why, instead } = failOutcome(timeline.execution.error, timeline.execution.cause, fail.name, ctx);
    return no('would-not-help', why, instead);
  }
  return { ...base, verdict: 'possible', possible: true, reason: null, instead: null };
}
