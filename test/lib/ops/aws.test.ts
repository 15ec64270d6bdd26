import { describeAwsError, parseExecutionArn, partitionOf, tableFromDefinition } from '../../../lib/ops/aws';

describe('describeAwsError', () => {
  test('missing credentials (the SDK chain\'s CredentialsProviderError) say how to provide them', () => {
    const error = describeAwsError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'STS GetCallerIdentity');

    expect(error).toMatchObject({ name: 'NoCredentials', message: expect.stringMatching(/^no AWS credentials for STS GetCallerIdentity: pass --profile .*aws sso login/) });
  });

  test('expired credentials say to refresh them', () => {
    const error = describeAwsError(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException', $metadata: {} }), 'Step Functions DescribeExecution x');

    expect(error.message).toBe('AWS rejected the credentials for Step Functions DescribeExecution x (ExpiredTokenException): refresh them (e.g. `aws sso login`) and try again');
  });

  test('a multi-line service message becomes one line', () => {
    const error = describeAwsError(Object.assign(new Error('first line\n   second line'), { name: 'ValidationException', $metadata: {} }), 'DynamoDB Query on T');

    expect(error.message).toBe('DynamoDB Query on T failed: ValidationException: first line second line');
  });
});

describe('names and ARNs', () => {
  test('the table is read from the first DynamoDB task of a definition, inside a Map too', () => {
    const definition = JSON.stringify({ StartAt: 'M', States: { M: { Type: 'Map', ItemProcessor: { StartAt: 'T', States: { T: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'Inner' }, End: true } } }, End: true } } });

    expect(tableFromDefinition(definition)).toBe('Inner');
    expect(tableFromDefinition('not json')).toBeUndefined();
  });

  test('execution ARNs parse into their parts, other ARNs do not', () => {
    expect(parseExecutionArn('arn:aws-cn:states:cn-north-1:123456789012:execution:slipway-example-deploy:example-42-deploy')).toEqual({
      partition: 'aws-cn', region: 'cn-north-1', account: '123456789012', stateMachine: 'slipway-example-deploy', name: 'example-42-deploy',
    });
    expect(parseExecutionArn('arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-example-deploy')).toBeUndefined();
  });

  test('the partition follows the region', () => {
    expect([partitionOf('eu-west-1'), partitionOf('cn-northwest-1'), partitionOf('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});
