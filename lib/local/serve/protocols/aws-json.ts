import type { IncomingHttpHeaders } from 'node:http';
import { WireError } from '../errors';
import type { ServiceModel } from '../model';
import type { WireResponse } from './response';
import { toWireJson } from './wire-values';

/**
 * Smithy's awsJson1_0 and awsJson1_1 protocols (Step Functions, DynamoDB, CloudWatch: 1.0; SSM,
 * CloudWatch Logs, ECS, EventBridge, Application Auto Scaling, CodeBuild: 1.1): a POST to `/` with
 * `X-Amz-Target: <prefix>.<Operation>` and a JSON body; errors as `{"__type": "<namespace>#<Code>",
 * "message": ...}` with the code also in `x-amzn-ErrorType` (which browsers may read).
 */

/** The content type of a protocol version. */
export function jsonContentType(service: Pick<ServiceModel, 'protocol'>): string {
  return service.protocol === 'awsJson1_0' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
}

/** The X-Amz-Target of a request: `AWSStepFunctions.StartExecution` -> prefix and operation. */
export function parseTarget(headers: IncomingHttpHeaders): { prefix: string; operation: string } | undefined {
  const target = headers['x-amz-target'];
  if (typeof target !== 'string') return undefined;
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) return { prefix: target, operation: '' };
  return { prefix: target.slice(0, dot), operation: target.slice(dot + 1) };
}

/**
 * The request body as the operation's input: `{}` for an empty body, else a JSON object. A body that
 * is not JSON is a SerializationException, as AWS answers it.
 */
export function parseJsonInput(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new WireError('SerializationException', 'The request body is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new WireError('SerializationException', 'The request body must be a JSON object (the operation input structure)');
  return parsed as Record<string, unknown>;
}

/** A successful answer: the output structure as JSON. */
export function jsonResponse(service: ServiceModel, output: unknown): WireResponse {
  return { status: 200, headers: { 'Content-Type': jsonContentType(service) }, body: JSON.stringify(toWireJson(output ?? {})) };
}

/**
 * An error answer. The `__type` carries the service's namespace, the code alone is in
 * `x-amzn-ErrorType`; a query-compatible service (CloudWatch) also sends `x-amzn-query-error:
 * <Code>;<Sender|Receiver>`, from which the SDK takes the awsQuery code.
 */
export function jsonErrorResponse(service: ServiceModel | undefined, error: WireError): WireResponse {
  const namespace = service?.errorNamespace ?? 'com.amazon.coral.service';
  const coral = ['UnknownOperationException', 'SerializationException', 'MissingAuthenticationTokenException', 'InternalFailure', 'NotImplemented'].includes(error.code);
  const headers: Record<string, string> = { 'Content-Type': service ? jsonContentType(service) : 'application/x-amz-json-1.0', 'x-amzn-ErrorType': error.code };
  if (service?.queryCompatible) headers['x-amzn-query-error'] = `${error.code};${error.fault}`;
  return { status: error.status, headers, body: JSON.stringify({ __type: `${coral ? 'com.amazon.coral.service' : namespace}#${error.code}`, message: error.message }) };
}
