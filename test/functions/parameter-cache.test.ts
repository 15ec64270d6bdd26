import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ssm } from '../../functions/shared/clients';
import { newParameterCacheScope, PARAMETER_CACHE_SECONDS, useParameterCacheScope } from '../../functions/shared/parameter-cache';
import { getAppSettings } from '../../functions/shared/settings-store';
import { LocalRun } from '../../lib/local/runner';
import { buildEvent, ROOT } from '../statemachines/scenarios';
import { awsError, settingsInput, settingsParameterOutput, SETTINGS_PARAMETER } from './helpers';

/**
 * The app's settings are read within Parameter Store's throughput at fleet scale: a function reuses the
 * settings it read for PARAMETER_CACHE_SECONDS (functions/shared/parameter-cache.ts), and a change is
 * seen once that bound has passed.
 */

const ssmMock = mockClient(ssm as SSMClient);
const reads = () => ssmMock.commandCalls(GetParameterCommand, { Name: SETTINGS_PARAMETER }).length;

describe('the settings cache of a function instance', () => {
  let now = 0;
  let restore: () => void;
  beforeEach(() => {
    ssmMock.reset();
    now = Date.parse('2026-01-01T00:00:00Z');
    const scope = newParameterCacheScope(() => now);
    restore = useParameterCacheScope(() => scope);
  });
  afterEach(() => restore());

  test('a second read within the bound makes no SSM call; after it, one', async () => {
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
    await getAppSettings(ssm as SSMClient, 'slipway', 'example');
    now += (PARAMETER_CACHE_SECONDS - 1) * 1000;
    await getAppSettings(ssm as SSMClient, 'slipway', 'example');
    expect(reads()).toBe(1);
    now += 1000;
    await getAppSettings(ssm as SSMClient, 'slipway', 'example');
    expect(reads()).toBe(2);
  });

  test('a change of the settings parameter is seen once the bound has passed', async () => {
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ deployTimeoutSeconds: 600 })));
    expect((await getAppSettings(ssm as SSMClient, 'slipway', 'example')).deployTimeoutSeconds).toBe(600);
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput({ deployTimeoutSeconds: 900 })));
    expect((await getAppSettings(ssm as SSMClient, 'slipway', 'example')).deployTimeoutSeconds).toBe(600);
    now += PARAMETER_CACHE_SECONDS * 1000;
    expect((await getAppSettings(ssm as SSMClient, 'slipway', 'example')).deployTimeoutSeconds).toBe(900);
  });

  test('a missing or invalid settings parameter is read again at once (a redrive after cdk deploy works)', async () => {
    ssmMock.on(GetParameterCommand).rejectsOnce(awsError('ParameterNotFound')).resolvesOnce({ Parameter: { Name: SETTINGS_PARAMETER, Value: 'not json' } }).resolves(settingsParameterOutput(settingsInput()));
    await expect(getAppSettings(ssm as SSMClient, 'slipway', 'example')).rejects.toMatchObject({ name: 'SettingsNotFound' });
    await expect(getAppSettings(ssm as SSMClient, 'slipway', 'example')).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('not JSON') });
    await expect(getAppSettings(ssm as SSMClient, 'slipway', 'example')).resolves.toMatchObject({ app: 'example' });
    expect(reads()).toBe(3);
  });

  test('each caller gets its own copy: changing it does not change what the next caller gets', async () => {
    ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
    const first = await getAppSettings(ssm as SSMClient, 'slipway', 'example');
    first.processes.web.desiredCount = 99;
    expect((await getAppSettings(ssm as SSMClient, 'slipway', 'example')).processes.web.desiredCount).not.toBe(99);
  });
});

test('outside Lambda (no AWS_LAMBDA_FUNCTION_NAME, no scope installed) nothing is cached', async () => {
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).resolves(settingsParameterOutput(settingsInput()));
  delete process.env.AWS_LAMBDA_FUNCTION_NAME;
  await getAppSettings(ssm as SSMClient, 'slipway', 'example');
  await getAppSettings(ssm as SSMClient, 'slipway', 'example');
  expect(reads()).toBe(2);
});

test('in a local run of the real pipelines, each function reads the settings at most once within the bound', async () => {
  ssmMock.restore();
  const run = new LocalRun({ app: 'example', release: { exitCode: 0, durationSeconds: 5 }, services: { web: { build: '41' }, worker: { build: '41' } }, deployments: { web: [{ outcome: 'completes', afterSeconds: 20 }], worker: [{ outcome: 'completes', afterSeconds: 20 }] } }, ROOT);
  await run.run('build', buildEvent());
  expect(run.executions.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  // The whole run lasts less than the bound: one read per function that reads settings.
  expect(run.world.now).toBeLessThan(PARAMETER_CACHE_SECONDS);
  const functionsInvoked = ['parseBuildEvent', 'registerTaskDefinitions', 'checkReleaseTask', 'updateService', 'deploymentEvents', 'executionStatus'] as const;
  const invoked = functionsInvoked.filter((f) => run.lambdaInvocationsOf(f) > 0);
  const settingsReads = run.world.calls.GetParameter ?? 0;
  expect(settingsReads).toBeGreaterThan(0);
  expect(settingsReads).toBeLessThanOrEqual(invoked.length);
  expect(settingsReads).toBeLessThan(invoked.reduce((n, f) => n + run.lambdaInvocationsOf(f), 0));
});

test('a change of the settings parameter is acted on at once: the schedules sync it starts reads the settings fresh', async () => {
  ssmMock.restore();
  const run = new LocalRun({ app: 'example', release: { exitCode: 0, durationSeconds: 5 }, services: { web: { build: '41' }, worker: { build: '41' } }, deployments: { web: [{ outcome: 'completes', afterSeconds: 20 }], worker: [{ outcome: 'completes', afterSeconds: 20 }] } }, ROOT);
  await run.run('build', buildEvent());
  const name = '/slipway/apps/example/settings';
  const before = JSON.parse(run.world.ssm.get(name).value) as { schedules?: unknown[] };
  const t = run.world.now;
  // The app stack is deployed twice 10 s apart, the second time with a scheduled task: each rewrite starts a sync.
  run.at(t + 5, 'app stack deployed', () => run.world.ssm.put(name, JSON.stringify(before), 'String'));
  const nightly = { name: 'nightly', schedule: 'cron(0 3 * * ? *)', command: 'bin/rails reports:nightly', process: 'worker' };
  run.at(t + 15, 'app stack deployed with a schedule', () => run.world.ssm.put(name, JSON.stringify({ ...before, schedules: [...(before.schedules ?? []), nightly] }), 'String'));
  await run.runScheduled();
  const syncs = run.executions.filter((e) => e.stateMachine === 'schedules');
  expect(syncs.map((e) => e.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  expect(run.world.now - t).toBeLessThan(PARAMETER_CACHE_SECONDS + 15);
  expect(run.world.scheduler.list('slipway-production.example').map((s) => s.Name)).toContain('nightly');
});
