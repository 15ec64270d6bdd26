import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { databaseConfigSchema, type DatabaseConfig } from '../../lib/deployment-config';
import { AppDatabase } from '../../lib/constructs/app-database';
import { DatabaseStack, ADMIN_USER } from '../../lib/stacks/database-stack';
import type { ClusterResources } from '../../lib/stacks/cluster-resources';
import { stackTestApp } from '../helpers/example-stacks';

/** A minimal cluster stack: a 3-AZ VPC (public + private isolated subnets) and an ECS cluster. */
function makeApp(config: Partial<DatabaseConfig> = {}, nat = false) {
  const app = stackTestApp();
  const env = { account: '123456789012', region: 'eu-west-1' };
  const base = new Stack(app, 'ClusterStack', { env });
  const vpc = new ec2.Vpc(base, 'Vpc', {
    maxAzs: 3,
    natGateways: nat ? 1 : 0,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: nat ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const cluster = new ecs.Cluster(base, 'Cluster', { vpc });
  const lb = new elbv2.ApplicationLoadBalancer(base, 'Lb', { vpc, internetFacing: true });
  const listener = lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
  const resources: ClusterResources = {
    name: 'main',
    vpc,
    cluster,
    listener,
    loadBalancerSecurityGroup: lb.connections.securityGroups[0],
    taskSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    assignPublicIp: true,
    capacityProviderStrategy: [],
  };
  const dbConfig = databaseConfigSchema.parse({ name: 'maindb', cluster: 'main', ...config });
  const stack = new DatabaseStack(app, 'DatabaseStack', { env, prefix: 'slipway', config: dbConfig, cluster: resources });
  return { app, stack, vpc, get template() { return Template.fromStack(stack); } };
}

/** The database stack with the default config, built and synthesized once for the tests that read it. */
const standard = makeApp();

describe('DatabaseStack', () => {
  const { stack, template } = standard;

  test('Aurora PostgreSQL 17, encrypted, IAM auth, deletion protection and a snapshot on removal', () => {
    template.hasResource('AWS::RDS::DBCluster', {
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        EngineVersion: Match.stringLikeRegexp('^17\\.'),
        StorageEncrypted: true,
        EnableIAMDatabaseAuthentication: true,
        DeletionProtection: true,
        MasterUsername: ADMIN_USER,
      }),
      DeletionPolicy: 'Snapshot',
      UpdateReplacePolicy: 'Snapshot',
    });
  });

  test('one writer by default', () => {
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', { DBInstanceClass: 'db.t4g.medium', PubliclyAccessible: false });
  });

  test('the subnet group is the private (isolated) subnets', () => {
    const privateSubnets = Template.fromStack(stack).findResources('AWS::RDS::DBSubnetGroup');
    const [group] = Object.values(privateSubnets) as { Properties: { SubnetIds: { 'Fn::ImportValue': string }[] } }[];
    expect(group.Properties.SubnetIds).toHaveLength(3);
    for (const id of group.Properties.SubnetIds) expect(JSON.stringify(id)).toMatch(/privateSubnet/);
  });

  test('the manager: Node 22 on arm64, in the VPC, allowed into the cluster port', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: { Variables: Match.objectLike({ DB_DRIVER: 'pg', NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem', OWNER_SECRET_PREFIX: 'slipway/db/maindb/' }) },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: { 'Fn::GetAtt': [Match.stringLikeRegexp('ClusterEB0386A7'), 'Endpoint.Port'] },
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ManagerSecurityGroup'), 'GroupId'] },
    });
  });

  test('the manager may read the admin secret, connect as the admin user only, and write owner secrets under its prefix', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('secretsmanager:GetSecretValue');
    expect(policies).toContain('rds-db:connect');
    expect(policies).toMatch(/dbuser:",\{"Fn::GetAtt":\["[A-Za-z0-9]+","DBClusterResourceId"\]\},"\/slipway_admin"/);
    expect(policies).toContain(':secret:slipway/db/maindb/*');
    expect(policies).not.toContain('rds-data:');
  });

  test('a Secrets Manager endpoint, since the subnets have no NAT', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { ServiceName: 'com.amazonaws.eu-west-1.secretsmanager', VpcEndpointType: 'Interface' });
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    const findings = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`);
    expect(findings).toEqual([]);
  });
});

describe('DatabaseStack options', () => {
  test('instances: 2 adds a reader', () => {
    const { template } = makeApp({ instances: 2 });
    template.resourceCountIs('AWS::RDS::DBInstance', 2);
  });

  test('the data-api driver: manager outside the VPC, Data API enabled, rds-data grants on this cluster only', () => {
    const { template, stack } = makeApp({ driver: 'data-api' });
    template.hasResourceProperties('AWS::RDS::DBCluster', { EnableHttpEndpoint: true });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ DB_DRIVER: 'data-api' }) }, VpcConfig: Match.absent() });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).toMatch(/"Action":\["rds-data:BatchExecuteStatement","rds-data:BeginTransaction","rds-data:CommitTransaction","rds-data:ExecuteStatement","rds-data:RollbackTransaction"\],"Effect":"Allow","Resource":\{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":rds:eu-west-1:123456789012:cluster:",\{"Ref":"Cluster[A-Z0-9]+"\}\]\]\}/);
    expect(policies).not.toContain('rds-db:connect');
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('subnets with a NAT gateway: no Secrets Manager endpoint, the manager\'s HTTPS goes out through the NAT', () => {
    const { template, stack } = makeApp({}, true);
    template.resourceCountIs('AWS::EC2::VPCEndpoint', 0);
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Slipway database manager'),
      SecurityGroupEgress: [{ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Description: 'Secrets Manager (HTTPS)' }],
    });
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });

  test('isolated subnets: the manager\'s HTTPS stays in the VPC, to the Secrets Manager endpoint', () => {
    standard.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('^Slipway database manager'),
      SecurityGroupEgress: [Match.objectLike({ CidrIp: { 'Fn::ImportValue': Match.stringLikeRegexp('CidrBlock') }, FromPort: 443, ToPort: 443 })],
    });
  });

  test('deletion protection off only when configured, with the finding acknowledged', () => {
    const { template, stack } = makeApp({ deletionProtection: false });
    template.hasResourceProperties('AWS::RDS::DBCluster', { DeletionProtection: false });
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});

describe('AppDatabase', () => {
  /** An app stack with the AppDatabase of app my-shop, by removal policy (the default, and DESTROY): both beside one database stack, synthesized once. */
  let appStacks: { byDefault: Template; destroy: Template } | undefined;

  function appStack(removalPolicy?: RemovalPolicy.DESTROY): Template {
    if (!appStacks) {
      const { app, stack } = makeApp();
      const withDatabase = (id: string, policy?: RemovalPolicy) => {
        const appStack = new Stack(app, id, { env: { account: '123456789012', region: 'eu-west-1' } });
        new AppDatabase(appStack, 'Db', { prefix: 'slipway', app: 'my-shop', database: stack.endpoint, ...(policy ? { removalPolicy: policy } : {}) });
        return appStack;
      };
      const byDefault = withDatabase('AppStack');
      const destroy = withDatabase('DestroyingAppStack', RemovalPolicy.DESTROY);
      appStacks = { byDefault: Template.fromStack(byDefault), destroy: Template.fromStack(destroy) };
    }
    return removalPolicy ? appStacks.destroy : appStacks.byDefault;
  }

  test('asks the manager for database and role my_shop, kept on delete by default', () => {
    appStack().hasResourceProperties('Custom::SlipwayAppDatabase', { Database: 'my_shop', Owner: 'my_shop', IamAuth: 'true', RemovalPolicy: 'retain' });
  });

  test('RemovalPolicy.DESTROY makes delete drop them', () => {
    appStack(RemovalPolicy.DESTROY).hasResourceProperties('Custom::SlipwayAppDatabase', { RemovalPolicy: 'destroy' });
  });

  test('writes a DATABASE_URL without password into the app config', () => {
    const template = appStack();
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: '/slipway/apps/my-shop/config/DATABASE_URL',
      Value: { 'Fn::Join': ['', Match.arrayWith(['postgresql://my_shop@', ':', '/my_shop?sslmode=verify-full'])] },
    });
  });

  test('refuses an app name that is not one', () => {
    const { app, stack } = makeApp();
    const other = new Stack(app, 'Other');
    expect(() => new AppDatabase(other, 'Db', { prefix: 'slipway', app: 'My App', database: stack.endpoint })).toThrow('AppDatabase app "My App" must be an app name');
  });
});
