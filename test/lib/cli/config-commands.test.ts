import { DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { addSchedule, appRef, describeError, getConfig, listConfig, listSchedules, parsePairs, removeSchedule, setConfig, unsetConfig } from '../../../lib/cli/config';

/** The command logic of `slipway config` and `slipway schedules`, with the SSM client mocked. */

const ssm = new SSMClient({ region: 'eu-west-1' });
const mock = mockClient(ssm);
const REF = appRef('example');
const PATH = '/slipway/apps/example/config';
const SCHEDULES = '/slipway/apps/example/schedules';

beforeEach(() => mock.reset());

describe('config', () => {
  test('list without --show-values reads names only (DescribeParameters), sorted', async () => {
    mock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: `${PATH}/ZED`, Version: 2 }, { Name: `${PATH}/API_TOKEN`, Version: 1 }] });

    const keys = await listConfig(ssm, REF, false);

    expect(keys.map((k) => [k.key, k.value])).toEqual([['API_TOKEN', undefined], ['ZED', undefined]]);
    expect(mock).not.toHaveReceivedCommand(GetParametersByPathCommand);
    expect(mock).toHaveReceivedCommandWith(DescribeParametersCommand, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [PATH] }] });
  });

  test('list --show-values decrypts the values', async () => {
    mock.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: `${PATH}/API_TOKEN`, Value: 's3cret' }] });

    const keys = await listConfig(ssm, REF, true);

    expect(keys).toEqual([expect.objectContaining({ key: 'API_TOKEN', value: 's3cret' })]);
    expect(mock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: PATH, WithDecryption: true, Recursive: false });
  });

  test('get reads one decrypted value', async () => {
    mock.on(GetParameterCommand, { Name: `${PATH}/API_TOKEN`, WithDecryption: true }).resolves({ Parameter: { Value: 's3cret' } });

    expect(await getConfig(ssm, REF, 'API_TOKEN')).toBe('s3cret');
  });

  test('set writes every pair as a SecureString, overwriting', async () => {
    mock.on(PutParameterCommand).resolves({ Version: 1 });

    const keys = await setConfig(ssm, REF, ['A=1', 'DATABASE_URL=postgres://u:p@h/db?x=y']);

    expect(keys).toEqual(['A', 'DATABASE_URL']);
    expect(mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: `${PATH}/DATABASE_URL`, Value: 'postgres://u:p@h/db?x=y', Type: 'SecureString', Overwrite: true });
  });

  test.each([
    ['a dash', 'API-TOKEN=1', 'InvalidConfigKey'],
    ['a path escape', '../../other/config/KEY=1', 'InvalidConfigKey'],
    ['a slash', 'nested/KEY=1', 'InvalidConfigKey'],
    ['a space', 'MY KEY=1', 'InvalidConfigKey'],
    ['a newline', 'KEY\nX=1', 'InvalidConfigKey'],
    ['a reserved key', 'SLIPWAY_APP=1', 'InvalidConfigKey'],
    ['no equals sign', 'KEY', 'UsageError'],
    ['an empty value', 'KEY=', 'UsageError'],
  ])('set refuses %s before writing anything, with a named error', async (_, bad, name) => {
    mock.on(PutParameterCommand).resolves({ Version: 1 });

    await expect(setConfig(ssm, REF, ['GOOD=1', bad])).rejects.toMatchObject({ name });
    expect(mock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  test('a failed write says which keys were set and which were not', async () => {
    mock.on(PutParameterCommand, { Name: `${PATH}/B` }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    mock.on(PutParameterCommand, { Name: `${PATH}/A` }).resolves({ Version: 1 });

    await expect(setConfig(ssm, REF, ['A=1', 'B=2', 'C=3'])).rejects.toThrow('(set: A; not set: B, C)');
  });

  test('unset deletes the keys and reports the ones that were not set', async () => {
    mock.on(DeleteParametersCommand).resolves({ DeletedParameters: [`${PATH}/A`], InvalidParameters: [`${PATH}/NOPE`] });

    expect(await unsetConfig(ssm, REF, ['A', 'NOPE'])).toEqual({ removed: ['A'], notSet: ['NOPE'] });
  });

  test('parsePairs keeps everything after the first "=" in the value', () => {
    expect(parsePairs(['URL=a=b=c'])).toEqual([{ key: 'URL', value: 'a=b=c' }]);
  });

  test('a hostile app name is a usage error', () => {
    expect(() => appRef('../etc')).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});

describe('schedules', () => {
  const existing = [{ name: 'cleanup', schedule: 'rate(1 hour)', command: 'bin/cleanup', process: 'worker' }];

  test('list reads the schedules parameter; a missing parameter is an empty list', async () => {
    mock.on(GetParameterCommand).rejects(Object.assign(new Error('not found'), { name: 'ParameterNotFound' }));

    expect(await listSchedules(ssm, REF)).toEqual([]);
  });

  test('add appends a validated entry and writes the list back as a String', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });
    mock.on(PutParameterCommand).resolves({ Version: 2 });

    await addSchedule(ssm, REF, { name: 'report', schedule: 'cron(0 3 * * ? *)', command: 'bin/report', process: 'web' });

    const written = JSON.parse(mock.commandCalls(PutParameterCommand)[0].args[0].input.Value ?? '[]') as { name: string }[];
    expect(written.map((s) => s.name)).toEqual(['cleanup', 'report']);
    expect(mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: SCHEDULES, Type: 'String', Overwrite: true });
  });

  test.each([
    ['five cron fields', 'cron(0 3 * * *)'],
    ['rate(1 hours)', 'rate(1 hours)'],
    ['an injection', 'rate(1 hour) && curl evil'],
  ])('add refuses %s with InvalidSchedule, writing nothing', async (_, expression) => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: '[]' } });

    await expect(addSchedule(ssm, REF, { schedule: expression, command: 'x', process: 'web' })).rejects.toMatchObject({ name: 'InvalidSchedule' });
    expect(mock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  test('add refuses a duplicate name', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });

    await expect(addSchedule(ssm, REF, { name: 'cleanup', schedule: 'rate(2 hours)', command: 'x', process: 'web' })).rejects.toThrow('a schedule named "cleanup" already exists');
  });

  test('remove writes the list without the entry', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });
    mock.on(PutParameterCommand).resolves({ Version: 2 });

    await removeSchedule(ssm, REF, 'cleanup');

    expect(mock).toHaveReceivedCommandWith(PutParameterCommand, { Name: SCHEDULES, Value: '[]' });
  });

  test('remove of an unknown name is ScheduleNotFound, listing the names there are', async () => {
    mock.on(GetParameterCommand).resolves({ Parameter: { Value: JSON.stringify(existing) } });

    await expect(removeSchedule(ssm, REF, 'nope')).rejects.toMatchObject({ name: 'ScheduleNotFound', message: expect.stringContaining('(cleanup)') });
  });
});

describe('AWS errors are one clear line', () => {
  test.each([
    [Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'NoCredentials', 1],
    [Object.assign(new Error('User: x is not authorized to perform: ssm:PutParameter'), { name: 'AccessDeniedException' }), 'AccessDenied', 1],
    [Object.assign(new Error(''), { name: 'ParameterNotFound' }), 'NotFound', 1],
    [Object.assign(new Error('bad key'), { name: 'InvalidConfigKey' }), 'InvalidConfigKey', 2],
  ])('%#: %s', (error, name, code) => {
    const d = describeError(error);

    expect([d.name, d.code]).toEqual([name, code]);
    expect(d.message).not.toContain('\n');
  });
});
