import { ArnFormat, Aws, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from '../deployment-config';
import { alertsKeyAliasName } from '../../domain/alerts';
import { activityLogGroupName, ecsClusterName, parameterPathPrefix } from '../../domain/names';
import { alertsKey } from '../constructs/alarm-topic';
import { DashboardAccess } from '../constructs/dashboard-access';
import { DashboardActions } from '../constructs/dashboard-actions';
import { DashboardSite } from '../constructs/dashboard-site';
import { PEOPLE_APP_TAG_KEYS, SESSION_TAGS_CLAIM } from '../../domain/dashboard';
import * as path from 'node:path';

/** The OIDC issuer of GitHub Actions. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/** Days the Slipway activity log is kept. */
const ACTIVITY_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** The `sub` claims of GitHub's OIDC tokens for a push to each configured repository and branch. */
export function githubSubjects(repositories: { repository: string; branches: string[] }[]): string[] {
  return repositories.flatMap((r) => r.branches.map((branch) => `repo:${r.repository}:ref:refs/heads/${branch}`));
}

/** Properties of an {@link AccountStack}. */
export interface AccountStackProps extends StackProps {
  /** The validated Slipway config (its `prefix` and `account` sections are used). */
  readonly config: DeploymentConfig;
  /**
   * The built dashboard (with `account.signIn`). @default the context value `slipway:dashboardDir`, else
   * dist/web/ of the package (`npm run build:web`)
   */
  readonly dashboardDir?: string;
}

/** The dashboard's folder when nothing names another: dist/web/ of the package. */
export const DEFAULT_DASHBOARD_DIR = path.join(__dirname, '..', '..', 'dist', 'web');

/** The account stack's rules on the default bus; each logs what it matches to the activity log group. */
export interface AccountActivityRules {
  /**
   * Parameter Store changes under the prefix. Each cluster's control plane has its own rule for
   * `/<prefix>/apps/` that starts its config-change state machine (docs/config-and-schedules.md); apps
   * add no rule.
   */
  readonly parameterChange: events.Rule;
  /** ECS task state changes of Slipway's clusters. */
  readonly taskStateChange: events.Rule;
  /** ECS deployment state changes of Slipway's services. */
  readonly deploymentStateChange: events.Rule;
}

/**
 * What Slipway needs once per account and region: the EventBridge rules that bring Parameter Store and
 * ECS events into Slipway's activity log group (each cluster's control plane has its own rules that start
 * its state machines; apps add none), the one KMS key of every alerts topic (cluster and database
 * topics), and optionally a GitHub OIDC deploy role so CI needs no long-lived keys.
 */
export class AccountStack extends Stack {
  /** Slipway's Parameter Store path prefix, e.g. `/slipway/`. */
  public readonly parameterPrefix: string;
  /** Log group of Slipway's account-level activity: the events the rules below match. */
  public readonly activityLogGroup: logs.LogGroup;
  /** The rules that log Slipway's account-level activity to {@link activityLogGroup}. */
  public readonly activityRules: AccountActivityRules;
  /**
   * The one KMS key of the account's alert topics (one per cluster, one per database), aliased
   * `alias/<prefix>/alerts`: $1 a month per account instead of per app.
   */
  public readonly alertsKey: kms.Key;
  /** The GitHub Actions OIDC provider (created or imported), when `account.githubOidc` is set. */
  public readonly githubOidcProvider?: iam.IOidcProvider;
  /** The role GitHub Actions assumes to run `cdk deploy`, when `account.githubOidc` is set. */
  public readonly deployRole?: iam.Role;
  /** People's sign-in (the people role, its policies, the provider), when `account.signIn` is set. */
  public readonly dashboardAccess?: DashboardAccess;
  /** The dashboard's actions function and its URL, when `account.signIn` is set. */
  public readonly dashboardActions?: DashboardActions;
  /** The dashboard's bucket and distribution, when `account.signIn` is set. */
  public readonly dashboardSite?: DashboardSite;

  constructor(scope: Construct, id: string, props: AccountStackProps) {
    super(scope, id, props);
    const { prefix } = props.config;
    this.parameterPrefix = parameterPathPrefix(prefix);

    this.activityLogGroup = new logs.LogGroup(this, 'ActivityLogGroup', {
      logGroupName: activityLogGroupName(prefix),
      retention: ACTIVITY_LOG_RETENTION,
    });
    this.allowEventsToLog(this.activityLogGroup);
    this.alertsKey = alertsKey(this, 'AlertsKey', `Encrypts Slipway's alert topics (${prefix}-<cluster>-alerts, ${prefix}-db-<database>-alarms)`);
    this.alertsKey.addAlias(alertsKeyAliasName(prefix));
    const logTarget = logGroupTarget(this.activityLogGroup);

    const parameterChange = new events.Rule(this, 'ParameterChangeRule', {
      description: `Parameter Store changes under ${this.parameterPrefix}`,
      eventPattern: {
        source: ['aws.ssm'],
        detailType: ['Parameter Store Change'],
        detail: { name: events.Match.prefix(this.parameterPrefix) },
      },
      targets: [logTarget],
    });

    // ECS puts the cluster name in task and service ARNs: `task/<cluster>/<id>`, `service/<cluster>/<name>`.
    const clusterPrefix = ecsClusterName(prefix, '');
    const ecsArn = (resource: string) => `arn:${Aws.PARTITION}:ecs:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}/${clusterPrefix}`;
    const taskStateChange = new events.Rule(this, 'TaskStateChangeRule', {
      description: `ECS task state changes in the ${clusterPrefix}* clusters`,
      eventPattern: { source: ['aws.ecs'], detailType: ['ECS Task State Change'], resources: events.Match.prefix(ecsArn('task')) },
      targets: [logTarget],
    });
    const deploymentStateChange = new events.Rule(this, 'DeploymentStateChangeRule', {
      description: `ECS deployment state changes of services in the ${clusterPrefix}* clusters`,
      eventPattern: { source: ['aws.ecs'], detailType: ['ECS Deployment State Change'], resources: events.Match.prefix(ecsArn('service')) },
      targets: [logTarget],
    });
    this.activityRules = { parameterChange, taskStateChange, deploymentStateChange };

    this.buildDashboard(props.config, props.dashboardDir ?? (this.node.tryGetContext('slipway:dashboardDir') as string | undefined) ?? DEFAULT_DASHBOARD_DIR);

    const github = props.config.account.githubOidc;
    if (github) {
      this.githubOidcProvider = github.providerArn
        ? iam.OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', github.providerArn)
        : new iam.OidcProviderNative(this, 'GitHubOidcProvider', { url: `https://${GITHUB_OIDC_HOST}`, clientIds: ['sts.amazonaws.com'] });
      this.deployRole = this.buildDeployRole(this.githubOidcProvider, githubSubjects(github.repositories));
      new CfnOutput(this, 'DeployRoleArn', {
        value: this.deployRole.roleArn,
        description: 'role-to-assume for aws-actions/configure-aws-credentials',
      });
    }
  }

  /**
   * The dashboard (docs/dashboard.md): the people role trusted by the organisation's provider, the actions
   * function behind an IAM-authorized URL, and the static site with its config.json.
   */
  private buildDashboard(config: DeploymentConfig, dashboardDir: string): void {
    const signIn = config.account.signIn;
    if (!signIn) return;
    const { prefix } = config;
    const site = new DashboardSite(this, 'Dashboard', { webDir: dashboardDir });
    const actions = new DashboardActions(this, 'DashboardActions', { prefix, controlPlanes: config.clusters.map((c) => c.name), allowedOrigins: [site.url] });
    const access = new DashboardAccess(this, 'People', { prefix, signIn, actionsFunctionArn: actions.fn.function.functionArn });
    site.publish({
      region: Aws.REGION,
      prefix,
      signIn: { issuer: signIn.issuer, clientId: signIn.clientId, scopes: signIn.scopes },
      roleArn: access.role.roleArn,
      appTags: { claim: SESSION_TAGS_CLAIM, tagKeys: PEOPLE_APP_TAG_KEYS },
      actionsUrl: actions.url.url,
    });
    Object.assign(this, { dashboardAccess: access, dashboardActions: actions, dashboardSite: site });
    new CfnOutput(this, 'DashboardUrl', { value: site.url, description: 'The Slipway dashboard (people sign in with the configured OpenID Connect provider)' });
    new CfnOutput(this, 'PeopleRoleArn', { value: access.role.roleArn, description: 'The role people assume with their ID token (slipway login, the dashboard)' });
    new CfnOutput(this, 'DashboardActionsUrl', { value: actions.url.url, description: 'The dashboard actions function URL (IAM auth)' });
  }

  /**
   * Lets EventBridge write to a log group through a resource policy (what the `CloudWatchLogGroup`
   * target does with a Lambda-backed custom resource; the native resource needs no function).
   */
  private allowEventsToLog(logGroup: logs.LogGroup): void {
    new logs.ResourcePolicy(this, 'ActivityLogGroupPolicy', {
      policyStatements: [
        new iam.PolicyStatement({
          principals: [new iam.ServicePrincipal('events.amazonaws.com'), new iam.ServicePrincipal('delivery.logs.amazonaws.com')],
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      ],
    });
  }

  /**
   * The role GitHub Actions assumes with its OIDC token: only for pushes to the configured repositories
   * and branches (exact `sub` match), and it can do one thing, assume the CDK bootstrap roles (which
   * hold the deploy permissions).
   */
  private buildDeployRole(provider: iam.IOidcProvider, subjects: string[]): iam.Role {
    const role = new iam.Role(this, 'GitHubDeployRole', {
      description: 'GitHub Actions deploys Slipway with cdk deploy (assumes the CDK bootstrap roles only)',
      maxSessionDuration: Duration.hours(1),
      assumedBy: new iam.WebIdentityPrincipal(provider.oidcProviderArn, {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_HOST}:sub`]: subjects,
        },
      }),
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['sts:AssumeRole'],
        resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/cdk-*`],
      }),
    );
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:iam::<AWS::AccountId>:role/cdk-*]',
      reason: 'cdk deploy assumes the bootstrap roles (deploy, file and image publishing, lookup), whose names carry the bootstrap qualifier; the role may assume only roles of this account named cdk-*, and nothing else.',
    });
    return role;
  }
}

/**
 * An EventBridge target that delivers the matched event to a log group. The log group's resource
 * policy ({@link AccountStack}) grants the delivery, so the target needs no role.
 */
function logGroupTarget(logGroup: logs.LogGroup): events.IRuleTarget {
  const stack = Stack.of(logGroup);
  // EventBridge wants the log group ARN without the `:*` suffix of `logGroupArn`.
  const arn = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: logGroup.logGroupName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return { bind: () => ({ arn }) };
}
