import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CloudWatchLogsClient, CreateLogStreamCommand, FilterLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { dashboardFile } from '../../../../lib/local/serve/dashboard-files';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import { clientConfig, startEndpoint } from './endpoint-helpers';

/** The built dashboard as `slipway local serve` serves it at /dashboard/, and the log lines a page follows. */

const CONFIG = () => ({
  region: 'us-east-1',
  prefix: 'slipway',
  endpoint: 'http://127.0.0.1:4566',
  signIn: { issuer: 'http://127.0.0.1:4566/oidc', clientId: 'slipway-dashboard', scopes: ['openid'] },
  roleArn: 'arn:aws:iam::123456789012:role/slipway-people',
  appTags: { claim: 'https://aws.amazon.com/tags', tagKeys: ['slipway-app-1'] },
  actionsUrl: 'http://127.0.0.1:4566/lambda-url/dashboard-actions/',
});

describe('dashboardFile', () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'slipway-dashboard-'));
    mkdirSync(path.join(root, 'dist', 'web', 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'dist', 'web', 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(path.join(root, 'dist', 'web', 'assets', 'main-abc.js'), 'export {}');
    writeFileSync(path.join(root, 'secret.txt'), 'outside');
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('index.html for the folder, revalidated; hashed assets cached for good with their type', () => {
    const index = dashboardFile('GET', '/dashboard/', root, CONFIG);
    expect(index).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-cache' } });
    expect(String(index.body)).toContain('<title>x</title>');
    expect(dashboardFile('GET', '/dashboard/assets/main-abc.js', root, CONFIG)).toMatchObject({ status: 200, headers: { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=31536000, immutable' } });
    expect(dashboardFile('GET', '/dashboard', root, CONFIG)).toMatchObject({ status: 301, headers: { Location: '/dashboard/' } });
  });

  test('config.json is the endpoint\'s own, never cached', () => {
    const out = dashboardFile('GET', '/dashboard/config.json', root, CONFIG);
    expect(out.headers['Cache-Control']).toBe('no-store');
    expect(JSON.parse(String(out.body))).toEqual(CONFIG());
  });

  test('a path out of dist/web, a missing file, a bad encoding and a write are refused', () => {
    expect(dashboardFile('GET', '/dashboard/../../secret.txt', root, CONFIG).status).toBe(404);
    expect(dashboardFile('GET', '/dashboard/%2e%2e/%2e%2e/secret.txt', root, CONFIG).status).toBe(404);
    expect(dashboardFile('GET', '/dashboard/nope.js', root, CONFIG).status).toBe(404);
    expect(dashboardFile('GET', '/dashboard/%E0%A4%A', root, CONFIG).status).toBe(400);
    expect(dashboardFile('POST', '/dashboard/index.html', root, CONFIG)).toMatchObject({ status: 405, headers: { Allow: 'GET, HEAD' } });
  });

  test('a dashboard never built says how to build it', () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'slipway-nodash-'));
    try {
      const out = dashboardFile('GET', '/dashboard/', empty, CONFIG);
      expect(out.status).toBe(404);
      expect(String(out.body)).toContain('npm run build:web');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('the endpoint serves the dashboard and the log lines clients write', () => {
  let endpoint: LocalEndpoint;
  beforeAll(async () => {
    endpoint = await startEndpoint();
  });
  afterAll(() => endpoint.close());

  test('GET /dashboard/config.json is the endpoint\'s dashboard config: its region, prefix and URL, its issuer, the people role, the actions URL', async () => {
    const res = await fetch(`${endpoint.url}/dashboard/config.json`);
    expect(res.status).toBe(200);
    const config = (await res.json()) as Record<string, unknown>;
    expect(config).toEqual(endpoint.people.dashboardConfig());
    expect(config).toMatchObject({ region: 'us-east-1', prefix: 'slipway', endpoint: endpoint.url, signIn: { issuer: `${endpoint.url}/oidc` }, roleArn: 'arn:aws:iam::123456789012:role/slipway-people' });
  });

  test('PutLogEvents into a stream of an app\'s group; FilterLogEvents returns them in time order', async () => {
    const logs = new CloudWatchLogsClient(clientConfig(endpoint));
    const group = [...endpoint.account.run.world.apps.values()][0].processes.web.logGroup;
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/t1', logEvents: [{ timestamp: 1, message: 'x' }] }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web/web/t1' }));
    await expect(logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web/web/t1' }))).rejects.toMatchObject({ name: 'ResourceAlreadyExistsException' });
    await expect(logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/t1', logEvents: [{ timestamp: 2000, message: 'b' }, { timestamp: 1000, message: 'a' }] }))).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/t1', logEvents: [{ timestamp: 1000, message: 'first' }, { timestamp: 3000, message: 'third' }] }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: 'web/web/t2' }));
    await logs.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: 'web/web/t2', logEvents: [{ timestamp: 2000, message: 'second' }] }));
    const all = await logs.send(new FilterLogEventsCommand({ logGroupName: group }));
    expect(all.events?.map((e) => e.message)).toEqual(['first', 'second', 'third']);
    const since = await logs.send(new FilterLogEventsCommand({ logGroupName: group, startTime: 2000, logStreamNames: ['web/web/t1'] }));
    expect(since.events?.map((e) => e.message)).toEqual(['third']);
    await expect(logs.send(new FilterLogEventsCommand({ logGroupName: group, filterPattern: 'ERROR' }))).rejects.toMatchObject({ name: 'NotImplemented' });
  });
});
