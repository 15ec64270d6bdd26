import { BenchInputError, LAMBDA_ASSUMPTIONS, type LambdaAssumptions } from './stats';
import { isJsonObject } from '../domain/json';
import { cronFiresPerMonth } from './schedule-fires';
import { exportsOf, resolveTarget, resourceAt, resources, type Assembly, type CfnResource } from './template-counts';

/** What one idle app costs a month whatever it does: list prices, what is free while idle, and the pricing of an assembly. */

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
 * How often a schedule expression fires in a month (730 hours): `rate(n unit)` exactly; `cron(...)` counted
 * with cron-parser (bench/schedule-fires.ts); `at(...)` once. @throws BenchInputError for an expression it cannot read.
 */
export function firesPerMonth(expression: string): number {
  const minutesPerMonth = IDLE_PRICES.hoursPerMonth * 60;
  const rate = /^rate\((\d+) (minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (rate) return minutesPerMonth / (Number(rate[1]) * MINUTES[rate[2] as keyof typeof MINUTES]);
  if (/^at\(/.test(expression.trim())) return 1;
  if (/^cron\(.+\)$/.test(expression.trim())) return cronFiresPerMonth(expression, IDLE_PRICES.hoursPerMonth);
  throw new BenchInputError(`cannot read the schedule expression "${expression}" (expected rate(...), cron(...) or at(...))`);
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
  return Math.max(1, metrics.filter((m: unknown) => isJsonObject(m) && m.MetricStat !== undefined).length);
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
        const periods = [p.Period, ...(Array.isArray(p.Metrics) ? p.Metrics.map((m: unknown) => (isJsonObject(m) && isJsonObject(m.MetricStat) ? m.MetricStat.Period : undefined)) : [])];
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
        if (p.BillingMode !== 'PAY_PER_REQUEST' && isJsonObject(p.ProvisionedThroughput)) {
          const t = p.ProvisionedThroughput;
          add('DynamoDB provisioned capacity', (Number(t.ReadCapacityUnits ?? 0) * IDLE_PRICES.dynamoRcuHour + Number(t.WriteCapacityUnits ?? 0) * IDLE_PRICES.dynamoWcuHour) * h);
        }
        break;
      case 'AWS::Events::Rule':
        if (typeof p.ScheduleExpression === 'string' && p.State !== 'DISABLED') {
          const fires = firesPerMonth(p.ScheduleExpression);
          for (const target of Array.isArray(p.Targets) ? p.Targets : []) {
            const t = isJsonObject(target) ? resolveTarget(assembly, stack, target.Arn, exported) : undefined;
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
