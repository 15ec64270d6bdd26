import { SimulatedAwsError } from './aws-error';

/**
 * AWS's documented default API rates and concurrency for the simulated account, as token buckets on the
 * simulated clock: each bucket holds at most `burst` tokens, gains `refillPerSecond` tokens a second,
 * and every call takes one; a call that finds the bucket empty is refused with the error the service
 * really answers, and takes nothing (AWS's token-bucket description: ECS "Request throttling for the
 * Amazon ECS API", Step Functions "Quotas related to API action throttling"). The ASL's Retry (waited on
 * the simulated clock, lib/local/runner.ts) absorbs the refusals as on AWS.
 *
 * Each limit names where AWS documents it. Quotas are per account and Region; where AWS documents
 * different defaults for the large Regions, the world's `region` picks them. Not simulated: the AWS
 * SDK's own retries (standard mode, 3 attempts with sub-second back-off) inside a handler: a throttled
 * SDK call fails the handler at once with TransientError, and only the state machine's Retry absorbs
 * it, which is the harder case (on AWS the SDK absorbs some throttles before the ASL sees them).
 */

/** A documented default rate. */
export interface RateLimit {
  /** The quota's name (as AWS's table names it). */
  readonly name: string;
  /** The API operations that share the bucket, as the simulated account counts them (`World.count`). */
  readonly calls: readonly string[];
  /** Tokens the bucket holds at most (AWS's "bucket size", "burst rate"). */
  readonly burst: number;
  /** Tokens added per second (AWS's "refill rate", "sustained rate"). */
  readonly refillPerSecond: number;
  /** One bucket per resource named in the call (a DynamoDB table), or one for the account and Region. */
  readonly perResource?: boolean;
  /** The error code the service answers a throttled call with. */
  readonly error: string;
  /** The message it answers with. */
  readonly message: string;
  /** Where AWS documents the limit. */
  readonly source: string;
}

/** The Regions where Step Functions documents its larger default buckets. */
const SFN_LARGE_REGIONS: ReadonlySet<string> = new Set(['us-east-1', 'us-west-2', 'eu-west-1']);

const ECS_SOURCE = 'https://docs.aws.amazon.com/AmazonECS/latest/APIReference/request-throttling.html';
const SFN_SOURCE = 'https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html';

/**
 * The API rate limits of the simulated account in `region`. ECS: "If you exceed an API throttling
 * quota, you get the ThrottlingException error code ... Rate exceeded" (the table "API action category"
 * gives each bucket, the same in every Region). Step Functions: StartExecution and ListExecutions of
 * Standard workflows (the SDK error is ThrottlingException; the optimized integration names it
 * StepFunctions.ThrottlingException). Parameter Store: "Default throughput: 40 (Shared by the following
 * API actions: GetParameter, GetParameters, GetParametersByPath)" (Systems Manager endpoints and quotas,
 * Parameter Store "Max throughput (transactions per second)"); AWS documents a rate, not a burst, so the
 * bucket holds one second's worth. DynamoDB on demand: "Per table: 40,000 read request units and 40,000
 * write request units" (DynamoDB service quotas, "Throughput default quotas" for on-demand tables), each
 * request of an item under 1 KB (write) or 4 KB (read) one unit; past it DynamoDB answers
 * ProvisionedThroughputExceededException ("Your request rate is too high", DynamoDB API Common Errors).
 */
export function rateLimits(region: string): RateLimit[] {
  const large = SFN_LARGE_REGIONS.has(region);
  const ecs = (name: string, calls: string[], burst: number, refillPerSecond: number): RateLimit => ({ name: `ECS ${name}`, calls, burst, refillPerSecond, error: 'ThrottlingException', message: 'Rate exceeded', source: ECS_SOURCE });
  // 40,000 request units a second for reads and as many for writes, each table on its own (perResource).
  const dynamodbPerTable = (what: 'reads' | 'writes', calls: string[]): RateLimit => ({
    name: `DynamoDB on-demand ${what} per table`,
    calls,
    burst: 40000,
    refillPerSecond: 40000,
    perResource: true,
    error: 'ProvisionedThroughputExceededException',
    message: 'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
    source: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html',
  });
  return [
    ecs('task definition modify actions', ['RegisterTaskDefinition', 'DeregisterTaskDefinition'], 20, 1),
    ecs('task definition read actions', ['DescribeTaskDefinition', 'ListTaskDefinitions', 'ListTaskDefinitionFamilies'], 50, 20),
    ecs('service modify actions', ['CreateService', 'DeleteService', 'UpdateService'], 50, 5),
    ecs('service read actions', ['DescribeServices', 'ListServices'], 100, 20),
    ecs('cluster resource modify actions', ['RunTask', 'StartTask', 'StopTask'], 100, 40),
    {
      // "AWS Fargate additionally throttles Amazon ECS RunTask API": the Fargate resource rate quota for
      // On Demand tasks (docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html).
      name: 'Fargate On Demand task launch rate',
      calls: ['RunTask'],
      burst: 100,
      refillPerSecond: 20,
      error: 'ThrottlingException',
      message: 'Rate exceeded',
      source: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/throttling.html',
    },
    { name: 'Step Functions StartExecution (Standard)', calls: ['StartExecution'], burst: large ? 1300 : 800, refillPerSecond: large ? 300 : 150, error: 'ThrottlingException', message: 'Rate exceeded', source: SFN_SOURCE },
    { name: 'Step Functions ListExecutions', calls: ['ListExecutions'], burst: large ? 200 : 100, refillPerSecond: large ? 5 : 2, error: 'ThrottlingException', message: 'Rate exceeded', source: SFN_SOURCE },
    {
      name: 'Parameter Store GetParameter* throughput (default)',
      calls: ['GetParameter', 'GetParameters', 'GetParametersByPath'],
      burst: 40,
      refillPerSecond: 40,
      error: 'ThrottlingException',
      message: 'Rate exceeded',
      source: 'https://docs.aws.amazon.com/general/latest/gr/ssm.html',
    },
    dynamodbPerTable('reads', ['GetItem', 'Query']),
    dynamodbPerTable('writes', ['PutItem', 'UpdateItem', 'DeleteItem']),
  ];
}

/**
 * Step Functions' StateTransition bucket for Standard workflows ("Quotas related to state throttling":
 * 5,000 tokens refilled at 1,500 a second in US East (N. Virginia), US West (Oregon) and Europe
 * (Ireland); 800 and 500 elsewhere). A throttled transition is delayed, not failed (CloudWatch reports
 * it as ExecutionThrottled).
 */
export function stateTransitionLimit(region: string): { burst: number; refillPerSecond: number; source: string } {
  const large = SFN_LARGE_REGIONS.has(region);
  return { burst: large ? 5000 : 800, refillPerSecond: large ? 1500 : 500, source: SFN_SOURCE };
}

/**
 * Lambda's concurrent executions per account and Region: 1,000 by default ("Lambda quotas", Compute
 * and storage). A synchronous invocation past it is refused with TooManyRequestsException (Reason
 * ConcurrentInvocationLimitExceeded; the Step Functions integration names it Lambda.TooManyRequestsException).
 */
export const LAMBDA_CONCURRENCY = { limit: 1000, source: 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html' } as const;

/** A token bucket on the simulated clock. */
export class TokenBucket {
  private level: number;
  private at: number;

  constructor(
    readonly burst: number,
    readonly refillPerSecond: number,
    now = 0,
  ) {
    this.level = burst;
    this.at = now;
  }

  /** Tokens in the bucket at `now` (negative: transitions taken on credit, see {@link spend}). */
  tokens(now: number): number {
    if (now > this.at) {
      this.level = Math.min(this.burst, this.level + (now - this.at) * this.refillPerSecond);
      this.at = now;
    }
    return this.level;
  }

  /** Takes one token if there is one: whether the call may go ahead. */
  take(now: number): boolean {
    if (this.tokens(now) < 1) return false;
    this.level -= 1;
    return true;
  }

  /** Takes one token even when there is none (the level goes below zero): whether it had one. */
  spend(now: number): boolean {
    const had = this.tokens(now) >= 1;
    this.level -= 1;
    return had;
  }

  /** Seconds from `now` until the bucket is back at zero (0 when it is not below). */
  debtSeconds(now: number): number {
    const level = this.tokens(now);
    return level >= 0 ? 0 : -level / this.refillPerSecond;
  }
}

/** Throttles per quota, for reports and the bench. */
export type ThrottleCounts = Record<string, number>;

/** Every documented rate limit of the simulated account, with what each has refused. */
export class RateLimiter {
  readonly limits: readonly RateLimit[];
  /** Calls refused, per quota name. */
  readonly throttled: ThrottleCounts = {};
  /** State transitions that found the StateTransition bucket empty (delayed). */
  delayedTransitions = 0;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly byCall = new Map<string, RateLimit[]>();
  private readonly transitions: TokenBucket;
  /** Per call, the calls admitted in the current simulated second and the most in any one second. */
  private readonly rates = new Map<string, { second: number; count: number; peak: number }>();

  constructor(
    region: string,
    private readonly now: () => number,
  ) {
    this.limits = rateLimits(region);
    for (const l of this.limits) for (const c of l.calls) this.byCall.set(c, [...(this.byCall.get(c) ?? []), l]);
    const t = stateTransitionLimit(region);
    this.transitions = new TokenBucket(t.burst, t.refillPerSecond, now());
  }

  private bucket(limit: RateLimit, resource: string | undefined): TokenBucket {
    const key = limit.perResource ? `${limit.name}\u0000${resource ?? ''}` : limit.name;
    let b = this.buckets.get(key);
    if (!b) {
      b = new TokenBucket(limit.burst, limit.refillPerSecond, this.now());
      this.buckets.set(key, b);
    }
    return b;
  }

  /**
   * One call of `call` (on `resource`, for per-resource quotas): takes a token from each bucket it
   * shares, or refuses it with the service's throttling error, taking nothing.
   * @throws SimulatedAwsError the service's throttling error
   */
  admit(call: string, resource?: string): void {
    const limits = this.byCall.get(call);
    if (!limits) return;
    const now = this.now();
    const buckets = limits.map((l) => this.bucket(l, resource));
    const empty = limits.findIndex((_, i) => buckets[i].tokens(now) < 1);
    if (empty >= 0) {
      const l = limits[empty];
      this.throttled[l.name] = (this.throttled[l.name] ?? 0) + 1;
      throw new SimulatedAwsError(l.error, `${l.message} (${call}: ${l.name}, ${l.burst} burst, ${l.refillPerSecond}/s)`);
    }
    for (const b of buckets) b.take(now);
    const second = Math.floor(now);
    const r = this.rates.get(call) ?? { second, count: 0, peak: 0 };
    if (r.second !== second) Object.assign(r, { second, count: 0 });
    r.count += 1;
    r.peak = Math.max(r.peak, r.count);
    this.rates.set(call, r);
  }

  /** The most calls of `call` admitted within one simulated second (calls with a documented rate only). */
  peakPerSecond(call: string): number {
    return this.rates.get(call)?.peak ?? 0;
  }

  /** A state transition: takes a token, on credit when the bucket is empty (the execution is then delayed). */
  transition(): void {
    if (!this.transitions.spend(this.now())) this.delayedTransitions += 1;
  }

  /** Seconds the next state of an execution waits for the StateTransition bucket to refill. */
  transitionDelay(): number {
    return this.transitions.debtSeconds(this.now());
  }

  /** Calls refused so far, all quotas together. */
  get throttledTotal(): number {
    return Object.values(this.throttled).reduce((a, b) => a + b, 0);
  }
}
