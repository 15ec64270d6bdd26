import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { ApplicationListenerCertificate, ListenerCertificate } from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53Targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';

/** Properties of an {@link AppCertificate}. */
export interface AppCertificateProps {
  /** The one hostname the certificate is issued for (the app's `hostname`). */
  readonly hostname: string;
  /**
   * The Route 53 hosted zone that holds `hostname`: ACM's validation record and an alias record pointing the
   * hostname at the load balancer are created in it.
   * @default - no zone: ACM waits until someone adds its validation CNAME (shown in the stack's events and the ACM console)
   */
  readonly hostedZoneId?: string;
  /** The cluster's HTTPS listener, which serves the certificate beside its default (the cluster's wildcard). */
  readonly listener: elbv2.IApplicationListener;
  /** The cluster's load balancer, the alias record's target (needed with `hostedZoneId`). */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
}

/**
 * An app's own HTTPS for a hostname outside its cluster's domain: an ACM certificate for the hostname,
 * DNS-validated (through the hosted zone when it is known), added to the cluster's shared HTTPS listener
 * (an ALB picks the certificate by the client's SNI; at most 25 besides the default, checked across a
 * cluster's apps at synth, lib/app-hostname.ts), and, with the hosted zone, an alias record for the
 * hostname. The stack waits for the certificate to be issued before the listener serves it.
 */
export class AppCertificate extends Construct {
  public readonly certificate: acm.Certificate;

  constructor(scope: Construct, id: string, props: AppCertificateProps) {
    super(scope, id);
    const zone = props.hostedZoneId ? route53.HostedZone.fromHostedZoneId(this, 'HostedZone', props.hostedZoneId) : undefined;
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.hostname,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    new ApplicationListenerCertificate(this, 'ListenerCertificate', {
      listener: props.listener,
      certificates: [ListenerCertificate.fromCertificateManager(this.certificate)],
    });
    if (zone) {
      if (!props.loadBalancer) throw new Error(`AppCertificate ${props.hostname}: a hosted zone was given, but no load balancer for the alias record`);
      new route53.ARecord(this, 'AliasRecord', {
        zone,
        // Fully qualified (trailing dot): a zone imported by its ID has no name to append.
        recordName: `${props.hostname}.`,
        target: route53.RecordTarget.fromAlias(new route53Targets.LoadBalancerTarget(props.loadBalancer)),
      });
    }
  }
}
