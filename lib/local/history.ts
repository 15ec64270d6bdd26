import type { HistoryEvent, HistoryEventType } from '@aws-sdk/client-sfn';
import { JSONPath } from 'jsonpath-plus';
import { forEachState, type AslState, type AslStates } from '../asl';
import { buildTimeline, redriveScope, type StateEntry } from '../../domain/execution-history';

/**
 * Turns the events aws-local-stepfunctions yields (StateEntered, StateFailed, StateRetried, ...) into an
 * execution history in the shape `GetExecutionHistory` returns, with the event types AWS records for
 * each state type and integration pattern. The rules, each proven by a recorded AWS history in
 * test/fixtures/aws-histories (README, "Rules a simulator must follow"):
 *
 * 1. a caught failure still exits the failing state (`TaskFailed -> TaskStateExited`); an uncaught one
 *    does not (`TaskFailed -> ExecutionFailed`);
 * 2. a Fail state is entered and never exited; without Error/Cause its `ExecutionFailed` has no error;
 * 3. retries are silent: each attempt repeats the scheduling events inside one Entered/Exited bracket;
 * 4. Map: `MapStateStarted(length)`, `MapIterationStarted(index)` ... `MapIterationSucceeded|Failed`,
 *    then `MapStateSucceeded|Failed`; iterations still running when another fails are aborted;
 * 5. a plain Lambda ARN gives `LambdaFunction*` events, an integration `TaskScheduled, TaskStarted`,
 *    plus `TaskSubmitted` for `.sync` and `.waitForTaskToken`; a timeout is `TaskTimedOut`
 *    (`States.Timeout`, no cause).
 *
 * Redrive (no AWS recording exists, see the fixtures' README): the RedriveExecution API reference says a
 * redrive "continues the failed execution from the unsuccessful step ... For workflows that include an
 * Inline Map or Parallel state, RedriveExecution reschedules and redrives only the iterations and
 * branches that failed or aborted", and the Map Run guide says a state is unsuccessful when its
 * `<stateType>Entered` event has no `<stateType>Exited` event. The history gets `ExecutionRedriven`
 * (executionRedrivenEventDetails.redriveCount) instead of a second `ExecutionStarted`.
 */

/** An event the local engine yields (aws-local-stepfunctions 3.0 `eventLogs`). */
export interface EngineEvent {
  readonly type: string;
  readonly state?: { readonly name: string; readonly type: string; readonly input?: unknown; readonly output?: unknown };
  readonly index?: number;
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly parentState?: { readonly name: string };
}

/** What the recorder needs to know of a state: its type and (for a Task) its resource. */
export interface StateInfo {
  readonly type: string;
  readonly resource?: string;
  readonly state: AslState;
}

/** The states of a definition by name, nested ones included (state names are unique in a state machine). */
export function stateIndex(states: AslStates): Map<string, StateInfo> {
  const index = new Map<string, StateInfo>();
  forEachState(states, (name, state) => index.set(name, { type: String(state.Type), resource: typeof state.Resource === 'string' ? state.Resource : undefined, state }));
  return index;
}

/** `lambda:invoke`-style integrations (optimised and SDK) vs. a plain Lambda function ARN. */
function taskFamily(resource: string | undefined): 'lambda' | 'task' {
  return resource && /^arn:[^:]+:lambda:/.test(resource) ? 'lambda' : 'task';
}

/** `arn:aws:states:::ecs:runTask.sync` -> resourceType `ecs`, resource `runTask.sync`. */
function splitResource(resource: string): { resourceType: string; resource: string } {
  const m = /^arn:[^:]+:states:::(?:aws-sdk:)?([^:]+):(.+)$/.exec(resource);
  return m ? { resourceType: m[1], resource: m[2] } : { resourceType: 'unknown', resource };
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  return typeof cause === 'string' ? cause : JSON.stringify(cause);
}

/** Where the events of one Task attempt stand. */
interface OpenState {
  readonly name: string;
  readonly info: StateInfo;
  readonly index?: number;
  /** The last attempt failed (a retry, a catch or the end follows). */
  failed: boolean;
  /**
   * A Map or Parallel state whose attempt failed: its `MapStateFailed`/`ParallelStateFailed` is written
   * only once no Retrier runs it again (recorded: a retried Map or Parallel goes from the failed iteration or
   * branch straight to the next `MapStateStarted`/`ParallelStateStarted`, fixtures 11, 11b, 12b).
   */
  pendingFailure?: string;
}

/** Records one execution's history (the events of every attempt: the first run and each redrive). */
export class HistoryRecorder {
  private readonly open = new Map<string, OpenState>();
  private readonly iterations = new Map<number, 'running' | 'succeeded' | 'failed'>();
  /** Top-level Map state running now (its iterations' events carry an index). */
  private currentMap?: string;
  /** Iteration index of the state event being written, if inside a Map iteration. */
  private tag?: number;
  /** The id of the last event of each Map iteration (for previousEventId). */
  private readonly lastInIteration = new Map<number, number>();
  /** The id of the last event outside every Map iteration. */
  private lastOutside = 0;

  constructor(
    private readonly states: Map<string, StateInfo>,
    readonly events: HistoryEvent[],
    private readonly clock: () => Date,
    private readonly region: string,
  ) {
    this.lastOutside = events.length;
  }

  /** Appends one event with the next id. */
  add(type: HistoryEventType | `${string}`, details: Partial<HistoryEvent> = {}): HistoryEvent {
    const id = this.events.length + 1;
    // previousEventId chains each Map iteration on its own, as AWS does: an iteration's first event
    // points at its MapIterationStarted, its end at its last event; other events at the one before.
    const iterationEnd = details.mapIterationSucceededEventDetails ?? details.mapIterationFailedEventDetails ?? details.mapIterationAbortedEventDetails;
    // A MapIterationStarted points at the Map's own level (the last event outside the iterations).
    const chain = this.tag ?? iterationEnd?.index;
    const started = details.mapIterationStartedEventDetails?.index;
    const previousEventId = chain !== undefined ? (this.lastInIteration.get(chain) ?? id - 1) : started !== undefined ? this.lastOutside : id - 1;
    if (chain !== undefined) this.lastInIteration.set(chain, id);
    if (started !== undefined) this.lastInIteration.set(started, id);
    if (chain === undefined && started === undefined) this.lastOutside = id;
    const event = { timestamp: this.clock(), type: type as HistoryEventType, id, previousEventId, ...details } as HistoryEvent;
    this.events.push(event);
    return event;
  }

  private key(name: string, index?: number): string {
    return `${index ?? '-'}/${name}`;
  }

  private attemptStarted(open: OpenState): void {
    const resource = open.info.resource ?? '';
    if (taskFamily(resource) === 'lambda') {
      this.add('LambdaFunctionScheduled', { lambdaFunctionScheduledEventDetails: { resource } });
      this.add('LambdaFunctionStarted');
      return;
    }
    const r = splitResource(resource);
    this.add('TaskScheduled', { taskScheduledEventDetails: { ...r, region: this.region, parameters: '{}' } });
    this.add('TaskStarted', { taskStartedEventDetails: r });
    if (/\.(sync(:2)?|waitForTaskToken)$/.test(resource)) this.add('TaskSubmitted', { taskSubmittedEventDetails: { ...r, output: '{}' } });
  }

  private attemptFailed(open: OpenState, error: string | undefined, cause: string | undefined): void {
    open.failed = true;
    const resource = open.info.resource ?? '';
    const timedOut = error === 'States.Timeout';
    if (taskFamily(resource) === 'lambda') {
      if (timedOut) this.add('LambdaFunctionTimedOut', { lambdaFunctionTimedOutEventDetails: { error } });
      else this.add('LambdaFunctionFailed', { lambdaFunctionFailedEventDetails: { error, cause } });
      return;
    }
    const r = splitResource(resource);
    if (timedOut) this.add('TaskTimedOut', { taskTimedOutEventDetails: { ...r, error } });
    else this.add('TaskFailed', { taskFailedEventDetails: { ...r, error, cause } });
  }

  /** The type AWS gives a state's events: the recorder knows the ASL type, not the engine's stand-in. */
  private typeOf(name: string, engineType: string): string {
    return this.states.get(name)?.type ?? engineType;
  }

  /**
   * One event of the local engine. `index` overrides the engine's iteration index (a redriven Map
   * iteration runs as its own engine run).
   */
  handle(e: EngineEvent, index = e.index): void {
    switch (e.type) {
      case 'ExecutionStarted':
      case 'ExecutionSucceeded':
      case 'ExecutionFailed':
      case 'ExecutionAborted':
      case 'ExecutionTimeout':
        return; // the runner adds the execution's own events (it knows a start from a redrive)
      case 'MapIterationStarted':
        if (e.index !== undefined) this.iterationStarted(e.parentState?.name ?? this.currentMap ?? '', e.index);
        return;
      case 'MapIterationSucceeded':
        if (e.index !== undefined) this.iterationEnded(e.parentState?.name ?? this.currentMap ?? '', e.index, true);
        return;
      case 'MapIterationFailed':
        if (e.index !== undefined) this.iterationEnded(e.parentState?.name ?? this.currentMap ?? '', e.index, false);
        return;
    }
    if (!e.state) return;
    this.tag = index;
    try {
      this.handleState(e, e.state, index);
    } finally {
      this.tag = undefined;
    }
  }

  private handleState(e: EngineEvent, st: NonNullable<EngineEvent['state']>, index: number | undefined): void {
    const name = st.name;
    const type = this.typeOf(name, st.type);
    const k = this.key(name, index);
    const info = this.states.get(name) ?? { type, state: {} };
    switch (e.type) {
      case 'StateEntered': {
        const open: OpenState = { name, info, index, failed: false };
        this.open.set(k, open);
        this.add(`${type}StateEntered`, { stateEnteredEventDetails: { name, input: json(st.input) } });
        if (type === 'Task') this.attemptStarted(open);
        else if (type === 'Map') {
          this.currentMap = name;
          this.iterations.clear();
          this.add('MapStateStarted', { mapStateStartedEventDetails: { length: mapLength(info.state, st.input) } });
        } else if (type === 'Parallel') this.add('ParallelStateStarted');
        return;
      }
      case 'StateRetried': {
        const open = this.open.get(k);
        if (open) {
          open.failed = false;
          open.pendingFailure = undefined;
          if (type === 'Task') this.attemptStarted(open);
          else if (type === 'Map') {
            this.iterations.clear();
            this.add('MapStateStarted', { mapStateStartedEventDetails: { length: mapLength(info.state, st.input) } });
          } else if (type === 'Parallel') this.add('ParallelStateStarted');
        }
        return;
      }
      case 'StateFailed': {
        const open = this.open.get(k);
        if (!open) return;
        const error = e.Error;
        const cause = causeText(e.Cause);
        if (type === 'Task') this.attemptFailed(open, error, cause);
        else if (type === 'Map') {
          open.failed = true;
          this.abortIterations();
          open.pendingFailure = 'MapStateFailed';
        } else if (type === 'Parallel') {
          open.failed = true;
          // The branches' states still open are aborted, the failed Task included (recorded: 07e); a Fail
          // state has ended its branch and is not aborted (recorded: 12, 12b, 12c).
          for (const [key, other] of this.open) {
            if (other === open) continue;
            if (other.pendingFailure) {
              this.flushFailure(other);
              this.open.delete(key);
              continue;
            }
            if (this.typeOf(other.name, other.info.type) !== 'Fail') this.add(`${this.typeOf(other.name, other.info.type)}StateAborted`);
            this.open.delete(key);
          }
          open.pendingFailure = 'ParallelStateFailed';
        }
        // Fail, Choice, Pass, Wait: no event of their own; ExecutionFailed (or the catch) follows.
        return;
      }
      case 'StateCaught':
        this.flushFailure(this.open.get(k));
        return; // AWS records no event for a catch: the state's Exited event follows
      case 'StateExited': {
        const open = this.open.get(k);
        this.flushFailure(open);
        if (open && !open.failed) {
          if (type === 'Task') {
            if (taskFamily(info.resource) === 'lambda') this.add('LambdaFunctionSucceeded', { lambdaFunctionSucceededEventDetails: { output: json(st.output) } });
            else this.add('TaskSucceeded', { taskSucceededEventDetails: { ...splitResource(info.resource ?? ''), output: json(st.output) } });
          } else if (type === 'Map') this.add('MapStateSucceeded');
          else if (type === 'Parallel') this.add('ParallelStateSucceeded');
        }
        this.open.delete(k);
        if (type === 'Map') this.currentMap = undefined;
        this.add(`${type}StateExited`, { stateExitedEventDetails: { name, output: json(st.output) } });
        return;
      }
    }
  }

  /** Writes a Map's or Parallel's failure once it is final (caught, or the execution fails). */
  private flushFailure(open: OpenState | undefined): void {
    if (!open?.pendingFailure) return;
    const saved = this.tag;
    this.tag = open.index;
    this.add(open.pendingFailure);
    this.tag = saved;
    open.pendingFailure = undefined;
  }

  /** A Map iteration starts (the engine's or a redrive's). */
  iterationStarted(map: string, index: number): void {
    this.iterations.set(index, 'running');
    this.lastInIteration.delete(index);
    this.add('MapIterationStarted', { mapIterationStartedEventDetails: { name: map, index } });
  }

  /** A Map iteration ends. */
  iterationEnded(map: string, index: number, succeeded: boolean): void {
    if (this.iterations.get(index) !== 'running') return;
    // A nested Map or Parallel that failed the iteration failed before it.
    for (const open of this.open.values()) if (open.index === index) this.flushFailure(open);
    this.iterations.set(index, succeeded ? 'succeeded' : 'failed');
    if (succeeded) this.add('MapIterationSucceeded', { mapIterationSucceededEventDetails: { name: map, index } });
    else this.add('MapIterationFailed', { mapIterationFailedEventDetails: { name: map, index } });
  }

  /**
   * When an iteration fails, Step Functions stops the Map's other iterations: their running states get
   * `<Type>StateAborted` and the iteration `MapIterationAborted` (the engine stops them silently).
   */
  private abortIterations(): void {
    const map = this.currentMap ?? '';
    for (const [index, status] of this.iterations) {
      if (status !== 'running') continue;
      for (const [k, open] of this.open) {
        if (open.index !== index) continue;
        this.tag = index;
        this.add(`${this.typeOf(open.name, open.info.type)}StateAborted`);
        this.tag = undefined;
        this.open.delete(k);
      }
      this.iterations.set(index, 'failed');
      this.add('MapIterationAborted', { mapIterationAbortedEventDetails: { name: map, index } });
    }
  }

  /** The execution ended with the engine still inside states (a Task waiting when the execution failed). */
  closeOpenStates(): void {
    // An uncaught Map or Parallel failure: innermost first (a nested state was opened after its parent).
    for (const open of [...this.open.values()].reverse()) this.flushFailure(open);
    this.open.clear();
    this.iterations.clear();
    this.currentMap = undefined;
  }
}

/** The number of items a Map state iterates over, from its input (InputPath, then ItemsPath). */
function mapLength(state: AslState, input: unknown): number {
  try {
    let value: unknown = input;
    if (typeof state.InputPath === 'string') value = JSONPath({ path: state.InputPath, json: value as object, wrap: false });
    if (typeof state.ItemsPath === 'string') value = JSONPath({ path: state.ItemsPath, json: value as object, wrap: false });
    return Array.isArray(value) ? value.length : 0;
  } catch {
    return 0;
  }
}

/** A state that a redrive runs again: entered and never exited in the last attempt. */
export interface Unfinished {
  readonly name: string;
  readonly type: string;
  /** The state's input when it was entered. */
  readonly input: unknown;
  /** For a Map state: each iteration's fate in the last attempt and, for those that did not succeed, where to restart. */
  readonly iterations?: Map<number, { readonly succeeded: boolean; readonly output?: unknown; readonly restart?: { readonly name: string; readonly input: unknown } }>;
}

const parsed = (text: string | undefined): unknown => (text === undefined ? {} : (JSON.parse(text) as unknown));

/**
 * The top-level states of an execution that a redrive re-runs, by AWS's rule: those with a
 * `...StateEntered` event and no `...StateExited` event. Read with the same execution model the CLI's
 * `status` and `redrive` use (domain/execution-history.ts `redriveScope`); inside an inline Map, the iterations
 * that did not succeed, each restarted at its own unfinished state (or from the start if it never ran),
 * with the outputs of those that did. Parallel branches are not modelled (no Slipway state machine uses one).
 */
export function unfinishedStates(history: readonly HistoryEvent[], states: Map<string, StateInfo>): Unfinished[] {
  const timeline = buildTimeline(history);
  const scope = redriveScope(timeline);
  const enteredInput = new Map(history.map((e) => [e.id, e.stateEnteredEventDetails?.input]));
  const inputOf = (e: StateEntry) => parsed(enteredInput.get(e.eventId));
  return scope
    .filter((e) => e.scope.path.length === 0)
    .map((e) => {
      const type = states.get(e.name)?.type ?? e.type;
      if (type !== 'Map') return { name: e.name, type, input: inputOf(e) };
      const inIteration = (x: StateEntry, index: number) => x.scope.path.length === 1 && x.scope.path[0].map === e.name && x.scope.path[0].index === index;
      const iterations = new Map<number, { succeeded: boolean; output?: unknown; restart?: { name: string; input: unknown } }>();
      for (const it of e.iterations ?? []) {
        if (it.status === 'succeeded') {
          const last = timeline.entries.filter((x) => inIteration(x, it.index) && x.exited).pop();
          iterations.set(it.index, { succeeded: true, output: last?.output !== undefined ? parsed(last.output) : null });
        } else {
          const restart = scope.filter((x) => inIteration(x, it.index)).pop();
          iterations.set(it.index, { succeeded: false, restart: restart ? { name: restart.name, input: inputOf(restart) } : undefined });
        }
      }
      return { name: e.name, type, input: inputOf(e), iterations };
    });
}
