import { appParameterPath, settingsParameterName } from '../../../domain/names';
import { LocalRun } from '../../../lib/local/runner';
import { buildEvent, exampleWorld, ROOT } from '../../statemachines/scenarios';

/**
 * A task size Fargate refuses, through the path AWS takes: the app's settings parameter holds the pair (as
 * a settings parameter written past `cdk synth`'s check would), the real build ASL runs the real
 * register-task-definitions handler, and the simulated ECS answers RegisterTaskDefinition as ECS does.
 */
describe('the build pipeline with a task size Fargate does not run', () => {
  test('fails at "Register task definitions" with ECS ClientException and registers nothing', async () => {
    const run = new LocalRun(exampleWorld(), ROOT);
    const name = settingsParameterName(appParameterPath('slipway', 'example'));
    const parameter = run.world.ssm.parameters.get(name)!;
    const settings = JSON.parse(parameter.value) as { processes: Record<string, { cpu: string; memory: string }> };
    settings.processes.web.memory = '8192';
    run.world.ssm.parameters.set(name, { ...parameter, value: JSON.stringify(settings) });
    const before = run.world.calls.RegisterTaskDefinition ?? 0;

    const build = await run.run('build', buildEvent());

    expect(build.status).toBe('FAILED');
    const failed = build.history.find((e) => e.type === 'TaskFailed');
    expect(failed?.taskFailedEventDetails?.cause).toContain('No Fargate configuration exists for given values: 512 CPU, 8192 memory.');
    const entered = build.history.filter((e) => e.type === 'TaskStateEntered').map((e) => e.stateEnteredEventDetails?.name);
    expect(entered[entered.length - 1]).toBe('Register task definitions');
    // The example's worker (256 CPU, 512 MiB) may register first; web's revision never exists.
    const families = [...run.world.ecs.revisions.keys()];
    expect(run.world.calls.RegisterTaskDefinition).toBeGreaterThan(before);
    expect(families.filter((f) => f.endsWith('-web')).flatMap((f) => run.world.ecs.revisions.get(f)!).filter((r) => r.taskDefinition.containerDefinitions?.[0]?.image?.endsWith(':build-42'))).toHaveLength(0);
  });
});
