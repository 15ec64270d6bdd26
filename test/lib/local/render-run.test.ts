import type { ExecutionReport, RunReport, StateVisit } from '../../../lib/local/runner';
import { renderTimeline } from '../../../lib/local/render-run';
import { fixtureHistory } from '../ops/aws-fixtures';
import { RELEASE_EXIT_1_CAUSE, releaseTaskFailed } from '../ops/histories';
import { exampleWorld, runBuild } from '../../statemachines/scenarios';

describe('renderTimeline', () => {
  test('lists the milestone events with their build and, for a failure, the error', async () => {
    const { run } = await runBuild(exampleWorld({ release: { exitCode: 1 } }));

    const text = renderTimeline(run.report());

    expect(text).toContain('events (source slipway):');
    expect(text).toMatch(/t\+0s\s+Release Started \(build 42\)/);
    // execution-status announces the failure from the status event, with the translated error; the
    // timeline shows where it stopped: the state a redrive re-runs.
    expect(text).toMatch(/Release Failed \(build 42\) ReleaseFailed/);
    expect(text).toMatch(/✗ Run release task/);
    expect(text).toMatch(/→ failed at "Run release task": States\.TaskFailed: container "web" exited with code 1/);
    expect(text).toMatch(/redrive: possible — re-runs "Run release task"/);
    expect(text).not.toContain('Deploy Started');
  });

  test('says so when no event was sent', async () => {
    const { run } = await runBuild(exampleWorld({ throttle: { PutEvents: 100 } }));

    expect(renderTimeline(run.report())).toContain('events (source slipway): none');
  });
});

describe('renderTimeline from execution histories (the model `slipway status` uses)', () => {
  const report = (executions: Partial<ExecutionReport>[]): RunReport => ({
    app: 'example',
    executions: executions.map((e) => ({ stateMachine: 'release', name: 'example--42-release', arn: 'arn', status: 'FAILED', redriveCount: 0, startedAt: 0, states: [], history: [], input: {}, ...e }) as ExecutionReport),
    totals: { stateTransitions: 0, lambdaInvocations: 0, simulatedSeconds: 0, releaseTasksStarted: 1, taskDefinitionsRegistered: 0 },
    world: { services: {}, lastGoodRelease: null, autoscaling: {}, scheduledActions: {} },
    events: [],
  });

  test('a release task that failed uncaught: the failed step, its time, the ECS task in one line, and what a redrive re-runs', () => {
    // Prepare: `states` says something else, to prove the history is what is rendered.
    const { events } = releaseTaskFailed();
    const stale: StateVisit = { name: 'Record the failed release', type: 'Task', at: 0, status: 'succeeded', retries: 0 };

    // Act
    const text = renderTimeline(report([{ history: events, states: [stale], error: 'States.TaskFailed', cause: RELEASE_EXIT_1_CAUSE }]));

    // Assess: times run from ExecutionStarted (event 1); HistoryBuilder puts events a second apart, the
    // task is entered as event 4 (t+3s) and its TaskFailed comes 45 s after event 7 (t+6s): t+51s.
    expect(text).not.toContain('Record the failed release');
    expect(text).toMatch(/\nt\+3s {6} {2}✗ Run release task {2}48s error States\.TaskFailed \(failed at t\+51s\) {2}← a redrive re-runs this\n/);
    expect(text).toContain('  → failed at "Run release task": States.TaskFailed: container "web" exited with code 1 in ECS task 0f1e2d3c4b5a; stop code EssentialContainerExited: Essential container in task exited');
    expect(text).toContain('  redrive: possible — re-runs "Run release task"');
  });

  test('a Fail-state outcome says a redrive would not help, and what does', () => {
    const events = fixtureHistory('09-fail-state-direct', { rename: { Boom: 'Reject the malformed event' }, executionFailed: { error: 'InvalidEvent', cause: 'no build number' } });

    const text = renderTimeline(report([{ stateMachine: 'build', name: 'example--42-deploy', history: events, error: 'InvalidEvent', cause: 'no build number' }]));

    expect(text).toContain('  redrive would not help: the event that started it is malformed (InvalidEvent: no build number) and a redrive runs with the same input');
    expect(text).toContain('  instead: deploy the build from its record: slipway deploy example --build 42');
    expect(text).not.toContain('redrive: possible');
  });
});
