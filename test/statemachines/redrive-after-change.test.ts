import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import { renderTimeline } from '../../lib/local/render-run';
import type { WorldFile } from '../../lib/local/world-schema';
import { buildEvent, execution, ROOT } from './scenarios';

/**
 * A redrive never undoes what happened since the failure (issue 22): deploy 42 fails, the operator
 * rolls back to 40 (or a config change redeploys 40, or build 43 deploys), then someone redrives 42.
 * Everything runs through the path AWS takes: the real deploy ASL invoking the real update-service
 * handler with the payload the ASL builds ($$.Execution.Id included), in the local runner.
 */

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';

/** The services run build 40; build 42's web deployment rolls back, its worker deployment completes. */
const WORLD: WorldFile = { app: 'example', services: { web: { build: '40' }, worker: { build: '40' } }, deployments: { web: [{ outcome: 'rollsBack', afterSeconds: 60 }] } };

/** A forced deploy of build 40 (what `slipway rollback` starts), from the revisions the services ran. */
async function rollbackTo40(run: LocalRun, name = 'example--40-rollback-20260101T010000Z'): Promise<ExecutionReport> {
  const revision = (process: string) => run.world.revisions.get(`slipway-example--${process}`)!.find((r) => r.taskDefinition.containerDefinitions?.[0]?.image === `${IMAGE}:build-40`)!.taskDefinition.taskDefinitionArn!;
  return run.run(
    'deploy',
    {
      app: 'example',
      table: run.world.settings.table,
      build: { buildKey: '40', sortKey: '0000000040', image: `${IMAGE}:build-40`, commit: '0'.repeat(40) },
      processes: ['web', 'worker'].map((name) => ({ name, taskDefinitionArn: revision(name) })),
      force: true,
      deployTimeoutSeconds: 1800,
    },
    name,
  );
}

function servicesImages(run: LocalRun): Record<string, string> {
  const services = run.report().world.services;
  return { web: services['example--web'].image, worker: services['example--worker'].image };
}

describe('deploy 42 fails, the operator rolls back to 40, someone redrives 42', () => {
  let run: LocalRun;
  let failed: ExecutionReport;
  let updatesBeforeRedrive = 0;

  beforeAll(async () => {
    run = new LocalRun(WORLD, ROOT);
    await run.run('build', buildEvent());
    failed = execution(run, 'deploy')!;
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('DeploymentRolledBack');
    // The worker iteration succeeded: the worker runs 42 until the rollback.
    expect(servicesImages(run).worker).toBe(`${IMAGE}:build-42`);

    const rollback = await rollbackTo40(run);
    expect(rollback.status).toBe('SUCCEEDED');
    expect(servicesImages(run)).toEqual({ web: `${IMAGE}:build-40`, worker: `${IMAGE}:build-40` });
    updatesBeforeRedrive = run.world.calls.UpdateService ?? 0;

    await run.redrive(failed);
  });

  test('the redrive ends as superseded by build 40, which is not a failure: SUCCEEDED in "Deploy superseded"', () => {
    expect(failed.redriveCount).toBe(1);
    expect(failed.status).toBe('SUCCEEDED');
    expect(failed.output).toMatchObject({ app: 'example', build: '42', outcome: 'superseded', supersededBy: '40' });
    expect(failed.states.at(-1)?.name).toBe('Deploy superseded');
  });

  test('it changes nothing: both services stay on build 40, no service is updated', () => {
    expect(servicesImages(run)).toEqual({ web: `${IMAGE}:build-40`, worker: `${IMAGE}:build-40` });
    expect((run.world.calls.UpdateService ?? 0) - updatesBeforeRedrive).toBe(0);
  });

  test('the current release is still build 40', () => {
    expect(run.report().world.lastGoodRelease).toMatchObject({ build: '40', image: `${IMAGE}:build-40` });
  });

  test("build 42's record says it was superseded by build 40, with no failure left to act on (execution-status, from the SUCCEEDED event's output)", () => {
    const record = run.world.tableOf('example').get({ pk: { S: 'BUILD' }, sk: { S: '0000000042' } });
    expect(record?.supersededBy).toEqual({ S: '40' });
    expect(record?.pipelineError).toBeUndefined();
    expect(record?.failedExecution).toEqual({ S: failed.arn });
  });
});

describe('a redrive after a newer build deployed', () => {
  test('deploy 42 fails, build 43 deploys, a redrive of 42 changes nothing', async () => {
    const run = new LocalRun(WORLD, ROOT);
    await run.run('build', buildEvent());
    const failed = execution(run, 'deploy')!;
    expect(failed.status).toBe('FAILED');
    await run.run('build', buildEvent({ build: 43 }));
    expect(execution(run, 'deploy', 1)?.status).toBe('SUCCEEDED');
    const updates = run.world.calls.UpdateService ?? 0;

    await run.redrive(failed);

    expect(servicesImages(run)).toEqual({ web: `${IMAGE}:build-43`, worker: `${IMAGE}:build-43` });
    expect((run.world.calls.UpdateService ?? 0) - updates).toBe(0);
    expect(run.report().world.lastGoodRelease).toMatchObject({ build: '43' });
    expect([failed.status, failed.output]).toEqual(['SUCCEEDED', expect.objectContaining({ outcome: 'superseded', supersededBy: '43' })]);
  });
});

describe('a redrive that nothing overtook still does the failed work', () => {
  test('deploy 42 fails, nothing happens meanwhile, the redrive (after the fix) deploys 42', async () => {
    const run = new LocalRun(WORLD, ROOT);
    await run.run('build', buildEvent());
    const failed = execution(run, 'deploy')!;

    await run.redrive(failed);

    expect(failed.status).toBe('SUCCEEDED');
    expect(servicesImages(run)).toEqual({ web: `${IMAGE}:build-42`, worker: `${IMAGE}:build-42` });
    expect(run.report().world.lastGoodRelease).toMatchObject({ build: '42' });
  });
});

test('the local timeline says "superseded by build 42" under the deploy, with nothing to redrive', async () => {
  const run = new LocalRun({ app: 'example', services: { web: { build: '41' }, worker: { build: '41' } }, newerBuild: { build: '42' } }, ROOT);
  await run.run('build', buildEvent({ build: 41 }));

  const text = renderTimeline(run.report());

  expect(text).toMatch(/✓ example--41-deploy {2}\(deploy\) {2}SUCCEEDED\n(?:.*\n)*? {2}→ superseded by build 42: nothing was deployed, and there is nothing to redrive/);
  expect(text).not.toContain('a redrive re-runs this');
});
