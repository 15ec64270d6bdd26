import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { join } from 'node:path';
import { loadDeploymentConfig } from '../../lib/deployment-config';
import { LocalRun } from '../../lib/local/runner';
import { mockDynamoDb } from '../../lib/local/services/dynamodb';
import type { OpsClients } from '../../lib/ops/aws';
import { scaleProcess } from '../../lib/ops/scaling';
import { CONFIG_PATH, executionsOf, parameterEvent } from './config-scenarios';
import { buildEvent, exampleWorld, ROOT } from './scenarios';

/**
 * `slipway scale` outlasts deploys and config changes (issue 23): the CLI's own operation
 * (lib/ops/scaling.ts) against the simulated account, then a push and a config change through the real
 * build, release, deploy and config-change ASL with the real update-service handler, which reads the
 * stored range from the app's table.
 */

const example = loadDeploymentConfig(join(ROOT, 'config/example.json')).apps.find((a) => a.name === 'example')!;
const WEB = 'service/slipway-production/example--web';
const WORKER = 'service/slipway-production/example--worker';

/** CLI clients answered by the run's simulated account (as `slipway local serve` answers the real CLI). */
function cliClients(run: LocalRun): { clients: OpsClients; restore: () => void } {
  const region = 'us-east-1';
  const clients = { autoscaling: new ApplicationAutoScalingClient({ region }), dynamodb: new DynamoDBClient({ region }), ssm: new SSMClient({ region }), sts: new STSClient({ region }) } as unknown as OpsClients;
  const mocks = [run.world.autoscaling.mock(clients.autoscaling!), mockDynamoDb(clients.dynamodb, run.world), run.world.ssm.mock(clients.ssm)];
  return { clients, restore: () => mocks.forEach((m) => m.restore()) };
}

const ranges = (run: LocalRun) => {
  const { autoscaling, services } = run.report().world;
  return {
    web: { min: autoscaling[WEB]?.min, max: autoscaling[WEB]?.max, desired: services['example--web'].desiredCount },
    worker: { min: autoscaling[WORKER]?.min, max: autoscaling[WORKER]?.max, desired: services['example--worker'].desiredCount },
  };
};

describe('a scale, then a push, then a config change', () => {
  let run: LocalRun;
  const seen: Record<string, ReturnType<typeof ranges>> = {};

  beforeAll(async () => {
    run = new LocalRun(exampleWorld({ parameters: { [`${CONFIG_PATH}/API_TOKEN`]: { value: 'v1' } } }), ROOT);
    await run.run('build', buildEvent({ build: 42 }));
    const cli = cliClients(run);
    try {
      await scaleProcess(cli.clients, { app: 'example', process: 'web', range: { min: 5, max: 9 } });
      await scaleProcess(cli.clients, { app: 'example', process: 'worker', range: { min: 0, max: 0 } });
      seen.scaled = ranges(run);
      await run.run('build', buildEvent({ build: 43 }));
      seen.pushed = ranges(run);
      run.at(10, 'a config key changes', () => run.startConcurrently('config-change', parameterEvent('update', `${CONFIG_PATH}/API_TOKEN`)));
      await run.runScheduled();
      seen.configChanged = ranges(run);
      await scaleProcess(cli.clients, { app: 'example', process: 'web', reset: true });
      await run.run('build', buildEvent({ build: 44 }));
      seen.reset = ranges(run);
    } finally {
      cli.restore();
    }
  });

  test('every deploy succeeded: the push and the config change\'s redeploy', () => {
    expect(executionsOf(run, 'deploy').map((d) => [d.name.replace(/config-.*/, 'config-<event>'), d.status])).toEqual([
      ['example--42-deploy', 'SUCCEEDED'],
      ['example--43-deploy', 'SUCCEEDED'],
      ['example--config-<event>', 'SUCCEEDED'],
      ['example--44-deploy', 'SUCCEEDED'],
    ]);
  });

  test('the scale applies at once', () => {
    expect(seen.scaled.web).toMatchObject({ min: 5, max: 9 });
    expect(seen.scaled.worker).toMatchObject({ min: 0, max: 0, desired: 0 });
  });

  test('the push keeps it: the config\'s range is not applied over it', () => {
    expect(seen.pushed.web).toMatchObject({ min: 5, max: 9 });
    expect(seen.pushed.worker).toEqual({ min: 0, max: 0, desired: 0 });
    expect(example.processes.web.autoscaling).not.toMatchObject({ min: 5, max: 9 });
  });

  test('the config change\'s redeploy keeps it too', () => {
    expect(seen.configChanged.web).toMatchObject({ min: 5, max: 9 });
    expect(seen.configChanged.worker).toEqual({ min: 0, max: 0, desired: 0 });
  });

  test('after --reset the next deploy gives the config\'s range again; the other process keeps its stored one', () => {
    const range = example.processes.web.autoscaling!;
    expect(seen.reset.web).toMatchObject({ min: range.min, max: range.max });
    expect(seen.reset.worker).toEqual({ min: 0, max: 0, desired: 0 });
  });
});
