import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseDeploymentConfig } from '../../lib/deployment-config';
import { FREE_LOCAL_STORAGE_GIB_MAX, LOG_RETENTION_DAYS } from '../../lib/config-aws-limits';
import { configErrorOf } from '../helpers/config-errors';

// Every config value AWS validates is refused at synth, naming the key and AWS's limit (issue 27, points 4-6, 10).

const EXAMPLE = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'config', 'example.json'), 'utf8')) as Record<string, unknown>;
type Config = { prefix?: string; clusters: Record<string, any>[]; databases: Record<string, any>[]; apps: Record<string, any>[] };
const example = (): Config => structuredClone(EXAMPLE) as unknown as Config;

function refusal(change: (c: Config) => void): string {
  const config = example();
  change(config);
  return configErrorOf(config);
}

test('the example config passes', () => {
  expect(() => parseDeploymentConfig(example())).not.toThrow();
});

describe('refused with the key and AWS limit named', () => {
  test.each<[string, (c: Config) => void, RegExp]>([
    ['host header with a space', (c) => (c.apps[0].hostname = 'my app.example.com'), /apps\[0\]\.hostname: "my app\.example\.com" is not a hostname for the load balancer: an ALB host-header condition allows only/],
    ['host header with an underscore', (c) => (c.apps[0].hostname = 'my_app.example.com'), /apps\[0\]\.hostname: .*allows only A-Z/],
    ['host header in unicode', (c) => (c.apps[0].hostname = 'café.example.com'), /apps\[0\]\.hostname: .*xn-- form/],
    ['host header that is a URL', (c) => (c.apps[0].hostname = 'https://example.com/app'), /apps\[0\]\.hostname: .*allows only/],
    ['host header of 129 characters', (c) => (c.apps[0].hostname = `${'a'.repeat(60)}.${'b'.repeat(60)}.example.com`.slice(0, 129)), /apps\[0\]\.hostname: .*129 characters; an ALB host-header condition allows at most 128/],
    ['host header label over 63', (c) => (c.apps[0].hostname = `${'a'.repeat(64)}.example.com`), /apps\[0\]\.hostname: .*is not a DNS label/],
    ['health-check path over 1,024', (c) => (c.apps[0].processes.web.healthCheckPath = `/${'a'.repeat(1024)}`), /apps\[0\]\.processes\.web\.healthCheckPath: 1025 characters; a target group's health-check path has at most 1024/],
    ['health-check path with a space', (c) => (c.apps[0].processes.web.healthCheckPath = '/up now'), /apps\[0\]\.processes\.web\.healthCheckPath: a health-check path is an ASCII URL path/],
    ['CodeBuild description over 255 (long owner)', (c) => (c.apps[0].repository.owner = 'o'.repeat(250)), /apps\[0\]\.repository: the CodeBuild project's description .* would have \d+ characters, CodeBuild allows 255/],
    ['CodeBuild description over 255 (long branch)', (c) => (c.apps[0].repository.branch = 'b'.repeat(250)), /apps\[0\]\.repository: .*CodeBuild allows 255/],
    [
      'load balancer names colliding after the cut to 32',
      (c) => {
        c.clusters = [{ name: 'production-europe-west-1a' }, { name: 'production-europe-west-1b' }];
        c.databases = [];
        c.apps = [];
      },
      /clusters\[1\]\.name: the cluster's load balancer would be named "slipway-production-europe-west-1" .*the same as cluster "production-europe-west-1a"'s/,
    ],
    [
      'a load balancer name that ends with a hyphen after the cut',
      (c) => {
        c.clusters = [{ name: 'production-europe-westx-1' }];
        c.databases = [];
        c.apps = [];
      },
      /clusters\[0\]\.name: the cluster's load balancer name "slipway-production-europe-westx-" .* would end with a hyphen/,
    ],
    ['freeLocalStorageGiB with no finite threshold', (c) => (c.databases[0].monitoring = { freeLocalStorageGiB: 1e308 }), new RegExp(`databases\\[0\\]\\.monitoring\\.freeLocalStorageGiB: 1e\\+308 GiB makes no alarm threshold .* at most ${FREE_LOCAL_STORAGE_GIB_MAX}`)],
    ['instance type db.banana.huge', (c) => (c.databases[0].instanceType = 'db.banana.huge'), /databases\[0\]\.instanceType: "db\.banana\.huge" is not an RDS DB instance class/],
    ['instance type ""', (c) => (c.databases[0].instanceType = ''), /databases\[0\]\.instanceType: "" is not an RDS DB instance class/],
    ['domain "not a domain!"', (c) => (c.clusters[0].domain.name = 'not a domain!'), /clusters\[0\]\.domain\.name: "not a domain!" is not a domain name/],
    [
      "an app's database on another cluster",
      (c) => {
        c.clusters.push({ name: 'staging' });
        c.databases[0].cluster = 'staging';
      },
      /apps\[0\]\.database: database "main" lives on cluster "staging", the app on cluster "production"/,
    ],
    [
      'duplicate schedule names in one app',
      (c) => (c.apps[0].schedules = [{ name: 'nightly', schedule: 'cron(0 3 * * ? *)', command: 'a' }, { name: 'nightly', schedule: 'rate(1 hour)', command: 'b' }]),
      /apps\[0\]\.schedules\[1\]\.name: duplicate schedule name "nightly" \(also schedules\[0\]\)/,
    ],
    ['logRetentionDays 2', (c) => (c.apps[0].logRetentionDays = 2), new RegExp(`apps\\[0\\]\\.logRetentionDays: 2 is not a retention CloudWatch Logs accepts: one of ${LOG_RETENTION_DAYS.join(', ')}`)],
    ['logRetentionDays 1e9', (c) => (c.apps[0].logRetentionDays = 1e9), /apps\[0\]\.logRetentionDays: 1000000000 is not a retention CloudWatch Logs accepts/],
    ['ec2Capacity min > max', (c) => (c.clusters[0].ec2Capacity = { instanceType: 't4g.medium', minCapacity: 5, maxCapacity: 2 }), /clusters\[0\]\.ec2Capacity\.minCapacity: minCapacity 5 exceeds maxCapacity 2/],
    ['EC2 capacity provider without ec2Capacity', (c) => (c.clusters[0].defaultCapacityProvider = 'EC2'), /clusters\[0\]\.defaultCapacityProvider: "EC2" needs ec2Capacity/],
    ['EC2 capacity provider without NAT', (c) => Object.assign(c.clusters[0], { defaultCapacityProvider: 'EC2', ec2Capacity: { instanceType: 't4g.medium', maxCapacity: 2 } }), /clusters\[0\]\.natGateways: defaultCapacityProvider "EC2" needs natGateways >= 1/],
    ['ec2Capacity instance type', (c) => (c.clusters[0].ec2Capacity = { instanceType: 'huge', maxCapacity: 2 }), /clusters\[0\]\.ec2Capacity\.instanceType: "huge" is not an EC2 instance type/],
    ['web process without a port', (c) => delete c.apps[1].processes.web.port, /apps\[1\]\.processes\.web\.port: the web process needs a port/],
    ['cpu 300', (c) => (c.apps[0].processes.web.cpu = 300), /apps\[0\]\.processes\.web\.cpu: Fargate CPU units must be one of 256, 512, 1024, 2048, 4096, 8192, 16384 \(got 300\)/],
    ['releaseProcess "constructor"', (c) => (c.apps[0].releaseProcess = 'constructor'), /apps\[0\]\.releaseProcess: release process "constructor" is not one of the app's processes \(web, worker\)/],
    ['a schedule with process "constructor"', (c) => (c.apps[0].schedules = [{ schedule: 'rate(1 hour)', command: 'x', process: 'constructor' }]), /apps\[0\]\.schedules\[0\]\.process: process "constructor" is not one of the app's processes/],
    ['a schedule with process "toString"', (c) => (c.apps[0].schedules = [{ schedule: 'rate(1 hour)', command: 'x', process: 'hasownproperty' }]), /apps\[0\]\.schedules\[0\]\.process: process "hasownproperty" is not one of/],
  ])('%s', (_name, change, message) => {
    const text = refusal(change);
    expect(text).toMatch(message);
    expect(text).not.toMatch(/\n|    at /);
  });

  test('a "__proto__" process key is refused by name, not dropped', () => {
    const text = readFileSync(path.join(__dirname, '..', '..', 'config', 'example.json'), 'utf8').replace('"worker": {', '"__proto__": {');
    expect(() => parseDeploymentConfig(JSON.parse(text))).toThrow(/^invalid config: apps\[0\]\.processes\.__proto__: a key named "__proto__" is not allowed/);
  });

  test('escape sequences from the config reach the message escaped, on one line', () => {
    const text = refusal((c) => (c.apps[0].hostname = '\u001b[31mred\u001b]0;title\u0007.example.com\n'));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(text).toContain('\\u001b[31mred');
  });

  test('an unknown key with control characters is named escaped', () => {
    const text = refusal((c) => (c.apps[0]['bad\u001b[2Jkey'] = 1));
    // eslint-disable-next-line no-control-regex
    expect(text).not.toMatch(/[\u0000-\u001f\u007f]/);
    expect(text).toMatch(/apps\[0\]\.bad\\e\[2Jkey: unknown key/);
  });
});

test.each([
  ['*.example.com', undefined],
  ['app-1.Example.COM', undefined],
  ['a?c.example.com', undefined],
])('hostname %s is accepted', (hostname) => {
  const config = example();
  config.apps[0].hostname = hostname;
  // Outside the cluster's wildcard certificate: served over plain HTTP on purpose (which certificate serves a
  // hostname is lib/app-hostname.ts's check; this one is about the host-header syntax).
  config.apps[0].httpOnly = true;
  expect(() => parseDeploymentConfig(config)).not.toThrow();
});
