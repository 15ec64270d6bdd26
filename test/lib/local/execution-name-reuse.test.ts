import { LocalRun } from '../../../lib/local/runner';
import { NAME_REUSE_SECONDS } from '../../../lib/local/services/stepfunctions';
import { buildEvent, execution, exampleWorld, ROOT } from '../../statemachines/scenarios';

/**
 * The simulated Step Functions refuses a StartExecution name used by the state machine's execution in
 * the last 90 days, whatever the input (StartExecution API reference, `name`), as AWS does; the pipelines'
 * answer to that refusal (ExecutionNameTaken, or a no-op for the same build) is tested through the real ASL
 * in test/statemachines/pipelines.test.ts, "execution names already used".
 */

describe('the simulated Step Functions keeps a name 90 days (StartExecution API reference, name)', () => {
  test('a closed execution\'s name is refused whatever the input until 90 days after it closed, then it may be used again', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    await run.run('build', buildEvent());
    const api = run.stepFunctionsApi;
    const release = execution(run, 'release')!;
    expect(api.startCheck('release', release.name, release.input)).toEqual({ verdict: 'taken', existing: release });
    expect(api.startCheck('deploy', release.name, release.input)).toEqual({ verdict: 'start' });
    run.world.clock.now = release.endedAt! + NAME_REUSE_SECONDS - 1;
    expect(api.startCheck('release', release.name, {}).verdict).toBe('taken');
    run.world.clock.now = release.endedAt! + NAME_REUSE_SECONDS;
    expect(api.startCheck('release', release.name, {}).verdict).toBe('start');
  });
});
