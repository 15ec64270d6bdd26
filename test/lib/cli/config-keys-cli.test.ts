import { lines, LOCAL_AWS_ENV, runSlipway, startRecordingEndpoint, type EndpointAnswer, type RecordedRequest, type RecordingEndpoint } from './child-cli';

/**
 * `slipway config` and `slipway schedules` run as a person runs them: bin/slipway.js in a child process,
 * talking to a recording stand-in for the Parameter Store endpoint (AWS_ENDPOINT_URL_SSM).
 */

let ssm: RecordingEndpoint;
let requests: RecordedRequest[] = [];
let replies: Record<string, EndpointAnswer> = {};
let env: Record<string, string> = {};

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const run = await runSlipway(args, env);
  return { code: run.code, out: lines(run.stdout), err: lines(run.stderr) };
}

beforeAll(async () => {
  ssm = await startRecordingEndpoint((request) => replies[request.target] ?? { status: 200, body: {} });
  requests = ssm.requests;
  env = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_SSM: ssm.url, SLIPWAY_PREFIX: 'slipway' };
});

afterAll(async () => {
  await ssm.close();
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

test('schedules add with an invalid expression is a usage error: exit 2 naming the problem, writing nothing', async () => {
  const r = await cli('schedules', 'add', 'example', '--schedule', 'cron(0 3 * * *)', '--command', 'bin/report', '--json');

  expect(r.code).toBe(2);
  // A usage error like every other (issue 23: it was InvalidSchedule).
  expect(JSON.parse(r.out[0])).toEqual({ error: 'UsageError', message: expect.stringContaining('Expected 6 values') });
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
