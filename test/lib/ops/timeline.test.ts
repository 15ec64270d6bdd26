import { appAndBuildOf } from '../../../domain/names';
import { readdirSync } from 'node:fs';
import { buildTimeline, redriveScope } from '../../../domain/execution-history';
import { stepsOf } from '../../../lib/ops/execution-steps';
import { summariseCause } from '../../../lib/ops/failure-causes';
import { assessRedrive } from '../../../lib/ops/redrive-advice';
import { FIXTURES, fixtureHistory, readFixture } from './aws-fixtures';
import { DEPLOY_MAP, DEPLOY_TASK, deployIterationFailed, deploySucceeded, ecsTaskCause, HistoryBuilder, RELEASE_EXIT_1_CAUSE, releaseRunning, releaseTaskFailed, ROLLBACK_CAUSE, T0 } from './histories';

const NOW = new Date(T0.getTime() + 3_600_000);
const names = (entries: readonly { name: string }[]) => entries.map((e) => e.name);

describe('buildTimeline', () => {
  test('attributes interleaved Map events to their iteration by previousEventId', () => {
    // Prepare
    const { events } = deployIterationFailed();

    // Act
    const timeline = buildTimeline(events);

    // Assess
    const tasks = timeline.entries.filter((e) => e.name === DEPLOY_TASK);
    expect(tasks.map((w) => w.scope.path)).toEqual([[{ map: DEPLOY_MAP, index: 0 }], [{ map: DEPLOY_MAP, index: 1 }]]);
    expect(timeline.itemLabels.get(`${DEPLOY_MAP}[1]`)).toBe('worker');
  });

  test('a retried attempt stays inside its state: one state, two attempts', () => {
    const timeline = buildTimeline(deployIterationFailed().events);

    const web = timeline.entries.find((e) => e.name === DEPLOY_TASK && e.scope.path[0]?.index === 0);

    expect(web?.attempts.map((a) => [a.outcome, a.error])).toEqual([
      ['failed', 'Lambda.TooManyRequestsException'],
      ['failed', 'DeploymentRolledBack'],
    ]);
  });

  test('the failure inside the Map iteration is the failure point, with its own error and cause', () => {
    const timeline = buildTimeline(deployIterationFailed().events);

    expect(timeline.execution.status).toBe('FAILED');
    expect(timeline.failure?.entry.name).toBe(DEPLOY_TASK);
    expect(timeline.failure?.entry.scope.path).toEqual([{ map: DEPLOY_MAP, index: 0 }]);
    expect(timeline.failure?.error).toBe('DeploymentRolledBack');
    expect(timeline.failure?.cause).toBe(ROLLBACK_CAUSE);
  });

  test('a failed state ends when it failed, not when it was entered; the iteration that succeeded is closed', () => {
    // Prepare
    const { events } = deployIterationFailed();
    const rolledBack = events.find((e) => e.type === 'TaskFailed' && e.taskFailedEventDetails?.error === 'DeploymentRolledBack');

    // Act
    const timeline = buildTimeline(events);

    // Assess
    const [web, worker] = timeline.entries.filter((e) => e.name === DEPLOY_TASK);
    expect(web.status).toBe('failed');
    expect(web.exitedAt).toEqual(rolledBack?.timestamp);
    expect(web.exited).toBe(false);
    expect(worker.status).toBe('succeeded');
    expect(worker.exited).toBe(true);
    expect(timeline.entries.find((e) => e.type === 'Map')?.iterations).toEqual([
      { index: 0, status: 'failed' },
      { index: 1, status: 'succeeded' },
    ]);
  });

  test('an uncaught release task failure is the failure point, with the ECS task as its cause', () => {
    const timeline = buildTimeline(releaseTaskFailed().events);

    expect(timeline.failure?.entry.name).toBe('Run release task');
    expect(timeline.failure?.entry.status).toBe('failed');
    expect(timeline.failure?.error).toBe('States.TaskFailed');
    expect(timeline.failure?.cause).toBe(RELEASE_EXIT_1_CAUSE);
  });

  test('a succeeded execution has no failure and every state exited', () => {
    const timeline = buildTimeline(deploySucceeded().events);

    expect(timeline.execution.status).toBe('SUCCEEDED');
    expect(timeline.failure).toBeUndefined();
    expect(timeline.entries.every((e) => e.status === 'succeeded' && e.exited)).toBe(true);
  });

  test('a running execution reports its open states as running', () => {
    const timeline = buildTimeline(releaseRunning().events);

    expect(timeline.execution.status).toBe('RUNNING');
    expect(timeline.entries.map((e) => [e.name, e.status])).toEqual([
      ['Does the app have a release command?', 'succeeded'],
      ['Run release task', 'running'],
    ]);
  });

  test('Parallel branches get a scope each, and the state after the Parallel is back at the top', () => {
    // Prepare: each branch starts from ParallelStateStarted; ParallelStateSucceeded and
    // ParallelStateExited point at the last branch event.
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

  test('timestamps given as ISO strings (a JSON report) are read as times', () => {
    const events = releaseTaskFailed().events.map((e) => ({ ...e, timestamp: (e.timestamp as Date).toISOString() as unknown as Date }));

    const timeline = buildTimeline(events);

    expect(timeline.execution.startedAt?.toISOString()).toBe(events[0].timestamp as unknown as string);
    expect(timeline.failure?.entry.exitedAt?.getTime()).toBe(Date.parse(events[events.length - 2].timestamp as unknown as string));
  });
});

describe('redriveScope: AWS re-runs the states with an Entered and no Exited event', () => {
  test.each([
    ['01-lambda-task-uncaught', ['CallLambda']],
    ['01b-lambda-arn-task-uncaught', ['CallLambda']],
    // Caught into a Fail state: the Task exited, so only the Fail state is re-run.
    ['03-task-catch-to-fail', ['KeyMissing']],
    // An inline Map whose iteration hit a Fail state, not caught: the Map and that iteration's state.
    ['05d-map-empty-fail-catch-not-matching', ['ProcessItems', 'FailItem']],
    ['06b-ecs-runtask-sync-failure', ['RunEcsTask']],
    ['07b-callback-sendtaskfailure', ['SendAndWait']],
    ['09-fail-state-direct', ['Boom']],
    ['05-map-iteration-fail-caught', []],
    ['07e-parallel-callback-failure-caught', []],
  ])('%s', (fixture, expected) => {
    expect(names(redriveScope(buildTimeline(fixtureHistory(fixture))))).toEqual(expected);
  });

  test('on every recorded history, the model closes exactly the states AWS recorded an exit for', () => {
    // Prepare: count, per state name, entries and exits in the recorded events themselves.
    // Histories only: the Choice-operator fixtures record inputs and outputs, not events.
    const files = readdirSync(FIXTURES).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)).filter((f) => Array.isArray(readFixture(f).events));
    expect(files.length).toBeGreaterThanOrEqual(19);
    for (const name of files) {
      const recorded = readFixture(name).events;
      const open = new Map<string, number>();
      for (const e of recorded) {
        if (e.type.endsWith('StateEntered')) open.set(e.state as string, (open.get(e.state as string) ?? 0) + 1);
        if (e.type.endsWith('StateExited')) open.set(e.state as string, (open.get(e.state as string) ?? 0) - 1);
      }
      const failed = recorded[recorded.length - 1].type !== 'ExecutionSucceeded';

      // Act
      const timeline = buildTimeline(fixtureHistory(name));

      // Assess
      const expected = failed ? [...open.entries()].filter(([, n]) => n > 0).map(([state]) => state).sort() : [];
      expect({ name, open: names(redriveScope(timeline)).sort() }).toEqual({ name, open: expected });
    }
  });

  test('after a redrive that failed again, only the states of the latest attempt are re-run', () => {
    // Prepare: "Run release task" failed, was redriven, and failed again.
    const h = new HistoryBuilder();
    const start = h.add('ExecutionStarted', 0);
    const run = h.entered('Task', 'Run release task', start);
    const failed = h.taskFailed(h.schedule(run, 'ecs', 'runTask.sync', {}), 'ecs', 'runTask.sync', 'States.TaskFailed', RELEASE_EXIT_1_CAUSE);
    const execFailed = h.add('ExecutionFailed', failed, { executionFailedEventDetails: { error: 'States.TaskFailed', cause: RELEASE_EXIT_1_CAUSE } });
    const redriven = h.add('ExecutionRedriven', execFailed, { executionRedrivenEventDetails: { redriveCount: 1 } }, 3600);
    const again = h.entered('Task', 'Run release task', redriven);
    const failedAgain = h.taskFailed(h.schedule(again, 'ecs', 'runTask.sync', {}), 'ecs', 'runTask.sync', 'States.TaskFailed', RELEASE_EXIT_1_CAUSE);
    h.add('ExecutionFailed', failedAgain, { executionFailedEventDetails: { error: 'States.TaskFailed', cause: RELEASE_EXIT_1_CAUSE } });

    // Act
    const timeline = buildTimeline(h.events);

    // Assess
    expect(redriveScope(timeline).map((e) => [e.name, e.redrive])).toEqual([['Run release task', 1]]);
    expect(timeline.entries.map((e) => [e.redrive, e.status])).toEqual([
      [0, 'failed'],
      [1, 'failed'],
    ]);
    expect(timeline.execution.redrives).toEqual([{ at: h.events[redriven - 1].timestamp, count: 1 }]);
  });

  test('a redrive that succeeded leaves nothing to re-run and no failure', () => {
    const h = new HistoryBuilder();
    const start = h.add('ExecutionStarted', 0);
    const run = h.entered('Task', 'Run release task', start);
    const failed = h.taskFailed(h.schedule(run, 'ecs', 'runTask.sync', {}), 'ecs', 'runTask.sync', 'States.TaskFailed', 'x');
    const redriven = h.add('ExecutionRedriven', h.add('ExecutionFailed', failed), { executionRedrivenEventDetails: { redriveCount: 1 } });
    const again = h.entered('Task', 'Run release task', redriven);
    const ok = h.taskSucceeded(h.schedule(again, 'ecs', 'runTask.sync', {}), 'ecs', 'runTask.sync', {});
    h.add('ExecutionSucceeded', h.exited('Task', 'Run release task', ok));

    const timeline = buildTimeline(h.events);

    expect(timeline.execution.status).toBe('SUCCEEDED');
    expect(redriveScope(timeline)).toEqual([]);
    expect(timeline.failure).toBeUndefined();
  });
});

describe('stepsOf', () => {
  test('rows: the Map, then its iterations by index (whatever order their events came in), then what follows', () => {
    // Prepare: iteration 1 starts and ends before iteration 0 does anything.
    const h = new HistoryBuilder();
    const start = h.add('ExecutionStarted', 0);
    const map = h.entered('Map', DEPLOY_MAP, start);
    const started = h.add('MapStateStarted', map, { mapStateStartedEventDetails: { length: 2 } });
    const it1 = h.add('MapIterationStarted', started, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 1 } });
    const w = h.entered('Pass', 'Work', it1, { process: 'worker' });
    const wDone = h.add('MapIterationSucceeded', h.exited('Pass', 'Work', w), { mapIterationSucceededEventDetails: { name: DEPLOY_MAP, index: 1 } });
    const it0 = h.add('MapIterationStarted', started, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 0 } });
    const v = h.entered('Pass', 'Work', it0, { process: 'web' });
    const vDone = h.add('MapIterationSucceeded', h.exited('Pass', 'Work', v), { mapIterationSucceededEventDetails: { name: DEPLOY_MAP, index: 0 } });
    h.add('MapStateSucceeded', vDone);
    const after = h.entered('Pass', 'After', h.exited('Map', DEPLOY_MAP, vDone));
    h.exited('Pass', 'After', after);
    expect(wDone).toBeLessThan(it0);

    // Act
    const steps = stepsOf(buildTimeline(h.events));

    // Assess
    expect(steps.map((s) => [s.name, s.iteration.map((l) => `${l.index} ${l.item}`).join('')])).toEqual([
      [DEPLOY_MAP, ''],
      ['Work', '0 web'],
      ['Work', '1 worker'],
      ['After', ''],
    ]);
  });

  test('marks the states a redrive re-runs, and gives a failed state its error and readable cause', () => {
    const steps = stepsOf(buildTimeline(deployIterationFailed().events));

    expect(steps.filter((s) => s.rerun).map((s) => [s.name, s.iteration.map((l) => l.item)])).toEqual([
      [DEPLOY_MAP, []],
      [DEPLOY_TASK, ['web']],
    ]);
    const web = steps.find((s) => s.name === DEPLOY_TASK && s.iteration[0].index === 0);
    expect(web).toMatchObject({ status: 'failed', error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE, retries: [{ error: 'Lambda.TooManyRequestsException' }], exited: false });
    expect(web?.durationSeconds).toBeGreaterThan(120);
  });
});

describe('summariseCause', () => {
  test('an ECS task that exited non-zero: container, exit code, stop code and reason, log link', () => {
    expect(summariseCause(RELEASE_EXIT_1_CAUSE, { logLink: 'https://logs.example/x' })).toBe(
      'container "web" exited with code 1 in ECS task 0f1e2d3c4b5a; stop code EssentialContainerExited: Essential container in task exited; logs: https://logs.example/x',
    );
  });

  test('an ECS task that failed to start (the recorded 06b shape: no exit code)', () => {
    const cause = ecsTaskCause({}, { StopCode: 'TaskFailedToStart', StoppedReason: 'CannotPullContainerError: pull image manifest has been retried 5 time(s)' });

    expect(summariseCause(cause)).toBe('the ECS task 0f1e2d3c4b5a failed to start (container "web" never ran); stop code TaskFailedToStart: CannotPullContainerError: pull image manifest has been retried 5 time(s)');
  });

  test('a Lambda error document becomes errorType: errorMessage', () => {
    expect(summariseCause(JSON.stringify({ errorType: 'SettingsNotFound', errorMessage: "the app's settings record is missing", trace: ['a', 'b'] }))).toBe("SettingsNotFound: the app's settings record is missing");
  });

  test('other text is one line, cut at the limit; nothing is null', () => {
    expect(summariseCause('line one\n  line two\tend')).toBe('line one line two end');
    expect(summariseCause('x'.repeat(50), { max: 10 })).toBe(`${'x'.repeat(10)}…`);
    expect(summariseCause(undefined)).toBeNull();
  });
});

describe('assessRedrive', () => {
  const failed = (name: string, extra: Record<string, unknown> = {}) => ({ name, status: 'FAILED' as const, startDate: T0, redriveStatus: 'REDRIVABLE' as const, ...extra });

  test('an uncaught release task failure: possible, and it re-runs "Run release task"', () => {
    const a = assessRedrive(buildTimeline(releaseTaskFailed().events), failed('example--42-release'), { now: NOW });

    expect(a).toMatchObject({ verdict: 'possible', possible: true, reason: null, instead: null, rerunLabels: ['Run release task'] });
    expect(a.rerun).toEqual([{ state: 'Run release task', type: 'Task', iteration: [] }]);
  });

  test('a failed Map iteration: only that iteration is re-run, not the one that succeeded', () => {
    const a = assessRedrive(buildTimeline(deployIterationFailed().events), failed('example--42-deploy'), { now: NOW });

    expect(a.verdict).toBe('possible');
    expect(a.rerunLabels).toEqual([`${DEPLOY_TASK} (${DEPLOY_MAP} #0 web)`]);
    expect(a.rerun.map((r) => r.state)).toEqual([DEPLOY_MAP, DEPLOY_TASK]);
  });

  test('DeploymentSuperseded, caught into a Fail state: would not help; deploy the build on purpose instead', () => {
    // Prepare: the recorded catch-to-Fail history (03) with our states and errors.
    const events = fixtureHistory('03-task-catch-to-fail', {
      rename: { GetMissingObject: 'Claim the app for this build', KeyMissing: 'Stop: a newer build holds the app', Done: 'Claimed' },
      errors: { GetMissingObject: 'DynamoDB.ConditionalCheckFailedException' },
      executionFailed: { error: 'DeploymentSuperseded', cause: 'build 43 holds the app' },
    });

    // Act
    const a = assessRedrive(buildTimeline(events), failed('example--42-deploy'), { now: NOW });

    // Assess
    expect(a.verdict).toBe('would-not-help');
    expect(a.possible).toBe(false);
    expect(a.rerunLabels).toEqual(['Stop: a newer build holds the app']);
    expect(a.reason).toContain('DeploymentSuperseded: build 43 holds the app');
    expect(a.instead).toContain('slipway deploy example --build 42 --force');
  });

  test('InvalidEvent from a Fail state: would not help, because a redrive reuses the same input', () => {
    const events = fixtureHistory('09-fail-state-direct', { rename: { Boom: 'Reject the malformed event' }, executionFailed: { error: 'InvalidEvent', cause: 'the event has no build number' } });

    const a = assessRedrive(buildTimeline(events), failed('5f0c9a4e-0d7b-4c44-9f1a-2b4f0a8e7c11'), { now: NOW, app: 'example' });

    expect(a.verdict).toBe('would-not-help');
    expect(a.reason).toMatch(/malformed \(InvalidEvent: the event has no build number\) and a redrive runs with the same input/);
    expect(a.instead).toContain('slipway deploy example --build <N>');
  });

  test('a Fail state in one iteration next to a redrivable failure in another: the redrive would fail again', () => {
    // Prepare: iteration 0 is superseded (Fail state), iteration 1 rolled back.
    const h = new HistoryBuilder();
    const map = h.entered('Map', DEPLOY_MAP, h.add('ExecutionStarted', 0));
    const started = h.add('MapStateStarted', map, { mapStateStartedEventDetails: { length: 2 } });
    const it0 = h.add('MapIterationStarted', started, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 0 } });
    const it1 = h.add('MapIterationStarted', started, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 1 } });
    const fail = h.entered('Fail', 'Service is on a newer release', it0);
    h.add('MapIterationFailed', fail, { mapIterationFailedEventDetails: { name: DEPLOY_MAP, index: 0 } });
    const task = h.entered('Task', DEPLOY_TASK, it1);
    const rolledBack = h.taskFailed(h.schedule(task, 'lambda', 'invoke.waitForTaskToken', {}), 'lambda', 'invoke.waitForTaskToken', 'DeploymentRolledBack', ROLLBACK_CAUSE);
    h.add('ExecutionFailed', h.add('MapStateFailed', h.add('MapIterationAborted', rolledBack, { mapIterationAbortedEventDetails: { name: DEPLOY_MAP, index: 1 } })), { executionFailedEventDetails: { error: 'DeploymentSuperseded', cause: 'build 43 holds web' } });

    // Act
    const a = assessRedrive(buildTimeline(h.events), failed('example--42-deploy'), { now: NOW });

    // Assess
    expect([...a.rerunLabels].sort()).toEqual([`Service is on a newer release (${DEPLOY_MAP} #0)`, `${DEPLOY_TASK} (${DEPLOY_MAP} #1)`]);
    expect(a.verdict).toBe('would-not-help');
  });

  test("DescribeExecution's NOT_REDRIVABLE wins, with its reason", () => {
    const a = assessRedrive(buildTimeline(releaseTaskFailed().events), failed('example--42-release', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution was started before redrive was available' }), { now: NOW });

    expect(a).toMatchObject({ verdict: 'not-redrivable', possible: false, reason: 'Execution was started before redrive was available', instead: 'start a new execution: slipway deploy example --build 42' });
    expect(a.rerunLabels).toEqual(['Run release task']);
  });

  test('NOT_REDRIVABLE wins over a Fail state too', () => {
    const events = fixtureHistory('09-fail-state-direct', { executionFailed: { error: 'InvalidEvent' } });

    const a = assessRedrive(buildTimeline(events), failed('x', { redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution history event limit exceeded' }), { now: NOW });

    expect(a.verdict).toBe('not-redrivable');
    expect(a.reason).toBe('its history reached the 25,000-event limit (Step Functions: Execution history event limit exceeded)');
  });

  test('without a redriveStatus, an execution that closed more than 14 days ago is not redrivable (the window counts from the close)', () => {
    const a = assessRedrive(buildTimeline(releaseTaskFailed().events), { name: 'example--42-release', status: 'FAILED', startDate: T0, stopDate: new Date(T0.getTime() + 60_000) }, { now: new Date(T0.getTime() + 15 * 86_400_000) });

    expect(a.verdict).toBe('not-redrivable');
    expect(a.reason).toMatch(/^it closed more than 14 days ago \(2026-11-20\): Step Functions redrives an execution only within 14 days of when it closed$/);
  });

  test('an execution that started 20 days ago but closed 5 days ago (a redrive that failed again) is still redrivable', () => {
    const a = assessRedrive(
      buildTimeline(releaseTaskFailed().events),
      { name: 'example--42-release', status: 'FAILED', startDate: T0, stopDate: new Date(T0.getTime() + 15 * 86_400_000) },
      { now: new Date(T0.getTime() + 20 * 86_400_000) },
    );

    expect(a.verdict).toBe('possible');
  });

  test('a running execution has nothing to redrive, and nothing is listed as re-run', () => {
    const a = assessRedrive(buildTimeline(releaseRunning().events), { name: 'example--42-release', status: 'RUNNING', startDate: T0 }, { now: NOW });

    expect(a).toMatchObject({ verdict: 'not-failed', possible: false, reason: 'it is still running', rerun: [] });
  });

  test('a Distributed Map run being redriven is not redrivable from the parent', () => {
    const a = assessRedrive(buildTimeline(releaseTaskFailed().events), failed('e', { redriveStatus: 'REDRIVABLE_BY_MAP_RUN' }), { now: NOW });

    expect(a.verdict).toBe('not-redrivable');
  });

  test('with no DescribeExecution (a local run) the history decides', () => {
    const a = assessRedrive(buildTimeline(deployIterationFailed().events), undefined, { now: NOW });

    expect(a.verdict).toBe('possible');
  });
});

describe('appAndBuildOf', () => {
  test.each([
    ['example--42-release', { app: 'example', build: '42' }],
    ['my-app--7-deploy', { app: 'my-app', build: '7' }],
    ['example--41-rollback-20261121T080000Z', { app: 'example', build: '41' }],
    ['5f0c9a4e-0d7b-4c44-9f1a-2b4f0a8e7c11', {}],
    ['app-2--7-deploy', { app: 'app-2', build: '7' }],
    ['example--6e2b3c1a-1111-2222-3333-444455556666-release', { app: 'example', build: '6e2b3c1a-1111-2222-3333-444455556666' }],
    // A CLI deploy of a uuid build shortens the key: no build can be named from it.
    ['example--6e2b3c1a-rollback-20261120T120000Z', {}],
  ])('%s', (name, expected) => {
    expect(appAndBuildOf(name)).toEqual(expected);
  });
});
