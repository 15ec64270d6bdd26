import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { appParameterPath, configParameterPath, ecsClusterName, peopleRoleName, PEOPLE_APP_TAG_KEYS, SESSION_NAME_PREFIX, TAG_APP } from '../../domain';
import { issuerKey, type SignInConfig } from '../sign-in-config';
import { acknowledgeWildcards, parameterArn } from './policy-statements';

/** Properties of {@link DashboardAccess}. */
export interface DashboardAccessProps {
  readonly prefix: string;
  readonly signIn: SignInConfig;
  /** The actions function, whose URL people may invoke. */
  readonly actionsFunctionArn: string;
}

/**
 * People's access (docs/dashboard.md): the organisation's OpenID Connect provider (created, or imported by
 * ARN), and one role for every person, `<prefix>-people`, with one customer managed policy per app slot.
 * A person's apps are the session tags `slipway-app-1` … `slipway-app-N` of their ID token; each slot's
 * policy names that app's resources with `${aws:PrincipalTag/slipway-app-K}`, so nothing is added per
 * app (300 apps fit the default 1,000 roles: bench/quotas.ts counts it). The trust policy lets
 * the provider's tokens for the configured client assume the role, with their session tags, in a session
 * named `app-<app>` for an app one of the token's tags names.
 */
export class DashboardAccess extends Construct {
  public readonly provider: iam.IOidcProvider;
  public readonly role: iam.Role;
  /** One policy per app slot, in slot order. */
  public readonly policies: readonly iam.ManagedPolicy[];

  constructor(scope: Construct, id: string, props: DashboardAccessProps) {
    super(scope, id);
    const { prefix, signIn } = props;
    this.provider = signIn.providerArn
      ? iam.OidcProviderNative.fromOidcProviderArn(this, 'Provider', signIn.providerArn)
      : new iam.OidcProviderNative(this, 'Provider', { url: signIn.issuer, clientIds: [signIn.clientId], ...(signIn.thumbprints ? { thumbprints: signIn.thumbprints } : {}) });
    const key = issuerKey(signIn.issuer);
    // IAM's condition keys for OIDC federation: `<provider>:aud` is the client id (IAM User Guide, "Available
    // keys for AWS OIDC federation"). sts:RoleSessionName (IAM User Guide, "AWS STS condition keys") is
    // compared with the token's session tags (aws:RequestTag, "Passing session tags using
    // AssumeRoleWithWebIdentity") through policy variables: a session is named after one of the person's apps.
    const principal = new iam.SessionTagsPrincipal(
      new iam.WebIdentityPrincipal(this.provider.oidcProviderArn, {
        StringEquals: {
          [`${key}:aud`]: signIn.clientId,
          'sts:RoleSessionName': PEOPLE_APP_TAG_KEYS.map((k) => `${SESSION_NAME_PREFIX}\${aws:RequestTag/${k}}`),
        },
      }),
    );
    this.policies = PEOPLE_APP_TAG_KEYS.map((tagKey, i) => this.slotPolicy(prefix, tagKey, i, props.actionsFunctionArn));
    this.role = new iam.Role(this, 'Role', {
      roleName: peopleRoleName(prefix),
      description: `Slipway people: the dashboard and slipway login, on the apps a person's ID token tags (${PEOPLE_APP_TAG_KEYS.join(', ')})`,
      assumedBy: principal,
      maxSessionDuration: Duration.hours(1),
      managedPolicies: [...this.policies],
    });
  }

  /** What a person may do on the app of one slot: the dashboard's reads, and (slot 1) scaling reads and the actions function. */
  private slotPolicy(prefix: string, tagKey: string, index: number, actionsFunctionArn: string): iam.ManagedPolicy {
    const stack = Stack.of(this);
    const app = `\${aws:PrincipalTag/${tagKey}}`;
    const appPath = appParameterPath(prefix, app);
    const configPath = configParameterPath(appPath);
    const logGroupExact = (name: string) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const logGroup = (name: string) => stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${name}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const statements = [
      // The app's records: its table, found by its slipway:app tag (DynamoDB ABAC, as the control plane reaches app tables).
      new iam.PolicyStatement({
        sid: 'ReadRecords',
        actions: ['dynamodb:GetItem', 'dynamodb:Query'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })],
        conditions: { StringEquals: { [`aws:ResourceTag/${TAG_APP}`]: app } },
      }),
      // `<app>--<process>` in any of Slipway's clusters: `--` ends an app's name, so no other app's service matches.
      new iam.PolicyStatement({ sid: 'ReadServices', actions: ['ecs:DescribeServices'], resources: [stack.formatArn({ service: 'ecs', resource: 'service', resourceName: `${ecsClusterName(prefix, '*')}/${app}--*` })] }),
      new iam.PolicyStatement({
        sid: 'ReadLogs',
        actions: ['logs:FilterLogEvents', 'logs:GetLogEvents', 'logs:DescribeLogStreams'],
        // Both forms of a log group's ARN: `log-group:<name>` and `log-group:<name>:*` (its streams).
        resources: [logGroup(appPath), logGroup(`${appPath}/builds`), logGroupExact(appPath), logGroupExact(`${appPath}/builds`)],
      }),
      new iam.PolicyStatement({
        sid: 'ReadConfig',
        actions: ['ssm:GetParameter', 'ssm:GetParameters', 'ssm:GetParametersByPath'],
        resources: [parameterArn(this, configPath), parameterArn(this, `${configPath}/*`), parameterArn(this, `${appPath}/settings`), parameterArn(this, `${appPath}/schedules`)],
      }),
    ];
    if (index === 0) {
      statements.push(
        // Each process type's build: the slipway:build tag of its service's task definition. ECS
        // DescribeTaskDefinition has no resource-level permissions (Service Authorization Reference, Amazon
        // ECS): any app's task definition can be read (images, commands, config key names; config values
        // are secrets referenced from Parameter Store, never in a task definition).
        new iam.PolicyStatement({ sid: 'ReadTaskDefinitions', actions: ['ecs:DescribeTaskDefinition'], resources: ['*'] }),
        // No resource-level permissions (Service Authorization Reference, Application Auto Scaling).
        new iam.PolicyStatement({
          sid: 'ReadScaling',
          actions: ['application-autoscaling:DescribeScalableTargets', 'application-autoscaling:DescribeScalingPolicies', 'application-autoscaling:DescribeScheduledActions', 'application-autoscaling:DescribeScalingActivities'],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'CallActions',
          actions: ['lambda:InvokeFunctionUrl'],
          resources: [actionsFunctionArn],
          conditions: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, `App${index + 1}Policy`, {
      managedPolicyName: `${peopleRoleName(prefix)}-app-${index + 1}`,
      description: `Slipway people: the dashboard's reads of the app named by the session tag ${tagKey}`,
      statements,
    });
    acknowledgeWildcards(
      policy,
      `Limited to the app the session tag ${tagKey} names (\${aws:PrincipalTag/${tagKey}} in every app resource): its table by its ${TAG_APP} tag, its services <app>--* ("--" ends an app's name), its log groups and parameters by exact path; Application Auto Scaling's Describe actions and ecs:DescribeTaskDefinition have no resource-level permissions.`,
    );
    return policy;
  }
}
