import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ALB_CERTIFICATES_MAX, appServing, coveredByDomain } from '../../lib/app-hostname';
import { parseDeploymentConfig, type DeploymentConfig } from '../../lib/deployment-config';
import { AppStack } from '../../lib/stacks/app-stack';
import { ClusterStack } from '../../lib/stacks/cluster-stack';
import { stackTestApp } from '../helpers/example-stacks';
import { configErrorOf } from '../helpers/config-errors';

/**
 * HTTPS is never silently missing (lib/app-hostname.ts): a hostname the cluster's wildcard certificate does
 * not cover gets a certificate of the app's own ("certificate") or is served over plain HTTP because the
 * config says so ("httpOnly"); anything else fails synth, naming both ways out.
 */

const DOMAIN = { name: 'apps.example.com', hostedZoneId: 'Z0123456789EXAMPLE' };
const app = (fields: Record<string, unknown>) => ({ cluster: 'production', repository: { owner: 'o', name: 'r' }, processes: { web: { port: 3000 } }, ...fields });

describe('which certificate serves a hostname', () => {
  test('the wildcard covers the domain and one label under it, never two, never a neighbour', () => {
    expect(coveredByDomain('apps.example.com', 'apps.example.com')).toBe(true);
    expect(coveredByDomain('shop.apps.example.com', 'apps.example.com')).toBe(true);
    expect(coveredByDomain('Shop.Apps.Example.com.', 'apps.example.com')).toBe(true);
    expect(coveredByDomain('a.shop.apps.example.com', 'apps.example.com')).toBe(false);
    expect(coveredByDomain('shopapps.example.com', 'apps.example.com')).toBe(false);
    expect(coveredByDomain('shop.apps.example.com.evil.org', 'apps.example.com')).toBe(false);
    expect(coveredByDomain('*.apps.example.com', 'apps.example.com')).toBe(false);
  });

  test('each way of serving, and each contradiction named', () => {
    expect(appServing({ name: 'shop' }, DOMAIN.name)).toEqual({ kind: 'cluster-certificate', hostname: 'shop.apps.example.com' });
    expect(appServing({ name: 'shop', hostname: 'shop.example.org', certificate: { hostedZoneId: 'Z1' } }, DOMAIN.name)).toEqual({ kind: 'app-certificate', hostname: 'shop.example.org', hostedZoneId: 'Z1' });
    expect(appServing({ name: 'shop', httpOnly: true }, undefined)).toEqual({ kind: 'http', hostname: 'shop.*' });
    expect(appServing({ name: 'shop', httpOnly: true, certificate: {} }, DOMAIN.name)).toMatchObject({ key: 'certificate', problem: expect.stringContaining('contradict') });
    expect(appServing({ name: 'shop', certificate: {} }, DOMAIN.name)).toMatchObject({ key: 'certificate', problem: expect.stringContaining('needs "hostname"') });
    expect(appServing({ name: 'shop', hostname: 'shop.example.org', certificate: {} }, undefined)).toMatchObject({ key: 'certificate', problem: expect.stringContaining('no HTTPS listener') });
    expect(appServing({ name: 'shop', hostname: 'shop.apps.example.com', certificate: {} }, DOMAIN.name)).toMatchObject({ key: 'certificate', problem: expect.stringContaining('already served by the cluster') });
  });
});

describe('the config refuses a hostname no certificate covers', () => {
  test('outside the cluster\'s domain: the error names the key and both ways out', () => {
    const message = configErrorOf({ clusters: [{ name: 'production', domain: DOMAIN }], apps: [app({ name: 'shop', hostname: 'shop.example.org' })] });
    expect(message).toBe(
      'invalid config: apps[0].hostname: "shop.example.org" is not covered by the cluster\'s certificate (*.apps.example.com covers apps.example.com and one label under it): add "certificate": {"hostedZoneId": "<the Route 53 zone of the hostname>"} (or "certificate": {} to add the validation record yourself) for a certificate of the app\'s own, or set "httpOnly": true to serve plain HTTP',
    );
  });

  test('two labels under the domain are outside the wildcard too', () => {
    expect(configErrorOf({ clusters: [{ name: 'production', domain: DOMAIN }], apps: [app({ name: 'shop', hostname: 'eu.shop.apps.example.com' })] })).toContain('apps[0].hostname: "eu.shop.apps.example.com" is not covered');
  });

  test('a cluster without a domain serves nothing over HTTPS: its web apps must say httpOnly', () => {
    expect(configErrorOf({ clusters: [{ name: 'production' }], apps: [app({ name: 'shop' })] })).toContain('apps[0].hostname: the app\'s cluster has no "domain", so nothing serves "shop.*" over HTTPS');
    expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], apps: [app({ name: 'shop', httpOnly: true })] })).not.toThrow();
    // An app without a web process has nothing to serve.
    expect(() => parseDeploymentConfig({ clusters: [{ name: 'production' }], apps: [app({ name: 'jobs', processes: { worker: {} } })] })).not.toThrow();
  });

  test('a malformed hosted zone ID is named', () => {
    expect(configErrorOf({ clusters: [{ name: 'production', domain: DOMAIN }], apps: [app({ name: 'shop', hostname: 'shop.example.org', certificate: { hostedZoneId: 'example.org' } })] })).toContain('apps[0].certificate.hostedZoneId: a Route 53 hosted zone ID');
  });

  test(`a cluster's apps hold at most ${ALB_CERTIFICATES_MAX} certificates of their own (its load balancer's quota); apps in another cluster do not count`, () => {
    const certified = (n: number, cluster = 'production') => Array.from({ length: n }, (_, i) => app({ name: `${cluster}-shop-${i}`, cluster, hostname: `shop-${i}.${cluster}.example.org`, certificate: {} }));
    const clusters = [{ name: 'production', domain: DOMAIN }, { name: 'staging', domain: { name: 'staging.example.com', hostedZoneId: 'Z0123456789STAGING' } }];
    expect(() => parseDeploymentConfig({ clusters, apps: [...certified(25), ...certified(25, 'staging')] })).not.toThrow();
    const message = configErrorOf({ clusters, apps: [...certified(26), ...certified(1, 'staging')] });
    expect(message).toBe(
      'invalid config: apps[25].certificate: cluster "production" would serve 26 certificates of apps\' own on its load balancer, and an Application Load Balancer holds at most 25 besides its default (Elastic Load Balancing quotas): put the hostnames under the cluster\'s domain, or move apps to another cluster',
    );
  });
});

describe('the stacks of each way of serving', () => {
  const config: DeploymentConfig = parseDeploymentConfig({
    clusters: [{ name: 'production', domain: DOMAIN }],
    apps: [
      app({ name: 'zoned', hostname: 'www.example.org', certificate: { hostedZoneId: 'Z0ORGZONE' } }),
      app({ name: 'manual', hostname: 'shop.example.net', certificate: {} }),
      app({ name: 'plain', httpOnly: true }),
      app({ name: 'wildcard' }),
    ],
  });
  const cdkApp = stackTestApp();
  const cluster = new ClusterStack(cdkApp, 'Slipway-Cluster-production', { prefix: config.prefix, config: config.clusters[0] });
  const stacks = Object.fromEntries(config.apps.map((a) => [a.name, new AppStack(cdkApp, `Slipway-App-${a.name}`, { prefix: config.prefix, app: a, cluster })]));
  const findings = Object.values(stacks).flatMap((s) => new AwsSolutionsChecks(s).validateScope(s).violations.map((v) => `${s.stackName} ${v.ruleName}`));
  const templates = Object.fromEntries(Object.entries(stacks).map(([name, s]) => [name, Template.fromStack(s)]));
  const listenerOf = (t: Template) => JSON.stringify(Object.values(t.findResources('AWS::ElasticLoadBalancingV2::ListenerRule'))[0].Properties.ListenerArn);

  test('with the hosted zone: a certificate validated in that zone, on the HTTPS listener, and an alias record', () => {
    const t = templates.zoned;
    t.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'www.example.org', ValidationMethod: 'DNS', DomainValidationOptions: [{ DomainName: 'www.example.org', HostedZoneId: 'Z0ORGZONE' }] });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerCertificate', { Certificates: [{ CertificateArn: { Ref: Match.stringLikeRegexp('Certificate') } }], ListenerArn: Match.anyValue() });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'www.example.org.', Type: 'A', HostedZoneId: 'Z0ORGZONE', AliasTarget: Match.objectLike({ DNSName: Match.anyValue() }) });
    t.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: ['www.example.org'] } }] });
    expect(listenerOf(t)).toBe(listenerOf(templates.wildcard));
  });

  test('without it: a DNS-validated certificate the user validates, and no record', () => {
    const t = templates.manual;
    t.hasResourceProperties('AWS::CertificateManager::Certificate', { DomainName: 'shop.example.net', ValidationMethod: 'DNS', DomainValidationOptions: Match.absent() });
    t.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerCertificate', 1);
    t.resourceCountIs('AWS::Route53::RecordSet', 0);
  });

  test('httpOnly: a rule on the port-80 listener, no certificate; the wildcard app: the HTTPS listener, no certificate of its own', () => {
    expect(listenerOf(templates.plain)).toContain('HttpListener');
    expect(listenerOf(templates.wildcard)).toContain('HttpsListener');
    for (const name of ['plain', 'wildcard']) templates[name].resourceCountIs('AWS::CertificateManager::Certificate', 0);
  });

  test('cdk-nag AwsSolutions finds nothing in any of them', () => {
    expect(findings).toEqual([]);
  });
});
