import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { readStoredScale, scaleKey } from '../../domain/releases';
import { dynamoKey } from '../../domain/table';
import { dynamodb } from '../shared/aws/dynamodb';
import { awsCall } from '../shared/errors';
import type { CapacityRange } from './scaling';

/**
 * The task range `slipway scale` stored for a process type (pk SCALE, sk the process type, in the app's
 * table), or undefined when none is stored: every deploy, a config change's redeploy included, gives the
 * service that range instead of the config's, so a scale outlasts them.
 */
export async function storedScaleOf(table: string, process: string): Promise<CapacityRange | undefined> {
  const out = await awsCall(`DynamoDB GetItem SCALE/${process} on ${table}`, () => dynamodb.send(new GetItemCommand({ TableName: table, Key: dynamoKey(scaleKey(process)), ConsistentRead: true })));
  const stored = readStoredScale(out?.Item);
  return stored ? { min: stored.min, max: stored.max } : undefined;
}
