import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';

/**
 * What a cluster stack shares with the app and database stacks that run in it (typed props, not
 * hard-coded names).
 */
export interface ClusterResources {
  /** The cluster's name in the config. */
  readonly name: string;
  readonly vpc: ec2.IVpc;
  readonly cluster: ecs.ICluster;
  /** The ALB's HTTPS listener when a domain is configured, else its HTTP listener. */
  readonly listener: elbv2.IApplicationListener;
  /** The ALB's HTTP listener (port 80): where apps with `httpOnly` are routed. @default - `listener` */
  readonly httpListener?: elbv2.IApplicationListener;
  /** The ALB itself (the target of an app's alias record). */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /** Security group of the load balancer: the only source allowed into app tasks. */
  readonly loadBalancerSecurityGroup: ec2.ISecurityGroup;
  /** Subnets the tasks run in (public without NAT, private with NAT). */
  readonly taskSubnets: ec2.SubnetSelection;
  /** Whether tasks need a public IP (no NAT gateway). */
  readonly assignPublicIp: boolean;
  /** Capacity providers for services: FARGATE (and FARGATE_SPOT, EC2 when configured). */
  readonly capacityProviderStrategy: ecs.CapacityProviderStrategy[];
  /** Domain name when configured. */
  readonly domainName?: string;
}
