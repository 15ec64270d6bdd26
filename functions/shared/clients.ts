import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * AWS SDK clients, built once per Lambda container (module scope) and shared by the handlers. Tests and
 * the local runner swap their `send` with aws-sdk-client-mock; nothing here knows about either.
 */
export const ecs = new ECSClient({});
export const dynamodb = new DynamoDBClient({});
export const sfn = new SFNClient({});
export const autoscaling = new ApplicationAutoScalingClient({});
export const ssm = new SSMClient({});
export const scheduler = new SchedulerClient({});
