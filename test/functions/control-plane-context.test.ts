import { setHandlerEnv, settingsInput } from './helpers';
import { stateMachineArns } from '../../functions/shared/control-plane-context';
import { appOfExecutionInput } from '../../domain/executions';
import { appOfParameter, appOfProject } from '../../domain/names';
import { readAppSettings } from '../../domain/settings';
import { parseAppSettings } from '../../functions/shared/settings-store';
import { waiterItem } from '../../functions/shared/waiters';

/** How the shared control plane finds the app of an event, a payload or an execution (functions/shared/control-plane-context.ts). */

describe('appOfProject: CodeBuild projects are <prefix>-<app>', () => {
  test.each([
    ['slipway-example', 'example'],
    ['slipway-example-admin', 'example-admin'],
    ['slipway-a1', 'a1'],
  ])('%s is the project of %s', (project, app) => {
    expect(appOfProject('slipway', project)).toBe(app);
  });

  test.each(['slipway', 'slipway-', 'other-example', 'slipwayexample', 'slipway-Example', 'slipway-1app', `slipway-${'a'.repeat(36)}`])('%s is no app project', (project) => {
    expect(appOfProject('slipway', project)).toBeUndefined();
  });
});

describe('appOfParameter: parameters are /<prefix>/apps/<app>/...', () => {
  test.each([
    ['/slipway/apps/example/config/A', 'example'],
    ['/slipway/apps/example/settings', 'example'],
    ['/slipway/apps/docs/schedules', 'docs'],
  ])('%s belongs to %s', (name, app) => {
    expect(appOfParameter('slipway', name)).toBe(app);
  });

  test.each(['/slipway/apps/example', '/slipway/apps/', '/other/apps/example/config/A', '/slipway/apps/Bad/config/A', '/slipway/example/config/A'])('%s belongs to no app', (name) => {
    expect(appOfParameter('slipway', name)).toBeUndefined();
  });
});

describe('appOfExecutionInput', () => {
  test('the input app wins (release, deploy, schedules started by Slipway or the CLI)', () => {
    expect(appOfExecutionInput('slipway', { app: 'docs', detail: { 'project-name': 'slipway-example' } })).toBe('docs');
  });

  test('a build started by the CodeBuild rule: the project', () => {
    expect(appOfExecutionInput('slipway', { source: 'aws.codebuild', detail: { 'project-name': 'slipway-example' } })).toBe('example');
  });

  test('a config change started by the Parameter Store rule: the parameter name', () => {
    expect(appOfExecutionInput('slipway', { source: 'aws.ssm', detail: { name: '/slipway/apps/docs/config/A' } })).toBe('docs');
  });

  test('a schedules sync started by a milestone: detail.app', () => {
    expect(appOfExecutionInput('slipway', { source: 'slipway', 'detail-type': 'Deploy Succeeded', detail: { app: 'docs' } })).toBe('docs');
  });

  test.each([[undefined], [null], ['text'], [{}], [{ app: 'Not An App' }], [{ source: 'aws.codebuild', detail: { 'project-name': 'TestProject' } }]])('%j names no app', (input) => {
    expect(appOfExecutionInput('slipway', input)).toBeUndefined();
  });
});

describe('stateMachineArns: named errors', () => {
  beforeEach(() => setHandlerEnv());

  test('STATE_MACHINE_ARNS that is not JSON, or lacks a pipeline, is InvalidEnvironment naming it', () => {
    process.env.STATE_MACHINE_ARNS = 'nope';
    expect(() => stateMachineArns()).toThrow(expect.objectContaining({ name: 'InvalidEnvironment', message: expect.stringContaining('STATE_MACHINE_ARNS must be a JSON object') }));
    process.env.STATE_MACHINE_ARNS = JSON.stringify({ build: 'arn:aws:states:us-east-1:123456789012:stateMachine:x' });
    expect(() => stateMachineArns()).toThrow(expect.objectContaining({ name: 'InvalidEnvironment', message: expect.stringContaining('no ARN for the release state machine') }));
  });

  test('STATE_MACHINE_ARNS unset is MissingEnvironment', () => {
    delete process.env.STATE_MACHINE_ARNS;
    expect(() => stateMachineArns()).toThrow(expect.objectContaining({ name: 'MissingEnvironment' }));
  });
});

describe('settings and waiters of the shared control plane', () => {
  test('parseAppSettings refuses settings without the table or control plane, naming the field and the parameter', () => {
    const raw = JSON.stringify({ app: 'example', region: 'us-east-1' });
    expect(() => parseAppSettings(raw, '/slipway/apps/example/settings', 'example')).toThrow(expect.objectContaining({ name: 'SettingsNotFound', message: expect.stringMatching(/\/slipway\/apps\/example\/settings is invalid at (table|controlPlane|cluster)/) }));
  });

  test('readAppSettings: the one reading of a settings value (not JSON, invalid, another app\'s, or the settings with defaults)', () => {
    const value = JSON.stringify(settingsInput());
    expect(readAppSettings(undefined)).toEqual({ ok: false, problem: 'not-json' });
    expect(readAppSettings('{"app":')).toEqual({ ok: false, problem: 'not-json' });
    expect(readAppSettings(JSON.stringify({ ...settingsInput(), table: 7 }))).toMatchObject({ ok: false, problem: 'invalid', at: 'table' });
    expect(readAppSettings(value, 'other')).toEqual({ ok: false, problem: 'other-app', app: 'example' });
    expect(readAppSettings(value, 'example')).toMatchObject({ ok: true, settings: { app: 'example', configDebounceSeconds: 30 } });
    expect(readAppSettings(value)).toMatchObject({ ok: true });
  });

  test('a waiter item carries its app and table; an old waiter without them still reads', () => {
    const item = waiterItem({ app: 'docs', table: 'slipway-docs', serviceName: 'docs--web', deploymentId: 'ecs-svc/1', process: 'web', taskDefinitionArn: 'arn', taskToken: 't', execution: 'docs--7-deploy' });
    const old = waiterItem({ serviceName: 'example--web', deploymentId: 'ecs-svc/2', process: 'web', taskDefinitionArn: 'arn', taskToken: 't', execution: 'example--41-deploy' });

    expect([item.app, item.table, item.sk]).toEqual([{ S: 'docs' }, { S: 'slipway-docs' }, { S: 'docs--web#ecs-svc/1' }]);
    expect([old.app, old.table]).toEqual([undefined, undefined]);
  });
});
