import { DeleteParametersCommand, DescribeParametersCommand, GetParameterCommand, GetParametersByPathCommand, PutParameterCommand } from '@aws-sdk/client-ssm';
import 'aws-sdk-client-mock-jest';
import { appRef, getConfigKey, listConfigKeys, parsePairs, setConfigKeys, unsetConfigKeys } from '../../../lib/ops/config-keys';
import { mock, REF, ssm } from './parameter-fixtures';

/** The app's config keys in Parameter Store (`slipway config`), with the SSM client mocked. */

const PATH = '/slipway/apps/example/config';

beforeEach(() => mock.reset());

describe('config', () => {
  test('list without --show-values reads names only (DescribeParameters), sorted', async () => {
    mock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: `${PATH}/ZED`, Version: 2 }, { Name: `${PATH}/API_TOKEN`, Version: 1 }] });

    const keys = await listConfigKeys({ ssm }, REF, false);

    expect(keys.map((k) => [k.key, k.value])).toEqual([['API_TOKEN', undefined], ['ZED', undefined]]);
    expect(mock).not.toHaveReceivedCommand(GetParametersByPathCommand);
    expect(mock).toHaveReceivedCommandWith(DescribeParametersCommand, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [PATH] }] });
  });

  test('list --show-values decrypts the values', async () => {
    mock.on(GetParametersByPathCommand).resolves({ Parameters: [{ Name: `${PATH}/API_TOKEN`, Value: 's3cret' }] });

    const keys = await listConfigKeys({ ssm }, REF, true);

    expect(keys).toEqual([expect.objectContaining({ key: 'API_TOKEN', value: 's3cret' })]);
    expect(mock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: PATH, WithDecryption: true, Recursive: false });
  });

  test('get reads one decrypted value', async () => {
    mock.on(GetParameterCommand, { Name: `${PATH}/API_TOKEN`, WithDecryption: true }).resolves({ Parameter: { Value: 's3cret' } });

    expect(await getConfigKey({ ssm }, REF, 'API_TOKEN')).toBe('s3cret');
  });

  test('set writes every pair as a SecureString, overwriting', async () => {
    mock.on(PutParameterCommand).resolves({ Version: 1 });

    const keys = await setConfigKeys({ ssm }, REF, ['A=1', 'DATABASE_URL=postgres://u:p@h/db?x=y']);

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

    await expect(setConfigKeys({ ssm }, REF, ['GOOD=1', bad])).rejects.toMatchObject({ name });
    expect(mock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  test('a failed write says which keys were set and which were not', async () => {
    mock.on(PutParameterCommand, { Name: `${PATH}/B` }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    mock.on(PutParameterCommand, { Name: `${PATH}/A` }).resolves({ Version: 1 });

    await expect(setConfigKeys({ ssm }, REF, ['A=1', 'B=2', 'C=3'])).rejects.toThrow('(set: A; not set: B, C)');
  });

  test('unset deletes the keys and reports the ones that were not set', async () => {
    mock.on(DeleteParametersCommand).resolves({ DeletedParameters: [`${PATH}/A`], InvalidParameters: [`${PATH}/NOPE`] });

    expect(await unsetConfigKeys({ ssm }, REF, ['A', 'NOPE'])).toEqual({ removed: ['A'], notSet: ['NOPE'] });
  });

  test('parsePairs keeps everything after the first "=" in the value', () => {
    expect(parsePairs(['URL=a=b=c'])).toEqual([{ key: 'URL', value: 'a=b=c' }]);
  });

  test('a hostile app name is a usage error', () => {
    expect(() => appRef('../etc')).toThrow(expect.objectContaining({ name: 'UsageError' }));
  });
});
