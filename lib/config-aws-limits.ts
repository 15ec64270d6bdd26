import { codeBuildProjectName } from '../domain/names';

/**
 * Config values that AWS validates, checked at synth with AWS's limit in the message, so that
 * `cdk synth` refuses what `cdk deploy` (or the first push) would fail on. Each check cites AWS.
 * Called from the config's validation (lib/deployment-config.ts); each issue names its key.
 */

/** One refusal: the config path and the message. */
export interface ConfigIssue {
  readonly path: (string | number)[];
  readonly message: string;
}

/** The parts of a validated config these checks read (kept structural, so the module imports no schema). */
export interface CheckedConfig {
  readonly prefix: string;
  readonly clusters: readonly {
    readonly name: string;
    readonly domain?: { readonly name: string };
    readonly natGateways: number;
    readonly ec2Capacity?: { readonly instanceType: string; readonly minCapacity: number; readonly maxCapacity: number };
    readonly defaultCapacityProvider?: string;
  }[];
  readonly databases: readonly { readonly name: string; readonly cluster: string; readonly instanceType: string; readonly monitoring: { readonly freeLocalStorageGiB: number } }[];
  readonly apps: readonly {
    readonly name: string;
    readonly cluster: string;
    readonly hostname?: string;
    readonly database?: string;
    readonly logRetentionDays: number;
    readonly repository: { readonly owner: string; readonly name: string; readonly branch: string };
    readonly processes: Readonly<Record<string, { readonly port?: number; readonly healthCheckPath: string }>>;
    readonly schedules: readonly { readonly name?: string }[];
  }[];
}

/**
 * ALB host-header condition values: at most 128 characters, A-Z a-z 0-9 - . and the wildcards * and ?
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html#host-conditions).
 * An app's hostname is also a DNS name (Route 53 record, certificate): labels of 1-63 characters that
 * neither start nor end with a hyphen (RFC 1035 / RFC 1123).
 */
export const HOST_HEADER_MAX = 128;
const HOST_HEADER_CHARS = /^[A-Za-z0-9.*?-]+$/;
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const WILDCARD_LABEL = /^[A-Za-z0-9*?-]{1,63}$/;

/** Target group health-check paths: 1-1,024 characters (ELB API, HealthCheckPath). */
export const HEALTH_CHECK_PATH_MAX = 1024;

/** CodeBuild project names: 2-255 characters, `[A-Za-z0-9][A-Za-z0-9\-_]{1,254}`; descriptions at most 255 (CodeBuild API, CreateProject). */
export const CODEBUILD_NAME_MAX = 255;
export const CODEBUILD_DESCRIPTION_MAX = 255;
const CODEBUILD_NAME = /^[A-Za-z0-9][A-Za-z0-9\-_]{1,254}$/;

/**
 * Load balancer names: at most 32 characters, alphanumerics and hyphens, not starting or ending with a
 * hyphen, not starting with "internal-", unique per Region and account
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html).
 */
export const LOAD_BALANCER_NAME_MAX = 32;

/** A cluster's load balancer name, as cluster-stack.ts builds it (`<prefix>-<cluster>`, cut to 32). */
export function loadBalancerName(prefix: string, cluster: string): string {
  return `${prefix}-${cluster}`.slice(0, LOAD_BALANCER_NAME_MAX);
}

/** Retention periods CloudWatch Logs accepts, in days (PutRetentionPolicy, retentionInDays). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/**
 * RDS DB instance classes: `db.<family>.<size>` (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.DBInstanceClass.html),
 * e.g. db.t4g.medium, db.r6g.2xlarge, db.x2g.16xlarge; the config may leave out `db.`.
 */
const DB_INSTANCE_CLASS = /^(db\.)?[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge|metal(-[0-9]+xl)?)$/;
/** EC2 instance types: `<family>.<size>` (https://docs.aws.amazon.com/ec2/latest/instancetypes/instance-type-names.html). */
const EC2_INSTANCE_TYPE = /^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|xlarge|[1-9][0-9]?xlarge|metal(-[0-9]+xl)?)$/;

/** Route 53 domain names: at most 255 characters in wire format (253 as text), labels of 1-63 characters. */
const DOMAIN_MAX = 253;

/**
 * CloudWatch alarm thresholds are doubles that must be finite (PutMetricAlarm: a JSON number); the
 * free-local-storage alarm compares bytes, so GiB x 2^30 must stay a safe integer.
 */
export const FREE_LOCAL_STORAGE_GIB_MAX = Math.floor(Number.MAX_SAFE_INTEGER / 2 ** 30);

const shown = (value: string, max = 60): string => JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);

/** The problem with a hostname as an ALB host-header value and a DNS name, or undefined. */
export function hostnameProblem(hostname: string): string | undefined {
  if (hostname.length > HOST_HEADER_MAX) return `${hostname.length} characters; an ALB host-header condition allows at most ${HOST_HEADER_MAX}`;
  if (!HOST_HEADER_CHARS.test(hostname)) return 'an ALB host-header condition allows only A-Z, a-z, 0-9, "-", "." and the wildcards "*" and "?" (no spaces, underscores, "/", ":" or non-ASCII letters: write an internationalized name in its xn-- form)';
  const labels = hostname.split('.');
  if (labels.length < 2) return 'a hostname needs at least two labels (e.g. app.example.com)';
  const bad = labels.find((l, i) => !(i === 0 ? WILDCARD_LABEL.test(l) && !l.startsWith('-') && !l.endsWith('-') : DNS_LABEL.test(l)));
  if (bad !== undefined) return `label ${shown(bad)} is not a DNS label (1 to 63 letters, digits and hyphens, not starting or ending with a hyphen; wildcards only in the first label)`;
  return undefined;
}

/** The problem with a domain name, or undefined. */
export function domainProblem(domain: string): string | undefined {
  const name = domain.endsWith('.') ? domain.slice(0, -1) : domain;
  if (name.length > DOMAIN_MAX) return `${name.length} characters; a domain name has at most ${DOMAIN_MAX}`;
  const labels = name.split('.');
  if (labels.length < 2 || labels.some((l) => !DNS_LABEL.test(l))) {
    return 'a domain name is dot-separated labels of 1 to 63 letters, digits and hyphens, not starting or ending with a hyphen (e.g. apps.example.com)';
  }
  return undefined;
}

/** Every AWS-validated value of `cfg` that AWS would refuse, named by its key. */
export function awsLimitIssues(cfg: CheckedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const add = (path: (string | number)[], message: string) => issues.push({ path, message });

  // Load balancer names, after the cut to 32 characters: valid and unique (one account and Region).
  const lbNames = new Map<string, number>();
  cfg.clusters.forEach((cluster, i) => {
    const name = loadBalancerName(cfg.prefix, cluster.name);
    if (name.endsWith('-')) {
      add(['clusters', i, 'name'], `the cluster's load balancer name "${name}" (<prefix>-<cluster> cut to ${LOAD_BALANCER_NAME_MAX} characters) would end with a hyphen, which Elastic Load Balancing refuses: choose a cluster name whose first ${LOAD_BALANCER_NAME_MAX - cfg.prefix.length - 1} characters do not end with "-"`);
    }
    const other = lbNames.get(name);
    // The same cluster name twice is refused as a duplicate already.
    if (other !== undefined && cfg.clusters[other].name !== cluster.name) {
      add(['clusters', i, 'name'], `the cluster's load balancer would be named "${name}" (<prefix>-<cluster> cut to ${LOAD_BALANCER_NAME_MAX} characters), the same as cluster "${cfg.clusters[other].name}"'s; load balancer names are unique per account and Region: make the names differ within their first ${LOAD_BALANCER_NAME_MAX} characters`);
    } else lbNames.set(name, i);
    if (cluster.domain) {
      const problem = domainProblem(cluster.domain.name);
      if (problem) add(['clusters', i, 'domain', 'name'], `${shown(cluster.domain.name)} is not a domain name: ${problem}`);
    }
    if (cluster.ec2Capacity) {
      const { instanceType, minCapacity, maxCapacity } = cluster.ec2Capacity;
      if (!EC2_INSTANCE_TYPE.test(instanceType)) add(['clusters', i, 'ec2Capacity', 'instanceType'], `${shown(instanceType)} is not an EC2 instance type (<family>.<size>, e.g. t4g.medium, m7g.large)`);
      if (minCapacity > maxCapacity) add(['clusters', i, 'ec2Capacity', 'minCapacity'], `minCapacity ${minCapacity} exceeds maxCapacity ${maxCapacity} (an Auto Scaling group needs MinSize <= MaxSize)`);
    }
    if (cluster.defaultCapacityProvider === 'EC2' && !cluster.ec2Capacity) add(['clusters', i, 'defaultCapacityProvider'], '"EC2" needs ec2Capacity (the instances the tasks run on)');
    if (cluster.defaultCapacityProvider === 'EC2' && cluster.natGateways === 0) {
      add(['clusters', i, 'natGateways'], 'defaultCapacityProvider "EC2" needs natGateways >= 1 (tasks on EC2 get no public IP, so without NAT they cannot reach ECR or the internet)');
    }
  });

  const clusterOfDatabase = new Map(cfg.databases.map((d) => [d.name, d.cluster]));
  cfg.databases.forEach((db, i) => {
    if (!DB_INSTANCE_CLASS.test(db.instanceType)) add(['databases', i, 'instanceType'], `${shown(db.instanceType)} is not an RDS DB instance class (db.<family>.<size>, e.g. db.t4g.medium, db.r6g.large)`);
    const gib = db.monitoring.freeLocalStorageGiB;
    if (!Number.isFinite(gib) || gib > FREE_LOCAL_STORAGE_GIB_MAX) {
      add(['databases', i, 'monitoring', 'freeLocalStorageGiB'], `${gib} GiB makes no alarm threshold CloudWatch accepts (the threshold is in bytes and must be a finite number): at most ${FREE_LOCAL_STORAGE_GIB_MAX}`);
    }
  });

  cfg.apps.forEach((app, i) => {
    if (app.hostname !== undefined) {
      const problem = hostnameProblem(app.hostname);
      if (problem) add(['apps', i, 'hostname'], `${shown(app.hostname)} is not a hostname for the load balancer: ${problem}`);
    }
    for (const [name, process] of Object.entries(app.processes)) {
      if (name === 'web' && process.port === undefined) add(['apps', i, 'processes', 'web', 'port'], 'the web process needs a port (it is attached to the load balancer); give it one, or name the process otherwise');
      const path = process.healthCheckPath;
      if (path.length > HEALTH_CHECK_PATH_MAX) add(['apps', i, 'processes', name, 'healthCheckPath'], `${path.length} characters; a target group's health-check path has at most ${HEALTH_CHECK_PATH_MAX}`);
      // eslint-disable-next-line no-control-regex
      else if (/[\s\u0000-\u001f\u007f]|[^\u0000-\u007f]/.test(path)) add(['apps', i, 'processes', name, 'healthCheckPath'], 'a health-check path is an ASCII URL path without spaces or control characters (percent-encode anything else)');
    }
    const project = codeBuildProjectName(cfg.prefix, app.name);
    if (!CODEBUILD_NAME.test(project)) add(['apps', i, 'name'], `the CodeBuild project name "${project}" is not one CodeBuild accepts (2 to ${CODEBUILD_NAME_MAX} letters, digits, "-" and "_")`);
    const description = `Builds ${app.repository.owner}/${app.repository.name} (${app.repository.branch}) into ${cfg.prefix}/${app.name}`;
    if (description.length > CODEBUILD_DESCRIPTION_MAX) {
      add(['apps', i, 'repository'], `the CodeBuild project's description "Builds <owner>/<name> (<branch>) into <prefix>/<app>" would have ${description.length} characters, CodeBuild allows ${CODEBUILD_DESCRIPTION_MAX}: shorten the repository owner, name or branch`);
    }
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(app.logRetentionDays)) {
      add(['apps', i, 'logRetentionDays'], `${app.logRetentionDays} is not a retention CloudWatch Logs accepts: one of ${LOG_RETENTION_DAYS.join(', ')}`);
    }
    if (app.database !== undefined) {
      const dbCluster = clusterOfDatabase.get(app.database);
      if (dbCluster !== undefined && dbCluster !== app.cluster) {
        add(['apps', i, 'database'], `database "${app.database}" lives on cluster "${dbCluster}", the app on cluster "${app.cluster}": the app's tasks can reach only databases in their own cluster's VPC; use a database of cluster "${app.cluster}"`);
      }
    }
    const seen = new Map<string, number>();
    app.schedules.forEach((s, j) => {
      if (s.name === undefined) return;
      const first = seen.get(s.name);
      if (first !== undefined) add(['apps', i, 'schedules', j, 'name'], `duplicate schedule name "${s.name}" (also schedules[${first}]): EventBridge Scheduler names are unique in the app's schedule group`);
      else seen.set(s.name, j);
    });
  });
  return issues;
}

/** Keys that, read from a plain object, reach its prototype instead of an own property. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Keys named `__proto__` anywhere in a parsed config: JSON.parse keeps them as own properties, but the
 * validation copies objects by assignment, where `__proto__` sets the prototype and the key is silently
 * lost (a process type would disappear). Refused by name.
 */
export function prototypeKeyIssues(raw: unknown, path: (string | number)[] = [], depth = 0): ConfigIssue[] {
  if (raw === null || typeof raw !== 'object' || depth > 64) return [];
  const issues: ConfigIssue[] = [];
  if (Array.isArray(raw)) {
    raw.forEach((v, i) => issues.push(...prototypeKeyIssues(v, [...path, i], depth + 1)));
    return issues;
  }
  for (const key of Object.keys(raw)) {
    if (key === '__proto__') issues.push({ path: [...path, key], message: 'a key named "__proto__" is not allowed (it would set the object\'s prototype instead of a value)' });
    else issues.push(...prototypeKeyIssues((raw as Record<string, unknown>)[key], [...path, key], depth + 1));
  }
  return issues;
}

/** Whether `name` is an own key of `record` (not "constructor" or "toString" inherited from Object). */
export function hasOwnKey(record: object, name: string): boolean {
  return Object.prototype.hasOwnProperty.call(record, name);
}

/** Whether `name` is a key that, on a plain object, would reach its prototype. */
export function isPrototypeKey(name: string): boolean {
  return PROTOTYPE_KEYS.has(name);
}
