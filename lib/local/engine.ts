import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { EXECUTION_HISTORY_LIMIT } from '../../domain/executions';
import { forEachState, type AslState, type AslStates } from '../asl';
import { AcceptedDefinitions, acceptedDefinitionsDir } from './accepted-definitions';
import { refuseUnsupported } from './asl-support';
import { HistoryRecorder, unfinishedStates, type EngineEvent, type StateInfo, type Unfinished } from './history';
import type { JsonValue } from '../../domain/json';


/** How an attempt (or part of one) ended. */
export type Outcome = { ok: true; output?: JsonValue } | { ok: false; error: unknown };

/**
 * Step Functions' payload quota: a state's input or output, an execution's input, at most 256 KiB of
 * UTF-8 (Step Functions guide, "Step Functions service quotas", "Maximum input or output size for a
 * task, state, or execution"); beyond it a state fails with States.DataLimitExceeded ("Error handling":
 * "the output of a connector is larger than payload size quota, the output of a state is larger than
 * payload size quota, or, after Parameters processing, the input of a state is larger than payload
 * size quota").
 */
export const MAX_PAYLOAD_BYTES = 262144;

/**
 * The execution history quota (domain/executions.ts EXECUTION_HISTORY_LIMIT: "Maximum execution history
 * size: 25,000 events"; the execution fails when it reaches it). AWS documents no error name for that
 * failure; the runner uses States.Runtime and says which quota in the cause.
 */
export const MAX_HISTORY_EVENTS = EXECUTION_HISTORY_LIMIT;

/** A quota the engine enforces itself, failing the execution with AWS's error name. */
class QuotaExceeded extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/**
 * A redrive the engine cannot carry out as AWS would (a history with nothing unfinished, or several
 * unfinished states at the top). The runner refuses a Parallel state and a Map with a Catch or a Retry
 * when it loads the definition (asl-support.ts refuseUnredrivable), so a redrive never meets them; the
 * checks here stay for a definition run through the engine alone.
 */
export class RedriveNotSimulated extends Error {
  public override readonly name = 'RedriveNotSimulated';
}

/** One attempt of an execution: its first run, or one redrive. */
export interface AttemptOptions {
  /** The definition the engine runs (with the runner's local stand-ins). */
  readonly def: StateMachineDefinition;
  /** The states as written, for the history's event types. */
  readonly info: Map<string, StateInfo>;
  /** The execution's history so far (the attempt appends to it). */
  readonly history: HistoryEvent[];
  readonly input: JsonValue;
  readonly clock: () => Date;
  readonly region: string;
  readonly roleArn: string;
  /** The context object (`$$`): Execution (Id, Name, RedriveCount, StartTime), StateMachine, ... */
  readonly context: object;
  /** Answers for Task states, by state name (aws-local-stepfunctions `taskResourceLocalHandlers`). */
  readonly tasks: Record<string, (input: JsonValue) => Promise<unknown>>;
  /** This attempt is a redrive with this RedriveCount. */
  readonly redriveCount?: number;
  /** Wait states that must not wait (by name, seconds). @default none */
  readonly waitTimeOverrides?: Record<string, number>;
  /** Every engine event, with the Map iteration it belongs to. */
  readonly onEngineEvent?: (e: EngineEvent, iteration: number | undefined) => void;
  /** Aborts the attempt's engine runs (an endpoint that stops: their timers must not hold the process). */
  readonly signal?: AbortSignal;
}

/** The attempt's end: the outcome, and the execution's error and cause when it failed. */
export interface AttemptResult {
  readonly outcome: Outcome;
  readonly error?: string;
  readonly cause?: string;
}

/**
 * The states a redrive of this history would run again (AWS's rule, see lib/local/history.ts), or why the
 * local engine cannot redrive it.
 */
export function redrivePlan(history: readonly HistoryEvent[], info: Map<string, StateInfo>): Unfinished {
  const unfinished = unfinishedStates(history, info);
  if (unfinished.length === 0) throw new RedriveNotSimulated('the history has no state that was entered and not exited');
  if (unfinished.length > 1) throw new RedriveNotSimulated(`${unfinished.length} top-level states were entered and not exited (Parallel branches): the local engine redrives one`);
  return unfinished[0];
}

/** Runs one attempt on aws-local-stepfunctions, writing its events to the history as AWS records them. */
export async function runAttempt(options: AttemptOptions): Promise<AttemptResult> {
  const o = { ...options, def: engineReady(options.def) };
  // A construct the engine would run otherwise than AWS is refused before the execution starts
  // (lib/local/asl-support.ts); a definition is checked once, with its first attempt.
  if (!validated.has(o.def)) refuseUnsupported(o.def as unknown as { States: unknown });
  const recorder = new HistoryRecorder(o.info, o.history, o.clock, o.region);
  const at = o.redriveCount !== undefined ? redrivePlan(o.history, o.info) : undefined;
  if (o.redriveCount !== undefined) recorder.add('ExecutionRedriven', { executionRedrivenEventDetails: { redriveCount: o.redriveCount } });
  else recorder.add('ExecutionStarted', { executionStartedEventDetails: { input: JSON.stringify(o.input), inputDetails: { truncated: false }, roleArn: o.roleArn } });
  const run = new Attempt(o, recorder);
  let outcome: Outcome;
  if (!at) outcome = await run.engine(o.def, o.input);
  else if (at.type === 'Map') outcome = await run.redriveMap(at);
  else outcome = await run.engine({ ...o.def, StartAt: at.name }, at.input as JsonValue, true);
  recorder.closeOpenStates();
  if (outcome.ok) {
    recorder.add('ExecutionSucceeded', { executionSucceededEventDetails: { output: JSON.stringify(outcome.output ?? null), outputDetails: { truncated: false } } });
    return { outcome };
  }
  const failed = failureOf(o.history, o.def, outcome.error);
  recorder.add('ExecutionFailed', { executionFailedEventDetails: { ...(failed.error !== undefined ? { error: failed.error } : {}), ...(failed.cause !== undefined ? { cause: failed.cause } : {}) } });
  return { outcome, ...failed };
}

const ready = new WeakMap<StateMachineDefinition, StateMachineDefinition>();
/** Definitions already validated (or parts of one being redriven), by object; and by text, every accepted one. */
const validated = new WeakSet<StateMachineDefinition>();
const accepted = new AcceptedDefinitions(acceptedDefinitionsDir());

/**
 * The definition as aws-local-stepfunctions 3.0 runs it correctly: it nests the result under a "$" key
 * for `ResultPath: "$"` instead of replacing the input, so that field is dropped (the ASL default is
 * "$", the same meaning). Cached per definition object.
 */
function engineReady(def: StateMachineDefinition): StateMachineDefinition {
  const cached = ready.get(def);
  if (cached) return cached;
  // A JSON copy: the engine's template processing only recognises objects of its own realm, and
  // structuredClone under jest makes them in another (the Parameters would pass through unevaluated).
  const copy = JSON.parse(JSON.stringify(def)) as StateMachineDefinition;
  forEachState(copy.States as unknown as AslStates, (_n, s) => {
    if (s.ResultPath === '$') delete (s as Record<string, unknown>).ResultPath;
  });
  ready.set(def, copy);
  return copy;
}

/** The state called `name`, nested ones included. */
export function findState(def: StateMachineDefinition, name: string): AslState | undefined {
  let found: AslState | undefined;
  forEachState(def.States as unknown as AslStates, (n, s) => {
    if (n === name) found = s;
  });
  return found;
}

/**
 * The error and cause an execution failed with. A Fail state gives its own Error/Cause, and none when
 * it has neither (recorded: fixtures 03, 05d); any other failure gives the failing state's error.
 */
function failureOf(history: readonly HistoryEvent[], def: StateMachineDefinition, error: unknown): { error?: string; cause?: string } {
  const last = [...history].reverse().find((e) => e.type?.endsWith('StateEntered'));
  const failState = last?.type === 'FailStateEntered' ? findState(def, last.stateEnteredEventDetails?.name ?? '') : undefined;
  const failure = error as { name?: string; message?: string; cause?: { name?: string; message?: string } } | undefined;
  const inner = failure?.cause ?? failure;
  if (failState) {
    const hasError = failState.Error !== undefined || failState.ErrorPath !== undefined;
    const hasCause = failState.Cause !== undefined || failState.CausePath !== undefined;
    return { error: hasError ? inner?.name : undefined, cause: hasCause ? inner?.message : undefined };
  }
  return { error: inner?.name, cause: inner?.message };
}

class Attempt {
  constructor(
    private readonly o: AttemptOptions,
    private readonly recorder: HistoryRecorder,
  ) {}

  /** Runs (part of) a definition on the local engine, feeding its events to the history; never throws. */
  async engine(def: StateMachineDefinition, input: JsonValue, partial = false, iteration?: number): Promise<Outcome> {
    // A redrive starts mid-definition, which the validator reports as unreachable states; the same
    // definition was validated when the execution first ran.
    // Each definition is validated once (asl-validator compiles its schemas on every call).
    // (The text is taken first: asl-validator adds defaults to the definition it checks.)
    const text = partial || validated.has(def) ? undefined : JSON.stringify(def);
    const skip = text === undefined || accepted.has(text);
    const machine = new StateMachine(def, { validationOptions: skip ? { noValidate: true } : { checkArn: true, checkPaths: true } });
    validated.add(def);
    if (text !== undefined && !skip) accepted.add(text);
    // Retries happen at once (the runner's clock is simulated): the retry count and order are AWS's.
    const retryOverrides: Record<string, number> = {};
    forEachState(def.States as unknown as AslStates, (n, s) => {
      if (s.Type === 'Task' || s.Type === 'Map' || s.Type === 'Parallel') retryOverrides[n] = 0;
    });
    // $$.State.EnteredTime on the attempt's clock (the simulated one), set by the patched engine as each state is entered.
    const overrides = { taskResourceLocalHandlers: this.o.tasks as never, retryIntervalOverrides: retryOverrides, waitTimeOverrides: this.o.waitTimeOverrides, stateEnteredTime: () => this.o.clock().toISOString() };
    const run = machine.run(input as never, { overrides: overrides as never, context: this.o.context as never });
    const abort = () => run.abort();
    if (this.o.signal?.aborted) abort();
    else this.o.signal?.addEventListener('abort', abort, { once: true });
    // Quotas the engine does not enforce: a state's output over 256 KiB, a history over 25,000 events.
    let quota: QuotaExceeded | undefined;
    const consume = (async () => {
      for await (const ev of run.eventLogs) {
        // Past a quota the execution has ended: what the engine still yields (it stops lazily) is not recorded.
        if (quota) continue;
        const e = ev as unknown as EngineEvent;
        const idx = iteration ?? e.index;
        this.recorder.handle(e, idx);
        this.o.onEngineEvent?.(e, idx);
        if (e.type === 'StateExited' && e.state && Buffer.byteLength(JSON.stringify(e.state.output ?? null), 'utf8') > MAX_PAYLOAD_BYTES) {
          quota = new QuotaExceeded('States.DataLimitExceeded', `The state/task '${e.state.name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
        } else if (this.o.history.length > MAX_HISTORY_EVENTS) {
          quota = new QuotaExceeded('States.Runtime', `The execution history reached the quota of ${MAX_HISTORY_EVENTS} events.`);
        }
        if (quota) run.abort();
      }
    })();
    let outcome: Outcome;
    try {
      outcome = { ok: true, output: (await run.result) as JsonValue };
    } catch (err) {
      outcome = { ok: false, error: err };
    }
    await consume;
    this.o.signal?.removeEventListener('abort', abort);
    return quota ? { ok: false, error: quota } : outcome;
  }

  /**
   * Redrives an inline Map that did not exit: only its iterations that failed, were aborted or never
   * started run again, each from its own unfinished state; the others keep their outputs. Then the Map's
   * ResultSelector/ResultPath/OutputPath apply to all outputs and the execution goes on after the Map.
   */
  async redriveMap(at: Unfinished): Promise<Outcome> {
    const map = findState(this.o.def, at.name);
    if (!map) throw new RedriveNotSimulated(`state ${at.name} is not in the definition`);
    const processor = (map.ItemProcessor ?? map.Iterator) as { StartAt: string; States: Record<string, unknown> };
    const itemInputs = await this.mapItemInputs(map, at.input as JsonValue);
    const previous = at.iterations ?? new Map();
    const outputs: JsonValue[] = new Array<JsonValue>(itemInputs.length).fill(null);
    const runs: Promise<Outcome>[] = [];
    for (let index = 0; index < itemInputs.length; index++) {
      const before = previous.get(index);
      if (before?.succeeded) {
        outputs[index] = (before.output ?? null) as JsonValue;
        continue;
      }
      const restart = before?.restart;
      const sub = { ...processor, StartAt: restart?.name ?? processor.StartAt } as unknown as StateMachineDefinition;
      this.recorder.iterationStarted(at.name, index);
      runs.push(
        this.engine(sub, (restart ? restart.input : itemInputs[index]) as JsonValue, true, index).then((o) => {
          this.recorder.iterationEnded(at.name, index, o.ok);
          if (o.ok) outputs[index] = o.output ?? null;
          return o;
        }),
      );
    }
    const results = await Promise.all(runs);
    const failed = results.find((r) => !r.ok);
    if (failed) {
      if (map.Catch) throw new RedriveNotSimulated(`a redriven Map state with a Catch ("${at.name}") is not simulated`);
      this.recorder.add('MapStateFailed');
      return failed;
    }
    const output = await this.mapOutput(map, at.input as JsonValue, outputs);
    this.recorder.add('MapStateSucceeded');
    this.recorder.add('MapStateExited', { stateExitedEventDetails: { name: at.name, output: JSON.stringify(output) } });
    if (typeof map.Next !== 'string') return { ok: true, output };
    return this.engine({ ...this.o.def, StartAt: map.Next }, output, true);
  }

  /** Each Map iteration's input (InputPath, ItemsPath, ItemSelector), computed by the engine itself. */
  private async mapItemInputs(map: AslState, input: JsonValue): Promise<JsonValue[]> {
    const keep = ['InputPath', 'ItemsPath', 'ItemSelector', 'Parameters', 'MaxConcurrency'];
    const probe = { StartAt: 'Items', States: { Items: { Type: 'Map', ...Object.fromEntries(keep.filter((k) => map[k] !== undefined).map((k) => [k, map[k]])), ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Item', States: { Item: { Type: 'Pass', End: true } } }, End: true } } };
    const machine = new StateMachine(probe as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    return (await machine.run(input as never, { context: this.o.context as never }).result) as JsonValue[];
  }

  /** The Map state's output from its iterations' outputs (ResultSelector, ResultPath, OutputPath), computed by the engine. */
  private async mapOutput(map: AslState, input: JsonValue, outputs: JsonValue[]): Promise<JsonValue> {
    const keep = ['ResultSelector', 'ResultPath', 'OutputPath'];
    const probe = { StartAt: 'Results', States: { Results: { Type: 'Task', Resource: 'arn:aws:states:::local:map-results', ...Object.fromEntries(keep.filter((k) => map[k] !== undefined).map((k) => [k, map[k]])), End: true } } };
    const machine = new StateMachine(probe as unknown as StateMachineDefinition, { validationOptions: { noValidate: true } });
    return (await machine.run(input as never, { context: this.o.context as never, overrides: { taskResourceLocalHandlers: { Results: async () => outputs } } }).result) as JsonValue;
  }
}
