import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { ECSClient, DescribeServicesCommand } from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { GetFunctionConfigurationCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DescribeScalableTargetsCommand, ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { request } from 'node:http';
import { controlPlaneFunctionName } from '../../../../domain/names';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import { buildEvent, clientConfig, startEndpoint } from './endpoint-helpers';

/**
 * The endpoint as the AWS SDK for JavaScript v3 sees it: each service's own client, with `endpoint` and
 * dummy credentials, gets answers and errors in the service's wire format with AWS's codes.
 */

let endpoint: LocalEndpoint;

const ENDED = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED'];
const FAILED = ['FAILED', 'TIMED_OUT', 'ABORTED'];

/**
 * Waits for the "Step Functions Execution Status Change" event that ends a pipeline chain, as a client on
 * AWS would: the execution named `last` ended, or any execution failed since the `since`-th status event (then the test's
 * assertions say which). No wall-clock deadline of its own and no need for an idle instant of the account
 * (a loaded machine may never give one while the clock catches up): jest's test timeout bounds the wait.
 */
function chainEnded(last: string, since: number): Promise<void> {
  const run = endpoint.account.run;
  const ends = (e: { detail: { name: string; status: string } }) => (e.detail.name === last && ENDED.includes(e.detail.status)) || FAILED.includes(e.detail.status);
  return new Promise((resolve) => {
    if (run.statusEvents.slice(since).some(ends)) return resolve();
    run.addStatusRule({ source: ['aws.states'], 'detail-type': ['Step Functions Execution Status Change'] }, async (e) => {
      if (ends(e)) resolve();
    });
  });
}

beforeAll(async () => {
  endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } } });
});
afterAll(() => endpoint.close());

/** A raw request to the endpoint, as a client that is not the SDK sends it. */
async function raw(init: { target?: string; body?: string; contentType?: string; auth?: boolean; method?: string; path?: string; headers?: Record<string, string> }): Promise<{ status: number; headers: Headers; body: string }> {
  const headers: Record<string, string> = { 'content-type': init.contentType ?? 'application/x-amz-json-1.0', ...(init.headers ?? {}) };
  if (init.target) headers['x-amz-target'] = init.target;
  if (init.auth !== false) headers.authorization = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0';
  const res = await fetch(`${endpoint.url}${init.path ?? '/'}`, { method: init.method ?? 'POST', headers, body: init.method === 'OPTIONS' || init.method === 'GET' ? undefined : (init.body ?? '{}') });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

describe('the AWS SDK against the endpoint', () => {
  test('STS (awsQuery): GetCallerIdentity names the simulated account', async () => {
    const out = await new STSClient(clientConfig(endpoint)).send(new GetCallerIdentityCommand({}));
    expect(out.Account).toBe('123456789012');
    expect(out.Arn).toBe('arn:aws:iam::123456789012:user/slipway-local');
  });

  test('SSM (awsJson1_1): the app stack\'s settings parameter is there; a missing one is ParameterNotFound', async () => {
    const ssm = new SSMClient(clientConfig(endpoint));
    const out = await ssm.send(new GetParameterCommand({ Name: '/slipway/apps/example/settings' }));
    expect(JSON.parse(out.Parameter?.Value ?? '{}').app).toBe('example');
    expect(out.Parameter?.ARN).toBe('arn:aws:ssm:us-east-1:123456789012:parameter/slipway/apps/example/settings');
    await expect(ssm.send(new GetParameterCommand({ Name: '/slipway/apps/nope/settings' }))).rejects.toMatchObject({ name: 'ParameterNotFound', $metadata: { httpStatusCode: 400 } });
  });

  test('ECS (awsJson1_1): DescribeServices of the seeded services, and MISSING for another', async () => {
    const out = await new ECSClient(clientConfig(endpoint)).send(new DescribeServicesCommand({ cluster: 'production', services: ['example--web', 'example--nope'] }));
    expect(out.services?.map((s) => s.serviceName)).toEqual(['example--web']);
    expect(out.services?.[0].deployments?.[0].createdAt).toBeInstanceOf(Date);
    expect(out.failures).toEqual([{ arn: 'example--nope', reason: 'MISSING' }]);
  });

  test('DynamoDB (awsJson1_0): a table the account does not hold is ResourceNotFoundException', async () => {
    const ddb = new DynamoDBClient(clientConfig(endpoint));
    expect((await ddb.send(new ListTablesCommand({}))).TableNames).toContain('slipway-production-control');
    await expect(ddb.send(new GetItemCommand({ TableName: 'nope', Key: { pk: { S: 'x' } } }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Requested resource not found: Table: nope not found' });
  });

  test('CloudWatch (JSON, query-compatible), Logs, Application Auto Scaling and Lambda answer their clients', async () => {
    expect((await new CloudWatchClient(clientConfig(endpoint)).send(new DescribeAlarmsCommand({}))).MetricAlarms).toEqual([]);
    await expect(new CloudWatchLogsClient(clientConfig(endpoint)).send(new FilterLogEventsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect((await new ApplicationAutoScalingClient(clientConfig(endpoint)).send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs' }))).ScalableTargets).toEqual([]);
    const lambda = new LambdaClient(clientConfig(endpoint));
    const name = controlPlaneFunctionName('slipway', 'production', 'parseBuildEvent');
    const fn = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: name }));
    expect(fn.LoggingConfig?.LogGroup).toBe(`/aws/lambda/${name}`);
    await expect(lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'nope' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope' });
  });

  test('Step Functions: a started execution runs in the background; its name stays taken', async () => {
    const sfn = new SFNClient(clientConfig(endpoint));
    const stateMachineArn = endpoint.account.run.stateMachineArn('build');
    const since = endpoint.account.run.statusEvents.length;
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'push-43', input: JSON.stringify(buildEvent(43)) }));
    expect(started.executionArn).toBe(`${stateMachineArn.replace(':stateMachine:', ':execution:')}:push-43`);
    await chainEnded('example--43-deploy', since);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    expect(d.status).toBe('SUCCEEDED');
    expect(d.startDate).toBeInstanceOf(Date);
    const deploys = await sfn.send(new ListExecutionsCommand({ stateMachineArn: endpoint.account.run.stateMachineArn('deploy') }));
    expect(deploys.executions?.map((e) => [e.name, e.status])).toEqual([['example--43-deploy', 'SUCCEEDED']]);
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'push-43', input: '{}' }))).rejects.toMatchObject({ name: 'ExecutionAlreadyExists' });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, name: 'bad name', input: '{}' }))).rejects.toMatchObject({ name: 'InvalidName' });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn, input: 'not json' }))).rejects.toMatchObject({ name: 'InvalidExecutionInput' });
    await expect(sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}-nope`, input: '{}' }))).rejects.toMatchObject({ name: 'StateMachineDoesNotExist' });
  });

  test('an AWS operation the simulation does not answer is a 501 naming it, not an unknown operation', async () => {
    const sfn = new SFNClient(clientConfig(endpoint));
    await expect(sfn.send(new StopExecutionCommand({ executionArn: 'arn:aws:states:us-east-1:123456789012:execution:x:y' }))).rejects.toMatchObject({ name: 'NotImplemented', $metadata: { httpStatusCode: 501 } });
  });
});

describe('requests checked in AWS\'s order', () => {
  test('an operation the service does not have is UnknownOperationException, as AWS answers an unknown target', async () => {
    const res = await raw({ target: 'AWSStepFunctions.NoSuchOperation' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).__type).toBe('com.amazon.coral.service#UnknownOperationException');
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse((await raw({ target: 'NoSuchService_20990101.GetItem' })).body).__type).toBe('com.amazon.coral.service#UnknownOperationException');
  });

  test('a body that is not JSON is a SerializationException, before the target is looked at', async () => {
    const res = await raw({ target: 'AWSStepFunctions.NoSuchOperation', body: '{not json' });
    expect(JSON.parse(res.body).__type).toBe('com.amazon.coral.service#SerializationException');
  });

  test('an unsigned request is MissingAuthenticationTokenException', async () => {
    const res = await raw({ target: 'AWSStepFunctions.ListExecutions', auth: false });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual({ __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
  });

  test('a member of the wrong JSON type is a SerializationException; a missing required member a ValidationException', async () => {
    expect(JSON.parse((await raw({ target: 'AWSStepFunctions.DescribeExecution', body: '{"executionArn": 42}' })).body).__type).toMatch(/#SerializationException$/);
    const missing = JSON.parse((await raw({ target: 'AWSStepFunctions.DescribeExecution', body: '{}' })).body);
    expect(missing).toEqual({ __type: 'com.amazonaws.swf.service.model#ValidationException', message: "1 validation error detected: Value null at 'executionArn' failed to satisfy constraint: Member must not be null" });
  });

  test('a GET or another content type at / is answered as AWS answers it: 404 UnknownOperationException', async () => {
    expect((await raw({ contentType: 'text/plain', target: 'AWSStepFunctions.ListExecutions' })).status).toBe(404);
  });
});

describe('CORS, as AWS answers it per service', () => {
  /** A browser's preflight to `http://<host>:<port>/` (fetch may not set Host; node:http may). */
  const preflight = (host: string) =>
    new Promise<{ status: number; headers: { get(name: string): string | null } }>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: endpoint.port, method: 'OPTIONS', path: '/', headers: { host: `${host}:${endpoint.port}`, origin: 'http://localhost:5173', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-amz-target,authorization,x-amz-date' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: { get: (name) => (res.headers[name.toLowerCase()] as string | undefined) ?? null } }));
        },
      );
      req.on('error', reject);
      req.end();
    });

  test('DynamoDB, SSM, ECS, CloudWatch Logs allow the preflight (AWS SDK for JavaScript, SERVICES.md "Allows CORS")', async () => {
    for (const host of ['dynamodb.localhost', 'ssm.localhost', 'ecs.localhost', 'logs.localhost']) {
      const res = await preflight(host);
      expect([host, res.status]).toEqual([host, 200]);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-headers')).toBe('content-type,x-amz-target,authorization,x-amz-date');
    }
  });

  test('Step Functions answers no preflight: the browser refuses the call, as it would on AWS', async () => {
    const res = await preflight('states.localhost');
    expect(res.status).toBe(403);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  test('a cross-origin call gets Access-Control-Allow-Origin from DynamoDB, never from Step Functions', async () => {
    const ddb = await raw({ target: 'DynamoDB_20120810.ListTables', headers: { origin: 'http://localhost:5173' } });
    expect(ddb.headers.get('access-control-allow-origin')).toBe('*');
    expect(ddb.headers.get('access-control-expose-headers')).toContain('x-amzn-RequestId');
    const sfn = await raw({ target: 'AWSStepFunctions.ListStateMachines', headers: { origin: 'http://localhost:5173' } });
    expect(sfn.status).toBe(200);
    expect(sfn.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('EventBridge PutEvents, held to AWS\'s rules', () => {
  test('a source in the aws. namespace fails its entry with NotAuthorizedForSourceException; the others are put', async () => {
    const eb = new EventBridgeClient(clientConfig(endpoint));
    const out = await eb.send(
      new PutEventsCommand({
        Entries: [
          { Source: 'aws.codebuild', DetailType: 'CodeBuild Build State Change', Detail: '{}' },
          { Source: 'com.example.app', DetailType: 'Something Happened', Detail: '{"a":1}' },
          { Source: 'com.example.app', DetailType: 'Something Happened', Detail: '[1]' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries?.[0]).toEqual({ ErrorCode: 'NotAuthorizedForSourceException', ErrorMessage: 'Not authorized for the source.' });
    expect(out.Entries?.[1].EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries?.[2].ErrorCode).toBe('MalformedDetail');
    expect(endpoint.account.run.world.events.some((e) => e.source === 'com.example.app')).toBe(true);
    expect(endpoint.account.run.world.events.some((e) => e.source === 'aws.codebuild')).toBe(false);
  });

  test('more than 10 entries is a ValidationException for the whole request', async () => {
    const eb = new EventBridgeClient(clientConfig(endpoint));
    const entry = { Source: 'com.example.app', DetailType: 'x', Detail: '{}' };
    await expect(eb.send(new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }))).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('the door for AWS services\' events', () => {
  const post = (body: unknown) => fetch(`${endpoint.url}/_slipway/events`, { method: 'POST', body: JSON.stringify(body) });

  test('a CodeBuild event of a build marked for this control plane starts build, as the BuildStateChangeRule does', async () => {
    const since = endpoint.account.run.statusEvents.length;
    const res = await post(buildEvent(44));
    const out = (await res.json()) as { delivered: { rule: string; executionArn: string }[] };
    expect(out.delivered.map((d) => d.rule)).toEqual(['BuildStateChangeRule']);
    await chainEnded('example--44-deploy', since);
    const names = endpoint.account.run.executions.filter((e) => e.name.startsWith('example--44')).map((e) => `${e.name}:${e.status}`);
    expect(names).toEqual(['example--44-release:SUCCEEDED', 'example--44-deploy:SUCCEEDED']);
  });

  test('a build without the control plane\'s marker matches no rule (the rule filters on it)', async () => {
    const e = buildEvent(45) as { detail: { 'additional-information': { environment: { 'environment-variables': unknown[] } } } };
    e.detail['additional-information'].environment['environment-variables'] = [];
    expect(await (await post(e)).json()).toEqual({ delivered: [] });
  });

  test('an event of another account, or without AWS\'s envelope, is refused by name', async () => {
    const other = await post({ ...buildEvent(46), account: '210987654321' });
    expect(other.status).toBe(400);
    expect(await other.json()).toMatchObject({ error: 'InvalidEvent' });
    expect(await (await post({ source: 'aws.codebuild' })).json()).toMatchObject({ error: 'InvalidEvent', message: expect.stringContaining('lacks version, id, detail-type') });
  });
});
