import { Aws, CfnCondition, CfnMapping, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as autoscaling from 'aws-cdk-lib/aws-autoscaling';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { Construct } from 'constructs';
import type { ClusterConfig } from '../deployment-config';
import { alertsKeyAliasName } from '../../domain/alerts';
import { ecsClusterName } from '../../domain/names';
import { ClusterMonitoring } from '../constructs/cluster-monitoring';
import { ControlPlane } from '../constructs/control-plane';
import type { ClusterResources } from './cluster-resources';
import { addClusterOutputs } from './stack-outputs';

/** Number of availability zones the VPC spans. */
export const CLUSTER_AZ_COUNT = 3;

/** Days the VPC flow logs are kept. */
const FLOW_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS;

/** Days the load balancer's access logs are kept before they expire. */
const ACCESS_LOG_EXPIRATION = Duration.days(90);

/** Key prefix of the load balancer's access logs in their bucket. */
const ACCESS_LOG_PREFIX = 'alb';

/** Mapping value of a region whose ALBs deliver logs as a service principal, not an ELB account. */
const NO_ELB_ACCOUNT = 'none';

/** Properties of a {@link ClusterStack}. */
export interface ClusterStackProps extends StackProps {
  /** Prefix of every resource name Slipway creates (config `prefix`). */
  readonly prefix: string;
  /** The validated config of this cluster. */
  readonly config: ClusterConfig;
  /**
   * The KMS key of the alerts topic.
   * @default - the account's alerts key, by its alias (`alias/<prefix>/alerts`, created by the AccountStack, deployed first)
   */
  readonly alertsKey?: kms.IKey;
  /** Folder with the state machines' `<name>.asl.json` files. @default the repository's statemachines/ */
  readonly stateMachinesDir?: string;
}

/** A cluster config that asks for something the network cannot provide. */
export class ClusterConfigError extends Error {
  public override readonly name = 'ClusterConfigError';
}

/**
 * A cluster: a VPC over three AZs, an ECS cluster with Fargate (and optional EC2) capacity, and an
 * internet-facing Application Load Balancer that app stacks attach their `web` process to.
 *
 * Networking follows the AppPack architecture: without NAT gateways (the default, and the cheap
 * option) tasks run in the public subnets with a public IP, and nothing reaches them except from the
 * load balancer's security group (app stacks open only that source); the private subnets are then
 * isolated (databases). With `natGateways` > 0 tasks run in the private subnets instead.
 *
 * HTTPS needs a domain: with `domain` set the stack issues a DNS-validated wildcard certificate, serves
 * it on an HTTPS listener, redirects HTTP to HTTPS and points `*.<domain>` at the load balancer.
 * Without a domain there is no certificate to serve, so the HTTP listener answers 404 itself and is the
 * `listener` app stacks add their rules to.
 */
export class ClusterStack extends Stack implements ClusterResources {
  public readonly name: string;
  public readonly vpc: ec2.Vpc;
  public readonly cluster: ecs.Cluster;
  public readonly loadBalancer: elbv2.ApplicationLoadBalancer;
  public readonly listener: elbv2.ApplicationListener;
  /** The HTTP listener (port 80): a redirect to HTTPS with a domain, else the app listener itself. */
  public readonly httpListener: elbv2.ApplicationListener;
  public readonly loadBalancerSecurityGroup: ec2.SecurityGroup;
  public readonly taskSubnets: ec2.SubnetSelection;
  /** The private subnets (isolated without NAT), e.g. for databases. */
  public readonly privateSubnets: ec2.SubnetSelection;
  public readonly assignPublicIp: boolean;
  public readonly capacityProviderStrategy: ecs.CapacityProviderStrategy[];
  public readonly domainName?: string;
  /** The wildcard certificate, when a domain is configured. */
  public readonly certificate?: acm.ICertificate;
  /** The EC2 capacity provider, when `ec2Capacity` is configured. */
  public readonly ec2CapacityProvider?: ecs.AsgCapacityProvider;
  /** The control plane every app of the cluster runs through (named after the cluster). */
  public readonly controlPlane: ControlPlane;
  /** The alerts topic, the control plane's alarms and failure rules, the cluster's dashboard. */
  public readonly monitoring: ClusterMonitoring;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id, props);
    const { config, prefix } = props;
    ClusterStack.validateConfig(config);

    this.name = config.name;
    this.domainName = config.domain?.name;
    this.assignPublicIp = config.natGateways === 0;
    this.vpc = this.buildVpc(config);

    const privateType = config.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    this.privateSubnets = { subnetType: privateType };
    this.taskSubnets = this.assignPublicIp ? { subnetType: ec2.SubnetType.PUBLIC } : { subnetType: privateType };

    this.cluster = new ecs.Cluster(this, 'Cluster', {
      vpc: this.vpc,
      clusterName: ecsClusterName(prefix, config.name),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
      enableFargateCapacityProviders: true,
    });
    if (config.ec2Capacity) {
      this.ec2CapacityProvider = this.buildEc2Capacity(config.ec2Capacity);
    }
    const defaultProvider = config.defaultCapacityProvider ?? 'FARGATE';
    this.capacityProviderStrategy = [
      { capacityProvider: defaultProvider === 'EC2' ? this.ec2CapacityProvider!.capacityProviderName : defaultProvider, weight: 1 },
    ];

    this.loadBalancerSecurityGroup = new ec2.SecurityGroup(this, 'LoadBalancerSecurityGroup', {
      vpc: this.vpc,
      description: `${prefix} ${config.name}: the load balancer, the only source allowed into app tasks`,
      // The ALB only opens connections to its targets; app stacks open their task security groups to
      // this group alone, so egress stays open here and the task side decides.
      allowAllOutbound: true,
    });
    Validations.of(this.loadBalancerSecurityGroup).acknowledge({
      id: 'AwsSolutions-EC23',
      reason: 'The internet-facing load balancer is the public entry point of the apps: it must accept HTTP (redirected to HTTPS when a domain is set) and HTTPS from any address. Tasks only accept traffic from this group.',
    });
    this.loadBalancer = this.buildLoadBalancer(prefix, config);

    this.httpListener = this.loadBalancer.addListener('HttpListener', {
      port: 80,
      protocol: elbv2.ApplicationProtocol.HTTP,
      open: false,
      defaultAction: config.domain
        ? elbv2.ListenerAction.redirect({ protocol: 'HTTPS', port: '443', permanent: true })
        : notFound(),
    });
    this.allowFromInternet(80, 'HTTP from anywhere (redirected to HTTPS when a domain is configured)');

    if (config.domain) {
      const zone = route53.HostedZone.fromHostedZoneAttributes(this, 'HostedZone', {
        hostedZoneId: config.domain.hostedZoneId,
        zoneName: config.domain.name,
      });
      this.certificate = new acm.Certificate(this, 'Certificate', {
        domainName: `*.${config.domain.name}`,
        subjectAlternativeNames: [config.domain.name],
        validation: acm.CertificateValidation.fromDns(zone),
      });
      this.listener = this.loadBalancer.addListener('HttpsListener', {
        port: 443,
        protocol: elbv2.ApplicationProtocol.HTTPS,
        open: false,
        certificates: [this.certificate],
        sslPolicy: elbv2.SslPolicy.RECOMMENDED_TLS,
        defaultAction: notFound(),
      });
      this.allowFromInternet(443, 'HTTPS from anywhere');
      new route53.ARecord(this, 'WildcardRecord', {
        zone,
        recordName: `*.${config.domain.name}`,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(this.loadBalancer)),
      });
    } else {
      this.listener = this.httpListener;
    }

    const clusterName = ecsClusterName(prefix, config.name);
    this.controlPlane = new ControlPlane(this, 'ControlPlane', { prefix, name: config.name, cluster: this.cluster, clusterName, stateMachinesDir: props.stateMachinesDir });
    addClusterOutputs(this, { loadBalancer: this.loadBalancer, stateMachines: this.controlPlane.stateMachines });
    this.monitoring = new ClusterMonitoring(this, 'Monitoring', {
      prefix,
      controlPlane: this.controlPlane,
      masterKey: props.alertsKey ?? kms.Alias.fromAliasName(this, 'AlertsKey', alertsKeyAliasName(prefix)),
    });
  }

  /** Rejects combinations the network cannot serve, naming the config key. */
  private static validateConfig(config: ClusterConfig): void {
    const cp = config.defaultCapacityProvider;
    if (cp === 'EC2' && !config.ec2Capacity) {
      throw new ClusterConfigError(`cluster "${config.name}": defaultCapacityProvider "EC2" needs ec2Capacity`);
    }
    if (cp === 'EC2' && config.natGateways === 0) {
      throw new ClusterConfigError(
        `cluster "${config.name}": defaultCapacityProvider "EC2" needs natGateways >= 1 (tasks on EC2 get no public IP, so without NAT they cannot reach ECR or the internet)`,
      );
    }
  }

  /** The VPC: one public and one private subnet in each of three AZs, S3 endpoint, flow logs. */
  private buildVpc(config: ClusterConfig): ec2.Vpc {
    const privateType = config.natGateways > 0 ? ec2.SubnetType.PRIVATE_WITH_EGRESS : ec2.SubnetType.PRIVATE_ISOLATED;
    const vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
      // An environment-agnostic stack only knows two AZs; these tokens resolve to the region's first
      // three at deploy time, so synth needs no lookup.
      availabilityZones: Array.from({ length: CLUSTER_AZ_COUNT }, (_, i) => Fn.select(i, Fn.getAzs())),
      natGateways: config.natGateways,
      subnetConfiguration: [
        { name: 'Public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20, mapPublicIpOnLaunch: false },
        { name: 'Private', subnetType: privateType, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      restrictDefaultSecurityGroup: false,
    });
    const flowLogGroup = new logs.LogGroup(this, 'FlowLogGroup', {
      retention: FLOW_LOG_RETENTION,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    vpc.addFlowLog('FlowLog', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogGroup),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    return vpc;
  }

  /** The internet-facing ALB in the public subnets, its access logs in an encrypted, SSL-only bucket. */
  private buildLoadBalancer(prefix: string, config: ClusterConfig): elbv2.ApplicationLoadBalancer {
    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      // ALB access logs support SSE-S3 only (not SSE-KMS).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: false,
      lifecycleRules: [{ expiration: ACCESS_LOG_EXPIRATION }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(accessLogs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'This bucket only receives the load balancer access logs; logging its own access would need another bucket that logs nowhere, and the ALB logs already record every request.',
    });
    const alb = new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', {
      vpc: this.vpc,
      internetFacing: true,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      securityGroup: this.loadBalancerSecurityGroup,
      dropInvalidHeaderFields: true,
      loadBalancerName: `${prefix}-${config.name}`.slice(0, 32),
    });
    this.enableAccessLogs(alb, accessLogs, ACCESS_LOG_PREFIX);
    return alb;
  }

  /**
   * Turns on the ALB's access logs. `logAccessLogs` needs a concrete region (it looks up the region's
   * Elastic Load Balancing account), and these stacks are environment-agnostic, so the same policy is
   * built for deploy time: regions launched before August 2022 deliver as their ELB account (from a
   * mapping; in other regions that principal falls back to this account, which grants nothing new),
   * newer regions as the `logdelivery.elasticloadbalancing.amazonaws.com` service. Both may only put
   * objects under this account's log prefix.
   */
  private enableAccessLogs(alb: elbv2.ApplicationLoadBalancer, bucket: s3.Bucket, prefix: string): void {
    const mapping = new CfnMapping(this, 'ElbLogDeliveryAccounts');
    for (const region of RegionInfo.regions) {
      mapping.setValue(region.name, 'account', region.elbv2Account ?? NO_ELB_ACCOUNT);
    }
    const elbAccount = mapping.findInMap(Aws.REGION, 'account');
    const hasElbAccount = new CfnCondition(this, 'RegionHasElbLogDeliveryAccount', {
      expression: Fn.conditionNot(Fn.conditionEquals(elbAccount, NO_ELB_ACCOUNT)),
    });
    const deliveryAccount = Fn.conditionIf(hasElbAccount.logicalId, elbAccount, Aws.ACCOUNT_ID).toString();
    const logObjects = bucket.arnForObjects(`${prefix}/AWSLogs/${Aws.ACCOUNT_ID}/*`);
    bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ElbAccessLogDelivery',
        actions: ['s3:PutObject'],
        principals: [new iam.ArnPrincipal(`arn:${Aws.PARTITION}:iam::${deliveryAccount}:root`), new iam.ServicePrincipal('logdelivery.elasticloadbalancing.amazonaws.com')],
        resources: [logObjects],
      }),
    );
    alb.setAttribute('access_logs.s3.enabled', 'true');
    alb.setAttribute('access_logs.s3.bucket', bucket.bucketName);
    alb.setAttribute('access_logs.s3.prefix', prefix);
    // ELB checks that it can write when the attribute is set: the policy must exist first.
    if (bucket.policy) alb.node.addDependency(bucket.policy);
  }

  /** Opens one port of the (IPv4) load balancer to the internet. */
  private allowFromInternet(port: number, description: string): void {
    this.loadBalancerSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(port), description);
  }

  /** An auto-scaling group of ECS-optimized instances as an extra capacity provider. */
  private buildEc2Capacity(capacity: NonNullable<ClusterConfig['ec2Capacity']>): ecs.AsgCapacityProvider {
    const role = new iam.Role(this, 'Ec2InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'ECS container instances of the Slipway cluster',
    });
    const securityGroup = new ec2.SecurityGroup(this, 'Ec2InstanceSecurityGroup', {
      vpc: this.vpc,
      description: 'ECS container instances: no inbound; tasks (awsvpc) carry their own security groups',
      allowAllOutbound: true,
    });
    const launchTemplate = new ec2.LaunchTemplate(this, 'Ec2LaunchTemplate', {
      instanceType: new ec2.InstanceType(capacity.instanceType),
      machineImage: ecs.EcsOptimizedImage.amazonLinux2023(),
      userData: ec2.UserData.forLinux(),
      role,
      securityGroup,
      requireImdsv2: true,
      associatePublicIpAddress: this.assignPublicIp,
      blockDevices: [
        { deviceName: '/dev/xvda', volume: ec2.BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: ec2.EbsDeviceVolumeType.GP3 }) },
      ],
    });
    // Tasks (awsvpc) must use their own task role, never the instance's: block their access to IMDS.
    launchTemplate.userData?.addCommands('echo ECS_AWSVPC_BLOCK_IMDS=true >> /etc/ecs/ecs.config');
    const asg = new autoscaling.AutoScalingGroup(this, 'Ec2AutoScalingGroup', {
      vpc: this.vpc,
      vpcSubnets: this.taskSubnets,
      launchTemplate,
      minCapacity: capacity.minCapacity,
      maxCapacity: capacity.maxCapacity,
    });
    const provider = new ecs.AsgCapacityProvider(this, 'Ec2CapacityProvider', { autoScalingGroup: asg });
    this.cluster.addAsgCapacityProvider(provider);
    Validations.of(asg).acknowledge({
      id: 'AwsSolutions-AS3',
      reason: 'The ECS capacity provider (managed scaling) owns this group\'s size; its scaling activities are in the Auto Scaling activity history and ECS events, and there is no subscriber for a notification topic.',
    });
    const instancePolicy = role.node.findChild('DefaultPolicy');
    Validations.of(instancePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Action::ecs:Submit*]',
      reason: 'The ECS agent\'s state reports (ecs:Submit*), written by the ECS construct, scoped to this cluster\'s ARN.',
    });
    Validations.of(instancePolicy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'The ECS agent\'s statements written by the ECS construct: ecs:DiscoverPollEndpoint and ecr:GetAuthorizationToken have no resource-level permissions; ecs:Poll and ecs:StartTelemetrySession are conditioned on this cluster (ecs:cluster); logs:CreateLogStream/PutLogEvents let the agent write container logs to the log groups each app defines.',
    });
    return provider;
  }
}

/** The default action when no app rule matches: a plain 404. */
function notFound(): elbv2.ListenerAction {
  return elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not Found' });
}
