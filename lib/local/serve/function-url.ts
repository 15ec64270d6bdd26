import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import type { IncomingMessage } from 'node:http';
import { runAction } from '../../../functions/dashboard-actions/actions';
import type { OpsClients } from '../../ops/aws';
import type { WireResponse } from './protocols/response';
import type { PeopleAccess } from './people-access';
import { WireError } from './errors';

/**
 * The dashboard actions function's URL at `slipway local serve`: `POST /lambda-url/dashboard-actions/`.
 * As a function URL with `AuthType: AWS_IAM` (Lambda Developer Guide, "Control access to Lambda function
 * URLs"): an unsigned request is refused 403 `{"Message":"Forbidden"}`; a signed one reaches the real
 * handler (functions/dashboard-actions/actions.ts) with the request payload Lambda sends (version 2.0:
 * rawPath, headers, body, requestContext.http, requestContext.authorizer.iam with the caller's ARN).
 * The function's own AWS calls go to this endpoint, as the function's role's would go to AWS (with
 * dummy credentials: the function's role is not a person's, and its policy is proven by the IAM
 * evaluator). Browsers get CORS answers as a function URL configured with `Cors: AllowOrigins *,
 * AllowMethods POST, AllowHeaders authorization, content-type, x-amz-date, x-amz-security-token,
 * x-amz-content-sha256` gives them (the account stack configures it so).
 */

/** The path of the actions function's URL. */
export const ACTIONS_PATH = '/lambda-url/dashboard-actions/';

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'authorization,content-type,x-amz-date,x-amz-security-token,x-amz-content-sha256',
  'Access-Control-Max-Age': '600',
};

/** The function URL's CORS preflight. */
export function actionsPreflight(): WireResponse {
  return { status: 200, headers: { ...CORS, 'Content-Length': '0' }, body: '' };
}

/** The clients the function uses: this endpoint, dummy credentials, the account's region. */
export function endpointClients(endpointUrl: string, region: string): OpsClients {
  const config = { endpoint: endpointUrl, region, credentials: { accessKeyId: 'dashboard-actions', secretAccessKey: 'dashboard-actions' }, maxAttempts: 3 };
  return { sfn: new SFNClient(config), dynamodb: new DynamoDBClient(config), ssm: new SSMClient(config), sts: new STSClient(config) };
}

/** Answers a call of the actions function's URL. */
export async function invokeActions(req: IncomingMessage, body: string, people: PeopleAccess, clients: OpsClients, requestId: string): Promise<WireResponse> {
  const cors: Record<string, string> = req.headers.origin ? { 'Access-Control-Allow-Origin': '*' } : {};
  const forbidden: WireResponse = { status: 403, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'AccessDeniedException', ...cors }, body: JSON.stringify({ Message: 'Forbidden' }) };
  const auth = req.headers.authorization;
  if (typeof auth !== 'string' || !auth.trim().startsWith('AWS4-')) return forbidden;
  if (!/Credential=[^/,\s]+\/\d{8}\/[^/]+\/lambda\/aws4_request/.test(auth)) return forbidden;
  let callerArn: string;
  try {
    const session = people.sessionOf(req);
    callerArn = session ? session.arn : `arn:aws:iam::${people.accountId}:user/slipway-local`;
  } catch (e) {
    const w = e as WireError;
    return { status: 403, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': w.code, ...cors }, body: JSON.stringify({ Message: w.message }) };
  }
  const now = new Date();
  const event = {
    version: '2.0',
    rawPath: ACTIONS_PATH,
    rawQueryString: '',
    headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : String(v ?? '')])),
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: people.accountId,
      apiId: 'dashboard-actions',
      domainName: String(req.headers.host ?? ''),
      http: { method: req.method ?? 'POST', path: ACTIONS_PATH, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: String(req.headers['user-agent'] ?? '') },
      requestId,
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
      authorizer: { iam: { accessKey: 'ASIA', accountId: people.accountId, callerId: callerArn.split('/').slice(-2).join(':'), userArn: callerArn, userId: callerArn.split('/').pop() } },
    },
  };
  const answer = await runAction(event, clients, people.prefix);
  return { status: answer.statusCode, headers: { 'Content-Type': 'application/json', ...cors }, body: JSON.stringify(answer.body) };
}
