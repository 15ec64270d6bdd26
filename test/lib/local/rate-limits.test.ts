import { RegisterTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { ecs } from '../../../functions/shared/clients';
import { LocalRun } from '../../../lib/local/runner';
import { rateLimits, RateLimiter, stateTransitionLimit, TokenBucket } from '../../../lib/local/rate-limits';
import { matchingRetrier, retryDelaySeconds, RetryWaits, seededRandom } from '../../../lib/local/retry-clock';
import { mockAwsClients } from '../../../lib/local/client-mocks';
import { SimulatedStepFunctions } from '../../../lib/local/services/stepfunctions';
import { ROOT, buildEvent } from '../../statemachines/scenarios';

/**
 * AWS's default API rates in the simulated account (lib/local/rate-limits.ts): a bucket refuses a call
 * past its burst with the service's own error and refills at its documented rate on the simulated
 * clock; the runner waits each retry's interval on that clock, so a fleet of pipelines under
 * throttling still succeeds.
 */

describe('a token bucket on the simulated clock', () => {
  test('refuses past its burst, refills at its rate, never above its burst', () => {
    const b = new TokenBucket(20, 1, 0);
    for (let i = 0; i < 20; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.take(0.5)).toBe(false);
    expect(b.take(1)).toBe(true);
    expect(b.take(1)).toBe(false);
    expect(b.tokens(1000)).toBe(20);
  });

  test('a transition taken on credit puts the bucket in debt for the time its refill needs', () => {
    const b = new TokenBucket(2, 4, 0);
    expect(b.spend(0)).toBe(true);
    expect(b.spend(0)).toBe(true);
    expect(b.spend(0)).toBe(false);
    expect(b.spend(0)).toBe(false);
    expect(b.debtSeconds(0)).toBeCloseTo(0.5);
    expect(b.debtSeconds(0.5)).toBe(0);
  });
});

describe("the account's documented limits", () => {
  test('ECS RegisterTaskDefinition: 20 at once, then ThrottlingException "Rate exceeded", then 1 a second', () => {
    let now = 0;
    const limiter = new RateLimiter('us-east-1', () => now);
    for (let i = 0; i < 20; i++) limiter.admit('RegisterTaskDefinition');
    expect(() => limiter.admit('RegisterTaskDefinition')).toThrow(expect.objectContaining({ name: 'ThrottlingException', message: expect.stringMatching(/^Rate exceeded/) }));
    // DeregisterTaskDefinition shares the bucket ("Task definition modify actions").
    expect(() => limiter.admit('DeregisterTaskDefinition')).toThrow(expect.objectContaining({ name: 'ThrottlingException' }));
    now = 1;
    limiter.admit('RegisterTaskDefinition');
    expect(() => limiter.admit('RegisterTaskDefinition')).toThrow(expect.objectContaining({ name: 'ThrottlingException' }));
    expect(limiter.throttled['ECS task definition modify actions']).toBe(3);
    // Another bucket is untouched.
    limiter.admit('DescribeServices');
  });

  test('RunTask takes a token from both its ECS bucket and the Fargate launch rate, and a refused call takes none', () => {
    let now = 0;
    const limiter = new RateLimiter('us-east-1', () => now);
    for (let i = 0; i < 100; i++) limiter.admit('RunTask');
    expect(() => limiter.admit('RunTask')).toThrow(expect.objectContaining({ name: 'ThrottlingException' }));
    // After 1 s: ECS's bucket has 40 more, Fargate's only 20: the 21st is refused.
    now = 1;
    for (let i = 0; i < 20; i++) limiter.admit('RunTask');
    expect(() => limiter.admit('RunTask')).toThrow(expect.objectContaining({ message: expect.stringContaining('Fargate') }));
  });

  test('Parameter Store reads share 40 a second; DynamoDB answers ProvisionedThroughputExceededException per table', () => {
    let now = 0;
    const limiter = new RateLimiter('eu-central-1', () => now);
    for (let i = 0; i < 20; i++) limiter.admit('GetParameter');
    for (let i = 0; i < 20; i++) limiter.admit('GetParametersByPath');
    expect(() => limiter.admit('GetParameters')).toThrow(expect.objectContaining({ name: 'ThrottlingException' }));
    for (let i = 0; i < 40000; i++) limiter.admit('PutItem', 'table-a');
    expect(() => limiter.admit('UpdateItem', 'table-a')).toThrow(expect.objectContaining({ name: 'ProvisionedThroughputExceededException' }));
    limiter.admit('UpdateItem', 'table-b');
    limiter.admit('GetItem', 'table-a');
    now = 0.5;
    limiter.admit('GetParameter');
  });

  test('Step Functions has the larger buckets only in the Regions AWS names', () => {
    const start = (region: string) => rateLimits(region).find((l) => l.calls.includes('StartExecution'));
    expect(start('us-east-1')).toMatchObject({ burst: 1300, refillPerSecond: 300 });
    expect(start('ap-southeast-2')).toMatchObject({ burst: 800, refillPerSecond: 150 });
    expect(stateTransitionLimit('eu-west-1')).toMatchObject({ burst: 5000, refillPerSecond: 1500 });
    expect(stateTransitionLimit('eu-central-1')).toMatchObject({ burst: 800, refillPerSecond: 500 });
    for (const l of rateLimits('us-east-1')) expect(l.source).toMatch(/^https:\/\/docs\.aws\.amazon\.com\//);
  });

  test('a handler calling ECS in the simulated account is refused past the burst as the SDK sees it', async () => {
    const run = new LocalRun({ app: 'example' }, ROOT);
    const mocks = mockAwsClients(run.world, new SimulatedStepFunctions(run.world, [], {} as never));
    try {
      const register = () =>
        ecs.send(new RegisterTaskDefinitionCommand({ family: 'slipway-example--web', containerDefinitions: [{ name: 'web', image: 'nginx' }] }));
      for (let i = 0; i < 20; i++) await register();
      await expect(register()).rejects.toMatchObject({ name: 'ThrottlingException' });
    } finally {
      for (const m of mocks) m.restore();
    }
  });
});

describe('the wait before a retry', () => {
  const retrier = { ErrorEquals: ['TransientError', 'Lambda.TooManyRequestsException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60 };

  test('grows by the backoff rate up to MaxDelaySeconds; FULL jitter draws below it', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => retryDelaySeconds(retrier, n, () => 0.5))).toEqual([2, 4, 8, 16, 32, 60]);
    const jittered = retryDelaySeconds({ ...retrier, JitterStrategy: 'FULL' }, 6, seededRandom(1));
    expect(jittered).toBeGreaterThanOrEqual(0);
    expect(jittered).toBeLessThan(60);
    expect(retryDelaySeconds({ ErrorEquals: ['States.ALL'] }, 3, Math.random)).toBe(4);
  });

  test('the first retrier naming the error applies; States.TaskFailed matches all but States.Timeout', () => {
    const retriers = [retrier, { ErrorEquals: ['States.TaskFailed'] }];
    expect(matchingRetrier(retriers, 'Lambda.TooManyRequestsException')).toBe(0);
    expect(matchingRetrier(retriers, 'AccessDeniedException')).toBe(1);
    expect(matchingRetrier(retriers, 'States.Timeout')).toBe(-1);
  });

  test('only a call after a failure waits, and each retrier counts its own retries', () => {
    const waits = new RetryWaits(() => 0.5);
    expect(waits.waitBefore('k', [retrier])).toBe(0);
    waits.failed('k', [retrier], 'TransientError');
    expect(waits.waitBefore('k', [retrier])).toBe(2);
    waits.failed('k', [retrier], 'TransientError');
    expect(waits.waitBefore('k', [retrier])).toBe(4);
    waits.succeeded('k');
    expect(waits.waitBefore('k', [retrier])).toBe(0);
  });
});

/** The CodeBuild SUCCEEDED event of build 42 of fleet app `app` (its own event id). */
function fleetBuild(app: string): Record<string, unknown> {
  const event = buildEvent({ project: `slipway-${app}`, build: 42 });
  event.id = `00000000-0000-4000-8000-${app.replace(/\D/g, '').padStart(12, '0')}`;
  return event;
}

describe('a fleet pushed at once under the rate limits', () => {
  const apps = Array.from({ length: 12 }, (_, i) => `fleet-${String(i + 1).padStart(2, '0')}`);
  let run: LocalRun;
  beforeAll(async () => {
    run = new LocalRun({ config: 'test/fixtures/configs/fleet-12.json', app: apps[0], apps }, ROOT);
    for (const app of apps) run.at(0, `${app} build 42 succeeds`, () => run.startConcurrently('build', fleetBuild(app)));
    await run.runScheduled();
  }, 120000);

  test('24 task definitions at the same second exceed ECS\'s burst of 20: the Retry absorbs every throttle and every pipeline succeeds', () => {
    expect(run.world.limits.throttled['ECS task definition modify actions']).toBeGreaterThan(0);
    expect(run.executions.filter((e) => e.status !== 'SUCCEEDED').map((e) => `${e.name}: ${e.error} ${e.cause}`)).toEqual([]);
    const deploys = run.executions.filter((e) => e.stateMachine === 'deploy');
    expect(deploys.map((e) => e.name).sort()).toEqual(apps.map((a) => `${a}--42-deploy`));
    for (const app of apps) expect(run.world.services.get(`${app}--web`)?.service.taskDefinition).toMatch(new RegExp(`:task-definition/slipway-${app}--web:\\d+$`));
  });

  test('the throttled registrations ran after the bucket refilled: retries waited on the simulated clock', () => {
    const retried = run.executions.filter((e) => e.stateMachine === 'build' && e.history.some((h) => h.type === 'TaskFailed'));
    expect(retried.length).toBeGreaterThan(0);
    // 24 registrations at 20 burst + 1/s: the last can only have been accepted a few seconds in.
    expect(Math.max(...retried.map((e) => e.endedAt ?? 0))).toBeGreaterThanOrEqual(1);
    expect(run.world.calls.RegisterTaskDefinition).toBeGreaterThan(24);
  });
});
