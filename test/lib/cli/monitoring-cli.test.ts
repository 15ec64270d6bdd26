import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { alertsShard, alertsTopicName } from '../../../lib/alerts';
import { settingsFor } from '../ops/settings-fixtures';

/**
 * `slipway scale` and `slipway alarms` run as a person runs them: a child process (tsx), the real SDK
 * clients, pointed (AWS_ENDPOINT_URL_*) at a local endpoint that speaks the services' JSON protocols.
 */

const RUNNER = path.join(__dirname, 'run-monitoring-cli.ts');
const TSX = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

let server: Server;
const requests: { target: string; body: Record<string, unknown> }[] = [];
/** Answers by X-Amz-Target operation name. */
let answers: Record<string, { status?: number; body: unknown }> = {};
let env: Record<string, string> = {};

function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<{ code: number; out: string; err: string[] }> {
  return new Promise((resolve) => {
    execFile(TSX, [RUNNER, ...args], { env: { ...process.env, ...env, ...extraEnv }, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: stdout, err: stderr.split('\n').filter((l) => l.length > 0) });
    });
  });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      requests.push({ target, body: JSON.parse(data || '{}') });
      const answer = answers[target] ?? { status: 400, body: { __type: 'UnknownOperationException', message: target } };
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  env = {
    AWS_ENDPOINT_URL_APPLICATION_AUTO_SCALING: url,
    AWS_ENDPOINT_URL_CLOUDWATCH: url,
    AWS_ENDPOINT_URL_SSM: url,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_EC2_METADATA_DISABLED: 'true',
    NODE_NO_WARNINGS: '1',
  };
});

afterAll(async () => {
  await new Promise((r) => server?.close(r));
});

beforeEach(() => {
  requests.length = 0;
  answers = {};
});

describe('slipway scale', () => {
  test('registers the new range on the service\'s scalable target and prints it as JSON', async () => {
    // Prepare
    answers.DescribeScalableTargets = {
      body: { ScalableTargets: [{ ServiceNamespace: 'ecs', ResourceId: 'service/slipway-production/example-web', ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: 2, MaxCapacity: 6, RoleARN: 'r', CreationTime: 1767225600 }] },
    };
    answers.RegisterScalableTarget = { body: {} };

    // Act
    const { code, out } = await cli(['scale', 'example', 'web', '0', '--json']);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(out)).toMatchObject({ service: 'example-web', previous: { min: 2, max: 6 }, range: { min: 0, max: 0 } });
    expect(requests.find((r) => r.target === 'RegisterScalableTarget')?.body).toMatchObject({ ResourceId: 'service/slipway-production/example-web', MinCapacity: 0, MaxCapacity: 0 });
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
  // The app's alerts shard of its cluster (lib/alerts.ts); the CLI reads the app's processes and control plane from its settings parameter.
  const actions = [`arn:aws:sns:eu-west-1:123456789012:${alertsTopicName('slipway', 'production', alertsShard('example'))}`];
  beforeEach(() => {
    answers.GetParameter = { body: { Parameter: { Name: '/slipway/apps/example/settings', Type: 'String', Value: JSON.stringify(settingsFor('example')), Version: 1, ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/slipway/apps/example/settings' } } };
  });

  test('prints each alarm\'s state, those in ALARM first', async () => {
    // Prepare
    answers.DescribeAlarms = {
      body: {
        MetricAlarms: [
          { AlarmName: 'slipway-example-web-cpu', StateValue: 'OK', StateReason: 'ok', StateUpdatedTimestamp: 1783411200, AlarmActions: actions },
          { AlarmName: 'slipway-example-web-memory', StateValue: 'ALARM', StateReason: 'Threshold Crossed', StateUpdatedTimestamp: 1783411200, AlarmActions: actions },
        ],
      },
    };

    // Act
    const { code, out } = await cli(['alarms', 'example']);

    // Assess
    expect(code).toBe(0);
    const lines = out.split('\n');
    expect(lines[0]).toBe('example: 2 alarms, 1 in ALARM');
    expect(lines[1]).toMatch(/^✗ slipway-example-web-memory\s+ALARM/);
    expect(out).toContain('Threshold Crossed');
  });

  test('--json prints the app and its alarms', async () => {
    answers.DescribeAlarms = { body: { MetricAlarms: [{ AlarmName: 'slipway-example-web-cpu', StateValue: 'OK', StateReason: 'ok', AlarmActions: actions }] } };
    const { code, out } = await cli(['alarms', 'example', '--json']);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual({ app: 'example', alarms: [{ name: 'slipway-example-web-cpu', state: 'OK', reason: 'ok' }] });
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
