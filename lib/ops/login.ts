import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AssumeRoleWithWebIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { APP_NAME } from '../../domain/names';
import { appsOfSessionTags, peopleSessionName, sessionTagsOf, type DashboardConfig } from '../../domain/dashboard';
import { commandApp } from './command-app';
import { UsageError } from './usage-error';
import { AwsError } from './aws-errors';

/**
 * `slipway login`: a person signs in with the organisation's OpenID Connect provider in the browser
 * (authorization code flow with PKCE, RFC 7636, redirected to a loopback address, RFC 8252 §7.3), and
 * trades the ID token for one session of the people role per app the token tags (STS
 * AssumeRoleWithWebIdentity, RoleSessionName `app-<app>`; docs/dashboard.md). The sessions are cached
 * in ~/.slipway/credentials.json (mode 0600) with their expiry, and later commands use the session of
 * the app they name when no AWS credentials or profile are set (lib/ops/aws-clients.ts). What to sign in
 * to is the dashboard's config.json (issuer, client id, role, region), read from the dashboard's URL.
 */

/** The cache of `slipway login`'s sessions. */
export interface LoginCache {
  readonly dashboard: string;
  readonly issuer: string;
  readonly region: string;
  /** Local only: the endpoint of `slipway local serve`. */
  readonly endpoint?: string;
  readonly subject: string;
  readonly sessions: Readonly<Record<string, { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string }>>;
}

/** Login failed in a way a person can act on. */
export class LoginFailed extends Error {
  override readonly name = 'LoginFailed';
}

/** `~/.slipway` (the folder of the login cache; `SLIPWAY_HOME` names another). */
export function slipwayHome(): string {
  return process.env.SLIPWAY_HOME || join(homedir(), '.slipway');
}

/** `~/.slipway/credentials.json` */
export function loginCacheFile(): string {
  return join(slipwayHome(), 'credentials.json');
}

/** Reads the dashboard's config.json from its URL (the CloudFront URL, or `slipway local serve`'s endpoint). */
export async function readDashboardConfig(dashboard: string): Promise<DashboardConfig> {
  let url: URL;
  try {
    url = new URL(dashboard.endsWith('.json') ? dashboard : `${dashboard.replace(/\/$/, '')}/config.json`);
  } catch {
    throw new UsageError(`"${dashboard}" is not a URL: give the dashboard's URL (the account stack's DashboardUrl output)`);
  }
  const res = await fetch(url).catch((e: Error) => {
    throw new LoginFailed(`cannot read ${url}: ${e.message}`);
  });
  if (!res.ok) throw new LoginFailed(`${url} answered ${res.status}: is this the dashboard's URL (the account stack's DashboardUrl output)?`);
  const c = (await res.json().catch(() => undefined)) as DashboardConfig | undefined;
  if (!c?.signIn?.issuer || !c.signIn.clientId || !c.roleArn || !c.region) throw new LoginFailed(`${url} is not a Slipway dashboard config (no signIn, roleArn or region)`);
  return c;
}

/** What {@link login} needs from the outside world: how to show the person the sign-in URL. */
export interface LoginOptions {
  /** Shows (or opens) the URL the person signs in at; the login waits for the provider to redirect back. */
  readonly openUrl: (url: string) => void | Promise<void>;
  /** How long to wait for the sign-in (ms). @default 300000 */
  readonly timeoutMs?: number;
  readonly now?: () => Date;
}

/** Signs in and caches one session per app. Returns the cache written. */
export async function login(dashboard: string, options: LoginOptions): Promise<LoginCache> {
  const config = await readDashboardConfig(dashboard);
  const discovery = (await (await fetch(`${config.signIn.issuer}/.well-known/openid-configuration`)).json().catch(() => ({}))) as { authorization_endpoint?: string; token_endpoint?: string };
  if (!discovery.authorization_endpoint || !discovery.token_endpoint) throw new LoginFailed(`${config.signIn.issuer} has no OpenID Connect discovery document`);
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const { server, redirectUri, code } = await loopback(state, options.timeoutMs ?? 300_000);
  let idToken: string;
  try {
    const authorize = new URL(discovery.authorization_endpoint);
    const params = { response_type: 'code', client_id: config.signIn.clientId, redirect_uri: redirectUri, scope: config.signIn.scopes.join(' '), state, code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' };
    for (const [k, v] of Object.entries(params)) authorize.searchParams.set(k, v);
    await options.openUrl(authorize.toString());
    const got = await code;
    const res = await fetch(discovery.token_endpoint, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ grant_type: 'authorization_code', code: got, redirect_uri: redirectUri, client_id: config.signIn.clientId, code_verifier: verifier }) });
    const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string; error_description?: string };
    if (!body.id_token) throw new LoginFailed(`the provider refused the code: ${body.error ?? res.status} ${body.error_description ?? ''}`.trim());
    idToken = body.id_token;
  } finally {
    server.close();
  }
  const claims = JSON.parse(Buffer.from(idToken.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as Record<string, unknown>;
  const apps = appsOfSessionTags(sessionTagsOf(claims));
  if (apps.length === 0) throw new LoginFailed(`signed in as ${String(claims.sub)}, but the ID token names no app (session tags ${config.appTags.tagKeys.join(', ')} under ${config.appTags.claim}): ask whoever runs the identity provider to give you your apps`);
  const sts = new STSClient({ region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}), maxAttempts: 3 });
  const sessions: Record<string, LoginCache['sessions'][string]> = {};
  for (const app of apps) {
    const out = await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: config.roleArn, RoleSessionName: peopleSessionName(app), WebIdentityToken: idToken })).catch((e: Error) => {
      throw new AwsError('AccessDenied', `STS AssumeRoleWithWebIdentity for app ${app}: ${e.name}: ${e.message}`);
    });
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) throw new LoginFailed(`STS returned no credentials for app ${app}`);
    sessions[app] = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration.toISOString() };
  }
  const cache: LoginCache = { dashboard, issuer: config.signIn.issuer, region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}), subject: String(claims.sub ?? ''), sessions };
  writeLoginCache(cache);
  return cache;
}

/** Writes the cache readable by its owner only (0600, in a 0700 folder), replacing it whole. */
export function writeLoginCache(cache: LoginCache): void {
  const dir = slipwayHome();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${loginCacheFile()}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(cache, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, loginCacheFile());
}

/** The cache, or undefined when there is none (or it is unreadable). */
export function readLoginCache(): LoginCache | undefined {
  const file = loginCacheFile();
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LoginCache;
  } catch {
    return undefined;
  }
}

/** Whether the standard AWS credential sources are set (then `slipway login`'s sessions are not used). */
export function awsCredentialsConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI) return true;
  // A default profile in the shared files (the SDK's chain uses it without AWS_PROFILE).
  const files = [env.AWS_SHARED_CREDENTIALS_FILE || join(homedir(), '.aws', 'credentials'), env.AWS_CONFIG_FILE || join(homedir(), '.aws', 'config')];
  return files.some((f) => {
    try {
      return /^\s*\[(profile\s+)?default\]\s*$/m.test(readFileSync(f, 'utf8'));
    } catch {
      return false;
    }
  });
}

/**
 * The cached session for `app` (or the only one, when no app is named).
 * @throws AwsError NoCredentials / ExpiredToken naming `slipway login`.
 */
export function loginSession(cache: LoginCache, app: string | undefined, now = new Date()): { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date } {
  const apps = Object.keys(cache.sessions);
  // The command's first argument names an app (else it is an ARN or nothing: the only session, if one).
  const named = app !== undefined && APP_NAME.test(app);
  const name = named ? (cache.sessions[app] ? app : undefined) : apps.length === 1 ? apps[0] : undefined;
  if (!name) throw new AwsError('NoCredentials', `no AWS credentials: slipway login gave you ${apps.join(', ') || 'no app'}${app ? `, not ${app}` : ''}; name one of them, or use an AWS profile`);
  const s = cache.sessions[name];
  const expiration = new Date(s.expiration);
  if (expiration.getTime() <= now.getTime()) throw new AwsError('CredentialsRejected', `your slipway login session for ${name} expired at ${s.expiration}: run slipway login ${cache.dashboard} again`);
  return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration };
}

/** A loopback server that takes the provider's redirect: resolves with the code, once. */
function loopback(state: string, timeoutMs: number): Promise<{ server: Server; redirectUri: string; code: Promise<string> }> {
  return new Promise((resolveStart, rejectStart) => {
    let settle!: { resolve: (c: string) => void; reject: (e: Error) => void };
    const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
    code.catch(() => undefined);
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      const error = url.searchParams.get('error');
      const ok = !error && url.searchParams.get('state') === state && url.searchParams.get('code');
      res.writeHead(ok ? 200 : 400, { 'Content-Type': 'text/plain; charset=utf-8' }).end(ok ? 'Signed in: you can close this tab and go back to the terminal.\n' : `Sign-in failed: ${error ?? 'the answer does not match this login'}\n`);
      if (ok) settle.resolve(url.searchParams.get('code') as string);
      else settle.reject(new LoginFailed(`the provider answered ${error ?? 'a redirect that does not match this login (state)'}: ${url.searchParams.get('error_description') ?? ''}`.trim()));
    });
    const timer = setTimeout(() => settle.reject(new LoginFailed(`no sign-in within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    timer.unref();
    server.on('close', () => clearTimeout(timer));
    server.once('error', rejectStart);
    server.listen(0, '127.0.0.1', () => resolveStart({ server, redirectUri: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`, code }));
  });
}

/**
 * What a CLI client takes from `slipway login` when no AWS credentials or profile are set: a credentials
 * provider for the session of the command's app, the region, and (locally) the endpoint; nothing otherwise.
 */
export function loginClientSettings(env: NodeJS.ProcessEnv = process.env): { credentials?: () => Promise<ReturnType<typeof loginSession>>; region?: string; endpoint?: string } {
  if (awsCredentialsConfigured(env)) return {};
  const cache = readLoginCache();
  if (!cache) return {};
  return {
    credentials: async () => loginSession(cache, commandApp()),
    ...(env.AWS_REGION || env.AWS_DEFAULT_REGION ? {} : { region: cache.region }),
    ...(cache.endpoint && !env.AWS_ENDPOINT_URL ? { endpoint: cache.endpoint } : {}),
  };
}
