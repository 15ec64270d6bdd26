import { LocalRunError } from './run-error';
import { SimulatedAwsError } from './aws-error';

/**
 * A Task state's timeouts, as the Amazon States Language defines them (https://states-language.net/#task-state,
 * "Timeouts"; Step Functions guide, "Task workflow state"):
 *
 * * `TimeoutSeconds` / `TimeoutSecondsPath`: if the task runs longer, the state fails with
 *   `States.Timeout` (AWS records `TaskTimedOut`, no cause; recorded history 07f in
 *   test/fixtures/aws-histories for a Lambda). The path resolves, in the state's input, to a positive
 *   integer, else the state fails with `States.Runtime`.
 * * `HeartbeatSeconds`: if more time passes between heartbeats (SendTaskHeartbeat with the task
 *   token), the state fails with `States.HeartbeatTimeout`; it must be smaller than TimeoutSeconds.
 *
 * The local engine would enforce these on real timers, so the runner takes them out of the definition
 * and enforces them on the simulated clock, for every Task (`.sync` included). A Standard execution
 * lasts at most a year (Step Functions quotas), so no state waits longer than that.
 */
export interface TaskTimeouts {
  /** Fixed TimeoutSeconds. */
  readonly seconds?: number;
  /** TimeoutSecondsPath, evaluated by the engine as a hidden Parameters field ({@link TIMEOUT_FIELD}). */
  readonly path?: string;
  /** Fixed HeartbeatSeconds (callback tasks only: nothing else sends heartbeats here). */
  readonly heartbeatSeconds?: number;
}

/** The longest a Standard execution runs: one year (Step Functions quotas, "Maximum execution time"). */
export const MAX_EXECUTION_SECONDS = 31_536_000;

/** Where the engine leaves a TimeoutSecondsPath's value in the Task's parameters (removed before the task runs). */
export const TIMEOUT_FIELD = '__slipwayTimeoutSeconds';
/** Where the engine leaves the state's input when the state has no Parameters of its own. */
export const INPUT_FIELD = '__slipwayInput';

const positiveInteger = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;

/**
 * Takes TimeoutSeconds, TimeoutSecondsPath, HeartbeatSeconds and HeartbeatSecondsPath out of a Task
 * state (mutating it) and returns them. Refuses by name what the runner cannot run as AWS does.
 */
export function takeTaskTimeouts(machine: string, stateName: string, state: Record<string, unknown>): TaskTimeouts {
  const where = `statemachines/${machine}.asl.json: Task state "${stateName}"`;
  const { TimeoutSeconds: seconds, TimeoutSecondsPath: path, HeartbeatSeconds: heartbeat, HeartbeatSecondsPath: heartbeatPath } = state;
  delete state.TimeoutSeconds;
  delete state.TimeoutSecondsPath;
  delete state.HeartbeatSeconds;
  delete state.HeartbeatSecondsPath;
  if (seconds !== undefined && !positiveInteger(seconds)) throw new LocalRunError(`${where}: TimeoutSeconds must be a positive integer`);
  if (heartbeat !== undefined && !positiveInteger(heartbeat)) throw new LocalRunError(`${where}: HeartbeatSeconds must be a positive integer`);
  if (seconds !== undefined && heartbeat !== undefined && (heartbeat as number) >= (seconds as number)) throw new LocalRunError(`${where}: HeartbeatSeconds must be smaller than TimeoutSeconds`);
  if (heartbeatPath !== undefined) throw new LocalRunError(`${where}: the local runner does not simulate HeartbeatSecondsPath`);
  const resource = String(state.Resource ?? '');
  if (heartbeat !== undefined && !resource.endsWith('.waitForTaskToken')) {
    throw new LocalRunError(`${where}: HeartbeatSeconds on ${resource}: the local runner simulates heartbeats only for callback tasks (.waitForTaskToken)`);
  }
  if (path !== undefined) {
    if (typeof path !== 'string') throw new LocalRunError(`${where}: TimeoutSecondsPath must be a reference path`);
    if (state.InputPath !== undefined) throw new LocalRunError(`${where}: the local runner does not simulate TimeoutSecondsPath together with InputPath`);
    const parameters = state.Parameters;
    if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) throw new LocalRunError(`${where}: Parameters must be an object`);
    // Evaluated by the engine against the state's input, as part of Parameters, then taken out again.
    state.Parameters = parameters === undefined ? { [`${TIMEOUT_FIELD}.$`]: path, [`${INPUT_FIELD}.$`]: '$' } : { ...(parameters as Record<string, unknown>), [`${TIMEOUT_FIELD}.$`]: path };
  }
  return { ...(seconds !== undefined ? { seconds: seconds as number } : {}), ...(typeof path === 'string' ? { path } : {}), ...(heartbeat !== undefined ? { heartbeatSeconds: heartbeat as number } : {}) };
}

/**
 * The state's timeout in seconds for one run of the task, and its input without the hidden field.
 * @throws SimulatedAwsError States.Runtime when TimeoutSecondsPath does not resolve to a positive integer.
 */
export function resolveTimeout(timeouts: TaskTimeouts | undefined, input: unknown): { seconds: number | undefined; input: unknown } {
  if (!timeouts?.path) return { seconds: timeouts?.seconds === undefined ? undefined : Math.min(timeouts.seconds, MAX_EXECUTION_SECONDS), input };
  const params = { ...(input as Record<string, unknown>) };
  const value = params[TIMEOUT_FIELD];
  delete params[TIMEOUT_FIELD];
  if (!positiveInteger(value)) {
    throw new SimulatedAwsError('States.Runtime', `The TimeoutSecondsPath parameter ${timeouts.path} does not reference a positive integer (got ${JSON.stringify(value)?.slice(0, 40)})`);
  }
  return { seconds: Math.min(value, MAX_EXECUTION_SECONDS), input: INPUT_FIELD in params ? params[INPUT_FIELD] : params };
}
