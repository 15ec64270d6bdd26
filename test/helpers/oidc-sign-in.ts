import { createHash, createHmac, randomBytes } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import type { LocalEndpoint } from '../../lib/local/serve/server';
import { peopleSessionName } from '../../domain';

function toBuffer(d: string | ArrayBuffer | ArrayBufferView): Buffer {
  if (typeof d === 'string') return Buffer.from(d);
  if (ArrayBuffer.isView(d)) return Buffer.from(d.buffer, d.byteOffset, d.byteLength);
  return Buffer.from(d);
}

/** SHA-256 (and HMAC-SHA-256 with a secret) as @smithy/signature-v4 takes it, from node:crypto. */
export class NodeSha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(toBuffer(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

/** Temporary credentials as the SDK takes them. */
export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration?: Date;
}

/**
 * Signs in at the endpoint's local issuer as `person` the way a browser or `slipway login` does: the
 * authorization code flow with PKCE (login_hint picks the person), then the token exchange. Returns the ID token.
 */
export async function signInAs(endpoint: LocalEndpoint, person: string, redirectUri = 'http://127.0.0.1:9/callback'): Promise<string> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const discovery = (await (await fetch(`${endpoint.url}/oidc/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string; token_endpoint: string };
  const authorize = new URL(discovery.authorization_endpoint);
  for (const [k, v] of Object.entries({ response_type: 'code', client_id: 'slipway-dashboard', redirect_uri: redirectUri, scope: 'openid profile email', state: 's1', code_challenge: challenge, code_challenge_method: 'S256', login_hint: person })) authorize.searchParams.set(k, v);
  const res = await fetch(authorize, { redirect: 'manual' });
  const location = new URL(res.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`sign-in as ${person} failed: ${location.searchParams.get('error')}: ${location.searchParams.get('error_description')}`);
  const token = await fetch(discovery.token_endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: 'slipway-dashboard', code_verifier: verifier }) });
  const body = (await token.json()) as { id_token?: string; error?: string };
  if (!body.id_token) throw new Error(`token exchange failed: ${body.error}`);
  return body.id_token;
}

/** AssumeRoleWithWebIdentity of the people role for `app` (unsigned, as the SDK sends it). */
export async function assumeForApp(endpoint: LocalEndpoint, idToken: string, app: string, sessionName = peopleSessionName(app)): Promise<SessionCredentials> {
  const sts = new STSClient({ endpoint: endpoint.url, region: endpoint.account.run.world.spec.region, maxAttempts: 1 });
  const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: endpoint.people.roleArn, RoleSessionName: sessionName, WebIdentityToken: idToken }));
  const c = out.Credentials;
  if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('no credentials');
  return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
}

/** POSTs JSON to a function URL signed with SigV4 (service `lambda`), as the dashboard does. */
export async function signedPost(url: string, body: unknown, credentials: SessionCredentials | { accessKeyId: string; secretAccessKey: string }, region: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const u = new URL(url);
  const text = JSON.stringify(body);
  const signer = new SignatureV4({ service: 'lambda', region, credentials, sha256: NodeSha256 });
  const signed = await signer.sign({ method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: u.pathname, headers: { host: u.host, 'content-type': 'application/json' }, body: text });
  const res = await fetch(url, { method: 'POST', headers: signed.headers as Record<string, string>, body: text });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}
