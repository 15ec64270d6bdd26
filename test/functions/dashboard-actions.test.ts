import { DynamoDBClient, GetItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, ExecutionDoesNotExist, RedriveExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { parseActionRequest, runAction, type FunctionUrlEvent } from '../../functions/dashboard-actions/actions';
import type { OpsClients } from '../../lib/ops/aws';
import { ACCOUNT, REGION, serveSettings, settingsFor, sharedExecArn } from '../lib/ops/settings-fixtures';

/**
 * The dashboard's actions function (functions/dashboard-actions) with aws-sdk-client-mock: the caller's
 * app from the function URL's IAM authorizer (`<prefix>-people/app-<app>`), another app refused by name
 * (apps `example` and `example-admin`, one a prefix of the other), a dry run that calls nothing that
 * changes anything, and the same work as `slipway rollback`/`deploy`/`redrive`. Through the real
 * endpoint and a real redrive: test/lib/local/serve/people.test.ts.
 */

const sfn = mockClient(SFNClient);
const dynamodb = mockClient(DynamoDBClient);
const ssm = mockClient(SSMClient);
const clients: OpsClients = { sfn: new SFNClient({ region: REGION }), dynamodb: new DynamoDBClient({ region: REGION }), ssm: new SSMClient({ region: REGION }), sts: new STSClient({ region: REGION }) };
const S = (v: string): AttributeValue => ({ S: v });

const event = (body: unknown, userArn = `arn:aws:sts::${ACCOUNT}:assumed-role/slipway-people/app-example`): FunctionUrlEvent => ({
  body: typeof body === 'string' ? body : JSON.stringify(body),
  isBase64Encoded: false,
  requestContext: { http: { method: 'POST' }, authorizer: { iam: { userArn } } },
});

const build = (n: number, released: boolean): Record<string, AttributeValue> => ({
  pk: S('BUILD'),
  sk: S(String(n).padStart(10, '0')),
  buildKey: S(String(n)),
  status: S('SUCCEEDED'),
  image: S(`${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example:build-${n}`),
  project: S('slipway-example'),
  buildId: S(`arn:aws:codebuild:${REGION}:${ACCOUNT}:build/slipway-example:uuid-${n}`),
  eventTime: S('2026-11-20T09:59:00Z'),
  ...(released ? { releasedAt: S('2026-11-19T10:00:00Z') } : {}),
  releaseProcesses: S(JSON.stringify([{ process: 'web', serviceName: 'example--web', deploymentId: 'ecs-svc/1', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:${n}`, action: 'updated' }])),
});

beforeEach(() => {
  sfn.reset();
  dynamodb.reset();
  ssm.reset();
  serveSettings(ssm, { example: settingsFor('example'), 'example-admin': settingsFor('example-admin') });
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'Execution Does Not Exist', $metadata: {} }));
  dynamodb.on(GetItemCommand).resolves({});
  dynamodb.on(GetItemCommand, { Key: { pk: S('RELEASE'), sk: S('CURRENT') } }).resolves({ Item: { buildKey: S('42'), buildSortKey: S('0000000042') } });
  dynamodb.on(QueryCommand).resolves({ Items: [build(41, true)] });
  sfn.on(StartExecutionCommand).resolves({ executionArn: sharedExecArn('deploy', 'example--41-rollback-x'), startDate: new Date() });
});

test('rollback dry run: the plan names the builds and the task definitions, and nothing is started', async () => {
  const out = await runAction(event({ action: 'rollback', app: 'example', dryRun: true }), clients, 'slipway');
  expect(out.statusCode).toBe(200);
  expect(out.body).toEqual({ plan: expect.stringMatching(/^Will roll "example" back from build 42 to build 41 with the deploy pipeline example--41-rollback-\d{8}T\d{6}Z: each process type's service is updated to its task definition \(web → slipway-example--web:41\)/) });
  expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
});

test('rollback: starts the deploy state machine with the release\'s task definitions and answers its execution', async () => {
  const out = await runAction(event({ action: 'rollback', app: 'example' }), clients, 'slipway');
  expect(out).toMatchObject({ statusCode: 200, body: { started: sharedExecArn('deploy', 'example--41-rollback-x') } });
  const input = JSON.parse(sfn.commandCalls(StartExecutionCommand)[0].args[0].input.input ?? '{}') as Record<string, unknown>;
  expect(input).toMatchObject({ app: 'example', force: true, processes: [{ name: 'web', taskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:41` }] });
});

test('a session of example asking for example-admin is WrongApp (403); nothing is read or started', async () => {
  const out = await runAction(event({ action: 'rollback', app: 'example-admin' }), clients, 'slipway');
  expect(out).toMatchObject({ statusCode: 403, body: { error: 'WrongApp' } });
  expect(ssm.calls()).toHaveLength(0);
  expect(sfn.calls()).toHaveLength(0);
});

test.each([
  ['another role', `arn:aws:sts::${ACCOUNT}:assumed-role/slipway-production-update-service/x`],
  ['a session not named app-<app>', `arn:aws:sts::${ACCOUNT}:assumed-role/slipway-people/ada`],
  ['an IAM user', `arn:aws:iam::${ACCOUNT}:user/oncall`],
  ['no caller', ''],
])('%s is NotAPersonSession (403)', async (_what, arn) => {
  const out = await runAction(event({ action: 'rollback', app: 'example' }, arn), clients, 'slipway');
  expect(out).toMatchObject({ statusCode: 403, body: { error: 'NotAPersonSession' } });
  expect(sfn.calls()).toHaveLength(0);
});

test('redrive by ARN of another app\'s execution is refused (WrongApp) without redriving', async () => {
  const other = sharedExecArn('release', 'example-admin--7-release');
  sfn.on(DescribeExecutionCommand, { executionArn: other }).resolves({ executionArn: other, stateMachineArn: 'sm', name: 'example-admin--7-release', status: 'FAILED', startDate: new Date(), input: '{"app":"example-admin"}', $metadata: {} });
  const out = await runAction(event({ action: 'redrive', app: 'example', execution: other }), clients, 'slipway');
  expect(out).toMatchObject({ statusCode: 403, body: { error: 'WrongApp' } });
  expect(sfn).not.toHaveReceivedCommand(RedriveExecutionCommand);
});

test('an unknown build is NotFound (404)', async () => {
  const out = await runAction(event({ action: 'deploy', app: 'example', build: '99' }), clients, 'slipway');
  expect(out).toMatchObject({ statusCode: 404, body: { error: 'NotFound' } });
});

test.each([
  ['not JSON', 'nope', 'the body is not JSON'],
  ['an unknown action', { action: 'delete', app: 'example' }, '"action" must be one of redrive, rollback, deploy'],
  ['an unknown field', { action: 'rollback', app: 'example', force: true }, 'unknown field force'],
  ['redrive without a target', { action: 'redrive', app: 'example' }, 'redrive needs "execution" (an execution ARN) or "build"'],
  ['deploy without a build', { action: 'deploy', app: 'example' }, 'deploy needs "build"'],
  ['a bad execution ARN', { action: 'redrive', app: 'example', execution: 'arn:aws:states:x' }, '"execution" must be a Step Functions execution ARN'],
  ['dryRun not a boolean', { action: 'rollback', app: 'example', dryRun: 'yes' }, '"dryRun" must be true or false'],
])('%s is InvalidRequest (400) naming the problem', async (_what, body, message) => {
  const out = await runAction(event(body), clients, 'slipway');
  expect(out.statusCode).toBe(400);
  expect(out.body).toMatchObject({ error: 'InvalidRequest', message: expect.stringContaining(message) });
  expect(() => parseActionRequest(typeof body === 'string' ? body : JSON.stringify(body))).toThrow(message);
});
