/**
 * The AWS clients of one app: built with that app's credentials only, so nothing the page fetches for an
 * app can use another app's role. Step Functions is not among them: it answers no CORS request, so a
 * browser cannot call it; runs are read from the app's records (./data.ts).
 */
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { AwsCredentialIdentity } from '@smithy/types';
import { serviceEndpoint, type DashboardConfig } from './config';

/** Short-lived credentials of one app's session. */
export type Credentials = AwsCredentialIdentity;

export interface AppClients {
  readonly dynamodb: DynamoDBClient;
  readonly ecs: ECSClient;
  readonly logs: CloudWatchLogsClient;
  readonly ssm: SSMClient;
  readonly autoscaling: ApplicationAutoScalingClient;
}

/** The clients of an app, with its credentials provider. */
export function appClients(config: DashboardConfig, credentials: () => Promise<Credentials>): AppClients {
  const base = (signingName: string) => ({ region: config.region, credentials, endpoint: serviceEndpoint(config, signingName), maxAttempts: 3 });
  return {
    dynamodb: new DynamoDBClient(base('dynamodb')),
    ecs: new ECSClient(base('ecs')),
    logs: new CloudWatchLogsClient(base('logs')),
    ssm: new SSMClient(base('ssm')),
    autoscaling: new ApplicationAutoScalingClient(base('application-autoscaling')),
  };
}
