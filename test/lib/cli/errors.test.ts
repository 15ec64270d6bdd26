import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { describeError, errorOutput } from '../../../lib/cli/errors';
import { describeAwsError, profileExists } from '../../../lib/ops/aws-errors';

const sdkError = (name: string, message: string, metadata = true) => Object.assign(new Error(message), { name, ...(metadata ? { $metadata: {} } : {}) });
const noCredentials = () => sdkError('CredentialsProviderError', 'Could not load credentials from any providers', false);

/** An environment whose shared config files are `config` and `credentials` (contents), in a temp dir. */
function awsFiles(config: string, credentials: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-aws-'));
  writeFileSync(path.join(dir, 'config'), config);
  writeFileSync(path.join(dir, 'credentials'), credentials);
  return { AWS_CONFIG_FILE: path.join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'credentials'), HOME: dir, ...extra };
}

describe('describeAwsError: one vocabulary for every command that talks to AWS', () => {
  test('a missing region says how to set one, --region first', () => {
    expect(describeAwsError(new Error('Region is missing'), 'CloudWatch DescribeAlarms', {})).toEqual({
      name: 'NoRegion',
      message: 'no AWS region for CloudWatch DescribeAlarms: pass --region, set AWS_REGION, or use a profile with a region',
    });
  });

  test('no credentials and no profile named is NoCredentials', () => {
    const line = describeAwsError(noCredentials(), 'STS GetCallerIdentity', awsFiles('', ''));

    expect(line.name).toBe('NoCredentials');
    expect(line.message).toMatch(/^no AWS credentials for STS GetCallerIdentity: pass --profile/);
  });

  test('AWS_PROFILE naming a profile that is in neither file is ProfileNotFound, not missing credentials', () => {
    const line = describeAwsError(noCredentials(), undefined, awsFiles('[default]\nregion = eu-west-1\n', '[default]\n', { AWS_PROFILE: 'nonexistent' }));

    expect(line).toEqual({ name: 'ProfileNotFound', message: 'AWS profile "nonexistent" is not defined in ~/.aws/config or ~/.aws/credentials: check its name (aws configure list-profiles), or pass --profile with another' });
  });

  test('a profile that exists but yields no credentials is NoCredentials naming it', () => {
    const line = describeAwsError(noCredentials(), undefined, awsFiles('[profile ops]\nregion = eu-west-1\n', '', { AWS_PROFILE: 'ops' }));

    expect(line.name).toBe('NoCredentials');
    expect(line.message).toContain('in profile "ops"');
  });

  test('an unreachable endpoint names the network settings to check', () => {
    const line = describeAwsError(new Error('connect ECONNREFUSED 127.0.0.1:4566'), 'SSM PutParameter');

    expect(line.name).toBe('CannotReachAws');
    expect(line.message).toMatch(/^cannot reach AWS for SSM PutParameter \(connect ECONNREFUSED 127\.0\.0\.1:4566\): check the network/);
  });

  test('a request timeout is TimedOut', () => {
    const line = describeAwsError(Object.assign(new Error('@smithy/node-http-handler - request timed out after 20000 ms'), { name: 'TimeoutError' }), 'Step Functions DescribeExecution');

    expect(line.name).toBe('TimedOut');
    expect(line.message).toMatch(/^AWS did not answer for Step Functions DescribeExecution in time/);
  });

  test('access denied is recognised from the message too, and keeps the service\'s words on one line', () => {
    const line = describeAwsError(sdkError('ValidationException', 'User: arn:aws:iam::1:user/x\n is not authorized to perform: ssm:GetParameter'));

    expect(line.name).toBe('AccessDenied');
    expect(line.message).toBe("access denied: User: arn:aws:iam::1:user/x is not authorized to perform: ssm:GetParameter (use a role that may do this, e.g. the app's management role: --profile)");
  });

  test('"Could not load credentials" from a service response (with metadata) is not taken for missing credentials', () => {
    expect(describeAwsError(sdkError('ValidationException', 'Could not load credentials for the container')).name).toBe('ValidationException');
  });

  test.each([
    ['ThrottlingException', 'Rate exceeded', 'Throttled'],
    ['TooManyRequestsException', 'slow down', 'Throttled'],
    ['ExecutionDoesNotExist', 'Execution does not exist: arn', 'NotFound'],
    ['ResourceNotFoundException', 'Function not found', 'NotFound'],
    ['ExpiredTokenException', 'The security token included in the request is expired', 'CredentialsRejected'],
  ])('%s is %s', (name, message, expected) => {
    expect(describeAwsError(sdkError(name, message), 'X Y').name).toBe(expected);
  });

  test('anything else keeps its name and message, prefixed with the call when one is named', () => {
    expect(describeAwsError(sdkError('ValidationException', 'bad input'))).toEqual({ name: 'ValidationException', message: 'bad input' });
    expect(describeAwsError(sdkError('ValidationException', 'bad input'), 'ECS UpdateService').message).toBe('ECS UpdateService failed: ValidationException: bad input');
  });
});

describe('profileExists', () => {
  test('reads [profile NAME] in config, [NAME] in credentials, [default] in either', () => {
    const env = awsFiles('[default]\n[profile ops]\nregion = eu-west-1\n[dev]\n', '[ci] # comment\naws_access_key_id = x\n');

    expect(['default', 'ops', 'ci'].map((p) => profileExists(p, env))).toEqual([true, true, true]);
    // "[dev]" in the config file is not a named profile (the config file needs "[profile dev]").
    expect(['dev', 'nonexistent'].map((p) => profileExists(p, env))).toEqual([false, false]);
  });
});

describe('describeError and errorOutput', () => {
  test('usage errors exit 2, AWS failures 1', () => {
    expect(describeError(Object.assign(new Error('bad'), { name: 'UsageError' })).code).toBe(2);
    expect(describeError(sdkError('ThrottlingException', 'Rate exceeded')).code).toBe(1);
  });

  test('the stderr line is escaped for the terminal; the JSON document keeps the text and parses', () => {
    const out = errorOutput({ name: 'UsageError', message: '"ex\u001b]0;owned\u0007ample" is not an app name' }, true);

    expect(out.stderr).toBe('error: UsageError: "ex\\e]0;owned\\x07ample" is not an app name');
    expect(JSON.parse(out.stdout as string)).toEqual({ error: 'UsageError', message: '"ex\u001b]0;owned\u0007ample" is not an app name' });
    expect(out.stdout).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
