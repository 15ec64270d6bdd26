/**
 * Ctrl-C in `slipway run` (lib/ops/run-task.ts): the one-off task is stopped with ECS StopTask and
 * followed to STOPPED; a task that cannot be stopped is said to go on; `--detach` starts it and leaves.
 * AWS is mocked with aws-sdk-client-mock; the interrupt arrives while a given call is in flight.
 */
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTasksCommand, RunTaskCommand, StopTaskCommand, type Task } from '@aws-sdk/client-ecs';
import { CLI_PERMISSIONS } from '../../../lib/ops/permissions';
import { INTERRUPT_STOP_REASON, interruptMessage, RunInterrupt, RUN_INTERRUPT_CALLS, runExitCode, runTask, STOP_WAIT_MS } from '../../../lib/ops/run-task';
import { runOutputSchema } from '../../../lib/ops/schemas';
import { CLUSTER, clients, fakeClock, mockApp, mocks, NOW, taskArn } from './task-fixtures';

const TASK_ID = 'abcdefabcdefabcdefabcdefabcdef01';
const TASK = taskArn(TASK_ID);
const task = (over: Partial<Task>): Task => ({ taskArn: TASK, lastStatus: 'PENDING', containers: [{ name: 'web' }], ...over });

beforeEach(() => mockApp());

/**
 * ECS for one task that runs until StopTask, then stops with exit code 143 (SIGTERM) and the reason
 * StopTask gave. `onDescribe(n)` runs as the n-th DescribeTasks call is answered.
 */
function ecsUntilStopped(onDescribe: (n: number) => void = () => undefined) {
  let stopReason: string | undefined;
  let describes = 0;
  mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
  mocks.ecs.on(StopTaskCommand).callsFake(async (input: { reason?: string }) => {
    stopReason = input.reason;
    return { task: task({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }) };
  });
  mocks.ecs.on(DescribeTasksCommand).callsFake(async () => {
    onDescribe(++describes);
    if (stopReason === undefined) return { tasks: [task({ lastStatus: 'RUNNING', startedAt: NOW })] };
    return { tasks: [task({ lastStatus: 'STOPPED', startedAt: NOW, stopCode: 'UserInitiated', stoppedReason: stopReason, containers: [{ name: 'web', exitCode: 143 }] })] };
  });
}

describe('Ctrl-C while the task runs', () => {
  test('stops it once with ECS StopTask (its ARN, the cluster, the operator\'s reason), follows it to STOPPED with its last lines, exit 130', async () => {
    const interrupt = new RunInterrupt();
    ecsUntilStopped((n) => {
      if (n === 2) expect(interrupt.interrupt()).toBe(true);
    });
    mocks.logs
      .on(GetLogEventsCommand)
      .resolvesOnce({ events: [{ timestamp: NOW.getTime(), message: 'working' }], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [], nextForwardToken: 'f/1' })
      .resolvesOnce({ events: [{ timestamp: NOW.getTime() + 1000, message: 'SIGTERM received, shutting down' }], nextForwardToken: 'f/2' })
      .resolves({ events: [], nextForwardToken: 'f/2' });
    const lines: string[] = [];

    const out = await runTask(clients, 'example', { command: ['sleep', '3600'], clock: fakeClock(), interrupt, onEvent: (e) => lines.push(e.message) });

    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(mocks.ecs.commandCalls(StopTaskCommand)[0].args[0].input).toEqual({ cluster: CLUSTER, task: TASK, reason: INTERRUPT_STOP_REASON });
    expect(INTERRUPT_STOP_REASON.length).toBeLessThanOrEqual(255);
    expect(lines).toEqual(['working', 'SIGTERM received, shutting down']);
    expect(runOutputSchema.parse(out)).toMatchObject({ outcome: 'exited', exitCode: 143, reason: INTERRUPT_STOP_REASON });
    expect(out.interrupted).toEqual({ kind: 'stopped', taskArn: TASK, stoppedWithin: true, lastStatus: 'STOPPED' });
    expect(runExitCode(out)).toBe(130);
    expect(interruptMessage(out.interrupted!, CLUSTER)).toBe(`stopped by Ctrl-C: task ${TASK_ID} was stopped (ECS StopTask, reason "${INTERRUPT_STOP_REASON}")`);
  });

  test('a Ctrl-C during the wait between two looks ends the wait at once', async () => {
    const interrupt = new RunInterrupt();
    ecsUntilStopped();
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });
    const clock = fakeClock();
    // A real sleep that only the interrupt ends: the loop must not wait for it.
    clock.sleep = (ms) => {
      clock.slept.push(ms);
      if (clock.slept.length === 1) setImmediate(() => interrupt.interrupt());
      return new Promise(() => undefined);
    };

    const out = await runTask(clients, 'example', { command: ['sleep', '3600'], clock, interrupt, onEvent: () => undefined });

    expect(clock.slept).toEqual([2000]);
    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(1);
    expect(out).toMatchObject({ outcome: 'exited', exitCode: 143, interrupted: { kind: 'stopped', stoppedWithin: true } });
  });

  test('Ctrl-C while RunTask is in flight: the task is stopped as soon as ECS names it', async () => {
    const interrupt = new RunInterrupt();
    ecsUntilStopped();
    const said: string[] = [];
    mocks.ecs.on(RunTaskCommand).callsFake(async () => {
      expect(interrupt.interrupt()).toBe(true);
      said.push(interrupt.firstMessage(), interrupt.secondMessage());
      return { tasks: [task({})] };
    });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), interrupt, onEvent: () => undefined });

    expect(mocks.ecs.commandCalls(StopTaskCommand).map((c) => c.args[0].input.task)).toEqual([TASK]);
    // Stopped before it was ever looked at.
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(said).toEqual([
      'Ctrl-C: stopping the task once ECS has answered RunTask (ECS StopTask) and following it until it stops; Ctrl-C again to exit without waiting',
      `stopped by a second Ctrl-C before ECS answered RunTask: a task may have started; find it with aws ecs list-tasks --cluster ${CLUSTER} --started-by slipway-run`,
    ]);
    expect(runExitCode(out)).toBe(130);
  });

  test('Ctrl-C before RunTask is sent is not taken over (the plain exit): no task is started', () => {
    const interrupt = new RunInterrupt();

    expect(interrupt.interrupt()).toBe(false);
    expect(interrupt.requested).toBe(false);
  });

  test('StopTask refused: the task goes on, the line says how to stop it, exit 130, nothing more followed', async () => {
    const interrupt = new RunInterrupt();
    ecsUntilStopped((n) => {
      if (n === 1) interrupt.interrupt();
    });
    const denied = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/dev/x is not authorized to perform: ecs:StopTask'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    mocks.ecs.on(StopTaskCommand).rejects(denied);
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), interrupt, onEvent: () => undefined });

    expect(runOutputSchema.parse(out)).toMatchObject({ outcome: 'interrupted', exitCode: null });
    expect(out.interrupted).toMatchObject({ kind: 'stop-failed', taskArn: TASK, error: expect.stringMatching(/^AccessDenied: .*ecs:StopTask/) });
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(1);
    expect(runExitCode(out)).toBe(130);
    expect(interruptMessage(out.interrupted!, CLUSTER)).toMatch(new RegExp(`it goes on; to stop it: aws ecs stop-task --cluster ${CLUSTER} --task ${TASK}$`));
  });

  test(`a task still stopping ${STOP_WAIT_MS / 1000} s after StopTask: no longer followed, said to be stopping, exit 130`, async () => {
    const interrupt = new RunInterrupt();
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    mocks.ecs.on(StopTaskCommand).resolves({ task: task({ lastStatus: 'RUNNING', desiredStatus: 'STOPPED' }) });
    let n = 0;
    mocks.ecs.on(DescribeTasksCommand).callsFake(async () => {
      if (++n === 1) interrupt.interrupt();
      return { tasks: [task({ lastStatus: n === 1 ? 'RUNNING' : 'DEACTIVATING', startedAt: NOW })] };
    });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });
    const clock = fakeClock();

    const out = await runTask(clients, 'example', { command: ['ls'], clock, intervalMs: 10_000, interrupt, onEvent: () => undefined });

    expect(out).toMatchObject({ outcome: 'interrupted', interrupted: { kind: 'stopped', stoppedWithin: false, lastStatus: 'DEACTIVATING' } });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(STOP_WAIT_MS);
    expect(interruptMessage(out.interrupted!, CLUSTER)).toBe(`stopped by Ctrl-C: ECS accepted StopTask for task ${TASK_ID}, still DEACTIVATING after 150 s; it stops after its stop timeout`);
    expect(runExitCode(out)).toBe(130);
  });

  test('the task had ended on its own when Ctrl-C came: nothing to stop, exit 130', async () => {
    const interrupt = new RunInterrupt();
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });
    mocks.ecs.on(DescribeTasksCommand).callsFake(async () => {
      interrupt.interrupt();
      return { tasks: [task({ lastStatus: 'STOPPED', startedAt: NOW, containers: [{ name: 'web', exitCode: 0 }] })] };
    });
    mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });

    const out = await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), interrupt, onEvent: () => undefined });

    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(out.interrupted).toEqual({ kind: 'already-stopped', taskArn: TASK });
    expect(runExitCode(out)).toBe(130);
  });
});

describe('--detach', () => {
  test('returns once ECS accepted the task: outcome started, exit 0, never followed nor stopped', async () => {
    mocks.ecs.on(RunTaskCommand).resolves({ tasks: [task({})] });

    const out = await runTask(clients, 'example', { command: ['bin/rake', 'reindex'], clock: fakeClock(), detach: true, onEvent: () => undefined });

    expect(runOutputSchema.parse(out)).toMatchObject({ outcome: 'started', taskArn: TASK, exitCode: null, logStream: `web/web/${TASK_ID}` });
    expect(runExitCode(out)).toBe(0);
    expect(mocks.ecs.commandCalls(DescribeTasksCommand)).toHaveLength(0);
    expect(mocks.ecs.commandCalls(StopTaskCommand)).toHaveLength(0);
    expect(mocks.logs.calls()).toHaveLength(0);
  });
});

test('what run sends on Ctrl-C is its permission list plus RUN_INTERRUPT_CALLS (ecs:StopTask, for lib/ops/permissions.ts)', async () => {
  const interrupt = new RunInterrupt();
  ecsUntilStopped((n) => {
    if (n === 1) interrupt.interrupt();
  });
  mocks.logs.on(GetLogEventsCommand).resolves({ events: [], nextForwardToken: 'f' });
  const PREFIX: Record<keyof typeof mocks, string> = { sfn: 'states', dynamodb: 'dynamodb', sts: 'sts', ecs: 'ecs', logs: 'logs', ssm: 'ssm' };

  await runTask(clients, 'example', { command: ['ls'], clock: fakeClock(), interrupt, onEvent: () => undefined });

  const sent = [...new Set(Object.entries(mocks).flatMap(([client, m]) => m.calls().map((c) => `${PREFIX[client as keyof typeof mocks]}:${(c.args[0] as object).constructor.name.replace(/Command$/, '')}`)))];
  const listed = [...(CLI_PERMISSIONS.find((c) => c.command === 'run')?.calls.map((c) => c.action) ?? []), ...RUN_INTERRUPT_CALLS.map((c) => c.action)];
  expect(sent).toContain('ecs:StopTask');
  expect(sent.filter((a) => !listed.includes(a))).toEqual([]);
});
