/**
 * The AWS clients of one app: built with that app's credentials only, so nothing the page fetches for an
 * app can use another app's role. Step Functions is not among them: it answers no CORS request, so a
 * browser cannot call it; runs are read from the app's records (./data.ts).
 */
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
  readonly ssm: SSMClient;
  /** How the other clients of the app are built (pages loaded later build theirs: ./aws-more.ts). */
  readonly settings: { readonly config: DashboardConfig; readonly credentials: () => Promise<Credentials> };
}

/** The clients of an app, with its credentials provider. */
export function appClients(config: DashboardConfig, credentials: () => Promise<Credentials>): AppClients {
  const base = (signingName: string) => clientSettings(config, credentials, signingName);
  return {
    dynamodb: new DynamoDBClient(base('dynamodb')),
    ecs: new ECSClient(base('ecs')),
    ssm: new SSMClient(base('ssm')),
    settings: { config, credentials },
  };
}

/** A client's settings: the region, the app's credentials, the endpoint of a local account. */
export function clientSettings(config: DashboardConfig, credentials: () => Promise<Credentials>, signingName: string) {
  return { region: config.region, credentials, endpoint: serviceEndpoint(config, signingName), maxAttempts: 3 };
}
