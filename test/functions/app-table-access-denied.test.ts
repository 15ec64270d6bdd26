import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { APP_TABLE_ACCESS_DENIED, isAppTableAccessDenied } from '../../domain/abac';
import { AppTableAccessDenied, awsCall } from '../../functions/shared/errors';
import { summariseCause } from '../../lib/ops/failure-causes';

/**
 * A table call DynamoDB denies names DynamoDB attribute-based access control (issue 21): the control
 * plane's grants on app tables are by tag, and with ABAC off DynamoDB evaluates them "as if no tags are
 * present". The handlers throw AppTableAccessDenied; the CLI adds the hint to such a failure's cause.
 */
const dynamodb = mockClient(DynamoDBClient);
const client = new DynamoDBClient({ region: 'eu-west-1' });
const denied = () => Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/r/f is not authorized to perform: dynamodb:GetItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/T because no identity-based policy allows the dynamodb:GetItem action'), { name: 'AccessDeniedException', $metadata: {} });

beforeEach(() => dynamodb.reset());

test('a handler\'s denied DynamoDB call is AppTableAccessDenied, naming ABAC and the table\'s tag, with AWS\'s message', async () => {
  dynamodb.on(GetItemCommand).rejects(denied());
  const call = awsCall('DynamoDB GetItem current release', () => client.send(new GetItemCommand({ TableName: 'T', Key: { pk: { S: 'x' } } })));
  await expect(call).rejects.toBeInstanceOf(AppTableAccessDenied);
  await expect(awsCall('DynamoDB GetItem current release', () => client.send(new GetItemCommand({ TableName: 'T', Key: { pk: { S: 'x' } } })))).rejects.toThrow(
    /^DynamoDB GetItem current release: User: .*table\/T .*App tables are reached by tag: check that the table is tagged slipway:control-plane=<its cluster>.*DynamoDB attribute-based access control must be on in this account and Region/,
  );
});

test('other denied calls keep AWS\'s error', async () => {
  dynamodb.on(GetItemCommand).rejects(denied());
  await expect(awsCall('ECS DescribeServices', () => client.send(new GetItemCommand({ TableName: 'T', Key: { pk: { S: 'x' } } })))).rejects.toMatchObject({ name: 'AccessDeniedException' });
});

test('the CLI adds the hint to a failure that is a denied app table: a DynamoDB Task state\'s or a handler\'s', () => {
  const taskState = summariseCause('User: arn:aws:sts::123456789012:assumed-role/r/x is not authorized to perform: dynamodb:UpdateItem on resource: arn:aws:dynamodb:eu-west-1:123456789012:table/T (Service: DynamoDb, Status Code: 400, Error Code: AccessDeniedException)', { error: 'DynamoDB.AccessDeniedException', max: 200 });
  expect(taskState).toMatch(/— DynamoDB denied an app table: run slipway doctor <app>/);
  expect(isAppTableAccessDenied(APP_TABLE_ACCESS_DENIED, 'x')).toBe(true);
  expect(summariseCause('the release task exited 1', { error: 'ReleaseFailed' })).toBe('the release task exited 1');
  expect(isAppTableAccessDenied('States.TaskFailed', 'ECS AccessDenied on RunTask')).toBe(false);
});
