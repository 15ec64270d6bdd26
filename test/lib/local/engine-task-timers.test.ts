import type { HistoryEvent } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import type { AslStates } from '../../../lib/asl';
import { runAttempt } from '../../../lib/local/engine';
import { stateIndex } from '../../../lib/local/history';

/**
 * The engine's real-time timers for Task states (patches/aws-local-stepfunctions+3.0.0.patch).
 *
 * Step Functions gives a Task without TimeoutSeconds(Path) no timeout worth the name: "If not provided,
 * the default value is 99999999" seconds, longer than an execution may last (Step Functions guide, "Task
 * workflow state"; "Using timeouts to avoid stuck executions": without one, an execution waits for a
 * response that may never come). aws-local-stepfunctions took the States Language's 60 s instead, on a
 * real timer. The runner takes every Task's timeouts out of the definition and enforces them on the
 * simulated clock (lib/local/task-timeouts.ts), so the engine saw none and applied its 60 s to every task:
 * `slipway local serve` at its default speed (real time) failed any task running a minute with
 * States.Timeout, and a task still running when the endpoint stopped kept the process (and jest's worker)
 * alive for up to that minute.
 *
 * Fake timers: the engine's timers are the only ones here, and a minute passes at once.
 */

type Tasks = Record<string, (input: unknown) => Promise<unknown>>;

const oneTask = (state: object = {}) => ({
  StartAt: 'Work',
  States: { Work: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'n.$': '$.n' }, End: true, ...state } },
});

function attempt(def: object, tasks: Tasks, signal?: AbortSignal) {
  const history: HistoryEvent[] = [];
  let t = 0;
  const result = runAttempt({
    def: def as StateMachineDefinition,
    info: stateIndex((def as { States: AslStates }).States),
    history,
    input: { n: 1 },
    clock: () => new Date(Date.UTC(2026, 0, 1) + (t += 1000)),
    region: 'us-east-1',
    roleArn: 'arn:aws:iam::123456789012:role/test',
    context: { Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:sm:e', Name: 'e', RedriveCount: 0 } },
    tasks: tasks as never,
    signal,
  });
  return { result, history };
}

/** A task answer that comes after `ms` of real (here: fake) time. */
const after = (ms: number, value: unknown) => () => new Promise((resolve) => setTimeout(() => resolve(value), ms));

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test('a Task without TimeoutSeconds that runs two minutes of real time succeeds (no 60 s default)', async () => {
  const { result, history } = attempt(oneTask(), { Work: after(120_000, { done: true }) });
  await jest.advanceTimersByTimeAsync(120_000);
  const { outcome } = await result;
  expect(outcome).toEqual({ ok: true, output: { done: true } });
  expect(history.map((e) => e.type)).not.toContain('TaskTimedOut');
  expect(jest.getTimerCount()).toBe(0);
});

test('a Task with its own TimeoutSeconds still fails with States.Timeout when it runs longer', async () => {
  const { result } = attempt(oneTask({ TimeoutSeconds: 5 }), { Work: after(120_000, { done: true }) });
  await jest.advanceTimersByTimeAsync(5_000);
  const attempted = await result;
  expect(attempted.outcome.ok).toBe(false);
  expect(attempted.error).toBe('States.Timeout');
});

test('a task still running when the attempt is aborted leaves no timer behind', async () => {
  const controller = new AbortController();
  // An answer that never comes: the simulated clock a stopped endpoint no longer drives.
  const { result } = attempt(oneTask(), { Work: () => new Promise(() => undefined) }, controller.signal);
  await jest.advanceTimersByTimeAsync(10);
  controller.abort();
  const attempted = await result;
  expect(attempted.outcome.ok).toBe(false);
  expect(jest.getTimerCount()).toBe(0);
});
