/**
 * CloudFormation intrinsic functions resolved into the values CloudFormation would give them in one
 * account and Region, so that synthesized IAM policies can be evaluated on real ARNs (test/helpers/iam/).
 *
 * Modelled on awslabs/aws-cloudformation-iam-policy-validator (cfn_policy_validator/parsers/utils/
 * intrinsic_functions/): one resolver per intrinsic function, each tested on its own
 * (intrinsics.test.ts), and one table of what `Ref` and `Fn::GetAtt` return per resource type (the
 * "Return values" section of each resource's page in the CloudFormation User Guide). A resource type or
 * attribute not in the table is an error naming it, never a guess: a policy that names it cannot be
 * evaluated until the table says what AWS returns.
 *
 * Names CloudFormation generates (a resource without an explicit name property) are deterministic here:
 * `<stack name>-<logical id>-GENERATED` (CloudFormation's own are `<stack>-<logical id>-<random>`,
 * CloudFormation User Guide, "Name type").
 */

/** A CloudFormation template as synthesized (only what the resolver reads). */
export interface CfnTemplate {
  readonly Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  readonly Outputs?: Record<string, { Value: unknown; Export?: { Name: unknown } }>;
  readonly Parameters?: Record<string, { Default?: unknown }>;
}

/** Where a template is deployed: the pseudo parameters' values, and every stack of the deployment (for imports). */
export interface ResolveEnv {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** The stacks of the deployment by stack name: the one being resolved and those it imports from. */
  readonly stacks: ReadonlyMap<string, CfnTemplate>;
}

/** A value the resolver cannot resolve, with where and why. */
export class UnresolvableError extends Error {
  override name = 'UnresolvableError';
}

/** The resolution of one stack's values. */
export interface StackResolver {
  /** `value` with every intrinsic function resolved. */
  resolve(value: unknown): unknown;
  /** The physical name (what `Ref` returns for named resources) of a resource of the stack. */
  ref(logicalId: string): string;
  /** `Fn::GetAtt` of a resource of the stack. */
  getAtt(logicalId: string, attribute: string): string;
}

type Ctx = { env: ResolveEnv; stackName: string; template: CfnTemplate };

/** What Ref and Fn::GetAtt return for a resource type, from its physical name. */
interface TypeReturns {
  /** The property that names the resource (when absent, CloudFormation generates a name). */
  readonly nameProperty?: string;
  /** What `Ref` returns. @default the physical name */
  readonly ref?: (name: string, c: Ctx) => string;
  readonly attributes: Record<string, (name: string, c: Ctx) => string>;
}

const arn = (c: Ctx, service: string, resource: string, region = c.env.region, account = c.env.account) => `arn:${c.env.partition}:${service}:${region}:${account}:${resource}`;
const generatedId = (prefix: string, name: string) => `${prefix}-${[...name].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0')}`;

/**
 * Ref and Fn::GetAtt per resource type (CloudFormation User Guide, each type's "Return values"). Only the
 * types Slipway's policies, settings and functions refer to; another is an {@link UnresolvableError}.
 */
export const RETURN_VALUES: Readonly<Record<string, TypeReturns>> = {
  'AWS::IAM::Role': { nameProperty: 'RoleName', attributes: { Arn: (n, c) => arn(c, 'iam', `role/${n}`, ''), RoleId: (n) => generatedId('AROA', n) } },
  'AWS::IAM::ManagedPolicy': { nameProperty: 'ManagedPolicyName', ref: (n, c) => arn(c, 'iam', `policy/${n}`, ''), attributes: { PolicyArn: (n, c) => arn(c, 'iam', `policy/${n}`, '') } },
  'AWS::DynamoDB::Table': { nameProperty: 'TableName', attributes: { Arn: (n, c) => arn(c, 'dynamodb', `table/${n}`) } },
  // "Ref: returns the Amazon Resource Name (ARN) of the OIDC provider" (AWS::IAM::OIDCProvider): arn:aws:iam::<account>:oidc-provider/<URL without https://>.
  'AWS::IAM::OIDCProvider': { nameProperty: 'Url', ref: (n, c) => arn(c, 'iam', `oidc-provider/${n.replace(/^https:\/\//, '')}`, ''), attributes: { Arn: (n, c) => arn(c, 'iam', `oidc-provider/${n.replace(/^https:\/\//, '')}`, '') } },
  'AWS::Lambda::Function': { nameProperty: 'FunctionName', attributes: { Arn: (n, c) => arn(c, 'lambda', `function:${n}`) } },
  // "Arn: The ARN of the log group, such as arn:aws:logs:us-west-1:123456789012:log-group:/mystack-testgroup-12ABC1AHYI3UH:*"
  'AWS::Logs::LogGroup': { nameProperty: 'LogGroupName', attributes: { Arn: (n, c) => arn(c, 'logs', `log-group:${n}:*`) } },
  'AWS::ECS::Cluster': { nameProperty: 'ClusterName', attributes: { Arn: (n, c) => arn(c, 'ecs', `cluster/${n}`) } },
  'AWS::CodeBuild::Project': { nameProperty: 'Name', attributes: { Arn: (n, c) => arn(c, 'codebuild', `project/${n}`) } },
  'AWS::ECR::Repository': { nameProperty: 'RepositoryName', attributes: { Arn: (n, c) => arn(c, 'ecr', `repository/${n}`), RepositoryUri: (n, c) => `${c.env.account}.dkr.ecr.${c.env.region}.amazonaws.com/${n}` } },
  'AWS::S3::Bucket': { nameProperty: 'BucketName', attributes: { Arn: (n, c) => `arn:${c.env.partition}:s3:::${n}` } },
  'AWS::SQS::Queue': {
    nameProperty: 'QueueName',
    ref: (n, c) => `https://sqs.${c.env.region}.amazonaws.com/${c.env.account}/${n}`,
    attributes: { Arn: (n, c) => arn(c, 'sqs', n), QueueName: (n) => n, QueueUrl: (n, c) => `https://sqs.${c.env.region}.amazonaws.com/${c.env.account}/${n}` },
  },
  'AWS::SNS::Topic': { nameProperty: 'TopicName', ref: (n, c) => arn(c, 'sns', n), attributes: { TopicArn: (n, c) => arn(c, 'sns', n), TopicName: (n) => n } },
  'AWS::StepFunctions::StateMachine': { nameProperty: 'StateMachineName', ref: (n, c) => arn(c, 'states', `stateMachine:${n}`), attributes: { Arn: (n, c) => arn(c, 'states', `stateMachine:${n}`), Name: (n) => n } },
  'AWS::SSM::Parameter': { nameProperty: 'Name', attributes: { Type: () => 'String', Value: () => '' } },
  'AWS::Scheduler::ScheduleGroup': { nameProperty: 'Name', attributes: { Arn: (n, c) => arn(c, 'scheduler', `schedule-group/${n}`) } },
  'AWS::KMS::Key': { ref: (n) => generatedId('key', n), attributes: { Arn: (n, c) => arn(c, 'kms', `key/${generatedId('key', n)}`), KeyId: (n) => generatedId('key', n) } },
  'AWS::EC2::SecurityGroup': { ref: (n) => generatedId('sg', n), attributes: { GroupId: (n) => generatedId('sg', n) } },
  'AWS::EC2::VPC': { ref: (n) => generatedId('vpc', n), attributes: { CidrBlock: () => '10.0.0.0/16', VpcId: (n) => generatedId('vpc', n) } },
  'AWS::EC2::Subnet': { ref: (n) => generatedId('subnet', n), attributes: { SubnetId: (n) => generatedId('subnet', n) } },
  'AWS::ElasticLoadBalancingV2::TargetGroup': {
    nameProperty: 'Name',
    ref: (n, c) => arn(c, 'elasticloadbalancing', `targetgroup/${n.slice(0, 32)}/0123456789abcdef`),
    attributes: { TargetGroupArn: (n, c) => arn(c, 'elasticloadbalancing', `targetgroup/${n.slice(0, 32)}/0123456789abcdef`), TargetGroupFullName: (n) => `targetgroup/${n.slice(0, 32)}/0123456789abcdef` },
  },
  'AWS::ElasticLoadBalancingV2::Listener': { ref: (n, c) => arn(c, 'elasticloadbalancing', `listener/app/${n.slice(0, 32)}/0123456789abcdef/fedcba9876543210`), attributes: {} },
  'AWS::RDS::DBCluster': {
    nameProperty: 'DBClusterIdentifier',
    attributes: { DBClusterResourceId: (n) => generatedId('cluster', n), 'Endpoint.Address': (n, c) => `${n}.cluster-abcdefghijkl.${c.env.region}.rds.amazonaws.com`, 'Endpoint.Port': () => '5432' },
  },
  'AWS::SecretsManager::Secret': { nameProperty: 'Name', ref: (n, c) => arn(c, 'secretsmanager', `secret:${n}-AbCdEf`), attributes: {} },
  'AWS::SecretsManager::SecretTargetAttachment': { ref: (n, c) => arn(c, 'secretsmanager', `secret:${n}-AbCdEf`), attributes: {} },
};

/** The pseudo parameters' values (CloudFormation User Guide, "Pseudo parameters reference"). */
export function resolvePseudoParameter(name: string, c: Ctx): string | undefined {
  switch (name) {
    case 'AWS::Partition':
      return c.env.partition;
    case 'AWS::Region':
      return c.env.region;
    case 'AWS::AccountId':
      return c.env.account;
    case 'AWS::URLSuffix':
      return c.env.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    case 'AWS::StackName':
      return c.stackName;
    case 'AWS::NoValue':
      return undefined;
    default:
      throw new UnresolvableError(`${c.stackName}: unknown pseudo parameter ${name}`);
  }
}

function resourceOf(c: Ctx, logicalId: string): { Type: string; Properties?: Record<string, unknown> } {
  const resource = c.template.Resources?.[logicalId];
  if (!resource) throw new UnresolvableError(`${c.stackName}: no resource ${logicalId}`);
  return resource;
}

function returnsOf(c: Ctx, logicalId: string): TypeReturns {
  const { Type } = resourceOf(c, logicalId);
  const returns = RETURN_VALUES[Type];
  if (!returns) throw new UnresolvableError(`${c.stackName}: ${logicalId} is a ${Type}, whose Ref and Fn::GetAtt the resolver does not know (add it to RETURN_VALUES with the CloudFormation User Guide's "Return values")`);
  return returns;
}

/** The physical name of a resource: its name property resolved, else the generated `<stack>-<logical id>-GENERATED`. */
export function physicalName(c: Ctx, logicalId: string): string {
  const returns = returnsOf(c, logicalId);
  const named = returns.nameProperty ? resourceOf(c, logicalId).Properties?.[returns.nameProperty] : undefined;
  return named === undefined ? `${c.stackName}-${logicalId}-GENERATED` : String(resolveValue(named, c));
}

/** `{ "Ref": name }`: a pseudo parameter, a template parameter's default, or a resource's Ref return value. */
export function resolveRef(name: string, c: Ctx): string | undefined {
  if (name.startsWith('AWS::')) return resolvePseudoParameter(name, c);
  const parameter = c.template.Parameters?.[name];
  if (parameter) {
    if (parameter.Default === undefined) throw new UnresolvableError(`${c.stackName}: parameter ${name} has no default`);
    return String(parameter.Default);
  }
  const returns = returnsOf(c, name);
  const n = physicalName(c, name);
  return returns.ref ? returns.ref(n, c) : n;
}

/** `{ "Fn::GetAtt": [logicalId, attribute] }` (or the `"logicalId.attribute"` string form). */
export function resolveGetAtt(arg: unknown, c: Ctx): string {
  const [logicalId, attribute] = typeof arg === 'string' ? [arg.slice(0, arg.indexOf('.')), arg.slice(arg.indexOf('.') + 1)] : (arg as [string, unknown]);
  const attr = String(resolveValue(attribute, c));
  const returns = returnsOf(c, logicalId);
  const get = returns.attributes[attr];
  if (!get) throw new UnresolvableError(`${c.stackName}: Fn::GetAtt ${logicalId}.${attr}: the resolver does not know attribute ${attr} of ${resourceOf(c, logicalId).Type}`);
  return get(physicalName(c, logicalId), c);
}

/** `{ "Fn::Join": [delimiter, [values]] }`. */
export function resolveJoin(arg: unknown, c: Ctx): string {
  const [delimiter, values] = arg as [string, unknown];
  const list = resolveValue(values, c);
  if (!Array.isArray(list)) throw new UnresolvableError(`${c.stackName}: Fn::Join of a non-list`);
  return list.map(String).join(delimiter);
}

/** `{ "Fn::Sub": string }` or `{ "Fn::Sub": [string, { var: value }] }`: `${Name}`, `${Logical.Attr}`, `${!Literal}`. */
export function resolveSub(arg: unknown, c: Ctx): string {
  const [text, variables] = typeof arg === 'string' ? [arg, {}] : (arg as [string, Record<string, unknown>]);
  return text.replace(/\$\{([^}]+)\}/g, (_, expr: string) => {
    if (expr.startsWith('!')) return `\${${expr.slice(1)}}`;
    if (expr in variables) return String(resolveValue(variables[expr], c));
    if (expr.includes('.') && !expr.startsWith('AWS::')) return resolveGetAtt(expr, c);
    return String(resolveRef(expr, c));
  });
}

/** `{ "Fn::Select": [index, list] }`. */
export function resolveSelect(arg: unknown, c: Ctx): unknown {
  const [index, values] = arg as [unknown, unknown];
  const list = resolveValue(values, c);
  const i = Number(resolveValue(index, c));
  if (!Array.isArray(list) || !(i >= 0 && i < list.length)) throw new UnresolvableError(`${c.stackName}: Fn::Select index ${i} out of range`);
  return list[i];
}

/** `{ "Fn::Split": [delimiter, string] }`. */
export function resolveSplit(arg: unknown, c: Ctx): string[] {
  const [delimiter, source] = arg as [string, unknown];
  return String(resolveValue(source, c)).split(delimiter);
}

/** `{ "Fn::ImportValue": exportName }`: the exporting stack's output, resolved in that stack. */
export function resolveImportValue(arg: unknown, c: Ctx): unknown {
  const name = String(resolveValue(arg, c));
  for (const [stackName, template] of c.env.stacks) {
    const other: Ctx = { env: c.env, stackName, template };
    for (const output of Object.values(template.Outputs ?? {})) {
      if (output.Export && String(resolveValue(output.Export.Name, other)) === name) return resolveValue(output.Value, other);
    }
  }
  throw new UnresolvableError(`${c.stackName}: no stack of the deployment exports ${name}`);
}

const RESOLVERS: Record<string, (arg: unknown, c: Ctx) => unknown> = {
  Ref: (arg, c) => resolveRef(String(arg), c),
  'Fn::GetAtt': resolveGetAtt,
  'Fn::Join': resolveJoin,
  'Fn::Sub': resolveSub,
  'Fn::Select': resolveSelect,
  'Fn::Split': resolveSplit,
  'Fn::ImportValue': resolveImportValue,
};

/** Any value: objects of one intrinsic key resolved by its resolver, other objects and lists element by element. */
export function resolveValue(value: unknown, c: Ctx): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, c)).filter((v) => v !== undefined);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
    const resolver = RESOLVERS[keys[0]];
    if (!resolver) throw new UnresolvableError(`${c.stackName}: the resolver does not know ${keys[0]}`);
    return resolver((value as Record<string, unknown>)[keys[0]], c);
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, c)]).filter(([, v]) => v !== undefined));
}

/** The resolver of one stack of `env`. */
export function stackResolver(env: ResolveEnv, stackName: string): StackResolver {
  const template = env.stacks.get(stackName);
  if (!template) throw new UnresolvableError(`no stack ${stackName} in the deployment`);
  const c: Ctx = { env, stackName, template };
  return {
    resolve: (value) => resolveValue(value, c),
    ref: (logicalId) => String(resolveRef(logicalId, c)),
    getAtt: (logicalId, attribute) => resolveGetAtt([logicalId, attribute], c),
  };
}
