import { setHandlerEnv, buildSettings, settingsParameterOutput, settingsInput, SETTINGS_PARAMETER, awsError, taskDefArn, IMAGE_REPOSITORY } from './helpers';
import { DescribeParametersCommand, GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { ssm } from '../../functions/shared/clients';
import {
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  type RegisterTaskDefinitionCommandInput,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/register-task-definitions';
import { findReusableRevision, taskDefinitionRequest, type BuildRef } from '../../functions/register-task-definitions/task-definition';
import { TAG_BUILD } from '../../domain/names';
import type { AppSettingsInput } from '../../domain/settings';

const IMAGE = `${IMAGE_REPOSITORY}:build-42`;
const build: BuildRef = { key: '42', image: IMAGE, commit: '4f1c2d3' };

/** A registered revision as DescribeTaskDefinition (include TAGS) returns it. */
function described(arn: string, image: string, buildKey: string, status: TaskDefinition['status'] = 'ACTIVE') {
  return {
    taskDefinition: { taskDefinitionArn: arn, status, containerDefinitions: [{ name: 'web', image }] },
    tags: [
      { key: 'slipway:app', value: 'example' },
      { key: TAG_BUILD, value: buildKey },
    ],
  };
}

describe('taskDefinitionRequest', () => {
  const settings = buildSettings();

  it('registers the process with the build image, its settings and the Slipway tags', () => {
    // Act
    const request = taskDefinitionRequest(settings, 'web', settings.processes.web, build);

    // Assess
    expect(request).toMatchObject({
      family: 'slipway-example--web',
      cpu: '256',
      memory: '512',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/example-execution',
      taskRoleArn: 'arn:aws:iam::123456789012:role/example-task',
      tags: [
        { key: 'slipway:app', value: 'example' },
        { key: 'slipway:build', value: '42' },
      ],
    });
    expect(request.containerDefinitions).toEqual([
      expect.objectContaining({
        name: 'web',
        image: IMAGE,
        essential: true,
        portMappings: [{ containerPort: 8080, protocol: 'tcp' }],
        secrets: [{ name: 'DATABASE_URL', valueFrom: 'arn:aws:ssm:eu-west-1:123456789012:parameter/example/DATABASE_URL' }],
        logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/slipway/example/web', 'awslogs-region': 'eu-west-1', 'awslogs-stream-prefix': 'web' } },
      }),
    ]);
  });

  it('adds the app, process and build to the environment after the configured variables', () => {
    // Act
    const request = taskDefinitionRequest(settings, 'web', settings.processes.web, build);

    // Assess
    expect(request.containerDefinitions?.[0].environment).toEqual([
      { name: 'PORT', value: '8080' },
      { name: 'SLIPWAY_APP', value: 'example' },
      { name: 'SLIPWAY_PROCESS', value: 'web' },
      { name: 'SLIPWAY_BUILD', value: '42' },
    ]);
  });

  it('leaves out port mappings and secrets for a process without them, and keeps its command', () => {
    // Act
    const request = taskDefinitionRequest(settings, 'worker', settings.processes.worker, build);

    // Assess
    const container = request.containerDefinitions?.[0];
    expect(container?.portMappings).toBeUndefined();
    expect(container?.secrets).toBeUndefined();
    expect(container?.command).toEqual(['bin/worker']);
  });
});

describe('findReusableRevision', () => {
  const arn = taskDefArn('slipway-example--web', 7);

  it('finds the revision tagged with the same build and image', () => {
    // Act
    const found = findReusableRevision([described(arn, IMAGE, '42')], build);

    // Assess
    expect(found).toBe(arn);
  });

  it('skips a revision of another build', () => {
    // Act
    const found = findReusableRevision([described(arn, `${IMAGE_REPOSITORY}:build-41`, '41')], build);

    // Assess
    expect(found).toBeUndefined();
  });

  it('skips a revision tagged for the build but with another image', () => {
    // Act
    const found = findReusableRevision([described(arn, `${IMAGE_REPOSITORY}:rebuilt`, '42')], build);

    // Assess
    expect(found).toBeUndefined();
  });

  it('skips a revision being deleted', () => {
    // Act
    const found = findReusableRevision([described(arn, IMAGE, '42', 'DELETE_IN_PROGRESS')], build);

    // Assess
    expect(found).toBeUndefined();
  });

  it('skips a revision without tags', () => {
    // Act
    const found = findReusableRevision([{ taskDefinition: described(arn, IMAGE, '42').taskDefinition }], build);

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('register-task-definitions handler', () => {
  const ecsMock = mockClient(ECSClient);
  const ssmMock = mockClient(ssm as SSMClient);
  const input = { app: 'example', build: { buildKey: '42', image: IMAGE, commit: '4f1c2d3' } };

  function givenSettings(overrides: Partial<AppSettingsInput> = {}): void {
    ssmMock.on(GetParameterCommand, { Name: SETTINGS_PARAMETER }).resolves(settingsParameterOutput(settingsInput(overrides)));
  }

  beforeEach(() => {
    ecsMock.reset();
    ssmMock.reset();
    setHandlerEnv();
    ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [] });
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake((req: RegisterTaskDefinitionCommandInput) => ({
      taskDefinition: { taskDefinitionArn: taskDefArn(req.family ?? 'missing', 8), family: req.family },
    }));
  });

  it('registers one revision per process with the build image and the build tag', async () => {
    // Prepare
    givenSettings();

    // Act
    const result = await handler(input);

    // Assess
    expect(result.processes).toEqual([
      { name: 'web', taskDefinitionArn: taskDefArn('slipway-example--web', 8), reused: false },
      { name: 'worker', taskDefinitionArn: taskDefArn('slipway-example--worker', 8), reused: false },
    ]);
    expect(ecsMock).toHaveReceivedCommandTimes(RegisterTaskDefinitionCommand, 2);
    for (const family of ['slipway-example--web', 'slipway-example--worker']) {
      expect(ecsMock).toHaveReceivedCommandWith(RegisterTaskDefinitionCommand, {
        family,
        containerDefinitions: [expect.objectContaining({ image: IMAGE })],
        tags: expect.arrayContaining([{ key: 'slipway:build', value: '42' }]),
      });
    }
  });

  it('looks for reusable revisions among the recent active revisions of each family', async () => {
    // Prepare
    givenSettings();

    // Act
    await handler(input);

    // Assess
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, { familyPrefix: 'slipway-example--web', status: 'ACTIVE', sort: 'DESC' });
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, { familyPrefix: 'slipway-example--worker', status: 'ACTIVE', sort: 'DESC' });
  });

  it('reuses a revision already registered for the same build and image instead of registering', async () => {
    // Prepare: a re-run; both families already have a revision 5 for build 42 (after one for build 43).
    givenSettings();
    ecsMock.on(ListTaskDefinitionsCommand).callsFake((req: { familyPrefix: string }) => ({
      taskDefinitionArns: [taskDefArn(req.familyPrefix, 6), taskDefArn(req.familyPrefix, 5)],
    }));
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((req: { taskDefinition: string }) =>
      req.taskDefinition.endsWith(':5') ? described(req.taskDefinition, IMAGE, '42') : described(req.taskDefinition, `${IMAGE_REPOSITORY}:build-43`, '43'),
    );

    // Act
    const result = await handler(input);

    // Assess
    expect(result.processes).toEqual([
      { name: 'web', taskDefinitionArn: taskDefArn('slipway-example--web', 5), reused: true },
      { name: 'worker', taskDefinitionArn: taskDefArn('slipway-example--worker', 5), reused: true },
    ]);
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: taskDefArn('slipway-example--web', 5), include: ['TAGS'] });
  });

  it('returns no release plan when the app has no release phase', async () => {
    // Prepare
    givenSettings();

    // Act
    const result = await handler(input);

    // Assess
    expect(result.release).toBeNull();
    expect(result.deployTimeoutSeconds).toBe(1800);
  });

  it('returns the release plan for the release process when settings.release is set', async () => {
    // Prepare
    givenSettings({ release: { process: 'web', command: ['bin/migrate'] }, deployTimeoutSeconds: 900 });

    // Act
    const result = await handler(input);

    // Assess
    expect(result.release).toEqual({
      taskDefinitionArn: taskDefArn('slipway-example--web', 8),
      containerName: 'web',
      command: ['bin/migrate'],
      subnets: ['subnet-aaa', 'subnet-bbb'],
      securityGroups: ['sg-app'],
      assignPublicIp: 'DISABLED',
      capacityProviderStrategy: [{ CapacityProvider: 'FARGATE', Weight: 1, Base: 1 }],
      logGroup: '/slipway/example/web',
      region: 'eu-west-1',
      essentialContainers: ['web'],
    });
    expect(result.deployTimeoutSeconds).toBe(900);
  });

  it('refuses settings whose release process is not one of the processes, before registering anything', async () => {
    // Prepare
    givenSettings({ release: { process: 'migrator', command: ['bin/migrate'] } });

    // Act
    const call = handler(input);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'SettingsNotFound', message: expect.stringContaining('release.process must be one of the app\'s processes') });
    expect(ecsMock).not.toHaveReceivedCommand(RegisterTaskDefinitionCommand);
  });

  it('turns ECS throttling into TransientError', async () => {
    // Prepare
    givenSettings();
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    // Act
    const call = handler(input);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'TransientError', message: expect.stringContaining('RegisterTaskDefinition slipway-example--web') });
  });

  it('lets a non-transient ECS error through unchanged', async () => {
    // Prepare
    givenSettings();
    ecsMock.on(RegisterTaskDefinitionCommand).rejects(awsError('ClientException', 'Invalid cpu'));

    // Act
    const call = handler(input);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'ClientException', message: 'Invalid cpu' });
  });

  it.each([
    ['no build', {}],
    ['an empty image', { build: { buildKey: '42', image: '' } }],
    ['a non-object', 'build-42'],
  ])('throws InvalidInput for %s without reading settings', async (_label, bad) => {
    // Act
    const call = handler(bad);

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('register-task-definitions input') });
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('names the missing field in InvalidInput', async () => {
    // Act
    const call = handler({ app: 'example', build: { image: IMAGE } });

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InvalidInput', message: expect.stringContaining('build.buildKey') });
  });
});
