import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { WEB_PROCESS } from '../../domain/constants';
import type { ClusterResources } from '../stacks/cluster-resources';
import { appServing } from '../app-hostname';
import type { AppConstructProps } from './app-construct-props';
import { AppCertificate } from './app-certificate';
import { listenerPriority } from '../listener-priorities';

export { listenerPriority } from '../listener-priorities';

export interface AppLoadBalancingProps extends AppConstructProps {
  /** The cluster whose load balancer routes to the app. */
  readonly cluster: ClusterResources;
  /** Priority of the listener rule. @default derived from the app's name ({@link listenerPriority}) */
  readonly listenerPriority?: number;
}

/**
 * The app's place in the network: the security group of its tasks and, with a `web` process, its target
 * group and the host rule on the cluster's listener. Only an ingress rule on the app's own group: the load
 * balancer's group allows all outbound (ClusterStack), so no egress rule is added to the shared group per
 * app (60 rules per group).
 */
export class AppLoadBalancing extends Construct {
  /** The tasks' security group (inbound only from the load balancer). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The `web` process's target group, when the app has one. */
  public readonly targetGroup?: elbv2.ApplicationTargetGroup;
  /** The app's own certificate, when its hostname is outside the cluster's domain (config `certificate`). */
  public readonly certificate?: AppCertificate;

  constructor(scope: Construct, id: string, props: AppLoadBalancingProps) {
    super(scope, id);
    const { prefix, app, cluster } = props;
    const web = app.processes[WEB_PROCESS];
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: cluster.vpc,
      description: `${prefix} app ${app.name}: tasks (inbound only from the load balancer)`,
      allowAllOutbound: true,
    });
    if (!web) return;
    this.securityGroup.addIngressRule(cluster.loadBalancerSecurityGroup, ec2.Port.tcp(web.port!), 'load balancer to the web process');
    this.targetGroup = new elbv2.ApplicationTargetGroup(this, 'WebTargetGroup', {
      vpc: cluster.vpc,
      targetType: elbv2.TargetType.IP,
      protocol: elbv2.ApplicationProtocol.HTTP,
      port: web.port,
      deregistrationDelay: Duration.seconds(30),
      healthCheck: { path: web.healthCheckPath, healthyHttpCodes: '200-399', interval: Duration.seconds(15) },
    });
    // The config's `hostname`, else `<app>.<cluster domain>`, else any host starting `<app>.`; served as
    // lib/app-hostname.ts decides (the cluster's certificate, the app's own, or plain HTTP).
    const serving = appServing(app, cluster.domainName);
    if ('problem' in serving) throw new Error(`app "${app.name}": ${serving.key}: ${serving.problem}`);
    const hostname = serving.hostname;
    if (serving.kind === 'app-certificate') {
      this.certificate = new AppCertificate(this, 'WebCertificate', { hostname, hostedZoneId: serving.hostedZoneId, listener: cluster.listener, loadBalancer: cluster.loadBalancer });
    }
    new elbv2.ApplicationListenerRule(this, 'WebListenerRule', {
      listener: serving.kind === 'http' ? (cluster.httpListener ?? cluster.listener) : cluster.listener,
      priority: props.listenerPriority ?? listenerPriority(app.name),
      conditions: [elbv2.ListenerCondition.hostHeaders([hostname])],
      action: elbv2.ListenerAction.forward([this.targetGroup]),
    });
  }
}
