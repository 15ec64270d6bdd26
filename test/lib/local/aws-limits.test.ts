import { DeleteParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import type { RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import { putEventsEntrySize } from '../../../lib/local/aws-limits';
import { World } from '../../../lib/local/world';
import { SimulatedScheduler } from '../../../lib/local/services/scheduler';
import { SimulatedParameterStore } from '../../../lib/local/services/ssm';
import { worldSchema } from '../../../lib/local/world-schema';
import { buildSettings } from '../../functions/helpers';

/**
 * The simulated account refuses what AWS refuses (lib/local/aws-limits.ts and the simulated services
 * that call it): each refusal with AWS's error name, and the largest accepted request beside it.
 */

const ACCOUNT = '123456789012';
const clock = { now: 0, isoNow: () => '2026-01-01T00:00:00.000Z', spec: { account: ACCOUNT, region: 'eu-west-1' } };
const settings = buildSettings();

function world(): World {
  return new World(worldSchema.parse({ app: 'example' }), settings, 'control-table');
}

function caught(fn: () => unknown): { name: string; message: string } {
  try {
    fn();
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected a refusal, but the call was accepted');
}

const ok = (fn: () => unknown) => expect(fn).not.toThrow();

describe('ECS RegisterTaskDefinition', () => {
  const td = (over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
    family: 'slipway-example--web',
    containerDefinitions: [{ name: 'web', image: 'repo:build-1', essential: true }],
    ...over,
  });

  test('a family of 255 letters is accepted, 256 or a dot is refused with ClientException', () => {
    ok(() => world().ecs.registerTaskDefinition(td({ family: 'f'.repeat(255) })));
    expect(caught(() => world().ecs.registerTaskDefinition(td({ family: 'f'.repeat(256) })))).toMatchObject({ name: 'ClientException', message: expect.stringContaining('up to 255 letters') });
    expect(caught(() => world().ecs.registerTaskDefinition(td({ family: 'a.b' })))).toMatchObject({ name: 'ClientException', message: expect.stringContaining('Family "a.b" is not valid') });
  });

  test('container names: 255 characters accepted; 256, a space, or the same name twice refused', () => {
    ok(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'c'.repeat(255), image: 'i' }] })));
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'c'.repeat(256), image: 'i' }] }))).name).toBe('ClientException');
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'my web', image: 'i' }] }))).message).toContain('Container name "my web" is not valid');
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'web', image: 'i' }, { name: 'web', image: 'j' }] }))).message).toContain('unique');
  });

  test('10 containers accepted, 11 refused (containers per task definition quota)', () => {
    const containers = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'i' }));
    ok(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: containers(10) })));
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: containers(11) })))).toMatchObject({ name: 'ClientException', message: expect.stringContaining('at most 10') });
  });

  test('secrets: a valueFrom that is neither a parameter nor a secret is refused, as is a secret defined twice', () => {
    const arn = `arn:aws:ssm:eu-west-1:${ACCOUNT}:parameter/slipway/apps/example/config/A`;
    ok(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'web', image: 'i', secrets: [{ name: 'A', valueFrom: arn }, { name: 'B', valueFrom: `arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:db-AbCdEf` }] }] })));
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'web', image: 'i', secrets: [{ name: 'A', valueFrom: 'arn:aws:s3:::bucket/key' }] }] })))).toMatchObject({ name: 'ClientException', message: expect.stringContaining('secret A valueFrom') });
    expect(caught(() => world().ecs.registerTaskDefinition(td({ containerDefinitions: [{ name: 'web', image: 'i', secrets: [{ name: 'A', valueFrom: arn }, { name: 'A', valueFrom: arn }] }] }))).message).toContain('defined twice');
  });

  test('a task definition over 64 KiB (here: its environment) is refused; one just under is accepted', () => {
    const withEnv = (bytes: number) => {
      const base = td({ containerDefinitions: [{ name: 'web', image: 'i', environment: [{ name: 'BIG', value: '' }] }] });
      const fixed = Buffer.byteLength(JSON.stringify(base));
      return td({ containerDefinitions: [{ name: 'web', image: 'i', environment: [{ name: 'BIG', value: 'x'.repeat(bytes - fixed) }] }] });
    };
    expect(Buffer.byteLength(JSON.stringify(withEnv(65536)))).toBe(65536);
    ok(() => world().ecs.registerTaskDefinition(withEnv(65536)));
    expect(caught(() => world().ecs.registerTaskDefinition(withEnv(65537)))).toMatchObject({ name: 'ClientException', message: expect.stringContaining('64 KiB') });
  });

  test('more than 50 tags, or a tag key starting with aws:, is refused', () => {
    const tags = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `k${i}`, value: 'v' }));
    ok(() => world().ecs.registerTaskDefinition(td({ tags: tags(50) })));
    expect(caught(() => world().ecs.registerTaskDefinition(td({ tags: tags(51) }))).name).toBe('InvalidParameterException');
    expect(caught(() => world().ecs.registerTaskDefinition(td({ tags: [{ key: 'aws:x', value: 'v' }] }))).message).toContain('reserved');
  });
});

describe('ECS CreateService and RunTask', () => {
  test('a service name of 255 characters is accepted; 256 or a slash is refused with InvalidParameterException', () => {
    // One account: the revision the services name is registered in it (ECS refuses an unknown one).
    const w = world();
    const arn = w.seedRevision('web', '1');
    ok(() => w.ecs.createService({ serviceName: 's'.repeat(255), taskDefinition: arn, desiredCount: 1 }, { app: 'example', process: 'web' }));
    expect(caught(() => w.ecs.createService({ serviceName: 's'.repeat(256), taskDefinition: arn, desiredCount: 1 }, { app: 'example', process: 'web' })).name).toBe('InvalidParameterException');
    expect(caught(() => w.ecs.createService({ serviceName: 'a/b', taskDefinition: arn, desiredCount: 1 }, { app: 'example', process: 'web' })).message).toContain('Service name "a/b" is not valid');
  });

  test('runTask.sync: an override naming no container of the task definition fails with ECS.InvalidParameterException', async () => {
    const w = world();
    const arn = w.seedRevision('web', '1');
    await expect(w.ecs.runTaskSync({ TaskDefinition: arn, Overrides: { ContainerOverrides: [{ Name: 'wbe', Command: ['x'] }] } })).rejects.toMatchObject({
      name: 'ECS.InvalidParameterException',
      message: 'Override for container named wbe is not a container in the TaskDefinition.',
    });
  });

  test('runTask.sync: an unknown task definition fails with ECS.ClientException; Tags are kept on the task', async () => {
    const w = world();
    await expect(w.ecs.runTaskSync({ TaskDefinition: 'nope:1' })).rejects.toMatchObject({ name: 'ECS.ClientException' });
    const arn = w.seedRevision('web', '1');
    const task = await w.ecs.runTaskSync({ TaskDefinition: arn, Overrides: { ContainerOverrides: [{ Name: 'web', Command: ['x'] }] }, Tags: [{ Key: 'slipway:pipeline', Value: 'release' }] });
    expect(task.Tags).toEqual([{ Key: 'slipway:pipeline', Value: 'release' }]);
  });
});

describe('EventBridge PutEvents (Step Functions integration)', () => {
  const entry = (detail: Record<string, unknown> = { app: 'example' }) => ({ Source: 'slipway', DetailType: 'Deploy Succeeded', Detail: detail });
  const execution = `arn:aws:states:eu-west-1:${ACCOUNT}:execution:slipway-production-deploy:example--42-deploy`;

  test('10 entries are accepted, 11 refused with EventBridge.ValidationException', () => {
    ok(() => world().eventBus.putEvents(Array.from({ length: 10 }, () => entry()), execution));
    expect(caught(() => world().eventBus.putEvents(Array.from({ length: 11 }, () => entry()), execution))).toMatchObject({
      name: 'EventBridge.ValidationException',
      message: expect.stringContaining("at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10"),
    });
  });

  test('entry size as EventBridge computes it: Time 14 bytes, UTF-8 bytes of Source, DetailType, Detail and Resources', () => {
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'cd', Detail: '{"é":1}', Resources: ['xyz'], Time: new Date() })).toBe(14 + 2 + 2 + 8 + 3); // {"é":1} is 7 characters, 8 bytes: é takes two
    expect(putEventsEntrySize({ Source: 'ab', DetailType: 'cd', Detail: { a: 1 } })).toBe(2 + 2 + 7);
  });

  test('entries of 256 KB or more in total are refused ("Total size of the entries in the request is over the limit."), counting the execution ARN the integration adds', () => {
    const fixed = putEventsEntrySize({ ...entry({ pad: '' }), Resources: [execution] });
    const sized = (total: number) => entry({ pad: 'x'.repeat(total - fixed) });
    ok(() => world().eventBus.putEvents([sized(256 * 1024 - 1)], execution));
    expect(caught(() => world().eventBus.putEvents([sized(256 * 1024)], execution))).toMatchObject({ name: 'EventBridge.ValidationException', message: expect.stringMatching(/^Total size of the entries in the request is over the limit\./) });
  });
});

describe('EventBridge Scheduler CreateSchedule / UpdateSchedule', () => {
  const cluster = `arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/slipway`;
  const request = (over: Partial<CreateScheduleCommandInput> = {}, target: Partial<NonNullable<CreateScheduleCommandInput['Target']>> = {}): CreateScheduleCommandInput => ({
    Name: 'web-1',
    GroupName: 'slipway-example',
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ...over,
    Target: {
      Arn: cluster,
      RoleArn: `arn:aws:iam::${ACCOUNT}:role/scheduler`,
      DeadLetterConfig: { Arn: `arn:aws:sqs:eu-west-1:${ACCOUNT}:dlq` },
      EcsParameters: { TaskDefinitionArn: `arn:aws:ecs:eu-west-1:${ACCOUNT}:task-definition/slipway-example--web:1`, TaskCount: 1 },
      ...target,
    },
  });
  const sim = (group = 'slipway-example') => {
    const s = new SimulatedScheduler(clock);
    s.addGroup(group);
    return s;
  };

  test('an ECS target whose Arn is a cluster name, not the cluster ARN, is refused with ValidationException', () => {
    ok(() => sim().create(request()));
    expect(caught(() => sim().create(request({}, { Arn: 'slipway' })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('is not a valid ECS cluster ARN') });
    expect(caught(() => sim().create(request({}, { Arn: `arn:aws:states:eu-west-1:${ACCOUNT}:stateMachine:x` }))).name).toBe('ValidationException');
  });

  test('schedule names: 64 characters accepted, 65 or a slash refused; the same for group names', () => {
    ok(() => sim().create(request({ Name: 'n'.repeat(64) })));
    expect(caught(() => sim().create(request({ Name: 'n'.repeat(65) })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("at 'name' failed to satisfy constraint") });
    expect(caught(() => sim().create(request({ Name: 'a/b' }))).name).toBe('ValidationException');
    ok(() => sim('g'.repeat(64)));
    expect(caught(() => sim('g'.repeat(65)))).toMatchObject({ name: 'ValidationException' });
  });

  test('an expression the grammar rejects, or longer than 256 characters, is refused; so is UpdateSchedule with one', () => {
    expect(caught(() => sim().create(request({ ScheduleExpression: 'cron(0 12 * * * *)' })))).toMatchObject({ name: 'ValidationException', message: 'Invalid Schedule Expression cron(0 12 * * * *).' });
    expect(caught(() => sim().create(request({ ScheduleExpression: `cron(0 12 * * ? *)${' '.repeat(250)}` })))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('length between 1 and 256') });
    const s = sim();
    s.create(request());
    expect(caught(() => s.update(request({ ScheduleExpression: 'rate(2 hour)' }))).name).toBe('ValidationException');
  });

  test('a malformed role ARN or dead-letter queue ARN, or a TaskCount over 10, is refused', () => {
    expect(caught(() => sim().create(request({}, { RoleArn: 'scheduler' }))).message).toContain("at 'target.roleArn'");
    expect(caught(() => sim().create(request({}, { DeadLetterConfig: { Arn: 'dlq' } }))).message).toContain("at 'target.deadLetterConfig.arn'");
    expect(caught(() => sim().create(request({}, { EcsParameters: { TaskDefinitionArn: 'td', TaskCount: 11 } }))).message).toContain('taskCount');
  });
});

describe('Parameter Store PutParameter', () => {
  const store = () => new SimulatedParameterStore(clock);

  test('a name of 1011 characters is accepted; 1012 refused with ValidationException', () => {
    const name = (n: number) => `/a/${'b'.repeat(n - 3)}`;
    ok(() => store().put(name(1011), 'v'));
    expect(caught(() => store().put(name(1012), 'v'))).toMatchObject({ name: 'ValidationException', message: expect.stringContaining('length between 1 and 1011') });
  });

  test('names with a space, prefixed aws or ssm, or deeper than 15 levels are refused', () => {
    expect(caught(() => store().put('/a b', 'v')).name).toBe('ValidationException');
    expect(caught(() => store().put('/aws/x', 'v')).message).toContain('can\'t be prefixed with "aws" or "ssm"');
    expect(caught(() => store().put('SSM-x', 'v')).name).toBe('ValidationException');
    const levels = (n: number) => `/${Array.from({ length: n }, (_, i) => `l${i}`).join('/')}`;
    ok(() => store().put(levels(15), 'v'));
    expect(caught(() => store().put(levels(16), 'v')).name).toBe('HierarchyLevelLimitExceededException');
  });

  test('values: Standard tier up to 4096 characters, Advanced up to 8192, never empty', () => {
    ok(() => store().put('/a', 'v'.repeat(4096)));
    expect(caught(() => store().put('/a', 'v'.repeat(4097)))).toMatchObject({ name: 'ValidationException', message: expect.stringMatching(/^Standard tier parameters support a maximum parameter value of 4096 characters/) });
    ok(() => store().put('/a', 'v'.repeat(8192), 'SecureString', true, 'Advanced'));
    ok(() => store().put('/a', 'v'.repeat(5000), 'SecureString', true, 'Intelligent-Tiering'));
    expect(caught(() => store().put('/a', 'v'.repeat(8193), 'SecureString', true, 'Advanced')).name).toBe('ValidationException');
    expect(caught(() => store().put('/a', '')).name).toBe('ValidationException');
  });

  test('through the SDK: PutParameter is refused before anything is stored, and an Advanced parameter stays Advanced', async () => {
    const s = store();
    const client = new SSMClient({ region: 'eu-west-1' });
    const mock = s.mock(client);
    try {
      await expect(client.send(new PutParameterCommand({ Name: '/a', Value: 'v'.repeat(4097), Type: 'String' }))).rejects.toMatchObject({ name: 'ValidationException' });
      expect(s.parameters.has('/a')).toBe(false);
      expect(s.events).toHaveLength(0);
      expect(await client.send(new PutParameterCommand({ Name: '/a', Value: 'v'.repeat(5000), Type: 'String', Tier: 'Advanced' }))).toMatchObject({ Tier: 'Advanced' });
      expect(await client.send(new PutParameterCommand({ Name: '/a', Value: 'v'.repeat(6000), Type: 'String', Overwrite: true }))).toMatchObject({ Tier: 'Advanced' });
      await client.send(new DeleteParameterCommand({ Name: '/a' }));
    } finally {
      mock.restore();
    }
  });
});

describe('ECS RegisterTaskDefinition: Fargate task sizes (domain/fargate.ts)', () => {
  const fargate = (over: Partial<RegisterTaskDefinitionCommandInput> = {}): RegisterTaskDefinitionCommandInput => ({
    family: 'slipway-example--web',
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: '256',
    memory: '512',
    runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
    containerDefinitions: [{ name: 'web', image: 'repo:build-1', essential: true }],
    ...over,
  });

  test('a pair outside the table is refused with ECS ClientException and its message', () => {
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ cpu: '256', memory: '8192' })))).toEqual({
      name: 'ClientException',
      message: 'No Fargate configuration exists for given values: 256 CPU, 8192 memory. See the Amazon ECS documentation for the valid values.',
    });
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ cpu: '8192', memory: '18432' }))).name).toBe('ClientException');
  });

  test('the 8 and 16 vCPU sizes are accepted on Linux, X86_64 and ARM64', () => {
    ok(() => world().ecs.registerTaskDefinition(fargate({ cpu: '8192', memory: '61440' })));
    ok(() => world().ecs.registerTaskDefinition(fargate({ cpu: '16384', memory: '122880', runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'ARM64' } })));
  });

  test('Windows runs only 1, 2 and 4 vCPU, and never ARM64', () => {
    const windows = (cpu: string, memory: string, cpuArchitecture: 'X86_64' | 'ARM64' = 'X86_64') =>
      fargate({ cpu, memory, runtimePlatform: { operatingSystemFamily: 'WINDOWS_SERVER_2022_CORE', cpuArchitecture } });
    ok(() => world().ecs.registerTaskDefinition(windows('1024', '2048')));
    expect(caught(() => world().ecs.registerTaskDefinition(windows('256', '512'))).message).toContain('No Fargate configuration exists for given values: 256 CPU, 512 memory.');
    expect(caught(() => world().ecs.registerTaskDefinition(windows('8192', '16384'))).name).toBe('ClientException');
    expect(caught(() => world().ecs.registerTaskDefinition(windows('1024', '2048', 'ARM64'))).message).toContain('ARM64');
  });

  test('task-level cpu and memory are required, the network mode is awsvpc', () => {
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ cpu: undefined }))).message).toBe("Fargate requires that 'cpu' be defined at the task level.");
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ memory: undefined }))).message).toBe("Fargate requires that 'memory' be defined at the task level.");
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ networkMode: 'bridge' }))).name).toBe('ClientException');
  });

  test('ephemeral storage from 21 to 200 GiB', () => {
    ok(() => world().ecs.registerTaskDefinition(fargate({ ephemeralStorage: { sizeInGiB: 21 } })));
    ok(() => world().ecs.registerTaskDefinition(fargate({ ephemeralStorage: { sizeInGiB: 200 } })));
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ ephemeralStorage: { sizeInGiB: 20 } }))).name).toBe('ClientException');
    expect(caught(() => world().ecs.registerTaskDefinition(fargate({ ephemeralStorage: { sizeInGiB: 201 } }))).message).toContain('between 21 and 200 GiB');
  });
});

describe('ECS RunTask: overrides of at most 8192 characters (as ECS receives them)', () => {
  test('8192 characters run; 8193 fail with ECS.InvalidParameterException', async () => {
    const w = world();
    const arn = w.seedRevision('web', '1');
    const fixed = JSON.stringify({ containerOverrides: [{ name: 'web', command: [''] }] }).length;
    const overrides = (length: number) => ({ ContainerOverrides: [{ Name: 'web', Command: ['x'.repeat(length - fixed)] }] });
    await expect(w.ecs.runTaskSync({ TaskDefinition: arn, Overrides: overrides(8192), ClientToken: 'a' })).resolves.toMatchObject({ LastStatus: 'STOPPED' });
    await expect(w.ecs.runTaskSync({ TaskDefinition: arn, Overrides: overrides(8193), ClientToken: 'b' })).rejects.toMatchObject({
      name: 'ECS.InvalidParameterException',
      message: expect.stringContaining('Container Overrides length must be at most 8192'),
    });
  });
});
