import { describeAwsError } from '../../../lib/cli/errors';

const sdkError = (name: string, message: string, metadata = true) => Object.assign(new Error(message), { name, ...(metadata ? { $metadata: {} } : {}) });

describe('describeAwsError (every command that talks to AWS)', () => {
  test('a missing region says how to set one', () => {
    expect(describeAwsError(new Error('Region is missing'), 'CloudWatch DescribeAlarms')).toEqual({
      name: 'NoRegion',
      message: 'no AWS region for CloudWatch DescribeAlarms: set AWS_REGION, or use a profile (AWS_PROFILE) with a region',
    });
  });

  test('an unreachable endpoint names the network settings to check', () => {
    const line = describeAwsError(new Error('connect ECONNREFUSED 127.0.0.1:4566'), 'SSM PutParameter');

    expect(line.name).toBe('CannotReachAws');
    expect(line.message).toMatch(/^cannot reach AWS for SSM PutParameter \(connect ECONNREFUSED 127\.0\.0\.1:4566\): check the network/);
  });

  test('access denied is recognised from the message too, and keeps the service\'s words on one line', () => {
    const line = describeAwsError(sdkError('ValidationException', 'User: arn:aws:iam::1:user/x\n is not authorized to perform: ssm:GetParameter'));

    expect(line).toEqual({ name: 'AccessDenied', message: "access denied: User: arn:aws:iam::1:user/x is not authorized to perform: ssm:GetParameter (use a role that may do this, e.g. the app's management role)" });
  });

  test('"Could not load credentials" from a service response (with metadata) is not taken for missing credentials', () => {
    expect(describeAwsError(sdkError('ValidationException', 'Could not load credentials for the container')).name).toBe('ValidationException');
  });

  test('anything else keeps its name and message, prefixed with the call when one is named', () => {
    expect(describeAwsError(sdkError('ThrottlingException', 'Rate exceeded'))).toEqual({ name: 'ThrottlingException', message: 'Rate exceeded' });
    expect(describeAwsError(sdkError('ThrottlingException', 'Rate exceeded'), 'ECS UpdateService').message).toBe('ECS UpdateService failed: ThrottlingException: Rate exceeded');
  });
});
