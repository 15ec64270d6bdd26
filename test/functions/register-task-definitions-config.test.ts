import { resetForHandler, taskDefArn } from './helpers';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { DescribeParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { handler } from '../../functions/register-task-definitions';
import { dynamodb, ecs, ssm } from '../../functions/shared/clients';

/** register-task-definitions with the app's config path set (PARAMETER_PATH): builds keep the config keys. */

const ddb = mockClient(dynamodb as DynamoDBClient);
const ecsMock = mockClient(ecs as ECSClient);
const ssmMock = mockClient(ssm as SSMClient);
const CONFIG = '/slipway/apps/example/config';

beforeEach(() => {
  resetForHandler(ssmMock, ddb, ecsMock);
  ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [] });
  ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: taskDefArn('slipway-example--web', 3) } });
  ssmMock.on(DescribeParametersCommand).resolves({ Parameters: [{ Name: `${CONFIG}/API_TOKEN`, ARN: `arn:aws:ssm:eu-west-1:123456789012:parameter${CONFIG}/API_TOKEN` }] });
});

test('every new revision reads the config keys that exist now, beside the secrets of the settings', async () => {
  await handler({ app: 'example', build: { buildKey: '42', image: 'repo:build-42' } });

  const web = ecsMock.commandCalls(RegisterTaskDefinitionCommand).find((c) => c.args[0].input.family === 'slipway-example--web');
  expect(web?.args[0].input.containerDefinitions?.[0].secrets?.map((s) => s.name)).toEqual(['DATABASE_URL', 'API_TOKEN']);
  expect(ssmMock).toHaveReceivedCommandWith(DescribeParametersCommand, { ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [CONFIG] }] });
});
