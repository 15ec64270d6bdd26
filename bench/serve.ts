import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { rateLimits } from '../lib/local/rate-limits';
import { LocalEndpoint } from '../lib/local/serve/server';
import { formatNumber, markdownTable, summarize, type GoalResult, type Summary } from './stats';

/**
 * Section 8: `slipway local serve` as clients see it. Latency of DescribeServices and GetItem through
 * the endpoint (the AWS SDK over HTTP to 127.0.0.1, the client and the endpoint in this one process)
 * beside the same call answered in-process by aws-sdk-client-mock (what the CLI's unit tests use);
 * 100 concurrent clients, each its own SDK client and connection; and the time from starting
 * `slipway local serve` (a child process, bin/slipway.js running the CLI bundle that `npm ci` builds)
 * to its "listening on" line.
 *
 * The simulated account throttles as AWS does (lib/local/rate-limits.ts): ECS's DescribeServices bucket
 * holds 100 calls and refills 20 a second. The latency calls of DescribeServices are therefore paced
 * under that sustained rate (a client calling faster is throttled on AWS too), and the concurrent clients
 * call DescribeServices 100 times in all (the bucket's burst) and GetItem the rest of the time.
 */

/** What section 8 measured. */
export interface ServeResults {
  /** Milliseconds per call, by call and path. */
  readonly latency: { readonly call: string; readonly endpoint: Summary; readonly mock: Summary }[];
  readonly concurrent: { readonly clients: number; readonly callsEach: number; readonly errors: number; readonly errorNames: string[]; readonly retried: number; readonly perCallMs: Summary; readonly wallMs: number };
  /** Milliseconds from spawning `slipway local serve` to its "listening on" line. */
  readonly ready: Summary;
  /** Milliseconds of LocalEndpoint.start in the bench's process (modules loaded): the account built and listening. */
  readonly startMs: number;
  /** The machine's 1-minute load average when the section started and when it ended (os.loadavg). */
  readonly load?: { readonly start: number; readonly end: number; readonly cores: number };
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

async function timeCalls(n: number, call: () => Promise<unknown>, paceMs = 0): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 5; i++) {
    if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
    const t = process.hrtime.bigint();
    await call();
    // The first calls warm the connection and the JIT: not counted.
    if (i >= 5) out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
}

/** DescribeServices' bucket in the simulated account (ECS "service read actions"). */
function describeServicesLimit(region: string): { burst: number; refillPerSecond: number } {
  const limit = rateLimits(region).find((l) => l.calls.includes('DescribeServices'));
  if (!limit) throw new Error('the simulated account has no rate limit for DescribeServices');
  return limit;
}

/** Builds the CLI bundle as `npm ci` does (scripts/build-cli.js), so that the ready time is the bundle's, not tsx compiling the sources. */
function buildCli(root: string): void {
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-cli.js')], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Spawns `slipway local serve --port 0` and times it to its "listening on" line, then stops it. */
function readyTime(root: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const env: NodeJS.ProcessEnv = { ...process.env, NODE_NO_WARNINGS: '1' };
    delete env.NODE_EXTRA_CA_CERTS;
    const child = spawn(process.execPath, [path.join(root, 'bin', 'slipway.js'), 'local', 'serve', '--port', '0'], { cwd: root, env });
    let err = '';
    let ms: number | undefined;
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
      if (ms === undefined && /listening on http:\/\/127\.0\.0\.1:\d+/.test(err)) {
        ms = Number(process.hrtime.bigint() - start) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', () => (ms === undefined ? reject(new Error(`slipway local serve exited before listening: ${err.slice(0, 500)}`)) : resolve(ms)));
  });
}

/** Measures section 8 (smoke: fewer calls, one start). */
export async function measureServe(root: string, smoke: boolean, log: (text: string) => void = () => undefined): Promise<ServeResults> {
  const calls = smoke ? 50 : 500;
  const describeCalls = smoke ? 30 : 200;
  const region = 'us-east-1';
  const limit = describeServicesLimit(region);
  // A quarter under the bucket's sustained rate: the bucket stays full.
  const paceMs = Math.ceil((1000 / limit.refillPerSecond) * 1.25);
  const loadStart = loadavg()[0];
  const started = process.hrtime.bigint();
  const endpoint = await LocalEndpoint.start({ rootDir: root, port: 0, speed: 1, world: { config: path.join(root, 'config/example.json'), services: { web: { build: '41' }, worker: { build: '41' } } } });
  // In this process: the endpoint's own start (the runner's modules already loaded by the bench's imports).
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    const config = { endpoint: endpoint.url, region, credentials: CREDENTIALS, maxAttempts: 1 };
    const table = endpoint.account.run.world.controlTableName;
    const describe = new DescribeServicesCommand({ cluster: 'slipway-production', services: ['example--web'] });
    const getItem = new GetItemCommand({ TableName: table, Key: { pk: { S: 'claim' }, sk: { S: 'claim' } } });
    log(`latency (${describeCalls} DescribeServices, one every ${paceMs} ms: ECS's ${limit.refillPerSecond}/s; ${calls} GetItem)`);
    const ecs = new ECSClient(config);
    const ddb = new DynamoDBClient(config);
    const epDescribe = await timeCalls(describeCalls, () => ecs.send(describe), paceMs);
    const epGet = await timeCalls(calls, () => ddb.send(getItem));
    const mockedEcs = new ECSClient({ region: 'us-east-1', credentials: CREDENTIALS });
    const answer = await ecs.send(describe);
    mockClient(mockedEcs).on(DescribeServicesCommand).resolves(answer);
    const mockedDdb = new DynamoDBClient({ region: 'us-east-1', credentials: CREDENTIALS });
    mockClient(mockedDdb).on(GetItemCommand).resolves({});
    const mkDescribe = await timeCalls(describeCalls, () => mockedEcs.send(describe), paceMs);
    const mkGet = await timeCalls(calls, () => mockedDdb.send(getItem));

    const clients = 100;
    const callsEach = smoke ? 4 : 10;
    log(`${clients} concurrent clients, ${callsEach} calls each (DescribeServices once, then GetItem)`);
    // The paced calls above left ECS's bucket full: the clients' DescribeServices calls, one each, stay within its burst.
    if (clients > limit.burst) throw new Error(`${clients} DescribeServices calls at once exceed ECS's burst of ${limit.burst}: AWS would throttle them`);
    const errorNames: string[] = [];
    const perCall: number[] = [];
    let retried = 0;
    const t0 = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async () => {
        // As the CLI builds them: the SDK's standard retries (3 attempts) absorb throttling, as on AWS.
        const c = { ...config, maxAttempts: 3 };
        const clientEcs = new ECSClient(c);
        const clientDdb = new DynamoDBClient(c);
        for (let i = 0; i < callsEach; i++) {
          const t = process.hrtime.bigint();
          try {
            const out = i === 0 ? await clientEcs.send(describe) : await clientDdb.send(getItem);
            if ((out.$metadata.attempts ?? 1) > 1) retried += 1;
            if (i === 0 && (out as { services?: { serviceName?: string }[] }).services?.[0]?.serviceName !== 'example--web') errorNames.push('WrongAnswer');
          } catch (e) {
            errorNames.push((e as Error).name);
          }
          perCall.push(Number(process.hrtime.bigint() - t) / 1e6);
        }
        clientEcs.destroy();
        clientDdb.destroy();
      }),
    );
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    ecs.destroy();
    ddb.destroy();
    log('building the CLI bundle (scripts/build-cli.js, as npm ci does)');
    buildCli(root);
    log(`ready time (one start to write the bundle's code cache, not counted; then ${smoke ? 1 : 3} starts)`);
    await readyTime(root);
    const ready: number[] = [];
    for (let i = 0; i < (smoke ? 1 : 3); i++) ready.push(await readyTime(root));
    return {
      latency: [
        { call: 'ECS DescribeServices', endpoint: summarize(epDescribe), mock: summarize(mkDescribe) },
        { call: 'DynamoDB GetItem', endpoint: summarize(epGet), mock: summarize(mkGet) },
      ],
      concurrent: { clients, callsEach, errors: errorNames.length, errorNames: [...new Set(errorNames)], retried, perCallMs: summarize(perCall), wallMs },
      ready: summarize(ready),
      startMs,
      load: { start: loadStart, end: loadavg()[0], cores: cpus().length },
    };
  } finally {
    await endpoint.close();
  }
}

const ms = (v: number) => `${formatNumber(v, 2)} ms`;

/** Section 8's goals (issue 24): a call answered in under 5 ms, 100 concurrent clients without errors, ready in under 1 s. */
export function serveGoals(r: ServeResults): GoalResult[] {
  return [
    ...r.latency.map((l) => ({ goal: `local serve answers ${l.call} in under 5 ms (median)`, figure: ms(l.endpoint.median), pass: l.endpoint.median < 5 })),
    { goal: 'local serve serves 100 concurrent clients without errors', figure: `${r.concurrent.errors} errors in ${r.concurrent.clients * r.concurrent.callsEach} calls`, pass: r.concurrent.errors === 0, note: r.concurrent.errorNames.join(', ') || undefined },
    { goal: '`slipway local serve` is ready in under 1 s', figure: `${formatNumber(r.ready.median / 1000, 2)} s (median of ${r.ready.n})`, pass: r.ready.median < 1000 },
  ];
}

/** Section 8 of BENCHMARKS.md. */
export function renderServe(r: ServeResults, section = 8): string {
  const out: string[] = [`## ${section}. \`slipway local serve\``, ''];
  out.push(
    'The AWS SDK for JavaScript v3 talking to the endpoint over HTTP on 127.0.0.1 (client and endpoint in one process; keep-alive connection; 5 warm-up calls not counted), beside the same call answered in-process by aws-sdk-client-mock, which the CLI\'s unit tests use. ' +
      "DescribeServices is called no faster than ECS's sustained rate for it (20 a second, lib/local/rate-limits.ts; faster, AWS throttles too), GetItem back to back. " +
      'Concurrency: 100 SDK clients, each with its own connection, calling at once (each calls DescribeServices once, which is ECS\'s burst of 100, then GetItem). Ready time: from spawning `node bin/slipway.js local serve --port 0` (the CLI bundle `npm ci` builds, with its code cache written by one earlier start) to its "listening on" line.' +
      (r.load ? ` Machine load while measured: 1-minute load average ${formatNumber(r.load.start, 2)} at the start, ${formatNumber(r.load.end, 2)} at the end, on ${r.load.cores} cores; compare the endpoint with the mock measured beside it at the same time.` : ''),
    '',
  );
  out.push(markdownTable(['call', 'endpoint median (min-max)', 'aws-sdk-client-mock median (min-max)', 'calls'], r.latency.map((l) => [l.call, `${ms(l.endpoint.median)} (${ms(l.endpoint.min)}-${ms(l.endpoint.max)})`, `${ms(l.mock.median)} (${ms(l.mock.min)}-${ms(l.mock.max)})`, String(l.endpoint.n)])), '');
  const c = r.concurrent;
  out.push(`${c.clients} concurrent clients x ${c.callsEach} calls (DescribeServices once, then GetItem; the SDK's standard 3 attempts): ${c.errors} errors${c.errorNames.length ? ` (${c.errorNames.join(', ')})` : ''}, ${c.retried} calls retried by the SDK (the simulated account throttles at AWS's default API rates, lib/local/rate-limits.ts), per call median ${ms(c.perCallMs.median)}, max ${ms(c.perCallMs.max)}, all in ${ms(c.wallMs)}.`, '');
  out.push(`Ready: median ${ms(r.ready.median)} (${r.ready.values.map(ms).join(', ')}); of which the endpoint's own start (the account built, listening; modules already loaded) ${ms(r.startMs)}, the rest Node's start and loading the CLI bundle and the runner.`, '');
  return out.join('\n');
}
