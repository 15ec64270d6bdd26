import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { assertExecutionOf, awsCallError, executionArn, executionOwner, locateApp, parseExecutionArn, parseSettings, partitionOf, recentBuilds, type AppTarget, type OpsClients } from '../../../lib/ops/aws';
import { ACCOUNT, REGION, serveSettings, settingsFor, stateMachineArn, tableOf } from './settings-fixtures';

describe('awsCallError', () => {
  test('missing credentials (the SDK chain\'s CredentialsProviderError) say how to provide them', () => {
    const error = awsCallError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'STS GetCallerIdentity');

    expect(error).toMatchObject({ name: 'NoCredentials', message: expect.stringMatching(/^no AWS credentials for STS GetCallerIdentity: pass --profile .*aws sso login/) });
  });

  test('expired credentials say to refresh them', () => {
    const error = awsCallError(Object.assign(new Error('The security token included in the request is expired'), { name: 'ExpiredTokenException', $metadata: {} }), 'Step Functions DescribeExecution x');

    expect(error.message).toBe('AWS rejected the credentials for Step Functions DescribeExecution x (ExpiredTokenException): refresh them (e.g. `aws sso login`) and try again');
  });

  test('a multi-line service message becomes one line', () => {
    const error = awsCallError(Object.assign(new Error('first line\n   second line'), { name: 'ValidationException', $metadata: {} }), 'DynamoDB Query on T');

    expect(error.message).toBe('DynamoDB Query on T failed: ValidationException: first line second line');
  });
});

describe('names and ARNs', () => {
  test('execution ARNs parse into their parts, other ARNs do not', () => {
    expect(parseExecutionArn('arn:aws-cn:states:cn-north-1:123456789012:execution:slipway-example-deploy:example--42-deploy')).toEqual({
      partition: 'aws-cn', region: 'cn-north-1', account: '123456789012', stateMachine: 'slipway-example-deploy', name: 'example--42-deploy',
    });
    expect(parseExecutionArn('arn:aws:states:eu-west-1:123456789012:stateMachine:slipway-example-deploy')).toBeUndefined();
  });

  test('the partition follows the region', () => {
    expect([partitionOf('eu-west-1'), partitionOf('cn-northwest-1'), partitionOf('us-gov-west-1')]).toEqual(['aws', 'aws-cn', 'aws-us-gov']);
  });
});

const ssm = mockClient(SSMClient);
const sts = mockClient(STSClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), sts: new STSClient({ region: REGION }), ssm: new SSMClient({ region: REGION }) };

describe('locateApp: the settings parameter is the app\'s entry in the shared control plane', () => {
  beforeEach(() => {
    ssm.reset();
    sts.reset();
    sts.on(GetCallerIdentityCommand).resolves({ Account: '999999999999' });
  });

  test("the table, the control plane and its state machines come from /slipway/apps/<app>/settings, the account from the parameter's ARN", async () => {
    serveSettings(ssm, { web: settingsFor('web'), 'web-admin': settingsFor('web-admin', { controlPlane: 'staging' }) });

    const target = await locateApp(clients, 'web-admin');

    expect(target).toMatchObject({ app: 'web-admin', tableName: tableOf('web-admin'), controlPlane: 'staging', account: ACCOUNT, region: REGION, settingsParameter: '/slipway/apps/web-admin/settings' });
    expect(target.stateMachines).toEqual({
      build: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-staging-build`,
      release: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-staging-release`,
      deploy: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-staging-deploy`,
      'config-change': `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-staging-config-change`,
      schedules: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:slipway-staging-schedules`,
    });
    expect(executionArn(target, 'release', 'web-admin--7-release')).toBe(`arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-staging-release:web-admin--7-release`);
    expect(sts.calls()).toHaveLength(0);
  });

  test('--table overrides the settings\' table; --prefix changes the parameter read', async () => {
    serveSettings(ssm, { web: settingsFor('web') });

    const target = await locateApp(clients, 'web', { table: 'Restored' });
    const error = await locateApp(clients, 'web', { prefix: 'other' }).catch((e: Error) => e);

    expect(target.tableName).toBe('Restored');
    expect(target.stateMachines.deploy).toBe(stateMachineArn('deploy'));
    expect(error).toMatchObject({ name: 'NotFound', message: expect.stringContaining('there is no settings parameter /other/apps/web/settings') });
  });

  test('a settings parameter that is not JSON, misses the table, or is another app\'s is InvalidSettings saying to deploy the app stack again', async () => {
    const { table: _table, ...withoutTable } = settingsFor('b');
    serveSettings(ssm, { a: '{not json', b: withoutTable as never, c: settingsFor('d') });

    const errors = await Promise.all(['a', 'b', 'c'].map((app) => locateApp(clients, app).catch((e: Error) => e)));

    expect(errors.map((e) => (e as Error).name)).toEqual(['InvalidSettings', 'InvalidSettings', 'InvalidSettings']);
    expect((errors[0] as Error).message).toBe('the settings parameter /slipway/apps/a/settings is not JSON: deploy the app stack again (npx cdk deploy) with this version of Slipway');
    expect((errors[1] as Error).message).toMatch(/^the settings parameter \/slipway\/apps\/b\/settings is invalid at table: /);
    expect((errors[2] as Error).message).toContain('is app "d"\'s, not "c"\'s');
  });

  test('the account comes from STS when the parameter has no ARN', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: '/slipway/apps/web/settings', Value: JSON.stringify(settingsFor('web')) } });

    const target = await locateApp(clients, 'web');

    expect(target.account).toBe('999999999999');
  });
});

describe('executionOwner: whose execution of a shared state machine this is', () => {
  test('from the name, exactly: web-admin is not web', () => {
    expect(executionOwner('web-admin--42-release', undefined, 'slipway')).toEqual({ app: 'web-admin', build: '42' });
    expect(executionOwner('web--42-deploy', undefined, 'slipway')).toEqual({ app: 'web', build: '42' });
    expect(executionOwner('web-7--42-redeploy-20261120T120000Z', undefined, 'slipway')).toEqual({ app: 'web-7', build: '42' });
  });

  test('from the input: app, the CodeBuild event of project <prefix>-<app>, a parameter under /<prefix>/apps/<app>/, a milestone', () => {
    const id = '5f0c9a4e-0d7b-4c44-9f1a-2b4f0a8e7c11';
    expect(executionOwner(id, JSON.stringify({ app: 'web', build: { buildKey: '9' } }), 'slipway')).toEqual({ app: 'web', build: '9' });
    expect(executionOwner(id, JSON.stringify({ source: 'aws.codebuild', detail: { 'project-name': 'slipway-web-admin', 'additional-information': { 'build-number': 12 } } }), 'slipway')).toEqual({ app: 'web-admin', build: '12' });
    expect(executionOwner(id, JSON.stringify({ source: 'aws.codebuild', detail: { 'project-name': 'slipway-web', 'build-id': `arn:aws:codebuild:eu-west-1:123456789012:build/slipway-web:${id}` } }), 'slipway')).toEqual({ app: 'web', build: id });
    expect(executionOwner(id, JSON.stringify({ source: 'aws.codebuild', detail: { 'project-name': 'other-web' } }), 'slipway')).toEqual({});
    expect(executionOwner(id, JSON.stringify({ source: 'aws.ssm', detail: { name: '/slipway/apps/web/config/KEY' } }), 'slipway')).toEqual({ app: 'web' });
    expect(executionOwner(id, JSON.stringify({ source: 'slipway', 'detail-type': 'Deploy Succeeded', detail: { app: 'web' } }), 'slipway')).toEqual({ app: 'web' });
    expect(executionOwner(id, 'not json', 'slipway')).toEqual({});
    expect(executionOwner(id, '[1]', 'slipway')).toEqual({});
  });

  test('assertExecutionOf refuses another app\'s; an unknown owner only when strict', () => {
    const d = { name: 'web-admin--42-deploy' };
    expect(() => assertExecutionOf('web', d, 'slipway')).toThrow('execution web-admin--42-deploy belongs to app "web-admin", not "web"');
    expect(() => assertExecutionOf('web-admin', d, 'slipway')).not.toThrow();
    expect(() => assertExecutionOf('web', { name: 'x', input: '{}' }, 'slipway')).not.toThrow();
    expect(() => assertExecutionOf('web', { name: 'x', input: '{}' }, 'slipway', true)).toThrow(expect.objectContaining({ name: 'WrongApp' }));
  });

  test('parseSettings fills the defaults of the schema (configDebounceSeconds 30)', () => {
    const settings = parseSettings(JSON.stringify(settingsFor('web')), '/slipway/apps/web/settings', 'web');

    expect(settings).toMatchObject({ configDebounceSeconds: 30, deployTimeoutSeconds: 1800, table: tableOf('web') });
  });
});

describe('recentBuilds: a Query of the BUILD items, page after page', () => {
  const dynamodb = mockClient(DynamoDBClient);
  const target = { tableName: 'T' } as AppTarget;
  const build = (n: number) => ({ pk: { S: 'BUILD' }, sk: { S: String(n).padStart(10, '0') }, buildKey: { S: String(n) } });
  beforeEach(() => dynamodb.reset());

  test('follows LastEvaluatedKey until it has as many builds as asked, then stops asking', async () => {
    dynamodb
      .on(QueryCommand)
      .resolvesOnce({ Items: [build(9)], LastEvaluatedKey: build(9) })
      .resolvesOnce({ Items: [build(8), build(7)], LastEvaluatedKey: build(7) })
      .resolves({ Items: [build(6)] });

    const builds = await recentBuilds(clients, target, 2, { releasedOnly: true });

    expect(builds.map((b) => b.buildKey)).toEqual(['9', '8']);
    const calls = dynamodb.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({ TableName: 'T', ExclusiveStartKey: undefined, ScanIndexForward: false });
    expect(calls[1].ExclusiveStartKey).toEqual(build(9));
  });

  test('ends with the last page when there are fewer builds than asked', async () => {
    dynamodb.on(QueryCommand).resolvesOnce({ Items: [build(2)], LastEvaluatedKey: build(2) }).resolves({ Items: [build(1)] });

    expect((await recentBuilds(clients, target, 5)).map((b) => b.buildKey)).toEqual(['2', '1']);
    expect(dynamodb.commandCalls(QueryCommand)).toHaveLength(2);
  });
});
