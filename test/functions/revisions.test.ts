import { DescribeTaskDefinitionCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { REVISION_LOOKBACK } from '../../domain/constants';
import { TAG_CONFIG_CHANGE } from '../../domain/names';
import { findOwnRevision, registerRevision } from '../../functions/shared/revisions';

/** The one way both registering handlers find the revision they registered before, and register a new one. */

const client = new ECSClient({ region: 'eu-west-1' });
const ecsMock = mockClient(client);
const arn = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:task-definition/slipway-example--web:${n}`;

beforeEach(() => {
  ecsMock.reset();
});

describe('findOwnRevision', () => {
  test('searches the family\'s newest ACTIVE revisions, REVISION_LOOKBACK of them, newest first', async () => {
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arn(9), arn(8)] });
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake((input: { taskDefinition: string }) => ({
      taskDefinition: { taskDefinitionArn: input.taskDefinition },
      tags: input.taskDefinition === arn(8) ? [{ key: TAG_CONFIG_CHANGE, value: 'exec-1' }] : [],
    }));

    const found = await findOwnRevision(client, 'slipway-example--web', (d) => d.tags?.some((t) => t.key === TAG_CONFIG_CHANGE && t.value === 'exec-1') ?? false);

    expect(found).toBe(arn(8));
    expect(REVISION_LOOKBACK).toBe(5);
    expect(ecsMock).toHaveReceivedCommandWith(ListTaskDefinitionsCommand, { familyPrefix: 'slipway-example--web', sort: 'DESC', maxResults: REVISION_LOOKBACK, status: 'ACTIVE' });
    expect(ecsMock).toHaveReceivedCommandWith(DescribeTaskDefinitionCommand, { taskDefinition: arn(9), include: ['TAGS'] });
  });

  test('undefined when none of them is its own', async () => {
    ecsMock.on(ListTaskDefinitionsCommand).resolves({ taskDefinitionArns: [arn(9)] });
    ecsMock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arn(9) }, tags: [] });

    expect(await findOwnRevision(client, 'slipway-example--web', () => false)).toBeUndefined();
  });
});

describe('registerRevision', () => {
  test("returns the new revision's ARN", async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({ taskDefinition: { taskDefinitionArn: arn(10) } });

    expect(await registerRevision(client, { family: 'slipway-example--web', containerDefinitions: [] })).toBe(arn(10));
  });

  test('an answer without an ARN is UnexpectedResponse naming the family (not the input\'s fault)', async () => {
    ecsMock.on(RegisterTaskDefinitionCommand).resolves({});

    await expect(registerRevision(client, { family: 'slipway-example--web', containerDefinitions: [] })).rejects.toMatchObject({
      name: 'UnexpectedResponse',
      message: 'ECS RegisterTaskDefinition returned no ARN for slipway-example--web',
    });
  });
});
