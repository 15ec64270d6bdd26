import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks } from 'cdk-nag';
import { clusterConfigSchema, type ClusterConfig } from '../../lib/deployment-config';
import { ClusterConfigError, ClusterStack } from '../../lib/stacks/cluster-stack';
import { stackTestApp } from '../helpers/example-stacks';

/** Builds a cluster stack from a raw cluster config, validated as `cdk synth` would; synthesized when its template is first read. */
function build(raw: unknown): { stack: ClusterStack; readonly template: Template } {
  const app = stackTestApp();
  const config: ClusterConfig = clusterConfigSchema.parse(raw);
  const stack = new ClusterStack(app, 'Cluster', { prefix: 'slipway', config });
  return {
    stack,
    get template() {
      return Template.fromStack(stack);
    },
  };
}

/** cdk-nag AwsSolutions findings left after the stack's acknowledgements, as `rule: paths`. */
function nagFindings(stack: ClusterStack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath ?? r.resourceLogicalId).join(', ')}`);
}

const WITH_DOMAIN = { name: 'production', domain: { name: 'apps.example.com', hostedZoneId: 'Z0123456789EXAMPLE' } };
const WITHOUT_DOMAIN = { name: 'staging' };
const WITH_NAT_AND_EC2 = {
  name: 'batch',
  natGateways: 2,
  ec2Capacity: { instanceType: 't3.medium', maxCapacity: 4 },
  defaultCapacityProvider: 'EC2',
};

describe('ClusterStack with a domain (default network: no NAT)', () => {
  let stack: ClusterStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = build(WITH_DOMAIN));
  });

  test('the VPC spans three AZs, each with one public and one private subnet', () => {
    const subnets = template.findResources('AWS::EC2::Subnet');
    const kinds = Object.values(subnets).map((s) => {
      const tags: { Key: string; Value: string }[] = s.Properties.Tags;
      return `${tags.find((t) => t.Key === 'aws-cdk:subnet-type')?.Value}@${JSON.stringify(s.Properties.AvailabilityZone)}`;
    });
    const az = (i: number) => JSON.stringify({ 'Fn::Select': [i, { 'Fn::GetAZs': '' }] });
    expect(kinds.sort()).toEqual([0, 1, 2].flatMap((i) => [`Isolated@${az(i)}`, `Public@${az(i)}`]).sort());
  });

  test('public subnets route to an internet gateway', () => {
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    template.resourceCountIs('AWS::EC2::VPCGatewayAttachment', 1);
    template.resourcePropertiesCountIs('AWS::EC2::Route', { DestinationCidrBlock: '0.0.0.0/0', GatewayId: Match.anyValue() }, 3);
  });

  test('has no NAT gateway by default, and tasks run in public subnets with a public IP', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    expect(stack.assignPublicIp).toBe(true);
    expect(stack.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PUBLIC });
    expect(stack.privateSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_ISOLATED });
  });

  test('has an S3 gateway endpoint', () => {
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      VpcEndpointType: 'Gateway',
      ServiceName: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['.s3'])] }),
    });
  });

  test('logs all VPC traffic to a CloudWatch log group with retention', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', {
      ResourceType: 'VPC',
      TrafficType: 'ALL',
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: Match.stringLikeRegexp('^FlowLogGroup') },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90 });
  });

  test('the flow-log role may only write to its own log group', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FlowLogGroup'), 'Arn'] },
          }),
        ],
      },
    });
  });

  test('the ECS cluster has Container Insights and the Fargate and Fargate Spot capacity providers', () => {
    template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterName: 'slipway-production',
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', { CapacityProviders: ['FARGATE', 'FARGATE_SPOT'] });
    template.resourceCountIs('AWS::AutoScaling::AutoScalingGroup', 0);
  });

  test('services default to FARGATE with weight 1', () => {
    expect(stack.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE', weight: 1 }]);
  });

  test('the load balancer is internet-facing in the public subnets and logs access to its bucket', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', {
      Scheme: 'internet-facing',
      Subnets: [0, 1, 2].map((i) => ({ Ref: Match.stringLikeRegexp(`^VpcPublicSubnet${i + 1}`) })),
      LoadBalancerAttributes: Match.arrayWith([
        // arrayWith keeps order: CDK writes the header attribute first.
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: Match.stringLikeRegexp('^AccessLogsBucket') } },
      ]),
    });
  });

  test('the access-log bucket is encrypted, private and SSL-only', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('load balancer log delivery may only put objects under this account\'s log prefix', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: 's3:PutObject',
            Principal: Match.objectLike({ Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }),
            Resource: { 'Fn::Join': ['', [Match.anyValue(), '/alb/AWSLogs/', { Ref: 'AWS::AccountId' }, '/*']] },
          }),
        ]),
      },
    });
  });

  test('the HTTP listener redirects to HTTPS', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
  });

  test('the HTTPS listener serves the certificate with a modern TLS policy and answers 404 by default', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('^Certificate') } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
    expect(stack.listener).not.toBe(stack.httpListener);
  });

  test('issues a DNS-validated wildcard certificate in the hosted zone', () => {
    template.hasResourceProperties('AWS::CertificateManager::Certificate', {
      DomainName: '*.apps.example.com',
      SubjectAlternativeNames: ['apps.example.com'],
      ValidationMethod: 'DNS',
      DomainValidationOptions: Match.arrayWith([Match.objectLike({ HostedZoneId: 'Z0123456789EXAMPLE' })]),
    });
    expect(stack.domainName).toBe('apps.example.com');
  });

  test('points the wildcard record at the load balancer', () => {
    template.hasResourceProperties('AWS::Route53::RecordSet', {
      Name: '*.apps.example.com.',
      Type: 'A',
      HostedZoneId: 'Z0123456789EXAMPLE',
      AliasTarget: Match.objectLike({ HostedZoneId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^LoadBalancer'), 'CanonicalHostedZoneID'] } }),
    });
  });

  test('the load balancer security group accepts only HTTP and HTTPS', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('load balancer'),
      SecurityGroupIngress: [
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 80, ToPort: 80 }),
        Match.objectLike({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
      ],
    });
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('ClusterStack without a domain', () => {
  let stack: ClusterStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = build(WITHOUT_DOMAIN));
  });

  test('has no certificate, record or HTTPS listener', () => {
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.resourceCountIs('AWS::Route53::RecordSet', 0);
    template.resourcePropertiesCountIs('AWS::ElasticLoadBalancingV2::Listener', { Protocol: 'HTTPS' }, 0);
    expect(stack.domainName).toBeUndefined();
  });

  test('the HTTP listener answers 404 itself and is the listener apps attach to', () => {
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 80,
      DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: Match.objectLike({ StatusCode: '404' }) }],
    });
    expect(stack.listener).toBe(stack.httpListener);
  });

  test('the load balancer opens only port 80', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('load balancer'),
      SecurityGroupIngress: [Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 80, ToPort: 80 })],
    });
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('ClusterStack with NAT gateways and EC2 capacity', () => {
  let stack: ClusterStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = build(WITH_NAT_AND_EC2));
  });

  test('creates the configured number of NAT gateways', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 2);
  });

  test('private subnets get egress through NAT, and tasks run there without a public IP', () => {
    const privateRoutes = template.findResources('AWS::EC2::Route', { Properties: { NatGatewayId: Match.anyValue() } });
    expect(Object.keys(privateRoutes)).toHaveLength(3);
    expect(stack.assignPublicIp).toBe(false);
    expect(stack.taskSubnets).toEqual({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS });
  });

  test('adds an EC2 auto-scaling group capacity provider with managed scaling', () => {
    template.hasResourceProperties('AWS::AutoScaling::AutoScalingGroup', {
      MinSize: '0',
      MaxSize: '4',
      VPCZoneIdentifier: [0, 1, 2].map((i) => ({ Ref: Match.stringLikeRegexp(`^VpcPrivateSubnet${i + 1}`) })),
    });
    template.hasResourceProperties('AWS::ECS::CapacityProvider', {
      AutoScalingGroupProvider: Match.objectLike({ ManagedScaling: Match.objectLike({ Status: 'ENABLED' }) }),
    });
    template.hasResourceProperties('AWS::ECS::ClusterCapacityProviderAssociations', {
      CapacityProviders: ['FARGATE', 'FARGATE_SPOT', { Ref: Match.stringLikeRegexp('^Ec2CapacityProvider') }],
    });
  });

  test('container instances use IMDSv2, encrypted volumes, and keep tasks away from the instance role', () => {
    template.hasResourceProperties('AWS::EC2::LaunchTemplate', {
      LaunchTemplateData: Match.objectLike({
        MetadataOptions: { HttpTokens: 'required' },
        BlockDeviceMappings: [Match.objectLike({ Ebs: Match.objectLike({ Encrypted: true }) })],
        UserData: { 'Fn::Base64': { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('ECS_AWSVPC_BLOCK_IMDS=true')])] } },
      }),
    });
  });

  test('the container-instance role is scoped to this cluster where ECS allows it', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecs:DeregisterContainerInstance', 'ecs:RegisterContainerInstance', 'ecs:Submit*'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] },
          }),
          Match.objectLike({
            Action: ['ecs:Poll', 'ecs:StartTelemetrySession'],
            Resource: '*',
            Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [Match.stringLikeRegexp('^Cluster'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  test('defaultCapacityProvider "EC2" makes the EC2 capacity provider the services\' strategy', () => {
    expect(stack.capacityProviderStrategy).toHaveLength(1);
    expect(stack.capacityProviderStrategy[0].weight).toBe(1);
    expect(stack.capacityProviderStrategy[0].capacityProvider).toBe(stack.ec2CapacityProvider?.capacityProviderName);
  });

  test('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('cluster config: defaultCapacityProvider', () => {
  test('is optional, and the strategy is then FARGATE', () => {
    expect(clusterConfigSchema.parse({ name: 'a' }).defaultCapacityProvider).toBeUndefined();
  });

  test('accepts FARGATE_SPOT, which becomes the services\' strategy', () => {
    const { stack } = build({ name: 'spot', defaultCapacityProvider: 'FARGATE_SPOT' });
    expect(stack.capacityProviderStrategy).toEqual([{ capacityProvider: 'FARGATE_SPOT', weight: 1 }]);
  });

  test('rejects an unknown capacity provider', () => {
    expect(() => clusterConfigSchema.parse({ name: 'a', defaultCapacityProvider: 'LAMBDA' })).toThrow(/defaultCapacityProvider/);
  });

  test('"EC2" without ec2Capacity is rejected, naming the key', () => {
    expect(() => build({ name: 'a', natGateways: 1, defaultCapacityProvider: 'EC2' })).toThrow(
      new ClusterConfigError('cluster "a": defaultCapacityProvider "EC2" needs ec2Capacity'),
    );
  });

  test('"EC2" without a NAT gateway is rejected, naming the key', () => {
    expect(() => build({ name: 'a', ec2Capacity: { instanceType: 't3.small', maxCapacity: 1 }, defaultCapacityProvider: 'EC2' })).toThrow(
      /cluster "a": defaultCapacityProvider "EC2" needs natGateways >= 1/,
    );
  });
});
