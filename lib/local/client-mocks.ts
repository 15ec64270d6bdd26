import type { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { autoscaling, dynamodb, ecs, eventbridge, scheduler, sfn, ssm } from '../../functions/shared/clients';
import { mockDynamoDb } from './services/dynamodb';
import type { SimulatedStepFunctions } from './services/stepfunctions';
import type { World } from './world';

/**
 * Points the AWS SDK clients the handlers share (functions/shared/clients.ts) at the simulated account
 * while a local run runs (aws-sdk-client-mock); each simulated service answers its own client's calls.
 * Returns what restores the real clients.
 */
export function mockAwsClients(world: World, stepFunctions: SimulatedStepFunctions): { restore: () => void }[] {
  return [
    world.ecs.mock(ecs as ECSClient),
    mockDynamoDb(dynamodb as DynamoDBClient, world),
    stepFunctions.mock(sfn as SFNClient),
    world.autoscaling.mock(autoscaling as ApplicationAutoScalingClient),
    world.eventBus.mock(eventbridge as EventBridgeClient),
    world.ssm.mock(ssm as SSMClient),
    world.scheduler.mock(scheduler as SchedulerClient),
  ];
}
