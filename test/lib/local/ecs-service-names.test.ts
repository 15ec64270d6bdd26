import { LocalRun } from '../../../lib/local/runner';
import { exampleWorld, ROOT } from '../../statemachines/scenarios';

/**
 * The simulated ECS refuses a second service of a name that is ACTIVE in the cluster, as ECS does
 * ("InvalidParameterException: Creation of service was not idempotent."), whichever app asks.
 */
test('CreateService of a name already ACTIVE in the cluster is refused, the running service unchanged', () => {
  const run = new LocalRun(exampleWorld(), ROOT);
  const web = run.world.services.get('example--web')!;
  const before = JSON.stringify(web.service);
  expect(() => run.world.ecs.createService({ serviceName: 'example--web', cluster: web.service.clusterArn, taskDefinition: web.service.taskDefinition, desiredCount: 1 }, { app: 'example-admin', process: 'web' })).toThrow(
    expect.objectContaining({ name: 'InvalidParameterException', message: 'Creation of service was not idempotent: example--web already exists.' }),
  );
  expect(JSON.stringify(run.world.services.get('example--web')!.service)).toBe(before);
});
