import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalEndpoint } from '../lib/local/serve/server';
import { formatNumber, markdownTable, summarize, type GoalResult, type Summary } from './stats';

/**
 * Section 8: `slipway local serve` as clients see it. Latency of DescribeServices and GetItem through
 * the endpoint (the AWS SDK over HTTP to 127.0.0.1, the client and the endpoint in this one process)
 * beside the same call answered in-process by aws-sdk-client-mock (what the CLI's unit tests use);
 * 100 concurrent clients, each its own SDK client and connection; and the time from starting
 * `slipway local serve` (a child process, bin/slipway.js) to its "listening on" line.
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
}

const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

async function timeCalls(n: number, call: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n + 5; i++) {
    const t = process.hrtime.bigint();
    await call();
    // The first calls warm the connection and the JIT: not counted.
    if (i >= 5) out.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  return out;
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
  const started = process.hrtime.bigint();
  const endpoint = await LocalEndpoint.start({ rootDir: root, port: 0, speed: 1, world: { config: path.join(root, 'config/example.json'), services: { web: { build: '41' }, worker: { build: '41' } } } });
  // In this process: the endpoint's own start (the runner's modules already loaded by the bench's imports).
  const startMs = Number(process.hrtime.bigint() - started) / 1e6;
  try {
    const config = { endpoint: endpoint.url, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: 1 };
    const table = endpoint.account.run.world.controlTableName;
    const describe = new DescribeServicesCommand({ cluster: 'slipway-production', services: ['example--web'] });
    const getItem = new GetItemCommand({ TableName: table, Key: { pk: { S: 'claim' }, sk: { S: 'claim' } } });
    log(`latency (${calls} calls each)`);
    const ecs = new ECSClient(config);
    const ddb = new DynamoDBClient(config);
    const epDescribe = await timeCalls(calls, () => ecs.send(describe));
    const epGet = await timeCalls(calls, () => ddb.send(getItem));
    const mockedEcs = new ECSClient({ region: 'us-east-1', credentials: CREDENTIALS });
    const answer = await ecs.send(describe);
    mockClient(mockedEcs).on(DescribeServicesCommand).resolves(answer);
    const mockedDdb = new DynamoDBClient({ region: 'us-east-1', credentials: CREDENTIALS });
    mockClient(mockedDdb).on(GetItemCommand).resolves({});
    const mkDescribe = await timeCalls(calls, () => mockedEcs.send(describe));
    const mkGet = await timeCalls(calls, () => mockedDdb.send(getItem));

    const clients = 100;
    const callsEach = smoke ? 4 : 10;
    log(`${clients} concurrent clients, ${callsEach} calls each (DescribeServices and GetItem in turn)`);
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
            const out = i % 2 === 0 ? await clientEcs.send(describe) : await clientDdb.send(getItem);
            if ((out.$metadata.attempts ?? 1) > 1) retried += 1;
            if (i % 2 === 0 && (out as { services?: { serviceName?: string }[] }).services?.[0]?.serviceName !== 'example--web') errorNames.push('WrongAnswer');
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
    log(`ready time (${smoke ? 1 : 3} starts)`);
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
      'Concurrency: 100 SDK clients, each with its own connection, calling at once. Ready time: from spawning `node bin/slipway.js local serve --port 0` to its "listening on" line.',
    '',
  );
  out.push(markdownTable(['call', 'endpoint median (min-max)', 'aws-sdk-client-mock median (min-max)', 'calls'], r.latency.map((l) => [l.call, `${ms(l.endpoint.median)} (${ms(l.endpoint.min)}-${ms(l.endpoint.max)})`, `${ms(l.mock.median)} (${ms(l.mock.min)}-${ms(l.mock.max)})`, String(l.endpoint.n)])), '');
  const c = r.concurrent;
  out.push(`${c.clients} concurrent clients x ${c.callsEach} calls (DescribeServices and GetItem in turn, the SDK's standard 3 attempts): ${c.errors} errors${c.errorNames.length ? ` (${c.errorNames.join(', ')})` : ''}, ${c.retried} calls retried by the SDK (the simulated account throttles at AWS's default API rates, lib/local/rate-limits.ts), per call median ${ms(c.perCallMs.median)}, max ${ms(c.perCallMs.max)}, all in ${ms(c.wallMs)}.`, '');
  out.push(`Ready: median ${ms(r.ready.median)} (${r.ready.values.map(ms).join(', ')}); of which the endpoint's own start (the account built, listening; modules already loaded) ${ms(r.startMs)}, the rest Node's start and loading the CLI bundle and the runner.`, '');
  return out.join('\n');
}
