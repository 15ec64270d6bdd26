import { join } from 'node:path';
import { loadDeploymentConfig, scaleScheduleOf } from '../../lib/deployment-config';
import { execution, ROOT, runBuild } from './scenarios';

/**
 * The deploy pipeline and the scale-to-zero schedule, run locally: a non-production app
 * (test/fixtures/configs/staging.json: off 19:00-07:30 Europe/Paris on weekdays) and the production
 * example app. The real deploy ASL and update-service handler, the simulated Application Auto Scaling.
 */

const STAGING = 'test/fixtures/configs/staging.json';
const staging = loadDeploymentConfig(join(ROOT, STAGING)).apps[0];
const example = loadDeploymentConfig(join(ROOT, 'config/example.json')).apps.find((a) => a.name === 'example')!;
const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/slipway/example';
const WEB = 'service/slipway-staging/example--web';
const WORKER = 'service/slipway-staging/example--worker';
// 2026-07-07 is a Tuesday; Paris is UTC+2 in July.
const TUESDAY_10_PARIS = '2026-07-07T08:00:00Z';
const TUESDAY_22_PARIS = '2026-07-07T20:00:00Z';

describe('a non-production app the schedule has at zero', () => {
  const heldDown = {
    config: STAGING,
    startTime: TUESDAY_10_PARIS,
    services: { web: { build: '41' }, worker: { build: '41' } },
    scalableTargets: { web: { min: 0, max: 0 }, worker: { min: 0, max: 0 } },
  };

  test('a deploy puts both services on the new revision and leaves them at zero', async () => {
    // Act: daytime by the clock, but the account says the services are held at zero.
    const { run } = await runBuild(heldDown);

    // Assess
    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
    const { services, autoscaling } = run.report().world;
    expect(services['example--web']).toMatchObject({ image: `${IMAGE}:build-42`, desiredCount: 0 });
    expect(services['example--worker']).toMatchObject({ image: `${IMAGE}:build-42`, desiredCount: 0 });
    expect(autoscaling[WEB]).toMatchObject({ min: 0, max: 0 });
    expect(autoscaling[WORKER]).toMatchObject({ min: 0, max: 0 });
  });

  test('the next scheduled scale-out starts the new revision in the configured range', async () => {
    // Prepare
    const { run } = await runBuild(heldDown);

    // Act: Application Auto Scaling runs the start action at 07:30.
    run.world.runScheduledAction('example--web-scale-up');

    // Assess
    const web = run.report().world.services['example--web'];
    expect(web.image).toBe(`${IMAGE}:build-42`);
    expect(web.desiredCount).toBe(staging.processes.web.autoscaling!.min);
    expect(run.report().world.autoscaling[WEB]).toMatchObject({ min: staging.processes.web.autoscaling!.min, max: staging.processes.web.autoscaling!.max });
  });
});

describe('a non-production app\'s first deploy', () => {
  test('at night creates its services at zero', async () => {
    // Act
    const { run } = await runBuild({ config: STAGING, startTime: TUESDAY_22_PARIS });

    // Assess
    expect(execution(run, 'deploy')?.status).toBe('SUCCEEDED');
    const { services, autoscaling } = run.report().world;
    expect(services['example--web'].desiredCount).toBe(0);
    expect(services['example--worker'].desiredCount).toBe(0);
    expect(autoscaling[WEB]).toMatchObject({ min: 0, max: 0 });
  });

  test('in the day registers each service\'s range and CPU policy from the config', async () => {
    // Act
    const { run } = await runBuild({ config: STAGING, startTime: TUESDAY_10_PARIS });

    // Assess
    const { services, autoscaling } = run.report().world;
    const web = staging.processes.web;
    const worker = staging.processes.worker;
    expect(services['example--web'].desiredCount).toBe(web.desiredCount);
    expect(autoscaling[WEB]).toEqual({ min: web.autoscaling!.min, max: web.autoscaling!.max, policies: ['example--web-cpu'] });
    expect(autoscaling[WORKER]).toEqual({ min: worker.desiredCount, max: worker.desiredCount, policies: [] });
  });

  test('puts the stop and start actions in the configured time zone, the start carrying the range', async () => {
    // Act
    const { run } = await runBuild({ config: STAGING, startTime: TUESDAY_10_PARIS });

    // Assess
    const schedule = scaleScheduleOf(staging)!;
    const [stopH, stopM] = schedule.stopAt.split(':').map(Number);
    const [startH, startM] = schedule.startAt.split(':').map(Number);
    const days = schedule.days.join(',');
    expect(run.report().world.scheduledActions[WEB]).toEqual([
      { name: 'example--web-scale-to-zero', schedule: `cron(${stopM} ${stopH} ? * ${days} *)`, timeZone: schedule.timeZone, min: 0, max: 0 },
      { name: 'example--web-scale-up', schedule: `cron(${startM} ${startH} ? * ${days} *)`, timeZone: schedule.timeZone, min: staging.processes.web.autoscaling!.min, max: staging.processes.web.autoscaling!.max },
    ]);
  });
});

describe('a production app', () => {
  test('the deploy registers the range and CPU target of the config, and no schedule', async () => {
    // Act
    const { run } = await runBuild({ app: 'example' });

    // Assess
    const { autoscaling, scheduledActions } = run.report().world;
    for (const process of ['web', 'worker'] as const) {
      const range = example.processes[process].autoscaling!;
      expect(autoscaling[`service/slipway-production/example--${process}`]).toEqual({ min: range.min, max: range.max, policies: [`example--${process}-cpu`] });
    }
    expect(scheduledActions).toEqual({});
  });

  test('a world naming a registration for a service that does not exist is refused', async () => {
    await expect(runBuild({ app: 'example', scalableTargets: { web: { min: 0, max: 0 } } })).rejects.toThrow('world: scalableTargets.web needs the service in "services"');
  });
});
