import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { databaseConfigSchema } from '../../lib/deployment-config';
import { DatabaseStack } from '../../lib/stacks/database-stack';
import type { ClusterResources } from '../../lib/stacks/cluster-resources';
import { stackTestApp } from '../helpers/example-stacks';

/** A database stack in a minimal cluster (VPC with isolated subnets, ECS cluster, load balancer). */
function synth(config: Record<string, unknown> = {}) {
  const app = stackTestApp();
  const env = { account: '123456789012', region: 'eu-west-1' };
  const base = new Stack(app, 'ClusterStack', { env });
  const vpc = new ec2.Vpc(base, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [
      { name: 'public', subnetType: ec2.SubnetType.PUBLIC },
      { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
    ],
  });
  const lb = new elbv2.ApplicationLoadBalancer(base, 'Lb', { vpc });
  const resources: ClusterResources = {
    name: 'main',
    vpc,
    cluster: new ecs.Cluster(base, 'Cluster', { vpc }),
    listener: lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) }),
    loadBalancerSecurityGroup: lb.connections.securityGroups[0],
    taskSubnets: { subnetType: ec2.SubnetType.PUBLIC },
    assignPublicIp: true,
    capacityProviderStrategy: [],
  };
  const stack = new DatabaseStack(app, 'DatabaseStack', { env, prefix: 'slipway', config: databaseConfigSchema.parse({ name: 'maindb', cluster: 'main', ...config }), cluster: resources });
  return { stack, template: Template.fromStack(stack) };
}

const GIB = 1024 ** 3;

describe('DatabaseAlarms', () => {
  const { stack, template } = synth({ instances: 2, monitoring: { emails: ['dba@example.com'] } });
  const topic = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: 'slipway-db-maindb-alarms' } }))[0];
  const instances = Object.keys(template.findResources('AWS::RDS::DBInstance'));

  test('the database has its own alarm topic, encrypted with the account\'s alerts key (no key of its own), with the configured e-mail subscription', () => {
    template.hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'slipway-db-maindb-alarms',
      KmsMasterKeyId: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:123456789012:alias/slipway/alerts']] },
    });
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'dba@example.com', TopicArn: { Ref: topic } });
  });

  test.each([
    ['cpu', 'CPUUtilization', 'Average', 80, 'GreaterThanThreshold'],
    ['freeable-memory', 'FreeableMemory', 'Minimum', 256 * 1024 * 1024, 'LessThanThreshold'],
    ['connections', 'DatabaseConnections', 'Maximum', 200, 'GreaterThanThreshold'],
    ['free-local-storage', 'FreeLocalStorage', 'Minimum', 2 * GIB, 'LessThanThreshold'],
  ])('each instance has a %s alarm (%s, %s, threshold %d) that notifies the topic', (key, metricName, statistic, threshold, comparison) => {
    instances.forEach((instance, i) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `slipway-db-maindb-${i + 1}-${key}`,
        Namespace: 'AWS/RDS',
        MetricName: metricName,
        Statistic: statistic,
        Threshold: threshold,
        ComparisonOperator: comparison,
        Period: 300,
        EvaluationPeriods: 3,
        Dimensions: [{ Name: 'DBInstanceIdentifier', Value: { Ref: instance } }],
        AlarmActions: [{ Ref: topic }],
        OKActions: [{ Ref: topic }],
      });
    });
  });

  test('two instances, eight alarms', () => {
    expect(instances).toHaveLength(2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 8);
  });

  test('thresholds come from monitoring', () => {
    const { template: t } = synth({ monitoring: { connections: 50, freeLocalStorageGiB: 10, periodSeconds: 60 } });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'slipway-db-maindb-1-connections', Threshold: 50, Period: 60 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'slipway-db-maindb-1-free-local-storage', Threshold: 10 * GIB });
  });

  test('cdk-nag AwsSolutions: no unacknowledged findings', () => {
    expect(new AwsSolutionsChecks(stack).validateScope(stack).violations.map((v) => v.ruleName)).toEqual([]);
  });
});
