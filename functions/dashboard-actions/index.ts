import { STSClient } from '@aws-sdk/client-sts';
import type { OpsClients } from '../../lib/ops/aws';
import { dynamodb } from '../shared/aws/dynamodb';
import { sfn } from '../shared/aws/sfn';
import { ssm } from '../shared/aws/ssm';
import { getStringFromEnv } from '../shared/errors';
import { runAction, type FunctionUrlEvent } from './actions';

/** Environment variable with the deployment's prefix (the people role is `<prefix>-people`). */
export const PREFIX_ENV = 'SLIPWAY_PREFIX';

/** STS, for the account when a settings parameter's ARN does not say it (lib/ops locateApp). */
const sts = new STSClient({});

/** The clients lib/ops uses, built once per container. */
export const clients: OpsClients = { sfn, dynamodb, ssm, sts };

/** The function URL's answer (Lambda Developer Guide, "Invoking Lambda function URLs", response payload format). */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The dashboard's actions behind a function URL with IAM auth: `POST` `{action, app, build?, release?,
 * execution?, dryRun?}` → 200 `{started?, plan}` or 4xx `{error, message}` (./actions.ts).
 */
export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
  const answer = await runAction(event, clients, getStringFromEnv(PREFIX_ENV));
  return { statusCode: answer.statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(answer.body) };
}
