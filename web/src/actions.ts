/**
 * Actions (redrive, rollback, deploy) go through the actions function's URL, which checks the caller's
 * app (docs/dashboard.md): `POST <actionsUrl>` signed with SigV4 for the service `lambda` with the app's
 * credentials (a function URL with AWS_IAM auth: Lambda Developer Guide, "Control access to Lambda
 * function URLs"). The page sends `dryRun` first and shows the plan before the person confirms.
 */
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from './aws';

import type { ActionRequest } from './commands';

export type { ActionRequest };

/** The function's answer: what it will do (dry run) or did. */
export interface ActionResult {
  readonly started?: string;
  readonly plan: unknown;
}

/** The function refused the action (4xx `{ error, message }`) or could not be reached. */
export class ActionError extends Error {
  public override readonly name = 'ActionError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function bytes(data: string | ArrayBuffer | ArrayBufferView): Uint8Array {
  if (typeof data === 'string') return new TextEncoder().encode(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** SHA-256 with the browser's SubtleCrypto, in the shape the SigV4 signer takes. */
class WebSha256 {
  private chunks: Uint8Array[] = [];
  constructor(private readonly secret?: string | ArrayBuffer | ArrayBufferView) {}
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.chunks.push(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    const size = this.chunks.reduce((n, c) => n + c.length, 0);
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of this.chunks) {
      all.set(c, at);
      at += c.length;
    }
    if (this.secret === undefined) return new Uint8Array(await crypto.subtle.digest('SHA-256', all));
    const k = await crypto.subtle.importKey('raw', bytes(this.secret) as BufferSource, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    return new Uint8Array(await crypto.subtle.sign('HMAC', k, all));
  }
  reset(): void {
    this.chunks = [];
  }
}

/** Sends an action, signed with the app's credentials. */
export async function sendAction(actionsUrl: string, region: string, credentials: () => Promise<Credentials>, request: ActionRequest): Promise<ActionResult> {
  const url = new URL(actionsUrl);
  const body = JSON.stringify(request);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: WebSha256 });
  const signed = await signer.sign({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname || '/',
    query: Object.fromEntries(url.searchParams),
    headers: { host: url.host, 'content-type': 'application/json' },
    body,
  });
  const headers = { ...signed.headers };
  delete headers.host;
  let res: Response;
  try {
    res = await fetch(actionsUrl, { method: 'POST', headers, body });
  } catch (e) {
    throw new ActionError('Unreachable', `the actions function did not answer (${(e as Error).message})`);
  }
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new ActionError(String(out.error ?? out.Message ?? `HTTP ${res.status}`), String(out.message ?? out.Message ?? `the actions function answered HTTP ${res.status}`));
  return { plan: out.plan, ...(typeof out.started === 'string' ? { started: out.started } : {}) };
}

