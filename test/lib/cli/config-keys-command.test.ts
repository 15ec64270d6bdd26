import { describeError } from '../../../lib/cli/config-keys-command';

/** How `slipway config` and `slipway schedules` name their errors. */

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
