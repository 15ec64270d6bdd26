import { APP_NAME } from './names';

/**
 * Sign-in and per-app access for people (the dashboard and `slipway login`), one owner for the facts the
 * account stack, the actions function, `slipway local serve`, the CLI and the browser share. The design
 * (docs/dashboard.md): one role for every person, `<prefix>-people`, trusted by the organisation's
 * OpenID Connect provider; the apps a person may use come from the provider as session tags in the ID
 * token (`https://aws.amazon.com/tags` → `principal_tags`, IAM User Guide, "Pass session tags in AWS
 * STS", "Passing session tags using AssumeRoleWithWebIdentity"), one app per tag key
 * `slipway-app-1` … `slipway-app-N`; the role's policies name each app's resources through
 * `${aws:PrincipalTag/slipway-app-K}`, so no role or policy is added per app (the account keeps its
 * 1,000-role default quota for the apps' own roles). A session is for one app: its RoleSessionName is
 * `app-<app>`, which the trust policy allows only when the token tags that app, so the actions function
 * (which sees only the caller's assumed-role ARN) knows the app from the ARN alone.
 */

/** How many apps one person can be given (tag keys `slipway-app-1` … `slipway-app-5`). */
export const PEOPLE_APP_SLOTS = 5;

/** The session tag keys that name a person's apps, in slot order. */
export const PEOPLE_APP_TAG_KEYS: readonly string[] = Array.from({ length: PEOPLE_APP_SLOTS }, (_, i) => `slipway-app-${i + 1}`);

/** The ID token claim under which an OpenID Connect provider passes session tags to STS. */
export const SESSION_TAGS_CLAIM = 'https://aws.amazon.com/tags';

/** The role every person assumes: `<prefix>-people`. */
export function peopleRoleName(prefix: string): string {
  return `${prefix}-people`;
}

/** The actions function (redrive, rollback, deploy from the dashboard): `<prefix>-dashboard-actions`. */
export function dashboardActionsFunctionName(prefix: string): string {
  return `${prefix}-dashboard-actions`;
}

/** Prefix of a person's session name for one app. */
export const SESSION_NAME_PREFIX = 'app-';

/** The RoleSessionName of a person's session for `app`: `app-<app>` (2 to 64 characters of `[\w+=,.@-]`, STS API Reference). */
export function peopleSessionName(app: string): string {
  return `${SESSION_NAME_PREFIX}${app}`;
}

/**
 * The app of an assumed-role ARN of the people role (`arn:<partition>:sts::<account>:assumed-role/<prefix>-people/app-<app>`),
 * or undefined when the ARN is not a session of that role for an app.
 */
export function appOfPeopleSession(assumedRoleArn: string, prefix: string): string | undefined {
  const m = /^arn:[a-z-]+:sts::\d{12}:assumed-role\/([^/]+)\/([^/]+)$/.exec(assumedRoleArn);
  if (!m || m[1] !== peopleRoleName(prefix) || !m[2].startsWith(SESSION_NAME_PREFIX)) return undefined;
  const app = m[2].slice(SESSION_NAME_PREFIX.length);
  return APP_NAME.test(app) ? app : undefined;
}

/** The session tags of an ID token's claims (`https://aws.amazon.com/tags` → `principal_tags`: each value a one-element list). */
export function sessionTagsOf(claims: Record<string, unknown>): Record<string, string> {
  const tags = claims[SESSION_TAGS_CLAIM];
  const principal = tags && typeof tags === 'object' && !Array.isArray(tags) ? (tags as Record<string, unknown>).principal_tags : undefined;
  if (!principal || typeof principal !== 'object' || Array.isArray(principal)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(principal as Record<string, unknown>)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string') out[k] = value;
  }
  return out;
}

/** The apps session tags give a person (the values of the slot keys that are app names), in slot order. */
export function appsOfSessionTags(tags: Readonly<Record<string, string>>): string[] {
  return PEOPLE_APP_TAG_KEYS.map((k) => tags[k]).filter((v): v is string => typeof v === 'string' && APP_NAME.test(v));
}

/** The `https://aws.amazon.com/tags` claim an identity provider puts in the ID token of a person of `apps`. */
export function sessionTagsClaim(apps: readonly string[]): { principal_tags: Record<string, string[]> } {
  if (apps.length > PEOPLE_APP_SLOTS) throw new RangeError(`a person can be given at most ${PEOPLE_APP_SLOTS} apps (got ${apps.length})`);
  return { principal_tags: Object.fromEntries(apps.map((app, i) => [PEOPLE_APP_TAG_KEYS[i], [app]])) };
}

/** What the dashboard reads from `config.json` beside its index.html (written by the account stack; `slipway local serve` serves one). */
export interface DashboardConfig {
  readonly region: string;
  readonly prefix: string;
  /** Local only: the `slipway local serve` endpoint every AWS call goes to (`http://<signing name>.localhost:<port>` from a page). */
  readonly endpoint?: string;
  readonly signIn: {
    /** The OpenID Connect issuer (its `/.well-known/openid-configuration`). */
    readonly issuer: string;
    readonly clientId: string;
    readonly scopes: readonly string[];
  };
  /** The role every person assumes with AssumeRoleWithWebIdentity, once per app, RoleSessionName `app-<app>`. */
  readonly roleArn: string;
  /** Where the ID token names the person's apps: `claim` → `principal_tags` → each of `tagKeys`. */
  readonly appTags: { readonly claim: string; readonly tagKeys: readonly string[] };
  /** The actions function's URL (POST, SigV4 service `lambda`, with the app's session). */
  readonly actionsUrl: string;
}

/** Actions the dashboard sends to the actions function. */
export const DASHBOARD_ACTIONS = ['redrive', 'rollback', 'deploy'] as const;
export type DashboardAction = (typeof DASHBOARD_ACTIONS)[number];

/**
 * How the dashboard's files are cached, the same from S3 through CloudFront (lib/constructs/dashboard-site.ts)
 * as from `slipway local serve` (lib/local/serve/dashboard-files.ts): the content-hashed files under
 * `assets/` never change under their name (a year, `immutable`: RFC 8246); index.html names the current
 * assets and is revalidated; config.json is never stored (a stale one after a stack update breaks sign-in).
 */
export const DASHBOARD_CACHE_CONTROL = { assets: 'public, max-age=31536000, immutable', page: 'no-cache', config: 'no-store' } as const;
