import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';

/**
 * What the CLI tests that run `slipway` in a child process share: running the real bin/slipway.js (what a
 * user runs; it starts from the bundle jest's global setup keeps current, test/helpers/cli-bundle.ts), and
 * a local endpoint that records the AWS requests it gets (AWS_ENDPOINT_URL_<SERVICE>) and answers as the
 * test says. tsx remains for a runner that must load the TypeScript sources themselves (run-loaded-modules.ts).
 */

const ROOT = path.join(__dirname, '..', '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Credentials and region for the SDK against a local endpoint; the SDK's Node-version notice off stderr. */
export const LOCAL_AWS_ENV = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NODE_NO_WARNINGS: '1' } as const;

/** How a child process ended: its exit code (1 when it died without one) and its output. */
export interface ChildRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** bin/slipway.js: what `slipway` runs. */
export const BIN = path.join(ROOT, 'bin', 'slipway.js');

/**
 * The environment of a child: the test process's plus `env`, without NODE_EXTRA_CA_CERTS. Node reads
 * that bundle of certificates at every start (about 70 ms of CPU for a system bundle such as
 * /etc/ssl/certs/ca-certificates.crt, more than the rest of a usage error's run), and the children talk
 * to nothing over TLS: plain HTTP on 127.0.0.1, or no network at all.
 */
export function childEnv(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  const merged: NodeJS.ProcessEnv = { ...process.env, ...env };
  delete merged.NODE_EXTRA_CA_CERTS;
  return merged;
}

/** Runs `file args...` in {@link childEnv}(env), in `cwd` (the repository by default). */
function run(file: string, args: readonly string[], env: Record<string, string>, cwd = ROOT): Promise<ChildRun> {
  return new Promise((resolve) => {
    execFile(file, args, { env: childEnv(env), cwd, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Runs `slipway <args...>` (`node bin/slipway.js`) in {@link childEnv}(env), in `cwd` (the repository by default). */
export function runSlipway(args: readonly string[], env: Record<string, string> = {}, cwd?: string): Promise<ChildRun> {
  return run(process.execPath, [BIN, ...args], env, cwd);
}

/** Runs `tsx <runner> <args...>` in {@link childEnv}(env). */
export function runWithTsx(runner: string, args: readonly string[], env: Record<string, string> = {}): Promise<ChildRun> {
  return run(TSX, [runner, ...args], env);
}

/** The non-empty lines of a text. */
export function lines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** A request the endpoint got: its X-Amz-Target operation (after the last '.'), path and JSON body. */
export interface RecordedRequest {
  readonly target: string;
  readonly url: string;
  readonly body: Record<string, unknown>;
}

/** An answer of the endpoint. */
export interface EndpointAnswer {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body: unknown;
}

/** A local endpoint that records every request and answers with `answer(request)`. */
export interface RecordingEndpoint {
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a {@link RecordingEndpoint} on 127.0.0.1; `contentType` is the answers' content type. */
export async function startRecordingEndpoint(answer: (request: RecordedRequest) => EndpointAnswer, contentType = 'application/x-amz-json-1.1'): Promise<RecordingEndpoint> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString()));
    req.on('end', () => {
      const request = { target: String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '', url: req.url ?? '', body: JSON.parse(data || '{}') as Record<string, unknown> };
      requests.push(request);
      const reply = answer(request);
      res.writeHead(reply.status ?? 200, { 'content-type': contentType, ...reply.headers });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
