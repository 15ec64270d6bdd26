import { loadDeploymentConfig, type DeploymentConfig } from '../../../lib/deployment-config';
import { CONTROL_PLANE_ENV, controlPlaneFunctionName, stateMachineName, type PipelineFunctionKey, type StateMachineName } from '../../../domain';
import { stackTestApp } from '../example-stacks';
import { RunCache, SYNTH_ENV } from '../run-folders';
import { stackResolver, type CfnTemplate, type ResolveEnv } from './intrinsics';

/**
 * A config's whole deployment (every stack bin/slipway-app.ts builds for it: account, clusters, databases,
 * apps), synthesized once per jest run and resolved for one account and Region: the IAM principals with
 * their policies on real ARNs, the tags of the resources they act on, and each app's settings as the
 * control plane reads them. The IAM evaluator's tests (test/lib/iam/) build their requests from it.
 */

/** The account and Region every deployment is resolved in. */
export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const PARTITION = 'aws';

/** An IAM policy document as evaluated (intrinsics resolved). */
export type PolicyDocument = { Version?: string; Statement: PolicyStatementJson[] };
export type PolicyStatementJson = { Sid?: string; Effect: 'Allow' | 'Deny'; Action: string | string[]; Resource?: string | string[]; Condition?: Record<string, Record<string, string | string[]>>; Principal?: unknown };

/** A role of the deployment: its ARN, tags, trust policy and every policy attached to it. */
export interface RolePrincipal {
  readonly arn: string;
  readonly stack: string;
  readonly logicalId: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly trust: PolicyDocument;
  readonly policies: readonly { name: string; policy: PolicyDocument }[];
}

/** An app's settings parameter, resolved (domain/settings.ts AppSettings), and where it is. */
export interface DeployedApp {
  readonly name: string;
  readonly cluster: string;
  readonly stack: string;
  readonly settings: {
    table: string;
    cluster: string;
    controlPlane: string;
    codeBuildProject: string;
    processes: Record<string, { family: string; executionRoleArn: string; taskRoleArn: string; logGroup: string }>;
  };
  /** The ARN of the app's table. */
  readonly tableArn: string;
  /** The app's operator managed policies by level. */
  readonly operatorPolicies: { operate: PolicyDocument; develop: PolicyDocument };
}

export interface Deployment {
  readonly config: DeploymentConfig;
  readonly env: ResolveEnv;
  readonly roles: ReadonlyMap<string, RolePrincipal>;
  readonly apps: ReadonlyMap<string, DeployedApp>;
  /** The tags of each taggable resource the policies act on (tables, roles), by ARN. */
  readonly tags: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** The role of a control plane's function. */
  functionRole(cluster: string, fn: PipelineFunctionKey): RolePrincipal;
  /** The execution role of a control plane's state machine. */
  stateMachineRole(cluster: string, pipeline: StateMachineName): RolePrincipal;
  /** A control plane's state machine definition with its substitutions made (real ARNs). */
  definition(cluster: string, pipeline: StateMachineName): Record<string, unknown>;
  /** A control plane's function's environment. */
  functionEnvironment(cluster: string, fn: PipelineFunctionKey): Record<string, string>;
  /** The role a control plane's scheduled tasks run under (EventBridge Scheduler's). */
  schedulerRole(cluster: string): RolePrincipal;
  /** The ARN of a control plane's control table. */
  controlTableArn(cluster: string): string;
}

/**
 * The AWS managed policies the deployment attaches, by name, as AWS publishes them (AWS Managed Policy
 * Reference Guide, "AWSLambdaBasicExecutionRole", version v1).
 */
const AWS_MANAGED_POLICIES: Readonly<Record<string, PolicyDocument>> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' }],
  },
};

const cache = new RunCache<Record<string, CfnTemplate>>(SYNTH_ENV);

/** The templates of every stack of `configFile`'s deployment, by stack name: synthesized once per jest run. */
export function synthesizeDeployment(configFile: string): { config: DeploymentConfig; templates: Map<string, CfnTemplate> } {
  const config = loadDeploymentConfig(configFile);
  const key = `iam-deployment:${JSON.stringify(config)}`;
  let stored = cache.get(key);
  if (!stored) {
    const { addSlipwayStacks } = require('../../../lib/stacks/slipway-stacks') as typeof import('../../../lib/stacks/slipway-stacks');
    const app = stackTestApp();
    addSlipwayStacks(app, config);
    const assembly = app.synth();
    stored = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as CfnTemplate]));
    cache.set(key, stored);
  }
  return { config, templates: new Map(Object.entries(stored)) };
}

const tagsOf = (properties: Record<string, unknown> | undefined): Record<string, string> =>
  Object.fromEntries(((properties?.Tags as { Key: string; Value: string }[] | undefined) ?? []).map((t) => [t.Key, t.Value]));

/** The deployment of `configFile`, resolved in {@link ACCOUNT}/{@link REGION}. */
export function loadDeployment(configFile: string): Deployment {
  const { config, templates } = synthesizeDeployment(configFile);
  const env: ResolveEnv = { partition: PARTITION, region: REGION, account: ACCOUNT, stacks: templates };
  const roles = new Map<string, RolePrincipal>();
  const tags = new Map<string, Record<string, string>>();
  const byLogicalId = new Map<string, RolePrincipal>();
  const managed = new Map<string, PolicyDocument>();

  for (const [stack, template] of templates) {
    const r = stackResolver(env, stack);
    const resources = template.Resources ?? {};
    for (const [id, res] of Object.entries(resources)) {
      if (res.Type === 'AWS::DynamoDB::Table') tags.set(r.getAtt(id, 'Arn'), tagsOf(res.Properties));
      if (res.Type === 'AWS::Scheduler::ScheduleGroup') tags.set(r.getAtt(id, 'Arn'), tagsOf(res.Properties));
      if (res.Type === 'AWS::IAM::ManagedPolicy') managed.set(`${stack}/${id}`, r.resolve(res.Properties!.PolicyDocument) as PolicyDocument);
    }
    for (const [id, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::IAM::Role') continue;
      const p = res.Properties ?? {};
      const arn = r.getAtt(id, 'Arn');
      const inline = ((p.Policies as { PolicyName: string; PolicyDocument: unknown }[] | undefined) ?? []).map((x) => ({ name: x.PolicyName, policy: r.resolve(x.PolicyDocument) as PolicyDocument }));
      const attachedManaged = ((p.ManagedPolicyArns as unknown[] | undefined) ?? []).map((m) => {
        const ref = (m as { Ref?: string }).Ref;
        const awsManaged = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(String(r.resolve(m)))?.[1];
        const doc = ref ? managed.get(`${stack}/${ref}`) : awsManaged ? AWS_MANAGED_POLICIES[awsManaged] : undefined;
        if (!doc) throw new Error(`${stack}/${id}: managed policy ${JSON.stringify(m)} is neither in the deployment nor in AWS_MANAGED_POLICIES`);
        return { name: ref ?? awsManaged!, policy: doc };
      });
      const role: RolePrincipal = { arn, stack, logicalId: id, tags: tagsOf(p), trust: r.resolve(p.AssumeRolePolicyDocument) as PolicyDocument, policies: [...inline, ...attachedManaged] };
      roles.set(arn, role);
      byLogicalId.set(`${stack}/${id}`, role);
      tags.set(arn, role.tags);
    }
    for (const [id, res] of Object.entries(resources)) {
      if (res.Type !== 'AWS::IAM::Policy') continue;
      const p = res.Properties!;
      for (const roleRef of (p.Roles as { Ref: string }[] | undefined) ?? []) {
        const role = byLogicalId.get(`${stack}/${roleRef.Ref}`);
        if (!role) throw new Error(`${stack}/${id} is attached to ${JSON.stringify(roleRef)}, not a role of its stack`);
        (role.policies as { name: string; policy: PolicyDocument }[]).push({ name: `${id}`, policy: r.resolve(p.PolicyDocument) as PolicyDocument });
      }
    }
  }

  const apps = new Map<string, DeployedApp>();
  for (const appConfig of config.apps) {
    const stack = `Slipway-App-${appConfig.name}`;
    const template = templates.get(stack)!;
    const r = stackResolver(env, stack);
    const [settingsId] = Object.entries(template.Resources ?? {}).find(([, res]) => res.Type === 'AWS::SSM::Parameter' && String(r.resolve(res.Properties!.Name)).endsWith('/settings'))!;
    const settings = JSON.parse(String(r.resolve(template.Resources![settingsId].Properties!.Value))) as DeployedApp['settings'];
    const policy = (suffix: string) => {
      const found = Object.entries(template.Resources ?? {}).filter(([, res]) => res.Type === 'AWS::IAM::ManagedPolicy' && String(res.Properties!.ManagedPolicyName).endsWith(`-${suffix}`));
      if (found.length !== 1) throw new Error(`${stack}: ${found.length} ${suffix} policies`);
      return managed.get(`${stack}/${found[0][0]}`)!;
    };
    apps.set(appConfig.name, {
      name: appConfig.name,
      cluster: appConfig.cluster,
      stack,
      settings,
      tableArn: `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${settings.table}`,
      operatorPolicies: { operate: policy('operate'), develop: policy('develop') },
    });
  }

  const clusterStack = (cluster: string) => `Slipway-Cluster-${cluster}`;
  const resourceWhere = (cluster: string, type: string, property: string, value: string) => {
    const stack = clusterStack(cluster);
    const r = stackResolver(env, stack);
    const found = Object.entries(templates.get(stack)!.Resources ?? {}).find(([, res]) => res.Type === type && r.resolve(res.Properties?.[property]) === value);
    if (!found) throw new Error(`${stack} has no ${type} with ${property} ${value}`);
    return { r, id: found[0], properties: found[1].Properties! };
  };
  const roleOf = (stack: string, roleArn: unknown, r: ReturnType<typeof stackResolver>) => {
    const arn = String(r.resolve(roleArn));
    const role = roles.get(arn);
    if (!role) throw new Error(`${stack}: no role ${arn}`);
    return role;
  };
  const fn = (cluster: string, key: PipelineFunctionKey) => resourceWhere(cluster, 'AWS::Lambda::Function', 'FunctionName', controlPlaneFunctionName(config.prefix, cluster, key));
  const sm = (cluster: string, pipeline: StateMachineName) => resourceWhere(cluster, 'AWS::StepFunctions::StateMachine', 'StateMachineName', stateMachineName(config.prefix, cluster, pipeline));

  return {
    config,
    env,
    roles,
    apps,
    tags,
    functionRole: (cluster, key) => {
      const { r, properties } = fn(cluster, key);
      return roleOf(clusterStack(cluster), properties.Role, r);
    },
    stateMachineRole: (cluster, pipeline) => {
      const { r, properties } = sm(cluster, pipeline);
      return roleOf(clusterStack(cluster), properties.RoleArn, r);
    },
    definition: (cluster, pipeline) => {
      const { r, properties } = sm(cluster, pipeline);
      const substitutions = r.resolve(properties.DefinitionSubstitutions ?? {}) as Record<string, string>;
      const text = String(r.resolve(properties.DefinitionString)).replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, k: string) => substitutions[k] ?? whole);
      return JSON.parse(text) as Record<string, unknown>;
    },
    functionEnvironment: (cluster, key) => {
      const { r, properties } = fn(cluster, key);
      return r.resolve((properties.Environment as { Variables: unknown }).Variables) as Record<string, string>;
    },
    schedulerRole: (cluster) => {
      const { r, properties } = fn(cluster, 'syncSchedules');
      const arn = String((r.resolve((properties.Environment as { Variables: unknown }).Variables) as Record<string, string>).SCHEDULER_ROLE_ARN);
      return roles.get(arn)!;
    },
    controlTableArn: (cluster) => {
      const { r, properties } = fn(cluster, 'updateService');
      const vars = r.resolve((properties.Environment as { Variables: unknown }).Variables) as Record<string, string>;
      const table = vars[CONTROL_PLANE_ENV.controlTable];
      return `arn:${PARTITION}:dynamodb:${REGION}:${ACCOUNT}:table/${table}`;
    },
  };
}
