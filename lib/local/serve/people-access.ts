import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import {
  appOfParameter,
  appOfScopedName,
  appParameterPath,
  appsOfSessionTags,
  buildLogGroupName,
  configParameterPath,
  dashboardActionsFunctionName,
  peopleRoleName,
  peopleSessionName,
  PEOPLE_APP_TAG_KEYS,
  SESSION_TAGS_CLAIM,
  sessionTagsOf,
  type DashboardConfig,
} from '../../../domain';
import type { ServedAccount } from './account';
import { WireError } from './errors';
import type { ServiceModel } from './model';
import { LOCAL_CLIENT_ID, LocalOidcIssuer, OidcError, type LocalPerson } from './oidc-issuer';

/**
 * People's sign-in at `slipway local serve`: STS AssumeRoleWithWebIdentity of the people role with an
 * ID token of the local issuer, and the scope of the credentials it returns. AWS's behaviour, as the
 * STS API Reference documents AssumeRoleWithWebIdentity: the call is not signed ("Calling
 * AssumeRoleWithWebIdentity does not require the use of AWS security credentials"); the token's
 * signature, issuer, audience and expiry are checked (InvalidIdentityToken, ExpiredTokenException);
 * RoleSessionName is 2 to 64 characters of `[\w+=,.@-]` and DurationSeconds 900 to the role's maximum
 * session duration (ValidationError); the token's `https://aws.amazon.com/tags` claim becomes the
 * session's tags (IAM User Guide, "Passing session tags using AssumeRoleWithWebIdentity"); a role whose
 * trust policy does not allow the request is AccessDenied (403). The people role's trust policy
 * (lib/constructs/dashboard-access.ts) allows a session named `app-<app>` only for an app the token tags.
 *
 * Requests signed with such credentials are then limited to what the people role's policies grant
 * (lib/constructs/dashboard-access.ts): the dashboard's reads of the session's apps (their table, their
 * services, their log groups, their config parameters; scaling, which IAM cannot scope), and the actions
 * function's URL. Anything else is AccessDeniedException in AWS's wire format. The real guarantee is the
 * IAM policy, proven by evaluating the synthesized policy (test/lib/iam/dashboard-access.test.ts); serve
 * enforces the same scope so that the dashboard and `slipway login` meet refusals locally where AWS
 * would refuse. Requests signed with any other access key are answered as before (dummy credentials).
 */

/** Longest session the people role allows (its MaxSessionDuration, 1 hour: the CDK default, kept). */
export const PEOPLE_MAX_SESSION_SECONDS = 3600;

/** A session STS handed out. */
export interface PeopleSession {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
  /** `arn:aws:sts::<account>:assumed-role/<role>/<session name>` */
  readonly arn: string;
  readonly assumedRoleId: string;
  readonly subject: string;
  /** The apps the session's tags name (every app the person may use, as the policies see them). */
  readonly apps: readonly string[];
}

/** Options of the people's sign-in at serve. */
export interface PeopleOptions {
  /** The test people of the local issuer. @default one person per app of the world, `<app>-dev`, given that app */
  readonly people?: readonly LocalPerson[];
}

/** The IAM service prefix of a signing name, where they differ. */
const IAM_PREFIX: Readonly<Record<string, string>> = { monitoring: 'cloudwatch' };

/** What the people role grants on each service, by operation: the resources (names) of the request that must be the session's apps'. */
type Scope = (input: Record<string, unknown>, apps: AppResources) => string[] | 'any';

/** The resources of the session's apps, as serve checks a request's names against them. */
interface AppResources {
  readonly tables: Set<string>;
  readonly logGroups: Set<string>;
  readonly apps: readonly string[];
  readonly prefix: string;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : []);

/** A table the request names must be one of the apps' (DynamoDB authorizes on the table's slipway:app tag). */
const table: Scope = (input, r) => (r.tables.has(str(input.TableName)) ? [] : [`table/${str(input.TableName)}`]);
/** A log group (by name or ARN identifier). */
const logGroup: Scope = (input, r) => {
  const name = str(input.logGroupName) || str(input.logGroupIdentifier).replace(/^arn:[^:]+:logs:[^:]+:\d+:log-group:/, '').replace(/:\*$/, '');
  return r.logGroups.has(name) ? [] : [`log-group:${name}`];
};
/** Parameters under the app's config path, its settings and schedules parameters. */
const parameterOk = (name: string, r: AppResources) => {
  const app = appOfParameter(r.prefix, name);
  if (!app || !r.apps.includes(app)) return false;
  const base = appParameterPath(r.prefix, app);
  const config = configParameterPath(base);
  return name === config || name.startsWith(`${config}/`) || name === `${base}/settings` || name === `${base}/schedules`;
};
const parameters =
  (...members: string[]): Scope =>
  (input, r) =>
    members.flatMap((m) => (Array.isArray(input[m]) ? list(input[m]) : [str(input[m])])).filter((n) => !parameterOk(n, r)).map((n) => `parameter${n}`);
/** ECS services of the apps (`<app>--<process>`, by name or ARN). */
const services: Scope = (input, r) =>
  list(input.services)
    .map((s) => s.split('/').pop() ?? s)
    .filter((s) => !r.apps.includes(appOfScopedName(s) ?? ''))
    .map((s) => `service/${str(input.cluster)}/${s}`);

/** The people role's grants (lib/constructs/dashboard-access.ts), per signing name and operation. */
const GRANTS: Readonly<Record<string, Readonly<Record<string, Scope>>>> = {
  dynamodb: { GetItem: table, Query: table },
  // DescribeTaskDefinition has no resource-level permissions (Service Authorization Reference, Amazon ECS).
  ecs: { DescribeServices: services, DescribeTaskDefinition: () => 'any' },
  logs: { FilterLogEvents: logGroup, GetLogEvents: logGroup, DescribeLogStreams: logGroup },
  ssm: { GetParameter: parameters('Name'), GetParameters: parameters('Names'), GetParametersByPath: parameters('Path') },
  // Application Auto Scaling's Describe actions support no resource-level permissions (Service
  // Authorization Reference, Application Auto Scaling): granted on "*", as IAM must.
  'application-autoscaling': { DescribeScalableTargets: () => 'any', DescribeScalingPolicies: () => 'any', DescribeScheduledActions: () => 'any', DescribeScalingActivities: () => 'any' },
  // GetCallerIdentity: "No permissions are required to perform this operation" (STS API Reference).
  sts: { GetCallerIdentity: () => 'any' },
};

/** The access key a SigV4 Authorization header names. */
export function accessKeyOf(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  const m = typeof auth === 'string' ? /Credential=([^/,\s]+)\//.exec(auth) : null;
  return m?.[1];
}

/** People's sign-in and scope at the endpoint. */
export class PeopleAccess {
  readonly issuer: LocalOidcIssuer;
  private readonly sessions = new Map<string, PeopleSession>();

  constructor(
    private readonly account: ServedAccount,
    /** `http://127.0.0.1:<port>` */
    readonly endpointUrl: string,
    options: PeopleOptions = {},
  ) {
    const world = account.run.world;
    const people = options.people ?? [...world.apps.keys()].map((app) => ({ id: `${app}-dev`, apps: [app] }));
    this.issuer = new LocalOidcIssuer(`${endpointUrl}/oidc`, people);
  }

  /** The deployment's prefix. */
  get prefix(): string {
    return this.account.run.prefix;
  }

  /** The simulated account's id. */
  get accountId(): string {
    return this.account.run.world.spec.account;
  }

  /** `arn:aws:iam::<account>:role/<prefix>-people` */
  get roleArn(): string {
    return `arn:aws:iam::${this.account.run.world.spec.account}:role/${peopleRoleName(this.prefix)}`;
  }

  /** The actions function's URL at this endpoint. */
  get actionsUrl(): string {
    return `${this.endpointUrl}/lambda-url/dashboard-actions/`;
  }

  /** The dashboard's config.json for this endpoint. */
  dashboardConfig(): DashboardConfig {
    return {
      region: this.account.run.world.spec.region,
      prefix: this.prefix,
      endpoint: this.endpointUrl,
      signIn: { issuer: this.issuer.issuerUrl, clientId: LOCAL_CLIENT_ID, scopes: ['openid', 'profile', 'email'] },
      roleArn: this.roleArn,
      appTags: { claim: SESSION_TAGS_CLAIM, tagKeys: PEOPLE_APP_TAG_KEYS },
      actionsUrl: this.actionsUrl,
    };
  }

  /** AssumeRoleWithWebIdentity (unsigned), as STS answers it. */
  assumeRoleWithWebIdentity(input: Record<string, unknown>, now = new Date()): Record<string, unknown> {
    const roleArn = str(input.RoleArn);
    const sessionName = str(input.RoleSessionName);
    const token = str(input.WebIdentityToken);
    const missing = (['RoleArn', 'RoleSessionName', 'WebIdentityToken'] as const).filter((k) => !str(input[k]));
    if (missing.length > 0) throw new WireError('ValidationError', `${missing.length} validation error${missing.length > 1 ? 's' : ''} detected: ${missing.map((k) => `Value null at '${k[0].toLowerCase()}${k.slice(1)}' failed to satisfy constraint: Member must not be null`).join('; ')}`);
    if (!/^[\w+=,.@-]{2,64}$/.test(sessionName)) throw new WireError('ValidationError', `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and length 2 to 64`);
    const duration = input.DurationSeconds === undefined ? PEOPLE_MAX_SESSION_SECONDS : Number(input.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > 43200) throw new WireError('ValidationError', `1 validation error detected: Value '${String(input.DurationSeconds)}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`);
    if (duration > PEOPLE_MAX_SESSION_SECONDS) throw new WireError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    if (input.Policy !== undefined || input['PolicyArns.member.1.arn'] !== undefined) throw new WireError('NotImplemented', 'slipway local serve does not simulate session policies (Policy, PolicyArns) of AssumeRoleWithWebIdentity', 501);
    let claims: Record<string, unknown>;
    try {
      claims = this.issuer.verify(token, [this.issuer.clientId], now.getTime());
    } catch (e) {
      if (e instanceof OidcError) throw new WireError(e.code, e.message);
      throw e;
    }
    const apps = appsOfSessionTags(sessionTagsOf(claims));
    // The trust policy: the people role only, for a session named after an app the token tags.
    const denied = () => new WireError('AccessDenied', `Not authorized to perform sts:AssumeRoleWithWebIdentity`, 403);
    if (roleArn !== this.roleArn) throw denied();
    if (!apps.some((a) => peopleSessionName(a) === sessionName)) throw denied();
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const roleId = `AROA${Buffer.from(peopleRoleName(this.prefix)).toString('hex').slice(0, 17).toUpperCase()}`;
    const session: PeopleSession = {
      accessKeyId,
      secretAccessKey: randomBytes(30).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
      expiration: new Date(Math.floor(now.getTime() / 1000) * 1000 + duration * 1000),
      arn: `arn:aws:sts::${this.account.run.world.spec.account}:assumed-role/${peopleRoleName(this.prefix)}/${sessionName}`,
      assumedRoleId: `${roleId}:${sessionName}`,
      subject: str(claims.sub),
      apps,
    };
    this.sessions.set(accessKeyId, session);
    return {
      Credentials: { AccessKeyId: session.accessKeyId, SecretAccessKey: session.secretAccessKey, SessionToken: session.sessionToken, Expiration: session.expiration },
      SubjectFromWebIdentityToken: session.subject,
      AssumedRoleUser: { AssumedRoleId: session.assumedRoleId, Arn: session.arn },
      PackedPolicySize: 6,
      Provider: this.issuer.issuerUrl.replace(/^https?:\/\//, ''),
      Audience: this.issuer.clientId,
    };
  }

  /**
   * The session a request is signed with, or undefined for other credentials.
   * @throws WireError ExpiredTokenException after the session's expiry, InvalidClientTokenId when the
   *   security token is not the session's.
   */
  sessionOf(req: IncomingMessage, now = new Date()): PeopleSession | undefined {
    const key = accessKeyOf(req);
    const session = key ? this.sessions.get(key) : undefined;
    if (!session) return undefined;
    const token = req.headers['x-amz-security-token'];
    if (token !== session.sessionToken) throw new WireError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    if (session.expiration.getTime() <= now.getTime()) throw new WireError('ExpiredTokenException', 'The security token included in the request is expired');
    return session;
  }

  /**
   * Refuses a request of a people session that the people role's policies do not allow: an action not
   * granted, or a resource that is not one of the session's apps'.
   * @throws WireError AccessDeniedException (AccessDenied for awsQuery) naming the action and resource as AWS does.
   */
  authorize(session: PeopleSession, service: ServiceModel, operation: string, input: Record<string, unknown>): void {
    const action = `${IAM_PREFIX[service.signingName] ?? service.signingName}:${operation}`;
    const code = service.protocol === 'awsQuery' ? 'AccessDenied' : 'AccessDeniedException';
    const deny = (resource: string) =>
      new WireError(code, `User: ${session.arn} is not authorized to perform: ${action} on resource: ${resource} because no identity-based policy allows the ${action} action`, service.protocol === 'awsQuery' ? 403 : 400);
    const scope = GRANTS[service.signingName]?.[operation];
    if (!scope) throw deny('*');
    const outside = scope(input, this.resourcesOf(session.apps));
    if (outside !== 'any' && outside.length > 0) throw deny(outside[0]);
  }

  /** The actions function's name at this endpoint. */
  get actionsFunctionName(): string {
    return dashboardActionsFunctionName(this.prefix);
  }

  private resourcesOf(apps: readonly string[]): AppResources {
    const world = this.account.run.world;
    const tables = new Set<string>();
    const logGroups = new Set<string>();
    for (const app of apps) {
      const s = world.apps.get(app);
      if (!s) continue;
      tables.add(s.table);
      for (const p of Object.values(s.processes)) logGroups.add(p.logGroup);
      logGroups.add(buildLogGroupName(this.prefix, app));
    }
    return { tables, logGroups, apps, prefix: this.prefix };
  }
}
