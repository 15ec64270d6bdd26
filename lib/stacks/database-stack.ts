import { Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type { Construct } from 'constructs';
import { databaseClusterIdentifier } from '../../domain/names';
import type { DatabaseConfig } from '../deployment-config';
import type { DatabaseEndpoint } from '../constructs/app-database';
import { DatabaseAlarms } from '../constructs/database-alarms';
import { DatabaseManager } from '../constructs/database-manager';
import type { ClusterResources } from './cluster-resources';

/** The Aurora PostgreSQL version new clusters get (the newest 17.x in aws-cdk-lib 2.276). */
export const AURORA_POSTGRES_VERSION = rds.AuroraPostgresEngineVersion.VER_17_9;

/** The cluster's admin (master) user. */
export const ADMIN_USER = 'slipway_admin';

export interface DatabaseStackProps extends StackProps {
  /** Slipway's resource-name prefix. */
  readonly prefix: string;
  /** This database's config entry. */
  readonly config: DatabaseConfig;
  /** The cluster stack's shared resources (VPC, ...). */
  readonly cluster: ClusterResources;
}

/**
 * An Aurora PostgreSQL cluster in the VPC's private subnets (a writer, and a reader when
 * `instances: 2`), encrypted, IAM auth on, deletion protection and a snapshot on removal by default, a
 * generated admin secret (rotated monthly), and the database manager. Apps get their databases with
 * `AppDatabase` and {@link DatabaseStack.endpoint}.
 */
export class DatabaseStack extends Stack {
  /** The Aurora cluster. */
  public readonly databaseCluster: rds.DatabaseCluster;
  /** The database manager (function and custom-resource provider). */
  public readonly manager: DatabaseManager;
  /** What an app stack's `AppDatabase` needs. */
  public readonly endpoint: DatabaseEndpoint;
  /** Per-instance alarms and their topic (docs/monitoring.md). */
  public readonly alarms: DatabaseAlarms;

  constructor(scope: Construct, id: string, props: DatabaseStackProps) {
    super(scope, id, props);
    const { config, prefix } = props;
    const vpc = props.cluster.vpc;
    // Private subnets: with NAT (PRIVATE_WITH_EGRESS) when the cluster has them, else isolated ones.
    const hasEgress = vpc.privateSubnets.length > 0;
    const subnets: ec2.SubnetSelection = { subnetType: hasEgress ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED };
    if (!hasEgress && vpc.isolatedSubnets.length === 0) {
      throw new Error(`database "${config.name}": cluster "${props.cluster.name}" has no private subnets to put the database in`);
    }
    const instanceType = new ec2.InstanceType(config.instanceType.replace(/^db\./, ''));
    const removalPolicy = RemovalPolicy.SNAPSHOT;
    const clusterIdentifier = databaseClusterIdentifier(prefix, config.name);

    const securityGroup = new ec2.SecurityGroup(this, 'ClusterSecurityGroup', {
      vpc,
      description: `Slipway database ${config.name}: PostgreSQL from the database manager and apps only`,
      allowAllOutbound: false,
    });

    this.databaseCluster = new rds.DatabaseCluster(this, 'Cluster', {
      engine: rds.DatabaseClusterEngine.auroraPostgres({ version: AURORA_POSTGRES_VERSION }),
      credentials: rds.Credentials.fromGeneratedSecret(ADMIN_USER, { secretName: `${prefix}/db/${config.name}/admin` }),
      writer: rds.ClusterInstance.provisioned('Writer', { instanceType, publiclyAccessible: false, autoMinorVersionUpgrade: true }),
      readers: config.instances === 2 ? [rds.ClusterInstance.provisioned('Reader', { instanceType, publiclyAccessible: false, autoMinorVersionUpgrade: true })] : [],
      vpc,
      vpcSubnets: subnets,
      securityGroups: [securityGroup],
      storageEncrypted: true,
      iamAuthentication: true,
      deletionProtection: config.deletionProtection,
      removalPolicy,
      enableDataApi: config.driver === 'data-api',
      backup: { retention: Duration.days(7) },
      clusterIdentifier,
      cloudwatchLogsExports: ['postgresql'],
    });
    // The exported PostgreSQL log, with a retention (instead of cloudwatchLogsRetention's extra Lambda).
    const postgresLog = new logs.LogGroup(this, 'PostgresqlLog', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.databaseCluster.node.addDependency(postgresLog);
    const adminSecret = this.databaseCluster.secret;
    if (!adminSecret) throw new Error(`database "${config.name}": the cluster has no admin secret`);

    // Without a NAT gateway the manager and the rotation function reach Secrets Manager through an
    // interface endpoint, open only to them.
    const secretsEndpoint = hasEgress
      ? undefined
      : new ec2.InterfaceVpcEndpoint(this, 'SecretsManagerEndpoint', { vpc, service: ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER, subnets, privateDnsEnabled: true, open: false });

    const ownerSecretPrefix = `${prefix}/db/${config.name}/`;
    this.manager = new DatabaseManager(this, 'Manager', {
      cluster: this.databaseCluster,
      adminSecret,
      adminUser: ADMIN_USER,
      driver: config.driver,
      vpc,
      vpcSubnets: subnets,
      ownerSecretPrefix,
      // Through the NAT gateway Secrets Manager's public endpoint is outside the VPC.
      ...(hasEgress ? { httpsEgress: ec2.Peer.anyIpv4() } : {}),
    });
    if (secretsEndpoint && this.manager.securityGroup) secretsEndpoint.connections.allowDefaultPortFrom(this.manager.securityGroup, 'Database manager');

    // Monthly rotation of the admin password (the manager reads the secret for every new connection).
    const rotationSecurityGroup = new ec2.SecurityGroup(this, 'RotationSecurityGroup', { vpc, description: `Slipway database ${config.name}: admin secret rotation` });
    this.databaseCluster.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      vpcSubnets: subnets,
      securityGroup: rotationSecurityGroup,
      ...(secretsEndpoint ? { endpoint: secretsEndpoint } : {}),
    });
    if (secretsEndpoint) secretsEndpoint.connections.allowDefaultPortFrom(rotationSecurityGroup, 'Admin secret rotation');

    this.alarms = new DatabaseAlarms(this, 'Monitoring', { prefix, config, cluster: this.databaseCluster });

    // The apps' tasks join this group (the app stack puts it in the app's settings) and the cluster admits
    // the group once: no rule per app in the cluster's group (60 inbound rules per security group).
    const clients = new ec2.SecurityGroup(this, 'ClientsSecurityGroup', {
      vpc,
      description: `Slipway database ${config.name}: its clients (the tasks of the apps that use it)`,
      allowAllOutbound: false,
    });
    this.databaseCluster.connections.allowDefaultPortFrom(clients, 'the tasks of the apps that use this database');
    this.endpoint = {
      name: config.name,
      clientSecurityGroup: clients,
      serviceToken: this.manager.serviceToken,
      hostname: this.databaseCluster.clusterEndpoint.hostname,
      port: this.databaseCluster.clusterEndpoint.port.toString(),
      ownerSecretPrefix,
      clusterResourceId: this.databaseCluster.clusterResourceIdentifier,
      connections: this.databaseCluster,
      adminUser: ADMIN_USER,
    };

    Validations.of(this.databaseCluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason: 'The default PostgreSQL port is kept so libpq defaults and DATABASE_URLs work; the security group admits only the manager and app security groups.',
    });
    if (!config.deletionProtection) {
      Validations.of(this.databaseCluster).acknowledge({
        id: 'AwsSolutions-RDS10',
        reason: `Deletion protection is off because the config says so (databases[${config.name}].deletionProtection: false); a snapshot is still taken on removal.`,
      });
    }
  }
}
