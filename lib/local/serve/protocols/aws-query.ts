import { WireError } from '../errors';
import type { ServiceModel } from '../model';
import type { WireResponse } from './response';
import { isDate } from './wire-values';

/**
 * Smithy's awsQuery protocol (STS): a form-encoded POST (`Action=GetCallerIdentity&Version=2011-06-15`),
 * answered with `<OperationResponse><OperationResult>...</OperationResult><ResponseMetadata>` in XML;
 * errors as `<ErrorResponse><Error><Type>Sender</Type><Code>...</Code><Message>...</Message></Error>`.
 */

/** The form body's parameters: Action, Version and the operation's members (flat `Member.N` names kept as they are). */
export function parseQueryInput(body: string): { action: string; version?: string; input: Record<string, unknown> } {
  const params = new URLSearchParams(body);
  const action = params.get('Action');
  if (!action) throw new WireError('MissingAction', 'Missing Action');
  const input: Record<string, unknown> = {};
  for (const [k, v] of params) if (k !== 'Action' && k !== 'Version') input[k] = v;
  return { action, version: params.get('Version') ?? undefined, input };
}

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

/** A value as awsQuery XML: structures as elements, lists as `<member>` elements, timestamps as ISO 8601. */
function toXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (isDate(value)) return value.toISOString();
  if (Array.isArray(value)) return value.map((v) => `<member>${toXml(v)}</member>`).join('');
  if (typeof value === 'object') return Object.entries(value).filter(([k, v]) => v !== undefined && k !== '$metadata').map(([k, v]) => `<${k}>${toXml(v)}</${k}>`).join('');
  return escapeXml(String(value));
}

/** A successful answer. */
export function queryResponse(service: ServiceModel, action: string, output: unknown, requestId: string): WireResponse {
  const body = `<${action}Response xmlns="${service.xmlNamespace}"><${action}Result>${toXml(output)}</${action}Result><ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  return { status: 200, headers: { 'Content-Type': 'text/xml' }, body };
}

/** An error answer. */
export function queryErrorResponse(service: ServiceModel | undefined, error: WireError, requestId: string): WireResponse {
  const ns = service?.xmlNamespace ? ` xmlns="${service.xmlNamespace}"` : '';
  const body = `<ErrorResponse${ns}><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  return { status: error.status, headers: { 'Content-Type': 'text/xml' }, body };
}
