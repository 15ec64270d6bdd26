import { alertsShard, alertsTopicName } from '../../../domain/alerts';
import { settingsFor } from '../ops/settings-fixtures';
import { lines, LOCAL_AWS_ENV, runSlipway, startRecordingEndpoint, type EndpointAnswer, type RecordedRequest, type RecordingEndpoint } from './child-cli';

/**
 * `slipway scale` and `slipway alarms` run as a person runs them: bin/slipway.js in a child process, the real SDK
 * clients, pointed (AWS_ENDPOINT_URL_*) at a local endpoint that speaks the services' JSON protocols.
 */

let server: RecordingEndpoint;
let requests: RecordedRequest[] = [];
/** Answers by X-Amz-Target operation name. */
let answers: Record<string, EndpointAnswer> = {};
let env: Record<string, string> = {};

async function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string[] }> {
  const run = await runSlipway(args, { ...env, ...extraEnv });
  return { code: run.code, out: run.stdout, err: lines(run.stderr) };
}

beforeAll(async () => {
  server = await startRecordingEndpoint(({ target }) => answers[target] ?? { status: 400, body: { __type: 'UnknownOperationException', message: target } });
  requests = server.requests;
  const url = server.url;
  env = {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: url,
    AWS_ENDPOINT_URL_CLOUDWATCH: url,
    AWS_ENDPOINT_URL_SSM: url,
    AWS_ENDPOINT_URL_DYNAMODB: url,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
});

afterAll(async () => {
  await server?.close();
});

beforeEach(() => {
  requests.length = 0;
  answers = {};
});

const SETTINGS_ANSWER: EndpointAnswer = { body: { Parameter: { Name: '/slipway/apps/example/settings', Type: 'String', Value: JSON.stringify(settingsFor('example')), Version: 1, ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/apps/example/settings' } } };

describe('slipway scale', () => {
  beforeEach(() => {
    answers.GetParameter = SETTINGS_ANSWER;
    answers.UpdateItem = { body: {} };
  });

  test('registers the new range on the service\'s scalable target, stores it in the app\'s table, and prints it as JSON', async () => {
    // Prepare
    answers.DescribeScalableTargets = {
      body: { ScalableTargets: [{ ServiceNamespace: 'ecs', ResourceId: 'service/slipway-production/example--web', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 6, RoleARN: 'r', CreationTime: 1767225600 }] },
    };
    answers.RegisterScalableTarget = { body: {} };

    // Act
    const { code, out } = await cli(['scale', 'example', 'web', '0', '--json']);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ service: 'example--web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 } });
    expect(requests.find((r) => r.target === 'RegisterScalableTarget')?.body).toMatchObject({ ResourceId: 'service/slipway-production/example--web', MinCapacity: 0, MaxCapacity: 0 });
    expect(requests.find((r) => r.target === 'UpdateItem')?.body).toMatchObject({ TableName: settingsFor('example').table, Key: { pk: { S: 'SCALE' }, sk: { S: 'web' } } });
    // The app's settings first (its cluster and table), under the default prefix.
    expect(requests[0]).toMatchObject({ target: 'GetParameter', body: { Name: '/slipway/apps/example/settings' } });
  });

  test('--prefix and SLIPWAY_PREFIX name the deployment: the settings are read under that prefix', async () => {
    await cli(['scale', 'example', 'web', '1', '--prefix', 'acme']);
    expect(requests[0]).toMatchObject({ target: 'GetParameter', body: { Name: '/acme/apps/example/settings' } });
    requests.length = 0;
    await cli(['scale', 'example', 'web', '1'], { SLIPWAY_PREFIX: 'corp' });
    expect(requests[0]).toMatchObject({ target: 'GetParameter', body: { Name: '/corp/apps/example/settings' } });
  });

  test('a bad range is a usage error: exit 2, one line, nothing sent', async () => {
    const { code, err } = await cli(['scale', 'example', 'web', '6-2']);
    expect(code).toBe(2);
    expect(err).toEqual(['error: UsageError: in "6-2" the minimum (6) is above the maximum (2)']);
    expect(requests).toEqual([]);
  });

  test('a missing argument is a usage error (exit 2)', async () => {
    const { code } = await cli(['scale', 'example', 'web']);
    expect(code).toBe(2);
  });

  test('access denied is one line and exit 1, with --json an error document', async () => {
    // Prepare
    answers.DescribeScalableTargets = { status: 400, body: { __type: 'AccessDeniedException', message: 'User: arn:aws:iam::123456789012:user/dev is not authorized to perform: application-autoscaling:DescribeScalableTargets' } };

    // Act
    const { code, out, err } = await cli(['scale', 'example', 'web', '1-3', '--json']);

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(out)).toMatchObject({ error: 'AccessDenied' });
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^error: AccessDenied: access denied: .*not authorized to perform: application-autoscaling:DescribeScalableTargets/);
  });
});

describe('slipway alarms', () => {
  // The app's alerts shard of its cluster (domain/alerts.ts); the CLI reads the app's processes and control plane from its settings parameter.
  const actions = [`arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'production', alertsShard('example'))}`];
  beforeEach(() => {
    answers.GetParameter = { body: { Parameter: { Name: '/slipway/apps/example/settings', Type: 'String', Value: JSON.stringify(settingsFor('example')), Version: 1, ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/apps/example/settings' } } };
  });

  test('prints each alarm\'s state, those in ALARM first', async () => {
    // Prepare
    answers.DescribeAlarms = {
      body: {
        MetricAlarms: [
          { AlarmName: 'slipway-example--web-cpu', StateValue: 'OK', StateReason: 'ok', StateUpdatedTimestamp: 1783411200, AlarmActions: actions },
          { AlarmName: 'slipway-example--web-memory', StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateUpdatedTimestamp: 1783411200, AlarmActions: actions },
        ],
      },
    };

    // Act
    const { code, out } = await cli(['alarms', 'example']);

    // Assess
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('example: 2 alarms, 1 in ALARM');
    expect(lines[1]).toMatch(/^✗ slipway-example--web-memory\s+ALARM/);
    expect(out).toContain('Threshold Crossed');
  });

  test('SLIPWAY_PREFIX names the deployment, as for every app command (issue 23: alarms ignored it)', async () => {
    answers.DescribeAlarms = { body: { MetricAlarms: [] } };
    await cli(['alarms', 'example'], { SLIPWAY_PREFIX: 'corp' });
    expect(requests[0]).toMatchObject({ target: 'GetParameter', body: { Name: '/corp/apps/example/settings' } });
  });

  test('--json prints the app and its alarms', async () => {
    answers.DescribeAlarms = { body: { MetricAlarms: [{ AlarmName: 'slipway-example--web-cpu', StateValue: 'OK', StateReason: 'ok', AlarmActions: actions }] } };
    const { code, out } = await cli(['alarms', 'example', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ app: 'example', alarms: [{ name: 'slipway-example--web-cpu', state: 'OK', reason: 'ok' }] });
  });

  test('a profile that does not exist is ProfileNotFound (not missing credentials), one line, exit 1', async () => {
    const { code, err } = await cli(['alarms', 'example'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: 'slipway-test-no-such-profile', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    expect(code).toBe(1);
    expect(err).toEqual(['error: ProfileNotFound: AWS profile "slipway-test-no-such-profile" is not defined in ~/.aws/config or ~/.aws/credentials: check its name (aws configure list-profiles), or pass --profile with another']);
  });

  test('no credentials at all is NoCredentials, one line, exit 1', async () => {
    const { code, err } = await cli(['alarms', 'example'], { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_EC2_METADATA_DISABLED: 'true' });
    expect(code).toBe(1);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^error: NoCredentials: no AWS credentials for SSM GetParameter \/slipway\/apps\/example\/settings: pass --profile/);
  });
});
