import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { parseConfig, ConfigError } from '../../web/src/config';
import { appsOfToken } from '../../web/src/tokens';
import { ownTaskDefinitions, runOf } from '../../web/src/data';
import { readBuildRecord } from '../../domain/table';
import { failureAttemptItem, readRunProgress } from '../../domain/run-progress';

/** The dashboard's pure parts: a run's timeline from a build record, config.json's checks, the apps an ID token names. */

const S = (s: string): AttributeValue => ({ S: s });

function raw(item: Record<string, AttributeValue>) {
  const full = { pk: S('BUILD'), sk: S('0000000043'), buildKey: S('43'), status: S('SUCCEEDED'), eventTime: S('2026-01-01T00:00:00Z'), ...item };
  return { record: readBuildRecord(full), progress: readRunProgress(full), failedPipeline: item.failedPipeline?.S, failedStep: item.failedStep?.S, failedLogLink: item.failedLogLink?.S, recoveredAt: item.recoveredAt?.S, redrivenAt: item.redrivenAt?.S };
}

describe('runOf', () => {
  test('a failed release: the failure is what a redrive fixes, with its step, error, cause and logs', () => {
    const run = runOf(raw({ pipelineError: S('ReleaseFailed'), pipelineCause: S('exit 1'), failedAt: S('2026-01-01T00:01:00Z'), failedPipeline: S('release'), failedStep: S('Run release task'), failedLogLink: S('https://console.aws.amazon.com/x'), failedExecution: S('arn:x') }), undefined, undefined);
    expect(run.state).toBe('failed');
    expect(run.failure).toEqual({ pipeline: 'release', step: 'Run release task', error: 'ReleaseFailed', cause: 'exit 1', logLink: 'https://console.aws.amazon.com/x', execution: 'arn:x', at: '2026-01-01T00:01:00Z' });
    expect(run.events.map((e) => e.what)).toEqual(['Build succeeded', 'release failed at “Run release task”']);
  });

  test('redriven and deployed: no failure left, the timeline in time order', () => {
    const run = runOf(raw({ failedAt: S('2026-01-01T00:01:00Z'), failedPipeline: S('release'), redrivenAt: S('2026-01-01T00:02:00Z'), recoveredAt: S('2026-01-01T00:04:00Z'), releasedAt: S('2026-01-01T00:03:00Z') }), undefined, undefined);
    expect(run.state).toBe('deployed');
    expect(run.failure).toBeUndefined();
    expect(run.events.map((e) => e.what)).toEqual(['Build succeeded', 'release failed', 'Redriven', 'Deployed', 'Redrive succeeded']);
  });

  test('the build that holds the deploy claim is deploying; an older one than the release is superseded', () => {
    expect(runOf(raw({}), { buildKey: '43', buildSortKey: '0000000043', execution: 'arn:deploy' }, undefined).state).toBe('running');
    expect(runOf(raw({}), undefined, { buildKey: '44', buildSortKey: '0000000044' }).state).toBe('superseded');
    expect(runOf(raw({ status: S('FAILED') }), undefined, undefined).state).toBe('building-failed');
  });
});

describe('runOf with the stage and failure history the pipelines write (domain/run-progress.ts)', () => {
  const T = (m: number) => `2026-01-01T00:${String(m).padStart(2, '0')}:00.000Z`;
  const claim = { buildKey: '43', buildSortKey: '0000000043', execution: 'arn:deploy' };

  test('each stage of a run in progress, in words', () => {
    const at = (item: Record<string, AttributeValue>, claimed = false) => runOf(raw(item), claimed ? claim : undefined, undefined);
    expect(at({}).stage).toBe('Build recorded, starting the release');
    expect(at({ stage: S('release-started'), releaseStartedAt: S(T(1)) }).stage).toBe('Running the release');
    expect(at({ stage: S('release-succeeded'), releaseStartedAt: S(T(1)), releaseSucceededAt: S(T(2)) }).stage).toBe('Release succeeded, starting the deploy');
    const deploying = at({ stage: S('deploying'), releaseStartedAt: S(T(1)), releaseSucceededAt: S(T(2)), deployStartedAt: S(T(3)), deployProcesses: S('["web","worker"]'), 'deployedAt:worker': S(T(4)) }, true);
    expect([deploying.state, deploying.stage]).toEqual(['running', 'Deploying web (worker deployed)']);
    expect(deploying.events.map((e) => e.what)).toEqual(['Build succeeded', 'Release started', 'Release succeeded', 'Deploy started', 'worker deployed', 'Deploying web (worker deployed)']);
    expect(deploying.events.find((e) => e.what === 'Deploy started')?.detail).toBe('web, worker');
    const deployed = at({ stage: S('deployed'), deployStartedAt: S(T(3)), deployProcesses: S('["web"]'), 'deployedAt:web': S(T(4)), releasedAt: S(T(5)) });
    expect([deployed.state, deployed.stage]).toEqual(['deployed', undefined]);
  });

  test('a process type deployed by an earlier deploy of the same build (before a redeploy) is not counted as done', () => {
    const run = runOf(raw({ stage: S('deploying'), deployStartedAt: S(T(10)), deployProcesses: S('["web","worker"]'), 'deployedAt:web': S(T(4)), 'deployedAt:worker': S(T(11)) }), claim, undefined);
    expect(run.stage).toBe('Deploying web (worker deployed)');
  });

  test('a release failed, redriven, failed again, redriven and deployed: every failure and redrive in the timeline, no failure left', () => {
    const history = [
      { pipeline: 'release', step: 'Run release task', error: 'ReleaseFailed', cause: 'exit 1', at: T(2), execution: 'arn:r', redriveCount: 0, redrivenAt: T(3), logLink: 'https://console.aws.amazon.com/a' },
      { pipeline: 'release', step: 'Run release task', error: 'ReleaseFailed', cause: 'exit 2', at: T(4), execution: 'arn:r', redriveCount: 1, redrivenAt: T(5) },
    ];
    const run = runOf(raw({ stage: S('deployed'), releaseStartedAt: S(T(1)), releaseSucceededAt: S(T(6)), failedAt: S(T(4)), failedPipeline: S('release'), failedStep: S('Run release task'), redrivenAt: S(T(5)), releasedAt: S(T(7)), recoveredAt: S(T(8)), failureHistory: { L: history.map(failureAttemptItem) } }), undefined, undefined);
    expect(run.state).toBe('deployed');
    expect(run.failure).toBeUndefined();
    expect(run.events.map((e) => e.what)).toEqual(['Build succeeded', 'Release started', 'release failed at “Run release task”', 'Redriven (1)', 'release failed at “Run release task”', 'Redriven (2)', 'Release succeeded', 'Deployed', 'Redrive succeeded']);
    expect(run.events[2]).toMatchObject({ kind: 'fail', detail: 'ReleaseFailed', link: 'https://console.aws.amazon.com/a' });
  });

  test('while a redrive runs, the run is in progress, not failed; the failure it fixes stays shown, with when the redrive started', () => {
    const history = [{ pipeline: 'deploy', step: 'web: Update the service and wait for its deployment', error: 'DeploymentRolledBack', cause: 'c', at: T(2), execution: 'arn:d', redriveCount: 0, redrivenAt: T(3) }];
    const item = { stage: S('deploying'), deployStartedAt: S(T(1)), deployProcesses: S('["web","worker"]'), 'deployedAt:worker': S(T(1)), pipelineError: S('DeploymentRolledBack'), pipelineCause: S('c'), failedAt: S(T(2)), failedPipeline: S('deploy'), redrivenAt: S(T(3)), failureHistory: { L: history.map(failureAttemptItem) } };
    const run = runOf(raw(item), undefined, undefined);
    expect([run.state, run.stage, run.failure?.error, run.failure?.redrivenAt]).toEqual(['running', 'Deploying web (worker deployed)', 'DeploymentRolledBack', T(3)]);
    // Failed again: the newer failure is the state, and no redrive is running.
    const again = runOf(raw({ ...item, failedAt: S(T(4)) }), undefined, undefined);
    expect([again.state, again.failure?.redrivenAt, again.stage]).toEqual(['failed', undefined, undefined]);
  });
});

describe('parseConfig', () => {
  const base = { region: 'us-east-1', prefix: 'slipway' };
  test('a local endpoint without sign-in', () => {
    expect(parseConfig({ ...base, endpoint: 'http://127.0.0.1:4566' })).toEqual({ ...base, endpoint: 'http://127.0.0.1:4566' });
  });
  test('sign-in needs the people role and where the token names apps; http only for this machine', () => {
    const signIn = { issuer: 'https://login.example.com', clientId: 'c', scopes: ['openid'] };
    expect(() => parseConfig({ ...base, signIn })).toThrow(new ConfigError('config.json: "roleArn" must be the IAM role ARN people assume'));
    expect(parseConfig({ ...base, signIn, roleArn: 'arn:aws:iam::123456789012:role/slipway-people', appTags: { claim: 'https://aws.amazon.com/tags', tagKeys: ['slipway-app-1'] } })).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/slipway-people' });
    expect(() => parseConfig({ ...base, actionsUrl: 'http://actions.example.com/' })).toThrow(/must be an https:\/\/ URL/);
    expect(() => parseConfig({ ...base, region: 'mars' })).toThrow(/"region"/);
    expect(() => parseConfig([])).toThrow(ConfigError);
  });
});

describe('appsOfToken', () => {
  test('the apps of the slot keys, valid names only, each once; other claims and keys give nothing', () => {
    const claims = { 'https://aws.amazon.com/tags': { principal_tags: { 'slipway-app-1': ['shop'], 'slipway-app-2': ['Bad Name'], 'slipway-app-3': ['shop'], 'slipway-app-9': ['other'], team: ['x'] } } };
    expect(appsOfToken(claims)).toEqual(['shop']);
    expect(appsOfToken({ sub: 'x' })).toEqual([]);
  });
});

describe('parseConfig keeps the actions URL as given', () => {
  test('a function URL\'s path "/" (and any other path) is kept with its trailing slash; the issuer and endpoint lose theirs', () => {
    const c = parseConfig({ region: 'us-east-1', prefix: 'slipway', endpoint: 'http://127.0.0.1:4566/', actionsUrl: 'http://127.0.0.1:4566/lambda-url/dashboard-actions/' });
    expect(c.actionsUrl).toBe('http://127.0.0.1:4566/lambda-url/dashboard-actions/');
    expect(c.endpoint).toBe('http://127.0.0.1:4566');
  });
});

describe('ownTaskDefinitions', () => {
  const td = (family: string, revision = 3) => `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;
  test('only each process type\'s own family: never a prefix-sharing app\'s, another process type\'s, another prefix\'s or the old hyphen-split family', () => {
    const running = [
      { process: 'web', arn: td('slipway-shop--web') },
      { process: 'worker', arn: td('slipway-shop-admin--worker') }, // app shop-admin: shop is a prefix of it
      { process: 'api', arn: td('slipway-shop--web') }, // another process type's family
      { process: 'cron', arn: td('other-shop--cron') }, // another control plane's prefix
      { process: 'jobs', arn: td('slipway-shop-jobs') }, // the pre-`--` family, which shop-jobs/… could share
      { process: 'idle' },
      { process: 'bad', arn: 'not-an-arn' },
    ];
    expect(ownTaskDefinitions('slipway', 'shop', running)).toEqual([td('slipway-shop--web')]);
    expect(ownTaskDefinitions('slipway', 'shop-admin', running)).toEqual([td('slipway-shop-admin--worker')]);
  });
});
