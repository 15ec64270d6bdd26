import * as path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { BUNDLING_DEFAULTS, functionEntry, SlipwayFunction } from './slipway-function';

/** PostgreSQL's parser as WASM, which libpg-query loads from beside the bundled code at run time. */
export const LIBPG_QUERY_WASM = path.join(path.dirname(require.resolve('libpg-query')), 'libpg-query.wasm');

/** Entry of the manager's handler. */
export const DATABASE_MANAGER_ENTRY = functionEntry('database-manager');

/**
 * The Lambda runtime's CA bundle, which holds the RDS certificate authorities; Node.js 20+ runtimes load
 * it only when NODE_EXTRA_CA_CERTS names it. The pg driver verifies the server certificate against it.
 */
export const LAMBDA_CA_BUNDLE = '/var/runtime/ca-cert.pem';

/**
 * How the manager is bundled: minified with source maps; `pg-native` (an optional native binding pg
 * never loads here) and the AWS SDK (provided by the Node.js 22 runtime) stay external.
 */
export const DATABASE_MANAGER_BUNDLING = { ...BUNDLING_DEFAULTS, externalModules: ['pg-native', ...BUNDLING_DEFAULTS.externalModules] } as const;

export interface DatabaseManagerProps {
  /** The Aurora cluster the manager manages. */
  readonly cluster: rds.DatabaseCluster;
  /** The cluster's admin secret (RDS JSON: username, password, host, port, dbname). */
  readonly adminSecret: secretsmanager.ISecret;
  /** The admin user's name (for `rds-db:connect`, once IAM auth is on for it). */
  readonly adminUser: string;
  /** `pg`: in the VPC, direct TLS connection. `data-api`: outside the VPC, through the RDS Data API. */
  readonly driver: 'pg' | 'data-api';
  /** The VPC (used by the `pg` driver). */
  readonly vpc: ec2.IVpc;
  /** Subnets the function runs in with the `pg` driver (the cluster's private subnets). */
  readonly vpcSubnets: ec2.SubnetSelection;
  /** Owner passwords go to secrets named `<ownerSecretPrefix><owner>`, e.g. `slipway/db/main/`. */
  readonly ownerSecretPrefix: string;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Where the `pg` driver's HTTPS (Secrets Manager) goes: the VPC's CIDR when an interface endpoint
   * serves it (subnets without NAT), anywhere when the subnets reach AWS through a NAT gateway.
   * @default ec2.Peer.ipv4(vpc.vpcCidrBlock)
   */
  readonly httpsEgress?: ec2.IPeer;
}

/**
 * The database-manager Lambda (Node.js 22, arm64, minified with source maps, its own log group, a role
 * with only what it needs) and the custom-resource provider that `AppDatabase` resources use.
 *
 * * `pg` driver: in the VPC with its own security group, allowed into the cluster's port; reads the admin
 *   secret; `rds-db:connect` as the admin user only.
 * * `data-api` driver: outside the VPC; RDS Data API calls on this cluster's ARN only (and the secret).
 * * Both: create/update secrets under the owner-secret prefix only.
 */
export class DatabaseManager extends Construct {
  /** The manager function. */
  public readonly function: nodejs.NodejsFunction;
  /** Its execution role. */
  public readonly role: iam.Role;
  /** Its security group (`pg` driver only). */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** Service token of the provider behind `AppDatabase` custom resources. */
  public readonly serviceToken: string;

  constructor(scope: Construct, id: string, props: DatabaseManagerProps) {
    super(scope, id);
    if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(props.ownerSecretPrefix)) {
      throw new Error(`DatabaseManager ownerSecretPrefix "${props.ownerSecretPrefix}" must be a secret-name prefix ending in "/" (letters, digits, /_+=.@-)`);
    }
    const stack = Stack.of(this);
    const inVpc = props.driver === 'pg';

    if (inVpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc,
        description: 'Slipway database manager: out to the cluster port and HTTPS (Secrets Manager)',
        allowAllOutbound: false,
      });
      const https = props.httpsEgress ?? ec2.Peer.ipv4(props.vpc.vpcCidrBlock);
      this.securityGroup.addEgressRule(https, ec2.Port.tcp(443), props.httpsEgress ? 'Secrets Manager (HTTPS)' : 'Secrets Manager interface endpoint');
    }

    const fn = new SlipwayFunction(this, 'Manager', {
      name: 'database-manager',
      description: `Slipway database manager (${props.driver} driver): app databases and roles`,
      timeout: Duration.minutes(2),
      logRetention: props.logRetention,
      externalModules: ['pg-native'],
      // libpg-query (db sql's transaction-control check) reads its WASM parser from the bundle's folder.
      filesBesideBundle: [LIBPG_QUERY_WASM],
      ...(inVpc ? { vpc: props.vpc, vpcSubnets: props.vpcSubnets, securityGroups: [this.securityGroup as ec2.SecurityGroup] } : {}),
      environment: {
        DB_DRIVER: props.driver,
        ADMIN_SECRET_ARN: props.adminSecret.secretArn,
        ADMIN_DATABASE: 'postgres',
        CLUSTER_ARN: props.cluster.clusterArn,
        DB_HOST: props.cluster.clusterEndpoint.hostname,
        DB_PORT: props.cluster.clusterEndpoint.port.toString(),
        OWNER_SECRET_PREFIX: props.ownerSecretPrefix,
        NODE_EXTRA_CA_CERTS: LAMBDA_CA_BUNDLE,
        POWERTOOLS_SERVICE_NAME: 'slipway-database-manager',
      },
    });
    this.function = fn.function;
    this.role = fn.role;

    // Grants: on the mutable role (the function sees an immutable view).
    if (inVpc) {
      props.cluster.connections.allowDefaultPortFrom(this.securityGroup as ec2.SecurityGroup, 'Slipway database manager');
      props.adminSecret.grantRead(this.role);
      props.cluster.grantConnect(this.role, props.adminUser);
    } else {
      props.cluster.grantDataApiAccess(this.role);
    }
    const ownerSecrets = stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${props.ownerSecretPrefix}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    const ownerSecretsPolicy = new iam.Policy(this, 'OwnerSecretsPolicy', {
      statements: [new iam.PolicyStatement({ actions: ['secretsmanager:CreateSecret', 'secretsmanager:PutSecretValue'], resources: [ownerSecrets] })],
    });
    this.role.attachInlinePolicy(ownerSecretsPolicy);
    Validations.of(ownerSecretsPolicy).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:${Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region}:${Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account}:secret:${props.ownerSecretPrefix}*]`,
      reason: 'Owner passwords are created per app at run time; the wildcard is limited to this cluster\'s owner-secret prefix.',
    });

    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.function,
      logGroup: new logs.LogGroup(this, 'ProviderLogGroup', { retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH, removalPolicy: RemovalPolicy.DESTROY }),
    });
    this.serviceToken = provider.serviceToken;
    this.acknowledgeProvider(provider);
  }

  /** The provider framework's own function and role are CDK's; acknowledge what cdk-nag says about them. */
  private acknowledgeProvider(provider: cr.Provider): void {
    const framework = provider.node.tryFindChild('framework-onEvent');
    if (!framework) return;
    Validations.of(framework).acknowledge({ id: 'AwsSolutions-L1', reason: 'The custom-resource provider framework function and its runtime are managed by aws-cdk-lib.' });
    Validations.of(framework).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason: 'The provider framework function (aws-cdk-lib) uses the basic execution role to write its logs.',
    });
    Validations.of(framework).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.function.node.defaultChild as lambda.CfnFunction)}.Arn>:*]`,
      reason: 'The provider framework may invoke any version or alias of the manager function (lambda:InvokeFunction on <arn>:*); it is still only this function.',
    });
  }
}
