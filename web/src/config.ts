/**
 * The dashboard's configuration, `config.json` beside index.html: the account stack writes it on AWS,
 * `slipway local serve` answers it locally (docs/dashboard.md). Read once at start; anything malformed is
 * a {@link ConfigError} the page shows instead of a blank screen.
 */

/** How people sign in: OpenID Connect authorization code with PKCE against `issuer`. */
export interface SignInConfig {
  readonly issuer: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export interface DashboardConfig {
  readonly region: string;
  /** The deployment's prefix (config `prefix`): parameters under `/<prefix>/apps/<app>/`. */
  readonly prefix: string;
  /** A local endpoint (`http://127.0.0.1:<port>`, `slipway local serve` only): each service at `http://<signing name>.localhost:<port>`. */
  readonly endpoint?: string;
  /** Absent: no sign-in (the local endpoint's dummy credentials). */
  readonly signIn?: SignInConfig;
  /** The role every person assumes, once per app (RoleSessionName `app-<app>`), with AssumeRoleWithWebIdentity. */
  readonly roleArn?: string;
  /** Where the ID token names the person's apps: `claim` → `principal_tags` → each of `tagKeys` (docs/dashboard.md). */
  readonly appTags?: { readonly claim: string; readonly tagKeys: readonly string[] };
  /** The actions function's URL (redrive, rollback, deploy); absent: the page shows the CLI command instead. */
  readonly actionsUrl?: string;
}

/** config.json is missing or malformed. */
export class ConfigError extends Error {
  public override readonly name = 'ConfigError';
}

const isString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

function httpUrl(v: unknown, key: string, keepSlash = false): string {
  if (!isString(v)) throw new ConfigError(`config.json: "${key}" must be a URL`);
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new ConfigError(`config.json: "${key}" is not a URL: ${v.slice(0, 80)}`);
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost' || u.hostname.endsWith('.localhost')))) {
    throw new ConfigError(`config.json: "${key}" must be an https:// URL (http:// only for this machine), got ${v.slice(0, 80)}`);
  }
  return keepSlash ? v : v.replace(/\/+$/, '');
}

/** Checks a parsed config.json. */
export function parseConfig(raw: unknown): DashboardConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError('config.json must hold a JSON object');
  const c = raw as Record<string, unknown>;
  if (!isString(c.region) || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(c.region)) throw new ConfigError(`config.json: "region" must be an AWS region such as us-east-1`);
  if (!isString(c.prefix) || !/^[a-z][a-z0-9-]{0,39}$/.test(c.prefix)) throw new ConfigError('config.json: "prefix" must be the deployment\'s prefix (lowercase letters, digits, hyphens)');
  let signIn: SignInConfig | undefined;
  if (c.signIn !== undefined) {
    const s = c.signIn as Record<string, unknown>;
    if (s === null || typeof s !== 'object') throw new ConfigError('config.json: "signIn" must be an object with issuer, clientId and scopes');
    if (!isString(s.clientId)) throw new ConfigError('config.json: "signIn.clientId" must be a string');
    const scopes = s.scopes ?? ['openid'];
    if (!Array.isArray(scopes) || !scopes.every(isString) || !scopes.includes('openid')) throw new ConfigError('config.json: "signIn.scopes" must be a list of scopes that includes "openid"');
    signIn = { issuer: httpUrl(s.issuer, 'signIn.issuer'), clientId: s.clientId, scopes };
  }
  let roleArn: string | undefined;
  let appTags: DashboardConfig['appTags'];
  if (signIn) {
    if (!isString(c.roleArn) || !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(c.roleArn)) throw new ConfigError('config.json: "roleArn" must be the IAM role ARN people assume');
    roleArn = c.roleArn;
    const t = c.appTags as Record<string, unknown> | undefined;
    if (!t || typeof t !== 'object' || !isString(t.claim) || !Array.isArray(t.tagKeys) || !t.tagKeys.every(isString)) throw new ConfigError('config.json: "appTags" must name the ID token claim and the session tag keys of a person\'s apps');
    appTags = { claim: t.claim, tagKeys: t.tagKeys };
  }
  return {
    region: c.region,
    prefix: c.prefix,
    ...(c.endpoint !== undefined ? { endpoint: httpUrl(c.endpoint, 'endpoint') } : {}),
    ...(signIn ? { signIn } : {}),
    ...(roleArn ? { roleArn } : {}),
    ...(appTags ? { appTags } : {}),
    ...(c.actionsUrl !== undefined ? { actionsUrl: httpUrl(c.actionsUrl, 'actionsUrl', true) } : {}),
  };
}

/** Fetches and checks config.json beside the page. */
export async function loadConfig(url = 'config.json'): Promise<DashboardConfig> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ConfigError(`config.json could not be fetched (${(e as Error).message})`);
  }
  if (!res.ok) throw new ConfigError(`config.json could not be fetched (HTTP ${res.status}): the account stack writes it beside index.html`);
  let raw: unknown;
  try {
    raw = await res.json();
  } catch {
    throw new ConfigError('config.json is not JSON');
  }
  return parseConfig(raw);
}

/** The URL a browser reaches a service at: AWS's regional endpoint, or `http://<signing name>.localhost:<port>` of a local endpoint. */
export function serviceEndpoint(config: DashboardConfig, signingName: string): string | undefined {
  if (!config.endpoint) return undefined;
  const u = new URL(config.endpoint);
  return `${u.protocol}//${signingName}.localhost:${u.port}`;
}
