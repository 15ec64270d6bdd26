/**
 * "Apps per account": how many apps fit one AWS account and region before a default quota binds, and
 * what one idle app costs a month whatever it does.
 *
 * Method: the CDK app is synthesized (bin/slipway-app.ts, run with cdk.json's own `app` command) for
 * configs derived from config/example.json with 1, 2 and 3 apps, and the resources of each kind are
 * counted in the synthesized CloudFormation templates. per-app = count(2) - count(1) (checked against
 * count(3) - count(2)); shared = count(1) - per-app; apps that fit = floor((quota - shared) / per-app).
 * Nothing here knows the stacks' layout: whatever the templates contain when the bench runs is counted.
 *
 * The counting, the arithmetic and the pricing are pure functions (test/bench/apps-per-account.test.ts);
 * `synthAssembly` is the only I/O.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchInputError, LAMBDA_ASSUMPTIONS, type GoalResult, type LambdaAssumptions } from './stats';
import { CONFIG_CONTEXT_KEY } from '../lib/deployment-config';

/** One resource of a CloudFormation template (only what the counting reads). */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized CloudFormation template. */
export interface CfnTemplate {
  readonly Resources?: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value?: unknown; readonly Export?: { readonly Name?: unknown } }>;
}

/** Every stack of one synthesized CDK app: stack (artifact) name -> template. */
export type Assembly = Readonly<Record<string, CfnTemplate>>;

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

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every resource of the assembly, with its stack and logical ID. */
export function resources(assembly: Assembly): { stack: string; id: string; resource: CfnResource }[] {
  return Object.entries(assembly).flatMap(([stack, t]) => Object.entries(t.Resources ?? {}).map(([id, resource]) => ({ stack, id, resource })));
}

const ofType = (assembly: Assembly, ...types: string[]) => resources(assembly).filter((r) => types.includes(r.resource.Type));
const countOf =
  (...types: string[]) =>
  (assembly: Assembly) =>
    ofType(assembly, ...types).length;

/** A resource named by `{Ref}`, `{Fn::GetAtt}` or, across stacks, `{Fn::ImportValue}` of another stack's export. */
interface Target {
  readonly stack: string;
  readonly id: string;
}
const key = (t: Target) => `${t.stack}/${t.id}`;

function exportsOf(assembly: Assembly): Map<string, { stack: string; value: unknown }> {
  const out = new Map<string, { stack: string; value: unknown }>();
  for (const [stack, t] of Object.entries(assembly)) {
    for (const o of Object.values(t.Outputs ?? {})) if (typeof o.Export?.Name === 'string') out.set(o.Export.Name, { stack, value: o.Value });
  }
  return out;
}

/** The resource a template value points at, or undefined when it names none the assembly holds (a literal ARN, a parameter). */
export function resolveTarget(assembly: Assembly, stack: string, value: unknown, exported = exportsOf(assembly)): Target | undefined {
  if (!isObject(value)) return undefined;
  let found: Target | undefined;
  if (typeof value.Ref === 'string') found = { stack, id: value.Ref };
  const att = value['Fn::GetAtt'];
  if (Array.isArray(att) && typeof att[0] === 'string') found = { stack, id: att[0] };
  if (typeof att === 'string') found = { stack, id: att.split('.')[0] };
  const imported = value['Fn::ImportValue'];
  if (typeof imported === 'string') {
    const e = exported.get(imported);
    return e ? resolveTarget(assembly, e.stack, e.value, exported) : undefined;
  }
  return found && assembly[found.stack]?.Resources?.[found.id] ? found : undefined;
}

const resourceAt = (assembly: Assembly, t: Target) => assembly[t.stack]?.Resources?.[t.id];

/** Rules on the account's default event bus: no `EventBusName`, `default`, or the default bus's ARN. */
export function isDefaultBusRule(r: CfnResource): boolean {
  const bus = r.Properties?.EventBusName;
  return bus === undefined || bus === 'default' || (typeof bus === 'string' && bus.endsWith(':event-bus/default'));
}

/**
 * Log groups: the templates' own, plus those AWS creates on first use: a Lambda function's
 * `/aws/lambda/<name>` when it names no log group (LoggingConfig.LogGroup), a CodeBuild project's
 * `/aws/codebuild/<name>` when its CloudWatch logs are on and name no group.
 */
export function logGroupCount(assembly: Assembly): number {
  const explicit = ofType(assembly, 'AWS::Logs::LogGroup').length;
  const lambdas = ofType(assembly, 'AWS::Lambda::Function').filter((f) => {
    const logging = f.resource.Properties?.LoggingConfig;
    return !(isObject(logging) && logging.LogGroup !== undefined);
  }).length;
  const builds = ofType(assembly, 'AWS::CodeBuild::Project').filter((p) => {
    const cw = isObject(p.resource.Properties?.LogsConfig) ? (p.resource.Properties?.LogsConfig as Json).CloudWatchLogs : undefined;
    if (!isObject(cw)) return true;
    return cw.Status !== 'DISABLED' && cw.GroupName === undefined;
  }).length;
  return explicit + lambdas + builds;
}

/** Listener rules (not counting default rules) per load balancer: the rule's listener's load balancer. */
export function listenerRulesPerLoadBalancer(assembly: Assembly): Map<string, number> {
  const exported = exportsOf(assembly);
  const out = new Map<string, number>();
  for (const lb of ofType(assembly, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) out.set(key(lb), 0);
  for (const rule of ofType(assembly, 'AWS::ElasticLoadBalancingV2::ListenerRule')) {
    const lb = loadBalancerOfListener(assembly, rule.stack, rule.resource.Properties?.ListenerArn, exported);
    if (lb) out.set(key(lb), (out.get(key(lb)) ?? 0) + 1);
  }
  return out;
}

function loadBalancerOfListener(assembly: Assembly, stack: string, listenerArn: unknown, exported: ReturnType<typeof exportsOf>): Target | undefined {
  const listener = resolveTarget(assembly, stack, listenerArn, exported);
  const l = listener && resourceAt(assembly, listener);
  if (!listener || l?.Type !== 'AWS::ElasticLoadBalancingV2::Listener') return undefined;
  return resolveTarget(assembly, listener.stack, l.Properties?.LoadBalancerArn, exported);
}

function targetGroupsOfActions(actions: unknown): unknown[] {
  if (!Array.isArray(actions)) return [];
  return actions.flatMap((a: unknown) => {
    if (!isObject(a)) return [];
    const forward = isObject(a.ForwardConfig) && Array.isArray(a.ForwardConfig.TargetGroups) ? a.ForwardConfig.TargetGroups.map((t: unknown) => (isObject(t) ? t.TargetGroupArn : undefined)) : [];
    return [a.TargetGroupArn, ...forward].filter((t) => t !== undefined);
  });
}

/** Distinct target groups that a load balancer's listeners and listener rules forward to, per load balancer. */
export function targetGroupsPerLoadBalancer(assembly: Assembly): Map<string, number> {
  const exported = exportsOf(assembly);
  const groups = new Map<string, Set<string>>();
  for (const lb of ofType(assembly, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) groups.set(key(lb), new Set());
  const add = (lb: Target | undefined, stack: string, actions: unknown) => {
    if (!lb) return;
    const set = groups.get(key(lb)) ?? new Set<string>();
    for (const tg of targetGroupsOfActions(actions)) {
      const t = resolveTarget(assembly, stack, tg, exported);
      set.add(t ? key(t) : JSON.stringify(tg));
    }
    groups.set(key(lb), set);
  };
  for (const l of ofType(assembly, 'AWS::ElasticLoadBalancingV2::Listener')) add(resolveTarget(assembly, l.stack, l.resource.Properties?.LoadBalancerArn, exported), l.stack, l.resource.Properties?.DefaultActions);
  for (const r of ofType(assembly, 'AWS::ElasticLoadBalancingV2::ListenerRule')) add(loadBalancerOfListener(assembly, r.stack, r.resource.Properties?.ListenerArn, exported), r.stack, r.resource.Properties?.Actions);
  return new Map([...groups].map(([k, v]) => [k, v.size]));
}

/**
 * Inbound and outbound rules of each load balancer's security groups: the group's inline rules plus every
 * `AWS::EC2::SecurityGroupIngress`/`Egress` whose `GroupId` is that group (in any stack, through exports).
 * A rule elsewhere that only names the group as its source counts against the other group, not this one.
 */
export function loadBalancerSecurityGroupRules(assembly: Assembly): Map<string, { inbound: number; outbound: number }> {
  const exported = exportsOf(assembly);
  const out = new Map<string, { inbound: number; outbound: number }>();
  for (const lb of ofType(assembly, 'AWS::ElasticLoadBalancingV2::LoadBalancer')) {
    const groups = lb.resource.Properties?.SecurityGroups;
    for (const g of Array.isArray(groups) ? groups : []) {
      const t = resolveTarget(assembly, lb.stack, g, exported);
      const sg = t && resourceAt(assembly, t);
      if (!t || sg?.Type !== 'AWS::EC2::SecurityGroup') continue;
      const inline = (p: string) => (Array.isArray(sg.Properties?.[p]) ? (sg.Properties?.[p] as unknown[]).length : 0);
      out.set(key(t), { inbound: inline('SecurityGroupIngress'), outbound: inline('SecurityGroupEgress') });
    }
  }
  for (const [type, side] of [
    ['AWS::EC2::SecurityGroupIngress', 'inbound'],
    ['AWS::EC2::SecurityGroupEgress', 'outbound'],
  ] as const) {
    for (const r of ofType(assembly, type)) {
      const t = resolveTarget(assembly, r.stack, r.resource.Properties?.GroupId, exported);
      const entry = t && out.get(key(t));
      if (entry) entry[side] += 1;
    }
  }
  return out;
}

const maxOf = (m: Map<string, number>) => Math.max(0, ...m.values());
/** A quota per resource: each resource's count, and the largest as the kind's count. */
const largestOf = (each: (a: Assembly) => Map<string, number>) => ({ countEach: each, count: (a: Assembly) => maxOf(each(a)) });

/** Characters of a policy or pattern as IAM and EventBridge count them: JSON without white space. */
const jsonLength = (v: unknown) => JSON.stringify(v).length;

/**
 * Characters of the inline policies of each role (its own `Policies` and every `AWS::IAM::Policy` that names
 * it), in the template's form: intrinsic functions stand where ARNs will be, so this approximates the size
 * IAM sees (a resolved ARN is about as long as the `Fn::Join` or `Fn::GetAtt` that makes it).
 */
export function inlinePolicyCharsPerRole(assembly: Assembly): Map<string, number> {
  const exported = exportsOf(assembly);
  const out = new Map<string, number>();
  for (const role of ofType(assembly, 'AWS::IAM::Role')) {
    const own = role.resource.Properties?.Policies;
    out.set(key(role), Array.isArray(own) ? own.reduce((n: number, p: unknown) => n + (isObject(p) ? jsonLength(p.PolicyDocument) : 0), 0) : 0);
  }
  for (const policy of ofType(assembly, 'AWS::IAM::Policy')) {
    const roles = policy.resource.Properties?.Roles;
    for (const r of Array.isArray(roles) ? roles : []) {
      const t = resolveTarget(assembly, policy.stack, r, exported);
      if (t && out.has(key(t))) out.set(key(t), (out.get(key(t)) ?? 0) + jsonLength(policy.resource.Properties?.PolicyDocument));
    }
  }
  return out;
}

/** Characters of each EventBridge rule's event pattern (the template's form). */
export function eventPatternChars(assembly: Assembly): Map<string, number> {
  return new Map(ofType(assembly, 'AWS::Events::Rule').filter((r) => r.resource.Properties?.EventPattern !== undefined).map((r) => [key(r), jsonLength(r.resource.Properties?.EventPattern)]));
}

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
 * List prices (US East, N. Virginia) of what costs money while nothing happens. Constants with their
 * source, never measured: this machine cannot reach aws.amazon.com, so re-check before quoting.
 */
export const IDLE_PRICES = {
  source:
    'AWS list prices, US East (N. Virginia), as last seen published: https://aws.amazon.com/kms/pricing/ ($1.00 per KMS key a month), https://aws.amazon.com/cloudwatch/pricing/ ($3.00 per dashboard a month; $0.10 per standard-resolution alarm metric, $0.30 high-resolution, a metric-math alarm billed per metric in its expression; $0.50 per composite alarm; logs ingestion $0.50 per GB), https://aws.amazon.com/systems-manager/pricing/ ($0.05 per advanced parameter a month, standard free), https://aws.amazon.com/secrets-manager/pricing/ ($0.40 per secret a month), https://aws.amazon.com/eventbridge/pricing/ (Scheduler $1.00 per million invocations; scheduled rules themselves free), https://aws.amazon.com/lambda/pricing/ ($0.20 per 1M requests, $0.0000133334 per GB-s on Arm, $0.0000166667 on x86), https://aws.amazon.com/privatelink/pricing/ ($0.01 per interface endpoint per AZ-hour), https://aws.amazon.com/vpc/pricing/ ($0.045 per NAT gateway-hour), https://aws.amazon.com/elasticloadbalancing/pricing/ ($0.0225 per ALB-hour), https://aws.amazon.com/dynamodb/pricing/ (on-demand: requests only; provisioned $0.00065 per WCU-hour and $0.00013 per RCU-hour); free tiers ignored',
  hoursPerMonth: 730,
  kmsKey: 1.0,
  dashboard: 3.0,
  alarmMetricStandard: 0.1,
  alarmMetricHighResolution: 0.3,
  compositeAlarm: 0.5,
  advancedParameter: 0.05,
  secret: 0.4,
  schedulerInvocation: 1.0 / 1_000_000,
  lambdaRequest: 0.2 / 1_000_000,
  lambdaArmGbSecond: 0.0000133334,
  lambdaX86GbSecond: 0.0000166667,
  logIngestionPerGb: 0.5,
  interfaceEndpointAzHour: 0.01,
  natGatewayHour: 0.045,
  albHour: 0.0225,
  dynamoWcuHour: 0.00065,
  dynamoRcuHour: 0.00013,
} as const;

/** What the idle cost assumes beyond list prices. */
export interface IdleAssumptions {
  readonly lambda: LambdaAssumptions;
  /** Bytes a scheduled Lambda invocation writes to CloudWatch Logs (START, END and REPORT lines, a log line or two). */
  readonly logBytesPerInvocation: number;
}
/** The bench's Lambda assumption (section 1's) and 1,000 bytes of logs per scheduled invocation. */
export const IDLE_ASSUMPTIONS: IdleAssumptions = { lambda: LAMBDA_ASSUMPTIONS, logBytesPerInvocation: 1000 };

/**
 * Resource types that cost nothing while an app is idle, each with why (what they are billed for instead);
 * `idleMonthlyCost` prices the rest (KMS keys, dashboards, alarms, secrets, schedules, ...) and the
 * priced cases of these (advanced parameters, interface endpoints, provisioned capacity). A per-app type
 * in neither is reported as "not priced".
 */
export const FREE_WHILE_IDLE: Readonly<Record<string, string>> = {
  'AWS::IAM::Role': 'IAM is free',
  'AWS::IAM::Policy': 'IAM is free',
  'AWS::IAM::ManagedPolicy': 'IAM is free',
  'AWS::EC2::SecurityGroup': 'free',
  'AWS::EC2::SecurityGroupIngress': 'free',
  'AWS::EC2::SecurityGroupEgress': 'free',
  'AWS::ElasticLoadBalancingV2::TargetGroup': 'billed through the shared load balancer (LCUs: traffic)',
  'AWS::ElasticLoadBalancingV2::ListenerRule': 'rule evaluations are LCUs: traffic only',
  'AWS::ECR::Repository': 'image storage ($0.10 per GB-month): usage, bounded by the lifecycle policy',
  'AWS::CodeBuild::Project': 'build minutes: usage only',
  'AWS::S3::Bucket': 'storage and requests: usage only (empty while idle)',
  'AWS::S3::BucketPolicy': 'free',
  'AWS::Logs::LogGroup': 'ingestion and storage: usage only (scheduled invocations priced separately)',
  'AWS::Logs::ResourcePolicy': 'free',
  'AWS::Lambda::Function': 'requests and duration: scheduled invocations priced separately',
  'AWS::Lambda::Permission': 'free',
  'AWS::StepFunctions::StateMachine': 'state transitions: usage only',
  'AWS::Events::Rule': 'rules are free; scheduled targets priced separately',
  'AWS::SNS::Topic': 'publishes and deliveries: usage only',
  'AWS::SNS::TopicPolicy': 'free',
  'AWS::SNS::Subscription': 'deliveries: usage only',
  'AWS::SQS::Queue': 'requests: usage only (no poller reads it while idle)',
  'AWS::SQS::QueuePolicy': 'free',
  'AWS::Scheduler::ScheduleGroup': 'free',
  'AWS::SSM::Parameter': 'standard tier free (advanced priced)',
  'AWS::DynamoDB::Table': 'on-demand: requests only (provisioned capacity priced); storage of an idle app\'s few KB and its PITR backup ($0.20 per GB-month) round to $0',
  'AWS::DynamoDB::GlobalTable': 'on-demand: requests only (provisioned capacity priced)',
  'AWS::KMS::Alias': 'free',
  'AWS::EC2::VPCEndpoint': 'gateway endpoints free (interface endpoints priced)',
  'AWS::ECS::TaskDefinition': 'free',
  'AWS::ECS::Service': "the app's own Fargate tasks, not the platform's fixed cost",
  'AWS::ApplicationAutoScaling::ScalableTarget': 'free',
  'AWS::ApplicationAutoScaling::ScalingPolicy': 'free',
  'AWS::CDK::Metadata': 'not an AWS resource',
  'Custom::AWS': 'runs only when the stack deploys',
  'AWS::CloudFormation::CustomResource': 'runs only when the stack deploys',
  'Custom::LogRetention': 'runs only when the stack deploys',
};

/** One line of an assembly's fixed monthly cost. */
export interface CostLine {
  readonly item: string;
  readonly usd: number;
}

const MINUTES = { minute: 1, minutes: 1, hour: 60, hours: 60, day: 1440, days: 1440 } as const;

/**
 * How often a schedule expression fires in a month (730 hours): `rate(n unit)` exactly; `cron(...)` from its
 * minute, hour and day fields (lists, ranges, steps, `*` and `?`), day-of-month and day-of-week as a share of
 * the month; `at(...)` once. @throws BenchInputError for an expression it cannot read.
 */
export function firesPerMonth(expression: string): number {
  const minutesPerMonth = IDLE_PRICES.hoursPerMonth * 60;
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) return minutesPerMonth / (Number(rate[1]) * MINUTES[rate[2] as keyof typeof MINUTES]);
  if (/^at\(/.test(expression.trim())) return 1;
  const cron = /^cron\((.+)\)$/.exec(expression.trim());
  if (!cron) throw new BenchInputError(`cannot read the schedule expression "${expression}" (expected rate(...), cron(...) or at(...))`);
  const fields = cron[1].trim().split(/\s+/);
  if (fields.length !== 6) throw new BenchInputError(`cron expression "${expression}" has ${fields.length} fields, EventBridge's have 6`);
  const [minute, hour, dom, , dow] = fields;
  const size = (field: string, lo: number, hi: number): number => {
    if (field === '*' || field === '?') return hi - lo + 1;
    return field.split(',').reduce((n, part) => {
      const [range, step] = part.split('/');
      const [a, b] = range === '*' ? [lo, hi] : range.split('-').map((x) => (/^\d+$/.test(x) ? Number(x) : NaN));
      const from = a;
      const to = b ?? (step ? hi : a);
      if (!Number.isFinite(from) || !Number.isFinite(to)) return n + 1; // names (MON-FRI) and L/W/#: at least once
      return n + Math.floor((to - from) / Number(step ?? 1)) + 1;
    }, 0);
  };
  const weekdayNames = /^[A-Z]{3}(-[A-Z]{3})?(,[A-Z]{3}(-[A-Z]{3})?)*$/;
  const dayNames = (field: string) =>
    field.split(',').reduce((n, part) => {
      const days = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];
      const [a, b] = part.split('-').map((d) => days.indexOf(d));
      return n + (b === undefined ? 1 : ((b - a + 7) % 7) + 1);
    }, 0);
  const daysInMonth = IDLE_PRICES.hoursPerMonth / 24;
  let days: number;
  if (dow !== '?' && dow !== '*') days = (daysInMonth * (weekdayNames.test(dow) ? dayNames(dow) : size(dow, 1, 7))) / 7;
  else if (dom !== '?' && dom !== '*') days = size(dom, 1, 31);
  else days = daysInMonth;
  return size(minute, 0, 59) * size(hour, 0, 23) * days;
}

function lambdaCostPerInvocation(fn: CfnResource | undefined, assumptions: IdleAssumptions): number {
  const memory = typeof fn?.Properties?.MemorySize === 'number' ? fn.Properties.MemorySize : 128;
  const arm = Array.isArray(fn?.Properties?.Architectures) && (fn?.Properties?.Architectures as unknown[]).includes('arm64');
  const gbSeconds = (memory / 1024) * (assumptions.lambda.billedMsPerInvocation / 1000);
  const logs = (assumptions.logBytesPerInvocation / 1024 ** 3) * IDLE_PRICES.logIngestionPerGb;
  return IDLE_PRICES.lambdaRequest + gbSeconds * (arm ? IDLE_PRICES.lambdaArmGbSecond : IDLE_PRICES.lambdaX86GbSecond) + logs;
}

/** Metrics an alarm is billed for: 1 for a single metric, else each `MetricStat` in its math expression. */
export function alarmMetrics(alarm: CfnResource): number {
  const metrics = alarm.Properties?.Metrics;
  if (!Array.isArray(metrics)) return 1;
  return Math.max(1, metrics.filter((m: unknown) => isObject(m) && m.MetricStat !== undefined).length);
}

/**
 * An assembly's fixed monthly cost in USD: what its resources cost while nothing is built, released,
 * deployed or requested, item by item, and the resource types it could not price.
 */
export function idleMonthlyCost(assembly: Assembly, assumptions: IdleAssumptions = IDLE_ASSUMPTIONS): { lines: CostLine[]; total: number; unpriced: Map<string, number> } {
  const sums = new Map<string, number>();
  const add = (item: string, usd: number) => sums.set(item, (sums.get(item) ?? 0) + usd);
  const exported = exportsOf(assembly);
  const unpriced = new Map<string, number>();
  const skip = (what: string) => unpriced.set(what, (unpriced.get(what) ?? 0) + 1);
  const h = IDLE_PRICES.hoursPerMonth;
  for (const { stack, resource } of resources(assembly)) {
    const p = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::KMS::Key':
        add('KMS keys', IDLE_PRICES.kmsKey);
        break;
      case 'AWS::CloudWatch::Dashboard':
        add('CloudWatch dashboards', IDLE_PRICES.dashboard);
        break;
      case 'AWS::CloudWatch::Alarm': {
        // High resolution: a period under 60 s, on the alarm or (metric math) on any metric in its expression.
        const periods = [p.Period, ...(Array.isArray(p.Metrics) ? p.Metrics.map((m: unknown) => (isObject(m) && isObject(m.MetricStat) ? m.MetricStat.Period : undefined)) : [])];
        const highRes = periods.some((x) => typeof x === 'number' && x < 60);
        add('CloudWatch alarm metrics', alarmMetrics(resource) * (highRes ? IDLE_PRICES.alarmMetricHighResolution : IDLE_PRICES.alarmMetricStandard));
        break;
      }
      case 'AWS::CloudWatch::CompositeAlarm':
        add('CloudWatch composite alarms', IDLE_PRICES.compositeAlarm);
        break;
      case 'AWS::SSM::Parameter':
        if (p.Tier === 'Advanced') add('SSM advanced parameters', IDLE_PRICES.advancedParameter);
        break;
      case 'AWS::SecretsManager::Secret':
        add('Secrets Manager secrets', IDLE_PRICES.secret);
        break;
      case 'AWS::EC2::VPCEndpoint':
        if (p.VpcEndpointType === 'Interface') add('interface VPC endpoints', IDLE_PRICES.interfaceEndpointAzHour * h * (Array.isArray(p.SubnetIds) ? p.SubnetIds.length : 1));
        break;
      case 'AWS::EC2::NatGateway':
        add('NAT gateways', IDLE_PRICES.natGatewayHour * h);
        break;
      case 'AWS::ElasticLoadBalancingV2::LoadBalancer':
        if (p.Type === undefined || p.Type === 'application') add('Application Load Balancers (hours, no LCUs)', IDLE_PRICES.albHour * h);
        break;
      case 'AWS::DynamoDB::Table':
        if (p.BillingMode !== 'PAY_PER_REQUEST' && isObject(p.ProvisionedThroughput)) {
          const t = p.ProvisionedThroughput;
          add('DynamoDB provisioned capacity', (Number(t.ReadCapacityUnits ?? 0) * IDLE_PRICES.dynamoRcuHour + Number(t.WriteCapacityUnits ?? 0) * IDLE_PRICES.dynamoWcuHour) * h);
        }
        break;
      case 'AWS::Events::Rule':
        if (typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
          const fires = firesPerMonth(p.ScheduleExpression);
          for (const target of Array.isArray(p.Targets) ? p.Targets : []) {
            const t = isObject(target) ? resolveTarget(assembly, stack, target.Arn, exported) : undefined;
            const fn = t && resourceAt(assembly, t);
            if (fn?.Type === 'AWS::Lambda::Function') add('scheduled Lambda invocations (requests, duration, log ingestion)', fires * lambdaCostPerInvocation(fn, assumptions));
            else skip(`a scheduled rule's target of type ${fn?.Type ?? 'outside the templates'}`);
          }
        }
        break;
      case 'AWS::Scheduler::Schedule':
        if (typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') add('EventBridge Scheduler invocations', firesPerMonth(p.ScheduleExpression) * IDLE_PRICES.schedulerInvocation);
        break;
      default:
        if (!(resource.Type in FREE_WHILE_IDLE)) skip(resource.Type);
    }
  }
  const lines = [...sums].map(([item, usd]) => ({ item, usd })).sort((a, b) => b.usd - a.usd);
  return { lines, total: lines.reduce((s, l) => s + l.usd, 0), unpriced };
}

/** One app variant of the section: its quota figures and its idle cost per app. */
export interface VariantResults {
  readonly variant: 'non-production' | 'production';
  /** App counts synthesized, in order (1, 2, 3). */
  readonly appCounts: readonly number[];
  /** Wall time of each synth. */
  readonly synthMs: readonly number[];
  readonly quotas: readonly QuotaFigure[];
  readonly perAppTypes: readonly { type: string; perApp: number; perAppCheck: number }[];
  readonly cost: {
    /** cost(2 apps) - cost(1 app), per item. */
    readonly perApp: readonly CostLine[];
    readonly perAppTotal: number;
    /** cost(3) - cost(2). */
    readonly perAppCheckTotal: number;
    /** cost(1) - per app. */
    readonly sharedTotal: number;
    /** What one app adds that the cost model has no price or reason for (resource types, scheduled targets). */
    readonly unpriced: readonly string[];
  };
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

/** The section's figures for one variant, from the assemblies of 1, 2 and 3 apps (pure). */
export function measureVariant(variant: VariantResults['variant'], assemblies: readonly Assembly[], synthMs: readonly number[] = [], kinds: readonly QuotaKind[] = QUOTA_KINDS): VariantResults {
  if (assemblies.length !== 3) throw new BenchInputError(`the apps-per-account section needs the assemblies of 1, 2 and 3 apps, got ${assemblies.length}`);
  const quotas = kinds.map((k) => figureOf(k, assemblies));
  const costs = assemblies.map((a) => idleMonthlyCost(a));
  const items = new Set(costs.flatMap((c) => c.lines.map((l) => l.item)));
  const of = (i: number, item: string) => costs[i].lines.find((l) => l.item === item)?.usd ?? 0;
  const perApp = [...items].map((item) => ({ item, usd: of(1, item) - of(0, item) })).filter((l) => Math.abs(l.usd) > 1e-12);
  const perAppTotal = costs[1].total - costs[0].total;
  return {
    variant,
    appCounts: [1, 2, 3],
    synthMs: [...synthMs],
    quotas,
    perAppTypes: perAppResourceTypes(assemblies),
    cost: { perApp: perApp.sort((a, b) => b.usd - a.usd), perAppTotal, perAppCheckTotal: costs[2].total - costs[1].total, sharedTotal: costs[0].total - perAppTotal, unpriced: [...costs[1].unpriced].filter(([what, n]) => n > (costs[0].unpriced.get(what) ?? 0)).map(([what]) => what).sort() },
  };
}

/** Everything the section measured (BENCHMARKS.json's `appsPerAccount`). */
export interface AppsPerAccountResults {
  /** The config the variants are derived from, and the app copied into each. */
  readonly baseConfig: string;
  readonly baseApp: string;
  readonly variants: readonly VariantResults[];
  readonly assumptions: IdleAssumptions;
  /** Parameters with 10, 30 and 50 config keys per app, per variant (absent in results written before). */
  readonly configKeys?: readonly ConfigKeysResults[];
}

/** Goal of issue 16: apps per account and Region under every default per-account quota. */
export const APPS_GOAL = 300;
/** Goal of issue 16: fixed monthly cost of an idle non-production app, strictly under this. */
export const IDLE_COST_GOAL_USD = 1;

/** The binding quota (fewest apps) among those of `scope`, or undefined when none binds. */
export function bindingQuota(v: VariantResults, scope: QuotaScope | 'per cluster'): QuotaFigure | undefined {
  const scoped = v.quotas.filter((q) => (scope === 'per cluster' ? q.scope !== 'account' : q.scope === scope) && q.fit !== null);
  return scoped.sort((a, b) => (a.fit ?? Infinity) - (b.fit ?? Infinity))[0];
}

const n = (v: number | null) => (v === null ? 'none' : v.toLocaleString('en-US'));
const describeFit = (q: QuotaFigure | undefined) =>
  q ? `${n(q.fit)} apps (${q.label} binds: ${q.perApp === q.perAppCheck ? n(q.perApp) : `${n(q.perApp)}/${n(q.perAppCheck)}`} per app, ${n(q.shared)} shared, quota ${n(q.quota)})` : 'no quota binds';

/** The section's goals: apps per account for each variant, idle cost of a non-production app. */
export function appsPerAccountGoals(r: AppsPerAccountResults): GoalResult[] {
  const goals: GoalResult[] = [];
  for (const v of r.variants) {
    const q = bindingQuota(v, 'account');
    goals.push({
      goal: `>= ${APPS_GOAL} ${v.variant} apps per account and Region under every default per-account quota`,
      figure: describeFit(q),
      pass: q === undefined || (q.fit ?? Infinity) >= APPS_GOAL,
      note: 'per-load-balancer quotas are per cluster: see the section',
    });
  }
  for (const c of r.configKeys ?? []) {
    const row = c.rows[c.rows.length - 1];
    if (!row) continue;
    goals.push({
      goal: `>= ${APPS_GOAL} ${c.variant} apps per account and Region with ${row.keys} config keys each`,
      figure: `${n(row.intelligentTiering.apps)} apps (${row.intelligentTiering.binds} binds; standard tier alone: ${n(row.standardOnly.apps)})`,
      pass: row.intelligentTiering.apps >= APPS_GOAL,
      note: row.usdAtBindingTotal > 0 ? `the apps past the first ${n(row.standardFit)} pay $${row.usdPerAppBeyond.toFixed(2)} a month each in advanced parameters` : undefined,
    });
  }
  const nonProd = r.variants.find((v) => v.variant === 'non-production');
  if (nonProd) {
    goals.push({
      goal: `fixed monthly cost of an idle non-production app < $${IDLE_COST_GOAL_USD.toFixed(2)}`,
      figure: `$${nonProd.cost.perAppTotal.toFixed(2)}${nonProd.cost.unpriced.length ? ` (not priced: ${nonProd.cost.unpriced.join(', ')})` : ''}`,
      pass: nonProd.cost.perAppTotal < IDLE_COST_GOAL_USD,
    });
  }
  return goals;
}

/** A config derived from `example`: its prefix, clusters and databases, and `apps` copies of one of its apps. */
export function benchConfig(example: Json, apps: number, production: boolean): { config: Json; baseApp: string } {
  const list = Array.isArray(example.apps) ? (example.apps as Json[]) : [];
  const base = list.find((a) => isObject(a.processes) && 'web' in a.processes && 'worker' in a.processes) ?? list[0];
  if (!base) throw new BenchInputError('the example config has no app to copy');
  if (!isObject(base.processes)) throw new BenchInputError(`app "${String(base.name)}" of the example config has no processes`);
  const processes = { web: base.processes.web, worker: base.processes.worker ?? base.processes.web };
  const { database: _database, databaseRemovalPolicy: _policy, scaleToZero: _schedule, ...rest } = base;
  const made = Array.from({ length: apps }, (_, i) => {
    const name = `bench-${i + 1}`;
    const hostname = typeof base.hostname === 'string' ? `${name}.${base.hostname.split('.').slice(1).join('.')}` : undefined;
    const repository = isObject(base.repository) ? { ...base.repository, name } : base.repository;
    return { ...rest, name, repository, processes, production, ...(hostname ? { hostname } : {}) };
  });
  // People's sign-in (issue 25) is counted too: the people role, its per-slot policies, the OIDC provider,
  // the dashboard's bucket, distribution and actions function. A stand-in provider when the example has none.
  const account = isObject(example.account) ? example.account : {};
  const signIn = isObject(account.signIn) ? account.signIn : BENCH_SIGN_IN;
  return { config: { ...example, account: { ...account, signIn }, apps: made }, baseApp: String(base.name) };
}

/** The provider the bench's configs sign people in with when the example config names none (never contacted: synth only). */
export const BENCH_SIGN_IN = { issuer: 'https://login.example.com', clientId: 'slipway-dashboard' } as const;

/** A stand-in for the built dashboard (dist/web/): the account stack uploads whatever folder it is given, and the bench counts resources, not files. */
function standInDashboard(outDir: string): string {
  const dir = join(outDir, 'dashboard-web');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bench stand-in</title>\n');
  return dir;
}

/**
 * Synthesizes the CDK app with cdk.json's `app` command (as `cdk synth` does: CDK_OUTDIR and
 * CDK_CONTEXT_JSON), for `config`, into `outDir`, and reads every stack's template. Lambda bundling is
 * skipped (`aws:cdk:bundling-stacks` empty: assets are placeholders, the templates are the same) and so is
 * CDK's built-in CloudFormation validation (CDK_VALIDATION=false: warnings only); cdk-nag still runs.
 * @throws Error naming the command and the end of its output when synth fails.
 */
export function synthAssembly(root: string, config: Json, outDir: string): { assembly: Assembly; ms: number } {
  mkdirSync(outDir, { recursive: true });
  const configFile = join(outDir, 'slipway-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const cdkJson = JSON.parse(readFileSync(join(root, 'cdk.json'), 'utf8')) as { app?: string; context?: Json };
  if (!cdkJson.app) throw new BenchInputError('cdk.json names no "app" command');
  const context = { ...(cdkJson.context ?? {}), [CONFIG_CONTEXT_KEY]: configFile, 'slipway:dashboardDir': standInDashboard(outDir), 'aws:cdk:bundling-stacks': [], 'aws:cdk:disable-stack-trace': true, 'aws:cdk:disable-creation-stack-traces': true };
  const cdkOut = join(outDir, 'cdk.out');
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cdkJson.app, { cwd: root, shell: true, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, CDK_OUTDIR: cdkOut, CDK_CONTEXT_JSON: JSON.stringify(context), CDK_VALIDATION: 'false' } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const manifestFile = join(cdkOut, 'manifest.json');
  if (r.status !== 0 || !existsSync(manifestFile)) {
    // The message, not the stack trace under it: drop "at ..." frames, Node's version line and blank lines.
    const lines = `${r.stdout ?? ''}\n${r.stderr ?? ''}`.split('\n').filter((l) => l.trim() !== '' && !/^\s+at /.test(l) && !/^Node\.js v/.test(l));
    const tail = lines.slice(-6).join('\n');
    throw new Error(`synth of ${Array.isArray(config.apps) ? config.apps.length : '?'} app(s) failed (\`${cdkJson.app}\`, exit ${r.status ?? r.signal}):\n${tail}`);
  }
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as { artifacts?: Record<string, { type?: string; properties?: { templateFile?: string } }> };
  const assembly: Record<string, CfnTemplate> = {};
  for (const [name, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      assembly[name] = JSON.parse(readFileSync(join(cdkOut, artifact.properties.templateFile), 'utf8')) as CfnTemplate;
    }
  }
  return { assembly, ms };
}

/** Runs the section: 3 synths per variant (non-production, production), each into a fresh folder under `workDir`. */
export function measureAppsPerAccount(root: string, workDir: string, step: (text: string) => void = () => undefined): AppsPerAccountResults {
  const example = JSON.parse(readFileSync(join(root, 'config/example.json'), 'utf8')) as Json;
  let baseApp = '';
  const variants: VariantResults[] = [];
  for (const production of [false, true]) {
    const variant = production ? 'production' : 'non-production';
    const assemblies: Assembly[] = [];
    const ms: number[] = [];
    for (const apps of [1, 2, 3]) {
      step(`synth with ${apps} ${variant} app(s)`);
      const { config, baseApp: b } = benchConfig(example, apps, production);
      baseApp = b;
      const s = synthAssembly(root, config, join(workDir, `${variant}-${apps}`));
      assemblies.push(s.assembly);
      ms.push(s.ms);
    }
    variants.push(measureVariant(variant, assemblies, ms));
  }
  return { baseConfig: 'config/example.json', baseApp, variants, assumptions: IDLE_ASSUMPTIONS, configKeys: variants.map((v) => configKeysFigures(v)) };
}

// ------------------------------------------------------------------------------------- config keys

/** Config keys per app the section counts (issue 22). */
export const CONFIG_KEY_COUNTS = [10, 30, 50] as const;
/** Parameters per Region: "Standard 10,000, Advanced 100,000" (Managing parameter tiers). */
export const PARAMETER_QUOTAS = { standard: 10_000, advanced: 100_000, source: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html' } as const;

/** One row of the config-keys table: k keys per app, what binds before and after Intelligent-Tiering, and its price. */
export interface ConfigKeysRow {
  readonly keys: number;
  /** Parameters one app holds: those of its templates, its schedules list and its k keys. */
  readonly parametersPerApp: number;
  /** Apps whose parameters all fit the 10,000 standard parameters (free). */
  readonly standardFit: number;
  /** Standard tier only (every parameter written Standard): apps per account, and what binds. */
  readonly standardOnly: { readonly apps: number; readonly binds: string };
  /** Intelligent-Tiering (standard until the tier is full, then advanced): apps per account, and what binds. */
  readonly intelligentTiering: { readonly apps: number; readonly binds: string };
  /** Monthly price of the parameters of one app beyond `standardFit` (every one advanced). */
  readonly usdPerAppBeyond: number;
  /** At `intelligentTiering.apps` apps: the account's advanced parameters a month, and that spread over every app. */
  readonly usdAtBindingTotal: number;
  readonly usdAtBindingPerApp: number;
}

/** The section's config-keys figures for one variant. */
export interface ConfigKeysResults {
  readonly variant: VariantResults['variant'];
  /** Parameters per app and shared in the templates (the settings parameter), as counted. */
  readonly templatePerApp: number;
  readonly templateShared: number;
  /** The schedules list (`slipway schedules add`), counted for every app: the worst case. */
  readonly schedulesPerApp: 1;
  /** The binding account quota other than Parameter Store's (from the variant's table). */
  readonly otherBinding: { readonly label: string; readonly fit: number } | null;
  readonly rows: readonly ConfigKeysRow[];
  readonly advancedParameterUsd: number;
}

/**
 * Parameters for 10, 30 and 50 config keys per app beside every other per-account quota (pure): with
 * every parameter Standard (what `config set` wrote before) the 10,000 standard parameters bind; with
 * Intelligent-Tiering (what it writes now, lib/ops/config-keys.ts CONFIG_KEY_TIER) the apps past the
 * standard tier's room pay $0.05 per parameter a month and the next quota binds.
 */
export function configKeysFigures(v: VariantResults, keyCounts: readonly number[] = CONFIG_KEY_COUNTS): ConfigKeysResults {
  const ssmFigure = v.quotas.find((q) => q.id === 'ssm-standard-parameters');
  const templatePerApp = ssmFigure ? Math.max(ssmFigure.perApp, ssmFigure.perAppCheck) : 0;
  const templateShared = ssmFigure?.shared ?? 0;
  const others = v.quotas.filter((q) => q.scope === 'account' && q.id !== 'ssm-standard-parameters' && q.fit !== null).sort((a, b) => (a.fit ?? 0) - (b.fit ?? 0));
  const other = others[0] ? { label: others[0].label, fit: others[0].fit ?? 0 } : null;
  const price = IDLE_PRICES.advancedParameter;
  const rows = keyCounts.map((keys) => {
    const perApp = templatePerApp + 1 + keys;
    const standardFit = Math.floor((PARAMETER_QUOTAS.standard - templateShared) / perApp);
    const allFit = Math.floor((PARAMETER_QUOTAS.standard + PARAMETER_QUOTAS.advanced - templateShared) / perApp);
    const bind = (fit: number, label: string) => (other && other.fit <= fit ? { apps: other.fit, binds: other.label } : { apps: fit, binds: label });
    const standardOnly = bind(standardFit, `${PARAMETER_QUOTAS.standard.toLocaleString('en-US')} standard parameters`);
    const intelligentTiering = bind(allFit, `${PARAMETER_QUOTAS.standard.toLocaleString('en-US')} standard + ${PARAMETER_QUOTAS.advanced.toLocaleString('en-US')} advanced parameters`);
    const beyond = Math.max(0, intelligentTiering.apps - standardFit);
    const usdAtBindingTotal = beyond * perApp * price;
    return {
      keys,
      parametersPerApp: perApp,
      standardFit,
      standardOnly,
      intelligentTiering,
      usdPerAppBeyond: perApp * price,
      usdAtBindingTotal,
      usdAtBindingPerApp: intelligentTiering.apps > 0 ? usdAtBindingTotal / intelligentTiering.apps : 0,
    };
  });
  return { variant: v.variant, templatePerApp, templateShared, schedulesPerApp: 1, otherBinding: other, rows, advancedParameterUsd: price };
}
