import type { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { Construct } from 'constructs';
import { TTL_ATTRIBUTE } from '../../domain';

/**
 * A table of Slipway's pipelines, keyed `pk`/`sk` (strings), on demand, with point-in-time recovery and
 * AWS-managed encryption: the control plane's table (waiters) and each app's table (builds, releases,
 * claims). Waiter items (functions/shared/waiters.ts) carry `expiresAt` (epoch seconds) and DynamoDB deletes
 * them after it, in either table (apps' tables hold those of earlier versions).
 */
export function pipelineTable(scope: Construct, id: string, removalPolicy: RemovalPolicy): dynamodb.Table {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    encryption: dynamodb.TableEncryption.AWS_MANAGED,
    removalPolicy,
    timeToLiveAttribute: TTL_ATTRIBUTE,
  });
}
