import { buildTimeline } from '../../../lib/ops/timeline';
import { buildFailedInLambda, deployFailedInMap, deploySucceeded, HistoryBuilder, releaseFailed, ROLLBACK_CAUSE } from './histories';

describe('buildTimeline', () => {
  test('attributes interleaved Map events to their iteration by previousEventId', () => {
    // Prepare
    const { events } = deployFailedInMap();

    // Act
    const timeline = buildTimeline(events);

    // Assess
    const waits = timeline.entries.filter((e) => e.name === 'Wait for the deployment');
    expect(waits.map((w) => w.scope.path)).toEqual([[{ map: 'Deploy each process type', index: 0 }], [{ map: 'Deploy each process type', index: 1 }]]);
    expect(timeline.entries.find((e) => e.name === 'Record the failed deploy')?.scope.path).toEqual([]);
  });

  test('a throttled attempt followed by a success is one state with a retry', () => {
    const timeline = buildTimeline(deployFailedInMap().events);

    const webUpdate = timeline.entries.find((e) => e.name === 'Create or update the service' && e.scope.path[0]?.index === 0);

    expect(webUpdate?.status).toBe('succeeded');
    expect(webUpdate?.attempts.map((a) => [a.outcome, a.error])).toEqual([
      ['failed', 'Lambda.TooManyRequestsException'],
      ['succeeded', undefined],
    ]);
  });

  test('a failure inside a Map iteration is the failure point, with its own error and cause', () => {
    const timeline = buildTimeline(deployFailedInMap().events);

    expect(timeline.execution.status).toBe('FAILED');
    expect(timeline.failure?.entry.name).toBe('Wait for the deployment');
    expect(timeline.failure?.entry.scope.path).toEqual([{ map: 'Deploy each process type', index: 0 }]);
    expect(timeline.failure?.error).toBe('DeploymentRolledBack');
    expect(timeline.failure?.cause).toBe(ROLLBACK_CAUSE);
  });

  test('the sibling iteration is aborted, the Map records each iteration outcome and its Catch', () => {
    const timeline = buildTimeline(deployFailedInMap().events);

    const workerWait = timeline.entries.find((e) => e.name === 'Wait for the deployment' && e.scope.path[0]?.index === 1);
    const map = timeline.entries.find((e) => e.type === 'Map');
    expect(workerWait?.status).toBe('aborted');
    expect(map?.iterations).toEqual([
      { index: 0, status: 'failed' },
      { index: 1, status: 'aborted' },
    ]);
    expect(map?.status).toBe('caught');
  });

  test('a caught release-task failure is the failure point when the execution ends with ReleaseFailed', () => {
    const timeline = buildTimeline(releaseFailed().events);

    expect(timeline.failure?.entry.name).toBe('Run release task');
    expect(timeline.failure?.entry.status).toBe('caught');
    expect(timeline.failure?.error).toBe('States.TaskFailed');
    expect(timeline.execution.error).toBe('ReleaseFailed');
  });

  test('the last of several failed attempts gives the error of a caught Lambda task', () => {
    const timeline = buildTimeline(buildFailedInLambda().events);

    expect(timeline.failure?.entry.name).toBe('Register task definitions');
    expect(timeline.failure?.error).toBe('SettingsNotFound');
    expect(timeline.failure?.entry.attempts).toHaveLength(3);
  });

  test('a succeeded execution has no failure and every state exited', () => {
    const timeline = buildTimeline(deploySucceeded().events);

    expect(timeline.execution.status).toBe('SUCCEEDED');
    expect(timeline.failure).toBeUndefined();
    expect(timeline.entries.every((e) => e.status === 'succeeded')).toBe(true);
    expect(timeline.entries.find((e) => e.name === 'Service runs the new release')?.scope.path).toHaveLength(1);
  });

  test('states after ExecutionRedriven belong to the redrive, and the old failure no longer counts', () => {
    // Prepare: the release failed once in "Judge the release task", was redriven and then succeeded.
    const h = new HistoryBuilder();
    const start = h.add('ExecutionStarted', 0);
    const judge = h.entered('Task', 'Judge the release task', start);
    const started = h.schedule(judge, 'lambda', 'invoke', { FunctionName: 'f' });
    const failed = h.taskFailed(started, 'lambda', 'invoke', 'Lambda.Unknown', 'boom');
    const execFailed = h.add('ExecutionFailed', failed, { executionFailedEventDetails: { error: 'Lambda.Unknown', cause: 'boom' } });
    const redriven = h.add('ExecutionRedriven', execFailed, { executionRedrivenEventDetails: { redriveCount: 1 } }, 3600);
    const again = h.entered('Task', 'Judge the release task', redriven);
    const started2 = h.schedule(again, 'lambda', 'invoke', { FunctionName: 'f' });
    const ok = h.taskSucceeded(started2, 'lambda', 'invoke', {});
    const exit = h.exited('Task', 'Judge the release task', ok);
    h.add('ExecutionSucceeded', exit);

    // Act
    const timeline = buildTimeline(h.events);

    // Assess
    expect(timeline.execution.status).toBe('SUCCEEDED');
    expect(timeline.execution.redrives).toEqual([{ at: expect.any(Date), count: 1 }]);
    expect(timeline.entries.map((e) => [e.redrive, e.status])).toEqual([
      [0, 'failed'],
      [1, 'succeeded'],
    ]);
    expect(timeline.failure).toBeUndefined();
  });

  test('a running execution reports its open states as running', () => {
    const h = new HistoryBuilder();
    const start = h.add('ExecutionStarted', 0);
    const run = h.entered('Task', 'Run release task', start);
    h.schedule(run, 'ecs', 'runTask.sync', {});

    const timeline = buildTimeline(h.events);

    expect(timeline.execution.status).toBe('RUNNING');
    expect(timeline.entries[0].status).toBe('running');
  });

  test('a caught Task without a TaskStateExited event is closed as caught by the next state', () => {
    const timeline = buildTimeline(buildFailedInLambda().events);

    const register = timeline.entries.find((e) => e.name === 'Register task definitions');
    const record = timeline.entries.find((e) => e.name === 'Record the failed build pipeline');
    expect(register?.status).toBe('caught');
    expect(register?.exitedAt).toEqual(register?.attempts[2].endedAt);
    expect(record?.scope.path).toEqual([]);
  });

  test('Parallel branches get a scope each, and the state after the Parallel is back at the top', () => {
    // Prepare: the chain Step Functions writes: each branch starts from ParallelStateStarted;
    // ParallelStateSucceeded and ParallelStateExited point at the last branch event.
    const h = new HistoryBuilder();
    h.add('ExecutionStarted', 0);
    const entered = h.entered('Parallel', 'Both', 0);
    const started = h.add('ParallelStateStarted', entered);
    const a1 = h.entered('Pass', 'A1', started);
    const b1 = h.entered('Pass', 'B1', started);
    h.exited('Pass', 'A1', a1);
    const b1Out = h.exited('Pass', 'B1', b1);
    h.add('ParallelStateSucceeded', b1Out);
    const exited = h.exited('Parallel', 'Both', b1Out);
    const after = h.entered('Pass', 'After', exited);
    h.add('ExecutionSucceeded', h.exited('Pass', 'After', after));

    // Act
    const timeline = buildTimeline(h.events);

    // Assess
    expect(timeline.entries.map((e) => [e.name, e.scope.key, e.status])).toEqual([
      ['Both', '', 'succeeded'],
      ['A1', 'Both[0]', 'succeeded'],
      ['B1', 'Both[1]', 'succeeded'],
      ['After', '', 'succeeded'],
    ]);
  });

  test('a Map over no items exits from its MapStateStarted event', () => {
    const h = new HistoryBuilder();
    h.add('ExecutionStarted', 0);
    const entered = h.entered('Map', 'Deploy each process type', 0);
    const started = h.add('MapStateStarted', entered, { mapStateStartedEventDetails: { length: 0 } });
    h.add('MapStateSucceeded', started);
    const exited = h.exited('Map', 'Deploy each process type', started);
    h.entered('Task', 'Record the release', exited);

    const timeline = buildTimeline(h.events);

    expect(timeline.entries.map((e) => [e.name, e.status, e.scope.key])).toEqual([
      ['Deploy each process type', 'succeeded', ''],
      ['Record the release', 'running', ''],
    ]);
  });
});
