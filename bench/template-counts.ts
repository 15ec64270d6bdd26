/** Counting the resources of synthesized CloudFormation templates: what each quota of the section counts. */

import { isJsonObject, type JsonObject } from '../domain/json';
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


/** Every resource of the assembly, with its stack and logical ID. */
export function resources(assembly: Assembly): { stack: string; id: string; resource: CfnResource }[] {
  return Object.entries(assembly).flatMap(([stack, t]) => Object.entries(t.Resources ?? {}).map(([id, resource]) => ({ stack, id, resource })));
}

/** The resources of the given types. */
export const ofType = (assembly: Assembly, ...types: string[]) => resources(assembly).filter((r) => types.includes(r.resource.Type));
/** How many resources of the given types an assembly has. */
export const countOf =
  (...types: string[]) =>
  (assembly: Assembly) =>
    ofType(assembly, ...types).length;

/** A resource named by `{Ref}`, `{Fn::GetAtt}` or, across stacks, `{Fn::ImportValue}` of another stack's export. */

interface Target {
  readonly stack: string;
  readonly id: string;
}
const key = (t: Target) => `${t.stack}/${t.id}`;

export function exportsOf(assembly: Assembly): Map<string, { stack: string; value: unknown }> {
  const out = new Map<string, { stack: string; value: unknown }>();
  for (const [stack, t] of Object.entries(assembly)) {
    for (const o of Object.values(t.Outputs ?? {})) if (typeof o.Export?.Name === 'string') out.set(o.Export.Name, { stack, value: o.Value });
  }
  return out;
}

/** The resource a template value points at, or undefined when it names none the assembly holds (a literal ARN, a parameter). */
export function resolveTarget(assembly: Assembly, stack: string, value: unknown, exported = exportsOf(assembly)): Target | undefined {
  if (!isJsonObject(value)) return undefined;
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

/** The resource a target names. */
export const resourceAt = (assembly: Assembly, t: Target) => assembly[t.stack]?.Resources?.[t.id];

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
    return !(isJsonObject(logging) && logging.LogGroup !== undefined);
  }).length;
  const builds = ofType(assembly, 'AWS::CodeBuild::Project').filter((p) => {
    const cw = isJsonObject(p.resource.Properties?.LogsConfig) ? (p.resource.Properties?.LogsConfig as JsonObject).CloudWatchLogs : undefined;
    if (!isJsonObject(cw)) return true;
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
    if (!isJsonObject(a)) return [];
    const forward = isJsonObject(a.ForwardConfig) && Array.isArray(a.ForwardConfig.TargetGroups) ? a.ForwardConfig.TargetGroups.map((t: unknown) => (isJsonObject(t) ? t.TargetGroupArn : undefined)) : [];
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
    out.set(key(role), Array.isArray(own) ? own.reduce((n: number, p: unknown) => n + (isJsonObject(p) ? jsonLength(p.PolicyDocument) : 0), 0) : 0);
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
