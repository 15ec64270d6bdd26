import { ArnFormat, CustomResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { RESOURCE_NAME } from '../../domain/settings';
import { APP_NAME, APP_NAME_MAX } from '../../domain/names';
import { appParameterPath, configParameterName } from '../../domain';
import { databaseNameForApp, identifierProblem } from '../../domain/database';

/** What an app stack needs from a database stack to get its own database (all values may be tokens). */
export interface DatabaseEndpoint {
  /** The database's name in the config (used in messages). */
  readonly name: string;
  /** The database manager's custom-resource service token. */
  readonly serviceToken: string;
  /** Cluster writer endpoint host name. */
  readonly hostname: string;
  /** Cluster port. */
  readonly port: string;
  /** Where owner passwords go (`<prefix><owner>`), for roles without IAM auth. */
  readonly ownerSecretPrefix: string;
  /** The cluster's resource ID (`cluster-ABC...`), the middle of `rds-db:connect` ARNs. */
  readonly clusterResourceId: string;
  /** The cluster's security groups and port. */
  readonly connections: ec2.IConnectable;
  /**
   * The group of the database's clients, which the cluster admits on its port: the app's tasks join it
   * (one rule in the cluster's group for every app, instead of one per app).
   * @default - none: each app is admitted by a rule of its own ({@link AppDatabase.allowConnectionsFrom})
   */
  readonly clientSecurityGroup?: ec2.ISecurityGroup;
  /** The cluster's admin user: never an app's owner role. */
  readonly adminUser: string;
}

export interface AppDatabaseProps {
  /** Slipway's resource-name prefix (`/<prefix>/apps/<app>/config/...`). */
  readonly prefix: string;
  /** The app's name from the config; its database and role are named after it (`my-app` → `my_app`). */
  readonly app: string;
  /** The database stack's endpoint. */
  readonly database: DatabaseEndpoint;
  /** The owner role logs in with IAM auth tokens (no password anywhere). @default true */
  readonly iamAuth?: boolean;
  /**
   * What happens to the app's database and role when this resource is deleted: `DESTROY` drops them
   * (connections are terminated), anything else keeps them. @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * An app's own database and owner role in a Slipway database cluster, as a custom resource over the
 * database manager: created on create, re-checked and kept on update, dropped on delete only when the
 * removal policy is `DESTROY`. The app's `DATABASE_URL` (no password: IAM auth) goes to
 * `/<prefix>/apps/<app>/config/DATABASE_URL`, where the app's config lives.
 */
export class AppDatabase extends Construct {
  /** Database name (= owner role name). */
  public readonly databaseName: string;
  /** The connection URL without a password. */
  public readonly url: string;
  /** The `DATABASE_URL` parameter. */
  public readonly parameter: ssm.StringParameter;
  /** The custom resource (its physical ID is the database name). */
  public readonly resource: CustomResource;
  /** `arn:...:rds-db:<region>:<account>:dbuser:<cluster resource id>/<role>`: what `rds-db:connect` needs. */
  public readonly dbUserArn: string;
  /** Whether the owner role logs in with IAM auth tokens. */
  public readonly iamAuth: boolean;

  private readonly endpoint: DatabaseEndpoint;

  constructor(scope: Construct, id: string, props: AppDatabaseProps) {
    super(scope, id);
    if (!APP_NAME.test(props.app)) {
      throw new Error(`AppDatabase app "${props.app}" must be an app name (lowercase letters, digits and hyphens, starting with a letter, ${APP_NAME_MAX} characters at most)`);
    }
    if (!RESOURCE_NAME.test(props.prefix)) throw new Error(`AppDatabase prefix "${props.prefix}" must be lowercase letters, digits and hyphens`);
    this.databaseName = databaseNameForApp(props.app);
    // Refused here, at synth, rather than by the manager in the middle of a deployment.
    const problem = identifierProblem(this.databaseName, 'database');
    if (problem !== undefined) throw new Error(`AppDatabase app "${props.app}": its database would be named "${this.databaseName}", but ${problem}; rename the app`);
    if (this.databaseName === props.database.adminUser) {
      throw new Error(`AppDatabase app "${props.app}": its role would be "${this.databaseName}", the cluster's admin user; rename the app`);
    }
    this.iamAuth = props.iamAuth ?? true;
    this.endpoint = props.database;
    const removal = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: props.database.serviceToken,
      resourceType: 'Custom::SlipwayAppDatabase',
      properties: {
        Database: this.databaseName,
        Owner: this.databaseName,
        IamAuth: String(this.iamAuth),
        RemovalPolicy: removal === RemovalPolicy.DESTROY ? 'destroy' : 'retain',
      },
    });

    this.url = `postgresql://${this.databaseName}@${props.database.hostname}:${props.database.port}/${this.databaseName}?sslmode=verify-full`;
    this.parameter = new ssm.StringParameter(this, 'DatabaseUrl', {
      parameterName: configParameterName(appParameterPath(props.prefix, props.app), 'DATABASE_URL'),
      stringValue: this.url,
      // A config key like the others: standard unless the account's standard tier is full (CONFIG_KEY_TIER).
      tier: ssm.ParameterTier.INTELLIGENT_TIERING,
      description: this.iamAuth
        ? `Connection URL of ${props.app}'s database; log in with an IAM auth token (rds-db:connect) as ${this.databaseName}`
        : `Connection URL of ${props.app}'s database; the password is in the secret ${props.database.ownerSecretPrefix}${this.databaseName}`,
    });
    // The URL is published only once the database and role exist.
    this.parameter.node.addDependency(this.resource);

    this.dbUserArn = Stack.of(this).formatArn({
      service: 'rds-db',
      resource: 'dbuser',
      resourceName: `${props.database.clusterResourceId}/${this.databaseName}`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** Lets `grantee` log in as the app's role with an IAM auth token (`rds-db:connect` on that user only). */
  public grantConnect(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['rds-db:connect'], resourceArns: [this.dbUserArn] });
  }

  /**
   * Lets `connectable` (the app's security groups) reach the cluster's port. The cluster's ingress rules
   * live in this construct's stack, so the database stack never refers to an app stack (that would be a
   * cycle: the app stack refers to the database stack's outputs).
   */
  public allowConnectionsFrom(connectable: ec2.IConnectable, description: string): void {
    const cluster = this.endpoint.connections.connections;
    const port = cluster.defaultPort;
    if (!port) throw new Error(`AppDatabase: database "${this.endpoint.name}" has no default port to allow connections to`);
    cluster.securityGroups.forEach((target, t) =>
      connectable.connections.securityGroups.forEach((source, s) => {
        new ec2.CfnSecurityGroupIngress(this, `ClusterIngress${t}From${s}`, {
          ...port.toRuleJson(),
          groupId: target.securityGroupId,
          sourceSecurityGroupId: source.securityGroupId,
          description,
        });
      }),
    );
  }
}
