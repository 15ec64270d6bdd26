/**
 * The real `slipway` (bin/slipway.js) in a child process, pointed at a local endpoint that counts the
 * requests it gets: usage errors are caught before any AWS call (exit 2, honouring --json), text from
 * the command line is escaped for the terminal, and the options every command shares work.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { version } from '../../../package.json';
import { lines, runSlipway } from './child-cli';

let server: Server;
let endpoint = '';
let requests = 0;
let authorization = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    requests++;
    authorization = String(req.headers.authorization ?? '');
    res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
    res.end(JSON.stringify({ __type: 'UnknownOperationException', message: 'this test endpoint answers nothing' }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
});

beforeEach(() => {
  requests = 0;
});

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string; err: string[] }> {
  const run = await runSlipway(args, { AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '', NODE_NO_WARNINGS: '1', NO_COLOR: '', FORCE_COLOR: '', ...env });
  return { code: run.code, out: run.stdout, err: lines(run.stderr) };
}

describe('usage errors are caught before any AWS call: exit 2, one line, and the error document with --json', () => {
  test.each([
    [['rollback', 'example', '--to', 'x'], '"x" is not a build number'],
    [['watch', 'example', 'abc'], '"abc" is not a build number'],
    [['diff', 'example', '--build', 'latest'], '"latest" is not a build number'],
    [['deploy', 'example', '--build', '-1'], '"-1" is not a build number'],
    [['pipelines', 'example', '--prefix', '../x'], '--prefix "../x" is not a name prefix'],
    [['alarms', 'example', '--prefix', '../x'], '--prefix "../x" is not a name prefix'],
    [['status', 'Example', '42'], '"Example" is not an app name'],
    [['pipelines', 'example', '--region', 'eu west 1'], '--region "eu west 1" is not an AWS region code'],
    [['alarms', 'example', '--profile', 'a b'], '--profile "a b" is not a profile name'],
    [['pipelines', 'example', '--timeout', '0'], '--timeout must be a whole number of seconds from 1 to 86400'],
    [['logs', 'example', '--since', '10x'], '--since must be a duration (30s, 10m, 2h, 7d) or an ISO 8601 time, got "10x"'],
    [['run', 'example', '--process', 'web'], 'give the command to run after --'],
  ])('%j', async (args, message) => {
    const result = await cli([...args, '--json']);

    expect(result.code).toBe(2);
    expect(result.err).toHaveLength(1);
    expect(result.err[0]).toContain(message);
    expect(JSON.parse(result.out)).toEqual({ error: 'UsageError', message: expect.stringContaining(message) });
    expect(requests).toBe(0);
  });

  test.each([
    [['releases'], "error: UsageError: missing required argument 'app'"],
    [['deploy', 'example'], "error: UsageError: required option '--build <n>' not specified"],
    [['scale', 'example'], "error: UsageError: missing required argument 'process'"],
    [['nosuch'], "error: UsageError: unknown command 'nosuch'"],
  ])('the parser\'s own error for %j is one line in the project\'s format, exit 2', async (args, line) => {
    const result = await cli(args);

    expect(result.code).toBe(2);
    expect(result.err).toEqual([line]);
    expect(requests).toBe(0);
  });

  test('local\'s help offers no AWS profile or region (it runs the simulated account); an AWS command\'s does', async () => {
    for (const args of [['local', '--help'], ['local', 'run', '--help']]) {
      const help = await cli(args);
      expect(help.code).toBe(0);
      expect(help.out).toContain('--timeout');
      expect(help.out).not.toMatch(/--profile|--region/);
    }
    expect((await cli(['ps', '--help'])).out).toMatch(/--profile <name>[\s\S]*--region <region>/);
  });

  test('--table says the same in every command that takes it, as the README does', async () => {
    const text = "the app's DynamoDB table (default: the one its settings parameter";
    for (const command of ['status', 'logs']) expect((await cli([command, '--help'])).out.replace(/\s+/g, ' ')).toContain(text);
  });

  test('a missing required option honours --json', async () => {
    const result = await cli(['deploy', 'example', '--json']);

    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toEqual({ error: 'UsageError', message: "required option '--build <n>' not specified" });
    // In the format of every other error (issue 23: commander's own format broke it).
    expect(result.err).toEqual(["error: UsageError: required option '--build <n>' not specified"]);
  });
});

describe('terminal safety', () => {
  test('an app name with escape sequences and a newline is printed escaped, in one line (the newline cannot start a fake one)', async () => {
    const result = await cli(['watch', 'ex\u001b]0;owned\u0007\nerror: fake']);

    expect(result.code).toBe(2);
    expect(result.err).toEqual(['error: UsageError: "ex\\e]0;owned\\x07 error: fake" is not an app name (lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, 34 characters at most; never "--", which separates an app\'s name from what follows it in resource names)']);
  });
});

describe('options of every command', () => {
  test('--version prints the package version', async () => {
    const result = await cli(['--version']);

    expect([result.code, result.out.trim()]).toEqual([0, version]);
  });

  test("a subcommand's help lists the inherited options", async () => {
    const result = await cli(['config', 'list', '--help']);

    expect(result.code).toBe(0);
    expect(result.out).toMatch(/Global Options:[\s\S]*--profile <name>[\s\S]*--region <region>[\s\S]*--timeout <seconds>/);
  });

  test('--region reaches the SDK: the request is signed for the region named', async () => {
    const result = await cli(['alarms', 'example', '--region', 'ap-southeast-2']);

    expect(result.code).toBe(1);
    expect(requests).toBeGreaterThan(0);
    // alarms reads the app's settings parameter first (SSM), then CloudWatch: both clients take --region.
    expect(authorization).toMatch(/Credential=test\/\d{8}\/ap-southeast-2\/ssm\/aws4_request/);
  });

  test('--profile reaches the SDK: a profile that does not exist is ProfileNotFound', async () => {
    const result = await cli(['alarms', 'example', '--profile', 'slipway-test-nonexistent', '--region', 'ap-southeast-2'], { AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' });

    expect(result.code).toBe(1);
    expect(result.err).toEqual([expect.stringMatching(/^error: ProfileNotFound: AWS profile "slipway-test-nonexistent" is not defined/)]);
  });

  test('colour only when asked for on a pipe (FORCE_COLOR), never with NO_COLOR or --no-color', async () => {
    const forced = await cli(['watch', 'BAD'], { FORCE_COLOR: '1' });
    const noColor = await cli(['watch', 'BAD'], { FORCE_COLOR: '1', NO_COLOR: '1' });
    const flag = await cli(['watch', 'BAD', '--no-color'], { FORCE_COLOR: '1' });
    const pipe = await cli(['watch', 'BAD']);

    expect(forced.err[0]).toMatch(/^\x1b\[31merror:\x1b\[39m UsageError/);
    for (const r of [noColor, flag, pipe]) expect(r.err[0]).toMatch(/^error: UsageError/);
  });
});
