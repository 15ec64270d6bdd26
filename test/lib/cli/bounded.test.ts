/**
 * Every AWS call of the CLI is bounded. An endpoint on 127.0.0.1 that accepts connections and never
 * answers stands in for a network that hangs: the per-request timeout of the client factory, the
 * command's --timeout and Ctrl-C each end the wait, with a named error.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import * as path from 'node:path';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { CallsInFlight, cliClient } from '../../../lib/ops/aws-clients';
import { describeAwsError } from '../../../lib/ops/aws-errors';
import { BIN, childEnv } from './child-cli';

const ROOT = path.join(__dirname, '..', '..', '..');

let server: Server;
let endpoint = '';
const sockets = new Set<Socket>();
let connected: (() => void)[] = [];
let requests = 0;

beforeAll(async () => {
  // Reads each request and never answers it.
  server = createServer(() => {
    requests++;
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const waiting = connected;
    connected = [];
    waiting.forEach((f) => f());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((r) => server.close(r));
});

interface Run {
  code: number | null;
  out: string;
  err: string[];
}

/** Runs `slipway <args>` against the silent endpoint; `onStart` is called once it has connected. */
function cli(args: string[], onConnected?: (child: ReturnType<typeof spawn>) => void): Promise<Run> {
  const env = childEnv({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '', NODE_NO_WARNINGS: '1' });
  return new Promise((resolve) => {
    const child = spawn('node', [BIN, ...args], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    if (onConnected) connected.push(() => onConnected(child));
    child.on('close', (code) => resolve({ code, out, err: err.split('\n').filter((l) => l.length > 0) }));
  });
}

describe('the client factory', () => {
  test('a request the endpoint never answers fails with TimedOut after the request timeout, and is in flight until then', async () => {
    const calls = new CallsInFlight();
    const sfn = cliClient((c) => new SFNClient({ ...c, region: 'eu-west-1', endpoint, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }), { requestTimeoutMs: 300, maxAttempts: 1 }, calls);
    const seen: (string | undefined)[] = [];
    connected.push(() => seen.push(calls.oldest()?.label));

    const error = await sfn.send(new DescribeExecutionCommand({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:a:b' })).catch((e: unknown) => e);

    expect(describeAwsError(error, 'Step Functions DescribeExecution').name).toBe('TimedOut');
    expect(seen).toEqual(['Step Functions DescribeExecution']);
    expect(calls.oldest()).toBeUndefined();
  });
});

describe('slipway against an endpoint that never answers', () => {
  // The runs that wait for their --timeout run at once (test.concurrent), each in its own child process
  // against the shared silent endpoint: the suite waits for the longest deadline, not for their sum.
  test.concurrent.each([
    [['pipelines', 'example'], 'SSM GetParameter'],
    [['alarms', 'example'], 'SSM GetParameter'],
    [['config', 'list', 'example'], 'SSM DescribeParameters'],
  ])('%j --timeout 2 ends with TimedOut naming the call it waited for, exit 1, nothing else on a pipe', async (args, call) => {
    const result = await cli([...args, '--timeout', '2']);

    expect(result.code).toBe(1);
    expect(result.err).toEqual([`error: TimedOut: gave up after 2 s (--timeout), waiting for ${call}: check the network, proxy and AWS_ENDPOINT_URL, or pass a longer --timeout`]);
    expect(result.out).toBe('');
  });

  test.concurrent('watch --timeout 2 says the pipeline goes on, and --json prints the error document', async () => {
    const result = await cli(['watch', 'example', '--timeout', '2', '--json']);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.out)).toEqual({ error: 'TimedOut', message: expect.stringMatching(/^gave up after 2 s \(--timeout\), waiting for SSM GetParameter; the pipeline goes on/) });
  });

  test.concurrent('on a terminal, a call that waits more than a second shows what it waits for, and the line is wiped before the error', async () => {
    // `script` (util-linux, in Debian's essential bsdutils) runs the command on a pseudo-terminal. The
    // spinner shows once the call has waited a second; the deadline is 6 s, so it shows before the deadline
    // even when a loaded machine is slow to load the CLI (with 2 s it did not, under a load of 25).
    const command = `node ${BIN} pipelines example --timeout 6`;
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const env = childEnv({ AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_PROFILE: '', NODE_NO_WARNINGS: '1', NO_COLOR: '1' });
      const child = spawn('script', ['-qec', command, '/dev/null'], { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });

    expect(result.code).toBe(1);
    expect(result.out).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] waiting for SSM GetParameter \(\d s\)/);
    expect(result.out).toMatch(/\r\x1b\[Kerror: TimedOut: gave up after 6 s/);
  });

  test('Ctrl-C while a call hangs exits 130 with one line', async () => {
    const result = await cli(['pipelines', 'example', '--timeout', '120'], (child) => child.kill('SIGINT'));

    expect(result.code).toBe(130);
    expect(result.err).toEqual(['error: Interrupted: stopped by Ctrl-C (anything already started in AWS goes on)']);
  });
});
