import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * `slipway config` and `slipway schedules` run as a person runs them: a child process (commander 15 is
 * ESM-only), talking to a recording stand-in for the Parameter Store endpoint (AWS_ENDPOINT_URL_SSM).
 */

const RUNNER = path.join(__dirname, 'run-config-keys-cli.ts');
const TSX = path.join(__dirname, '..', '..', '..', 'node_modules', '.bin', 'tsx');

let ssm: Server;
const requests: { target: string; body: Record<string, unknown> }[] = [];
let replies: Record<string, { status: number; body: unknown }> = {};
let env: Record<string, string> = {};

function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  return new Promise((resolve) => {
    execFile(TSX, [RUNNER, ...args], { env: { ...process.env, ...env }, timeout: 30_000 }, (error, stdout, stderr) => {
      const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, out: lines(stdout), err: lines(stderr) });
    });
  });
}

beforeAll(async () => {
  ssm = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const target = String(req.headers['x-amz-target'] ?? '').replace('AmazonSSM.', '');
      requests.push({ target, body: JSON.parse(data || '{}') as Record<string, unknown> });
      const reply = replies[target] ?? { status: 200, body: {} };
      res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => ssm.listen(0, '127.0.0.1', r));
  env = {
    AWS_ENDPOINT_URL_SSM: `http://127.0.0.1:${(ssm.address() as AddressInfo).port}`,
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    SLIPWAY_PREFIX: 'slipway',
    NODE_NO_WARNINGS: '1',
  };
});

afterAll(async () => {
  await new Promise<void>((r) => ssm.close(() => r()));
});

beforeEach(() => {
  requests.length = 0;
  replies = {};
});

test('config set writes each pair as a SecureString and exits 0', async () => {
  const r = await cli('config', 'set', 'example', 'A=1', 'B=two');

  expect(r.code).toBe(0);
  expect(requests.map((q) => [q.target, q.body.Name, q.body.Type])).toEqual([
    ['PutParameter', '/slipway/apps/example/config/A', 'SecureString'],
    ['PutParameter', '/slipway/apps/example/config/B', 'SecureString'],
  ]);
});

test('config set with a hostile key exits 2 with a named one-line error and calls nothing', async () => {
  const r = await cli('config', 'set', 'example', 'GOOD=1', '../x=1');

  expect(r.code).toBe(2);
  expect(r.err).toEqual([expect.stringMatching(/^error: InvalidConfigKey: config key "\.\.\/x" is not a valid name/)]);
  expect(requests).toEqual([]);
});

test('config list --json prints names without values', async () => {
  replies.DescribeParameters = { status: 200, body: { Parameters: [{ Name: '/slipway/apps/example/config/API_TOKEN', Version: 3 }] } };
  const r = await cli('config', 'list', 'example', '--json');

  expect(r.code).toBe(0);
  expect(JSON.parse(r.out.join('\n'))).toEqual({ app: 'example', keys: [{ key: 'API_TOKEN', version: 3 }] });
});

test('config get of a key that is not set exits 1 with one line', async () => {
  replies.GetParameter = { status: 400, body: { __type: 'ParameterNotFound', message: '' } };
  const r = await cli('config', 'get', 'example', 'NOPE');

  expect(r.code).toBe(1);
  expect(r.err).toEqual(['error: NotFound: NOPE is not set for example (see slipway config list example)']);
});

test('access denied is one clear line, exit 1', async () => {
  replies.DeleteParameters = { status: 400, body: { __type: 'AccessDeniedException', message: 'User: arn:aws:iam::1:user/x is not authorized to perform: ssm:DeleteParameters' } };
  const r = await cli('config', 'unset', 'example', 'A');

  expect(r.code).toBe(1);
  expect(r.err).toEqual([expect.stringMatching(/^error: AccessDenied: access denied: SSM DeleteParameters: User: .* not authorized/)]);
});

test('schedules add with an invalid expression exits 2 naming the problem, writing nothing', async () => {
  const r = await cli('schedules', 'add', 'example', '--schedule', 'cron(0 3 * * *)', '--command', 'bin/report', '--json');

  expect(r.code).toBe(2);
  expect(JSON.parse(r.out[0])).toEqual({ error: 'InvalidSchedule', message: expect.stringContaining('Expected 6 values') });
  expect(requests).toEqual([]);
});

test('schedules add appends to the list parameter', async () => {
  replies.GetParameter = { status: 400, body: { __type: 'ParameterNotFound', message: '' } };
  const r = await cli('schedules', 'add', 'example', '--schedule', 'rate(1 hour)', '--command', 'bin/cleanup', '--process', 'worker', '--name', 'cleanup');

  expect(r.code).toBe(0);
  const put = requests.find((q) => q.target === 'PutParameter');
  expect(put?.body).toMatchObject({ Name: '/slipway/apps/example/schedules', Type: 'String' });
  expect(JSON.parse(String(put?.body.Value))).toEqual([{ name: 'cleanup', schedule: 'rate(1 hour)', command: 'bin/cleanup', process: 'worker' }]);
});

test('a missing argument is a usage error (exit 2)', async () => {
  const r = await cli('config', 'get', 'example');

  expect(r.code).toBe(2);
});
