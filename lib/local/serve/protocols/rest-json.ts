import { WireError } from '../errors';
import type { WireResponse } from './response';
import { toWireJson } from './wire-values';

/**
 * Smithy's restJson1 protocol (Lambda): the operation is the HTTP method and path
 * (`GET /2015-03-31/functions/{FunctionName}/configuration`), labels in the path, the payload in the
 * body; errors with the code in `x-amzn-ErrorType` and `{"Type": "User", "message": ...}` in the body.
 */

/** A route: method, a path pattern with `{Label}`s, and the operation it names. */
export interface RestRoute {
  readonly method: string;
  readonly path: string;
  readonly operation: string;
}

/** The operation a request names, with its path labels (decoded), or undefined. */
export function matchRoute(routes: readonly RestRoute[], method: string, path: string): { operation: string; labels: Record<string, string> } | undefined {
  const parts = path.split('/');
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== parts.length) continue;
    const labels: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const m = /^\{(\w+)\}$/.exec(pattern[i]);
      if (m) labels[m[1]] = decodeURIComponent(parts[i]);
      else ok = pattern[i] === parts[i];
    }
    if (ok) return { operation: route.operation, labels };
  }
  return undefined;
}

/** A successful answer: a JSON document (or the raw payload an operation returns as a Buffer) and its headers. */
export function restJsonResponse(output: unknown, status = 200, headers: Record<string, string> = {}): WireResponse {
  if (Buffer.isBuffer(output)) return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: output };
  return { status, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(toWireJson(output ?? {})) };
}

/** An error answer, as Lambda writes it. */
export function restJsonErrorResponse(error: WireError): WireResponse {
  return { status: error.status, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': error.code }, body: JSON.stringify({ Type: error.fault === 'Sender' ? 'User' : 'Service', message: error.message }) };
}
