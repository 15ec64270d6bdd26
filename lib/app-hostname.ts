/**
 * How an app's `web` process is served: the hostname its listener rule matches and the certificate, if any,
 * that serves it. One decision that the config check (at synth, lib/deployment-config.ts) and the constructs
 * (AppLoadBalancing, AppCertificate) share, so that HTTPS is never silently missing:
 *
 * - a hostname the cluster's wildcard certificate covers (`<domain>` or one label under it, e.g.
 *   `shop.apps.example.com` for `apps.example.com`: a wildcard matches one label only, RFC 6125 6.4.3 as
 *   ACM applies it) is served over HTTPS with that certificate;
 * - a hostname with `certificate` in the app's config gets an ACM certificate of its own, served on the
 *   cluster's HTTPS listener beside the wildcard (an ALB listener serves the certificate whose name
 *   matches the client's SNI);
 * - a hostname with `httpOnly: true` is served over plain HTTP (a rule on the port-80 listener, which
 *   otherwise redirects to HTTPS);
 * - anything else is refused, naming both ways out.
 */

/** Certificates an ALB may hold besides its default one: 25 (Elastic Load Balancing quotas, "Certificates per Application Load Balancer", docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html). */
export const ALB_CERTIFICATES_MAX = 25;

/** What the checks read of an app's config. */
export interface AppHostnameInput {
  readonly name: string;
  readonly hostname?: string;
  readonly httpOnly?: boolean;
  readonly certificate?: { readonly hostedZoneId?: string };
}

/** How the app's web process is served. */
export type AppServing =
  | { readonly kind: 'cluster-certificate'; readonly hostname: string }
  | { readonly kind: 'app-certificate'; readonly hostname: string; readonly hostedZoneId?: string }
  | { readonly kind: 'http'; readonly hostname: string };

/** The hostname the app's listener rule matches: `hostname`, else `<app>.<cluster domain>`, else any host starting `<app>.`. */
export function appHostname(app: AppHostnameInput, clusterDomain: string | undefined): string {
  return app.hostname ?? (clusterDomain ? `${app.name}.${clusterDomain}` : `${app.name}.*`);
}

/** Whether the wildcard certificate of `domain` (`*.<domain>` and `<domain>`) covers `hostname`. */
export function coveredByDomain(hostname: string, domain: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const zone = domain.toLowerCase().replace(/\.$/, '');
  if (host === zone) return true;
  if (!host.endsWith(`.${zone}`)) return false;
  const label = host.slice(0, -zone.length - 1);
  return label.length > 0 && !label.includes('.') && !label.includes('*') && !label.includes('?');
}

/**
 * How the app's web process is served in a cluster with (or without) `clusterDomain`, or why the config
 * cannot be served as written (a message a person acts on, naming the keys).
 */
export function appServing(app: AppHostnameInput, clusterDomain: string | undefined): AppServing | { readonly problem: string; readonly key: 'hostname' | 'httpOnly' | 'certificate' } {
  const hostname = appHostname(app, clusterDomain);
  if (app.httpOnly && app.certificate) return { key: 'certificate', problem: '"certificate" and "httpOnly": true contradict each other: keep one (a certificate serves HTTPS; httpOnly serves plain HTTP)' };
  if (app.httpOnly) return { kind: 'http', hostname };
  if (app.certificate) {
    if (!app.hostname) return { key: 'certificate', problem: 'a certificate of the app\'s own needs "hostname" (the name it is issued for)' };
    if (!clusterDomain) {
      return { key: 'certificate', problem: `the app's cluster has no "domain", so its load balancer has no HTTPS listener to serve the certificate on: give the cluster a domain (its wildcard certificate is the listener's default), or set "httpOnly": true instead of "certificate"` };
    }
    if (coveredByDomain(hostname, clusterDomain)) {
      return { key: 'certificate', problem: `"${hostname}" is already served by the cluster's certificate for *.${clusterDomain}: remove "certificate" (it would take one of the load balancer's ${ALB_CERTIFICATES_MAX} certificates for nothing)` };
    }
    if (/[*?]/.test(hostname)) return { key: 'certificate', problem: `"${hostname}" has a wildcard character: a certificate of the app's own is issued for one exact hostname` };
    return { kind: 'app-certificate', hostname, hostedZoneId: app.certificate.hostedZoneId };
  }
  if (clusterDomain && coveredByDomain(hostname, clusterDomain)) return { kind: 'cluster-certificate', hostname };
  const why = clusterDomain
    ? `"${hostname}" is not covered by the cluster's certificate (*.${clusterDomain} covers ${clusterDomain} and one label under it)`
    : `the app's cluster has no "domain", so nothing serves "${hostname}" over HTTPS`;
  const fix = clusterDomain
    ? 'add "certificate": {"hostedZoneId": "<the Route 53 zone of the hostname>"} (or "certificate": {} to add the validation record yourself) for a certificate of the app\'s own, or set "httpOnly": true to serve plain HTTP'
    : 'give the cluster a "domain" ({"name", "hostedZoneId"}), or set "httpOnly": true on the app to serve plain HTTP';
  return { key: 'hostname', problem: `${why}: ${fix}` };
}

/** What the deployment-wide check reads: each app with its index, cluster and web process. */
export interface HostnameCheckInput {
  readonly clusters: readonly { readonly name: string; readonly domain?: { readonly name: string } }[];
  readonly apps: readonly (AppHostnameInput & { readonly cluster: string; readonly processes: Record<string, unknown> })[];
}

/**
 * Every app's serving problem, and clusters whose apps would hold more certificates than their load balancer
 * may: `[path, message]` pairs under the config's root.
 */
export function hostnameIssues(config: HostnameCheckInput): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const certificates = new Map<string, number[]>();
  config.apps.forEach((app, i) => {
    const cluster = config.clusters.find((c) => c.name === app.cluster);
    if (!cluster) return; // named by the unknown-cluster check
    if (!('web' in app.processes)) return; // nothing to serve: the load balancer routes only to `web`
    const serving = appServing(app, cluster.domain?.name);
    if ('problem' in serving) issues.push({ path: ['apps', i, serving.key], message: serving.problem });
    else if (serving.kind === 'app-certificate') certificates.set(cluster.name, [...(certificates.get(cluster.name) ?? []), i]);
  });
  for (const [cluster, apps] of certificates) {
    if (apps.length > ALB_CERTIFICATES_MAX) {
      issues.push({
        path: ['apps', apps[ALB_CERTIFICATES_MAX], 'certificate'],
        message: `cluster "${cluster}" would serve ${apps.length} certificates of apps' own on its load balancer, and an Application Load Balancer holds at most ${ALB_CERTIFICATES_MAX} besides its default (Elastic Load Balancing quotas): put the hostnames under the cluster's domain, or move apps to another cluster`,
      });
    }
  }
  return issues;
}
