import { LocalRun } from '../../../lib/local/runner';
import type { WorldFile } from '../../../lib/local/world-schema';
import { buildEvent, exampleWorld, ROOT } from '../../statemachines/scenarios';

/**
 * A local redrive continues the world (issue 22, docs/local-runs.md): the redrive's patch changes what it
 * names; the outcome of each successive deployment, throttles and injected errors with `times` that were
 * used up before the redrive stay used up. Run through the real ASL and handlers.
 */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';

async function failThenRedrive(world: WorldFile, patch: Record<string, unknown>) {
  const run = new LocalRun(world, ROOT);
  await run.run('build', buildEvent());
  const failed = run.executions.find((e) => e.status === 'FAILED');
  expect(failed).toBeDefined();
  const before = { arn: failed!.arn, stateMachine: failed!.stateMachine, error: failed!.error };
  const redriven = await run.redriveAfterFix(world, patch);
  return { run, failed: before, redriven };
}

test('deployments.worker [rollsBack, completes], redriven with an empty patch: the next deployment completes', async () => {
  const world = exampleWorld({ deployments: { worker: [{ outcome: 'rollsBack', afterSeconds: 60 }, { outcome: 'completes', afterSeconds: 30 }] } });

  const { run, failed, redriven } = await failThenRedrive(world, {});

  expect(failed.error).toBe('DeploymentRolledBack');
  expect(redriven.status).toBe('SUCCEEDED');
  expect(run.report().world.services['example--worker'].image).toBe(`${IMAGE}:build-42`);
});

test('a patch that names a process type replaces what is left of its outcomes, and only its', async () => {
  const world = exampleWorld({ deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }, { outcome: 'rollsBack', afterSeconds: 60 }], worker: [{ outcome: 'completes', afterSeconds: 30 }, { outcome: 'rollsBack', afterSeconds: 60 }] } });

  const { run, redriven } = await failThenRedrive(world, { deployments: { web: [{ outcome: 'completes', afterSeconds: 30 }] } });

  // web's second rollsBack was replaced by the patch; worker (not named, already deployed) was not re-deployed.
  expect(redriven.status).toBe('SUCCEEDED');
  expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-42`);
});

test('an injected error with times already used up stays used up after an empty patch', async () => {
  // The first UpdateService (one of the two iterations) is refused; the other iteration's succeeds.
  const world = exampleWorld({ errors: { UpdateService: { name: 'AccessDeniedException', message: 'not authorized to perform: ecs:UpdateService', times: 1 } } });

  const { run, failed, redriven } = await failThenRedrive(world, {});

  expect(failed.error).toMatch(/AccessDenied/);
  expect(redriven.status).toBe('SUCCEEDED');
  expect(run.report().world.services['example--web'].image).toBe(`${IMAGE}:build-42`);
  expect(run.report().world.services['example--worker'].image).toBe(`${IMAGE}:build-42`);
});

test('a patch that names the error again re-arms it, so the redrive fails the same way', async () => {
  const world = exampleWorld({ errors: { UpdateService: { name: 'AccessDeniedException', message: 'not authorized to perform: ecs:UpdateService', times: 1 } } });

  const { failed, redriven } = await failThenRedrive(world, { errors: { UpdateService: { name: 'AccessDeniedException', message: 'still not authorized', times: 1 } } });

  expect(redriven.arn).toBe(failed.arn);
  expect(redriven.status).toBe('FAILED');
  expect(redriven.redriveCount).toBe(1);
});

test('throttles used up before the redrive stay used up: the rest is absorbed by the retries', async () => {
  // 10 throttles of StartExecution outlast "Start the release"'s retries (7 attempts): the build fails with 3 left.
  const world = exampleWorld({ throttle: { StartExecution: 10 } });

  const { run, failed, redriven } = await failThenRedrive(world, {});

  expect(failed.stateMachine).toBe('build');
  expect(redriven.status).toBe('SUCCEEDED');
  expect(run.executions.find((e) => e.stateMachine === 'deploy')?.status).toBe('SUCCEEDED');
  // 7 attempts before the redrive, 3 throttled + 1 accepted after it, then the release starts the deploy.
  expect(run.world.calls.StartExecution).toBe(7 + 4 + 1);
});
