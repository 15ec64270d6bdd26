import { BenchInputError } from './stats';
import { isDefaultBusRule, logGroupCount, listenerRulesPerLoadBalancer, targetGroupsPerLoadBalancer, loadBalancerSecurityGroupRules, inlinePolicyCharsPerRole, eventPatternChars, resources, ofType, countOf, type Assembly } from './template-counts';

/** The default quotas the section counts against, and the arithmetic of how many apps fit under each. */

/** What a quota is counted per. */
export type QuotaScope = 'account' | 'load balancer' | 'security group' | 'role' | 'rule' | 'stack';

/** One default quota the platform's resources count against, and how to count them in an assembly. */
export interface QuotaKind {
  readonly id: string;
  readonly label: string;
  /** AWS's default value; `null` when AWS sets no quota on the count. */
  readonly quota: number | null;
  readonly scope: QuotaScope;
  /** Where AWS documents the default. */
  readonly source: string;
  /** Resources of this kind; for a quota per load balancer, role, rule, ..., on the most loaded one. */
  count(assembly: Assembly): number;
  /**
   * For a quota per resource (load balancer, role, rule, stack): the count on each, keyed by stack and
   * logical ID, so that each resource's own growth is followed from 1 to 3 apps (the largest with one app
   * need not be the one that grows).
   */
  countEach?(assembly: Assembly): Map<string, number>;
}

const maxOf = (m: Map<string, number>) => Math.max(0, ...m.values());
/** A quota per resource: each resource's count, and the largest as the kind's count. */
const largestOf = (each: (a: Assembly) => Map<string, number>) => ({ countEach: each, count: (a: Assembly) => maxOf(each(a)) });

/**
 * The default quotas the platform's resources count against, each with the AWS page that states it.
 * Per account means per account and Region unless the label says otherwise (IAM is global to the account).
 */
export const QUOTA_KINDS: readonly QuotaKind[] = [
  {
    id: 'iam-roles',
    label: 'IAM roles',
    // "Roles in an AWS account: 1000" (default; maximum 5000), IAM object quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entities
    // (also "The default quota for IAM roles per account is 1000 roles", IAM Identity Center user guide).
    quota: 1000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    count: countOf('AWS::IAM::Role'),
  },
  {
    id: 'iam-managed-policies',
    label: 'IAM customer managed policies',
    // "Customer managed policies in an AWS account: 1500" (default; maximum 5000): same table.
    quota: 1500,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html',
    count: countOf('AWS::IAM::ManagedPolicy'),
  },
  {
    id: 'eventbridge-default-bus-rules',
    label: 'EventBridge rules on the default event bus',
    // "Number of rules: 300" per event bus per account in each Region but af-south-1 and eu-south-1 (100), Amazon EventBridge quotas
    // (seen on the zh-CN edition of the page): https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
    quota: 300,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
    count: (a) => ofType(a, 'AWS::Events::Rule').filter((r) => isDefaultBusRule(r.resource)).length,
  },
  {
    id: 'state-machines',
    label: 'Step Functions state machines',
    // "Maximum number of registered state machines: 100,000" (adjustable to 150,000), Step Functions service quotas, quotas related to accounts:
    // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html (seen on the Korean edition of the page; older pages said 10,000).
    quota: 100_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html',
    count: countOf('AWS::StepFunctions::StateMachine'),
  },
  {
    id: 'schedule-groups',
    label: 'EventBridge Scheduler schedule groups',
    // "You can create up to 500 schedule groups in your AWS account": Managing a schedule group, https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html (also AWS::Scheduler::ScheduleGroup's reference page)
    quota: 500,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-schedule-group.html',
    count: countOf('AWS::Scheduler::ScheduleGroup'),
  },
  {
    id: 'schedules',
    label: 'EventBridge Scheduler schedules (in templates)',
    // "Number of schedules (default 10,000,000 per Region)": Quotas for Amazon EventBridge Scheduler, https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html
    quota: 10_000_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/scheduler/latest/UserGuide/scheduler-quotas.html',
    count: countOf('AWS::Scheduler::Schedule'),
  },
  {
    id: 'alarms',
    label: 'CloudWatch alarms (metric and composite)',
    // "Alarms: ... No limit on the total number of alarms per account" (CloudWatch service quotas; 5 actions per alarm, PutMetricAlarm 3 TPS): https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
    quota: null,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html',
    count: countOf('AWS::CloudWatch::Alarm', 'AWS::CloudWatch::CompositeAlarm'),
  },
  {
    id: 'dashboards',
    label: 'CloudWatch dashboards',
    // The CloudWatch service quotas page bounds metrics per dashboard (2,500), not the number of dashboards: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html
    quota: null,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html',
    count: countOf('AWS::CloudWatch::Dashboard'),
  },
  {
    id: 'kms-keys',
    label: 'KMS customer managed keys',
    // "AWS KMS keys: 100,000 (customer managed keys)" per account and Region: AWS KMS resource quotas, https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html
    quota: 100_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/kms/latest/developerguide/resource-limits.html',
    count: countOf('AWS::KMS::Key'),
  },
  {
    id: 'log-groups',
    label: 'CloudWatch Logs log groups (incl. those Lambda and CodeBuild create)',
    // Log groups per account per Region: 1,000,000 (adjustable), CloudWatch Logs quotas: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html
    // NOT seen in a page here: the only copy found (awsdocs' archived guide) still says 5,000; 1,000,000 is issue 16's figure.
    quota: 1_000_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/cloudwatch_limits_cwl.html',
    count: logGroupCount,
  },
  {
    id: 'ssm-standard-parameters',
    label: 'SSM Parameter Store standard parameters (in templates)',
    // "Total number of parameters allowed (per AWS account and AWS Region): Standard 10,000, Advanced 100,000": Managing parameter tiers,
    // https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html
    quota: 10_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html',
    count: (a) => ofType(a, 'AWS::SSM::Parameter').filter((p) => p.resource.Properties?.Tier !== 'Advanced').length,
  },
  {
    id: 's3-buckets',
    label: 'S3 general purpose buckets',
    // "By default, you can create up to 10,000 general purpose buckets per AWS account" (all Regions together): https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html
    quota: 10_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/BucketRestrictions.html',
    count: countOf('AWS::S3::Bucket'),
  },
  {
    id: 'ecr-repositories',
    label: 'ECR repositories',
    // Registered repositories per Region: 10,000 (issue 16's figure), Amazon ECR service quotas: https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html
    // NOT seen in a page here: the copy found renders its table only on the website.
    quota: 10_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/service-quotas.html',
    count: countOf('AWS::ECR::Repository'),
  },
  {
    id: 'codebuild-projects',
    label: 'CodeBuild projects',
    // Maximum number of build projects per Region: 5,000 (issue 16's figure), Quotas for AWS CodeBuild: https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html
    // NOT seen in a page here: the archived copy found says 1,000 (an older default).
    quota: 5_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/codebuild/latest/userguide/limits.html',
    count: countOf('AWS::CodeBuild::Project'),
  },
  {
    id: 'target-groups',
    label: 'ELB target groups',
    // "Target Groups per Region: 3,000" (shared by Application and Network Load Balancers): Quotas for your Application Load Balancers, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    quota: 3_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    count: countOf('AWS::ElasticLoadBalancingV2::TargetGroup'),
  },
  {
    id: 'security-groups',
    label: 'VPC security groups',
    // "VPC security groups per Region: 2,500" (adjustable), Amazon VPC quotas: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
    quota: 2_500,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html',
    count: countOf('AWS::EC2::SecurityGroup'),
  },
  {
    id: 'cloudformation-stacks',
    label: 'CloudFormation stacks',
    // Stacks per account and Region: 2,000, AWS CloudFormation quotas: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
    // NOT seen in a page here: the archived copy found says 200 (an older default); DescribeAccountLimits' StackLimit gives an account's own.
    quota: 2_000,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html',
    count: (a) => Object.keys(a).length,
  },
  {
    id: 'role-inline-policy-size',
    label: "characters of a role's inline policies (the largest role)",
    // "the total aggregate policy size (the sum size of all inline policies) per entity cannot exceed ... Role policy size cannot exceed 10,240
    // characters" (white space not counted), IAM and STS character quotas: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length
    // (seen quoted from that page; IAM's PutRolePolicy error reads "Maximum policy size of 10240 bytes exceeded"). A shared role whose policy grows per app binds here.
    quota: 10_240,
    scope: 'role',
    source: 'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html#reference_iam-quotas-entity-length',
    ...largestOf(inlinePolicyCharsPerRole),
  },
  {
    id: 'event-pattern-size',
    label: 'characters of an event pattern (the largest rule)',
    // "Event pattern size: 2048" characters, Amazon EventBridge quotas (seen on the zh-CN edition): https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
    // A shared rule that lists every app (instead of a prefix) binds here.
    quota: 2_048,
    scope: 'rule',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html',
    ...largestOf(eventPatternChars),
  },
  {
    id: 'template-resources',
    label: 'resources in a template (the largest stack)',
    // Resources per template: 500, AWS CloudFormation quotas: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
    // NOT seen in a page here (the archived copy found says 200, an older default). A shared stack that grows per app binds here.
    quota: 500,
    scope: 'stack',
    source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html',
    ...largestOf((a) => new Map(Object.entries(a).map(([stack, t]) => [stack, Object.keys(t.Resources ?? {}).length]))),
  },
  {
    id: 'lambda-functions',
    label: 'Lambda functions',
    // Lambda quotas bound code storage (75 GB) and concurrency, not the number of functions: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
    quota: null,
    scope: 'account',
    source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html',
    count: countOf('AWS::Lambda::Function'),
  },
  {
    id: 'alb-rules',
    label: 'listener rules per Application Load Balancer (not counting default rules)',
    // "Rules per Application Load Balancer (excluding default rules): 100": Quotas for your Application Load Balancers, https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
    quota: 100,
    scope: 'load balancer',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    ...largestOf(listenerRulesPerLoadBalancer),
  },
  {
    id: 'alb-target-groups',
    label: 'target groups per Application Load Balancer',
    // "Target Groups per Application Load Balancer: 100" (not adjustable): same page.
    quota: 100,
    scope: 'load balancer',
    source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html',
    ...largestOf(targetGroupsPerLoadBalancer),
  },
  {
    id: 'lb-sg-inbound',
    label: "inbound rules of the load balancer's security group",
    // "Inbound or outbound rules per security group: 60" ("enforced separately for IPv4 rules and IPv6 rules"), Amazon VPC quotas: https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html
    quota: 60,
    scope: 'security group',
    source: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html',
    ...largestOf((a) => new Map([...loadBalancerSecurityGroupRules(a)].map(([k, r]) => [k, r.inbound]))),
  },
  {
    id: 'lb-sg-outbound',
    label: "outbound rules of the load balancer's security group",
    // Same quota and page as the inbound rules.
    quota: 60,
    scope: 'security group',
    source: 'https://docs.aws.amazon.com/vpc/latest/userguide/amazon-vpc-limits.html',
    ...largestOf((a) => new Map([...loadBalancerSecurityGroupRules(a)].map(([k, r]) => [k, r.outbound]))),
  },
];

/** The arithmetic for one kind: what the platform holds once, what each app adds, and how many apps fit. */
export interface QuotaFigure {
  readonly id: string;
  readonly label: string;
  readonly scope: QuotaScope;
  readonly quota: number | null;
  readonly source: string;
  /** Counts for 1, 2, 3, ... apps. */
  readonly counts: readonly number[];
  /** count(1) - perApp: what the platform holds with no app. */
  readonly shared: number;
  /** count(2) - count(1). */
  readonly perApp: number;
  /** count(3) - count(2); equal to perApp unless the per-app share is not constant. */
  readonly perAppCheck: number;
  readonly agrees: boolean;
  /** Apps that fit before the quota binds; `null` when nothing binds (no per-app resource, or no quota). */
  readonly fit: number | null;
  /** For a quota per resource: the resource the figures are of (stack/logical ID). */
  readonly item?: string;
}

/**
 * Shared, per-app and the number of apps before `quota` binds, from the counts for 1, 2 and 3 apps.
 * When the two deltas disagree the larger one is used for the fit (the cautious reading), and both are
 * reported. @throws BenchInputError for fewer than three counts or a count that falls as apps are added.
 */
export function deriveFigure(kind: Pick<QuotaKind, 'id' | 'label' | 'scope' | 'quota' | 'source'>, counts: readonly number[]): QuotaFigure {
  if (counts.length < 3) throw new BenchInputError(`${kind.label}: need the counts for 1, 2 and 3 apps, got ${counts.length}`);
  const [one, two, three] = counts;
  const perApp = two - one;
  const perAppCheck = three - two;
  if (perApp < 0 || perAppCheck < 0) throw new BenchInputError(`${kind.label}: the count falls as apps are added (${counts.join(', ')}): the synthesized apps are not alike`);
  const worst = Math.max(perApp, perAppCheck);
  const shared = one - perApp;
  const fit = kind.quota === null || worst === 0 ? null : Math.max(0, Math.floor((kind.quota - shared) / worst));
  return { id: kind.id, label: kind.label, scope: kind.scope, quota: kind.quota, source: kind.source, counts: [...counts], shared, perApp, perAppCheck, agrees: perApp === perAppCheck, fit };
}

/** Resource types whose count changes with the number of apps, and by how much per app. */
export function perAppResourceTypes(assemblies: readonly Assembly[]): { type: string; perApp: number; perAppCheck: number }[] {
  const byType = (a: Assembly) => {
    const m = new Map<string, number>();
    for (const r of resources(a)) m.set(r.resource.Type, (m.get(r.resource.Type) ?? 0) + 1);
    return m;
  };
  const [one, two, three] = assemblies.map(byType);
  const types = new Set([...one.keys(), ...two.keys(), ...three.keys()]);
  return [...types]
    .map((type) => ({ type, perApp: (two.get(type) ?? 0) - (one.get(type) ?? 0), perAppCheck: (three.get(type) ?? 0) - (two.get(type) ?? 0) }))
    .filter((t) => t.perApp !== 0 || t.perAppCheck !== 0)
    .sort((a, b) => b.perApp - a.perApp || a.type.localeCompare(b.type));
}

/**
 * A kind's figure over the assemblies of 1, 2 and 3 apps. For a quota per resource, each resource present
 * in all three is followed on its own and the one that binds first is reported (with its key); when none
 * grows, the most loaded one. Without `countEach`, the kind's total.
 */
export function figureOf(kind: QuotaKind, assemblies: readonly Assembly[]): QuotaFigure {
  if (!kind.countEach) return deriveFigure(kind, assemblies.map((a) => kind.count(a)));
  const maps = assemblies.map((a) => kind.countEach?.(a) ?? new Map<string, number>());
  const keys = [...maps[0].keys()].filter((k) => maps.every((m) => m.has(k)));
  if (keys.length === 0) return deriveFigure(kind, assemblies.map((a) => kind.count(a)));
  const figures = keys.map((k) => ({ ...deriveFigure(kind, maps.map((m) => m.get(k) ?? 0)), item: k }));
  const binding = figures.filter((f) => f.fit !== null).sort((a, b) => (a.fit ?? 0) - (b.fit ?? 0))[0];
  return binding ?? figures.sort((a, b) => b.counts[0] - a.counts[0])[0];
}
