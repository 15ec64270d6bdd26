import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeploymentConfigError, loadDeploymentConfig, parseDeploymentConfig } from '../../lib/deployment-config';
import { configErrorOf } from '../helpers/config-errors';

/** A minimal valid config; each test breaks one thing. */
function base(): Record<string, any> {
  return {
    clusters: [{ name: 'production' }],
    databases: [{ name: 'main', cluster: 'production' }],
    apps: [
      {
        name: 'example',
        cluster: 'production',
        repository: { owner: 'example-org', name: 'example-app' },
        releaseCommand: ['bin/migrate'],
        // The cluster has no domain: plain HTTP must be said (lib/app-hostname.ts).
        httpOnly: true,
        processes: { web: { port: 3000 }, worker: { command: ['bin/worker'] } },
      },
    ],
  };
}

/** Puts the config's cluster, and everything that names it, on `name`. */
function useCluster(raw: Record<string, any>, name: string): void {
  raw.clusters[0].name = name;
  for (const a of raw.apps as { cluster: string }[]) a.cluster = name;
  for (const d of raw.databases as { cluster: string }[]) d.cluster = name;
}

describe('parseDeploymentConfig', () => {
  test('the shipped example config is valid', () => {
    const cfg = loadDeploymentConfig(path.join(__dirname, '..', '..', 'config', 'example.json'));
    expect(cfg.apps.map((a) => a.name)).toEqual(['example', 'docs']);
    expect(Object.keys(cfg.apps[0].processes)).toEqual(['web', 'worker']);
  });

  test('fills the documented defaults', () => {
    const cfg = parseDeploymentConfig(base());
    expect(cfg.prefix).toBe('slipway');
    expect(cfg.account).toEqual({});
    expect(cfg.clusters[0].natGateways).toBe(0);
    expect(cfg.databases[0]).toMatchObject({ instances: 1, driver: 'pg', deletionProtection: true });
    const app = cfg.apps[0];
    expect(app).toMatchObject({ releaseProcess: 'web', deployTimeoutMinutes: 30, logRetentionDays: 30 });
    expect(app.repository.branch).toBe('main');
    expect(app.processes.worker).toMatchObject({ cpu: 256, memory: 512, desiredCount: 1, healthCheckPath: '/' });
  });

  test('an unknown key is named with its path', () => {
    const raw = base();
    raw.apps[0].processes.web.replicas = 3;
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].processes.web.replicas: unknown key');
  });

  test('an unknown top-level key is named', () => {
    expect(configErrorOf({ ...base(), regions: ['eu-west-1'] })).toBe('invalid config: regions: unknown key');
  });

  test('a missing required key is named', () => {
    const raw = base();
    delete raw.apps[0].repository;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.repository: /);
  });

  test('a value of the wrong type names the key', () => {
    const raw = base();
    raw.apps[0].processes.web.cpu = 300;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.web\.cpu: /);
  });

  test('memory below 512 MiB names the key', () => {
    const raw = base();
    raw.apps[0].processes.web.memory = 256;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.web\.memory: /);
  });

  test('a port out of range names the key', () => {
    const raw = base();
    raw.apps[0].processes.web.port = 70000;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.web\.port: /);
  });

  test('a health-check path must start with "/"', () => {
    const raw = base();
    raw.apps[0].processes.web.healthCheckPath = 'up';
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.web\.healthCheckPath: /);
  });

  test('deployTimeoutMinutes out of range names the key', () => {
    const raw = base();
    raw.apps[0].deployTimeoutMinutes = 0;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.deployTimeoutMinutes: /);
  });

  test('an invalid app name says what names may contain', () => {
    const raw = base();
    raw.apps[0].name = 'Example_App';
    expect(configErrorOf(raw)).toBe(
      'invalid config: apps[0].name: app names are lowercase letters, digits and single hyphens, starting with a letter and not ending with a hyphen, 34 characters at most; never "--", which separates an app\'s name from what follows it in resource names; execution names such as <app>--<build id>-release must fit Step Functions\' 80 characters, and a build without a build number has a 36-character id',
    );
  });

  test.each([['shop--api'], ['shop-'], ['shop---api']])('an app name with "--" or a trailing hyphen (%j) is refused, naming the key and why', (name) => {
    const raw = base();
    raw.apps[0].name = name;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.name: app names are .*never "--", which separates an app's name from what follows it/);
  });

  test('a process name with "--" or a trailing hyphen is refused, naming the key', () => {
    const raw = base();
    raw.apps[0].processes = { 'api--web': { port: 8080 } } as never;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.api--web: .*process names are .*never "--", which separates/);
    raw.apps[0].processes = { 'web-': { port: 8080 } } as never;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.web-: .*process names are/);
  });

  describe('names at the limits AWS sets', () => {
    test('an app name of 34 characters is accepted: <app>--<36-character build id>-release is then exactly 80', () => {
      const raw = base();
      raw.apps[0].name = `a${'b'.repeat(33)}`;
      expect(parseDeploymentConfig(raw).apps[0].name).toHaveLength(34);
      expect(`${raw.apps[0].name}--${'0'.repeat(36)}-release`).toHaveLength(80);
    });

    test('an app name of 35 characters is refused, naming the 80-character execution-name limit', () => {
      const raw = base();
      raw.apps[0].name = `a${'b'.repeat(34)}`;
      expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.name: .*34 characters at most; .*execution names .* 80 characters/);
    });

    test('prefix, cluster and app name past the 64-character schedule group limit is refused, naming the group and the limit', () => {
      const raw = base();
      useCluster(raw, 'c'); // a short cluster: its control plane's names stay within their limits
      raw.prefix = `p${'q'.repeat(27)}`; // 28 + 1 + 1 (cluster) + 1 + 34 = 65
      raw.apps[0].name = `a${'b'.repeat(33)}`;
      expect(configErrorOf(raw)).toBe(
        `invalid config: apps[0].name: the app's EventBridge Scheduler schedule group "${raw.prefix}-c.${raw.apps[0].name}" (<prefix>-<cluster>.<app>) is 65 characters, and Scheduler allows at most 64: shorten the app name, the cluster's name or the prefix (the three together at most 62 characters)`,
      );
      raw.prefix = raw.prefix.slice(1); // 64
      expect(parseDeploymentConfig(raw).prefix).toHaveLength(27);
    });

    test('a database whose <prefix>-<name> RDS cluster identifier passes 63 characters, or has "--", is refused', () => {
      const raw = base();
      useCluster(raw, 'c');
      raw.prefix = 'p'.repeat(30);
      raw.databases[0].name = `d${'e'.repeat(32)}`; // 30 + 1 + 33 = 64
      delete raw.apps[0].database;
      expect(configErrorOf(raw)).toMatch(/^invalid config: databases\[0\]\.name: the database's RDS DB cluster identifier "p{30}-de{32}" \(<prefix>-<name>\) must have at most 63 characters/);
      raw.databases[0].name = 'e'.repeat(32);
      expect(parseDeploymentConfig(raw).databases[0].name).toHaveLength(32);
      raw.databases[0].name = 'main-';
      expect(configErrorOf(raw)).toMatch(/no trailing hyphen/);
    });

    test('prefix, cluster and database names stay at 40 characters; a cluster\'s control plane needs <prefix>-<cluster> within 38', () => {
      const raw = base();
      useCluster(raw, `c${'d'.repeat(29)}`); // slipway-<30>-register-task-definitions: 64
      expect(parseDeploymentConfig(raw).clusters[0].name).toHaveLength(30);
      useCluster(raw, `c${'d'.repeat(39)}`);
      expect(configErrorOf(raw)).toMatch(/^invalid config: clusters\[0\]\.name: the cluster's control-plane function "slipway-cd{39}-register-task-definitions" \(<prefix>-<cluster>-<handler>\) would have 74 characters, Lambda allows 64/);
      useCluster(raw, `c${'d'.repeat(40)}`);
      expect(configErrorOf(raw)).toMatch(/^invalid config: clusters\[0\]\.name: lowercase letters, digits and hyphens, starting with a letter, 40 characters at most/);
    });
  });

  test('an invalid process name is named', () => {
    const raw = base();
    raw.apps[0].processes = { Web: { port: 3000 } };
    raw.apps[0].releaseCommand = undefined;
    // Checked by the app's refinement, so the message says what a process name may be (a record key
    // schema's refusal is only "Invalid key in record").
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.processes\.Web: process names are lowercase letters, digits and single hyphens/);
  });

  test('an app needs at least one process type', () => {
    const raw = base();
    raw.apps[0].processes = {};
    raw.apps[0].releaseCommand = undefined;
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].processes: an app needs at least one process type');
  });

  test('an app on an unknown cluster names the known ones', () => {
    const raw = base();
    raw.apps[0].cluster = 'staging';
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].cluster: unknown cluster "staging" (known: production)');
  });

  test('an app with an unknown database', () => {
    const raw = base();
    raw.apps[0].database = 'analytics';
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].database: unknown database "analytics"');
  });

  test('databaseRemovalPolicy without a database is refused', () => {
    const raw = base();
    raw.apps[0].databaseRemovalPolicy = 'destroy';
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].databaseRemovalPolicy: only applies with "database" (the app has no database)');
  });

  test('databaseRemovalPolicy is "retain" or "destroy"', () => {
    const raw = base();
    raw.apps[0].database = 'main';
    raw.apps[0].databaseRemovalPolicy = 'snapshot';
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.databaseRemovalPolicy: Invalid option: expected one of "retain"\|"destroy"$/);
  });

  test('an app with a database keeps it on removal unless it says otherwise', () => {
    const raw = base();
    raw.apps[0].database = 'main';
    const cfg = parseDeploymentConfig(raw);
    expect(cfg.apps[0].databaseRemovalPolicy).toBeUndefined();
    raw.apps[0].databaseRemovalPolicy = 'destroy';
    expect(parseDeploymentConfig(raw).apps[0].databaseRemovalPolicy).toBe('destroy');
  });

  test('a database on an unknown cluster', () => {
    const raw = base();
    raw.databases[0].cluster = 'staging';
    expect(configErrorOf(raw)).toBe('invalid config: databases[0].cluster: unknown cluster "staging"');
  });

  test.each(['clusters', 'databases', 'apps'])('duplicate %s names are refused at the second one', (key) => {
    const raw = base();
    raw[key].push({ ...raw[key][0] });
    expect(configErrorOf(raw)).toBe(`invalid config: ${key}[1].name: duplicate name "${raw[key][0].name}"`);
  });

  test('the release process must be one of the app\'s processes', () => {
    const raw = base();
    raw.apps[0].releaseProcess = 'migrator';
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].releaseProcess: release process "migrator" is not one of the app\'s processes (web, worker)');
  });

  test('without a release command, releaseProcess is not checked against the processes', () => {
    const raw = base();
    raw.apps[0].releaseCommand = undefined;
    raw.apps[0].processes = { worker: {} };
    expect(() => parseDeploymentConfig(raw)).not.toThrow();
  });

  test('autoscaling min must not exceed max', () => {
    const raw = base();
    raw.apps[0].processes.web.autoscaling = { min: 5, max: 2 };
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].processes.web.autoscaling: autoscaling.min must not exceed autoscaling.max');
  });

  test('autoscaling rejects unknown keys inside it', () => {
    const raw = base();
    raw.apps[0].processes.web.autoscaling = { min: 1, max: 2, memoryTarget: 70 };
    expect(configErrorOf(raw)).toBe('invalid config: apps[0].processes.web.autoscaling.memoryTarget: unknown key');
  });

  test('at least one cluster is required', () => {
    expect(configErrorOf({ ...base(), clusters: [] })).toMatch(/^invalid config: clusters: /);
  });

  test('a database has one or two instances', () => {
    const raw = base();
    raw.databases[0].instances = 3;
    expect(configErrorOf(raw)).toMatch(/^invalid config: databases\[0\]\.instances: /);
  });

  test('a database driver is pg or data-api', () => {
    const raw = base();
    raw.databases[0].driver = 'jdbc';
    expect(configErrorOf(raw)).toMatch(/^invalid config: databases\[0\]\.driver: /);
  });

  test('NAT gateways are limited to three', () => {
    const raw = base();
    raw.clusters[0].natGateways = 4;
    expect(configErrorOf(raw)).toMatch(/^invalid config: clusters\[0\]\.natGateways: /);
  });

  test('GitHub OIDC repositories are owner/name', () => {
    const raw = { ...base(), account: { githubOidc: { repositories: [{ repository: 'example-app', branches: ['main'] }] } } };
    expect(configErrorOf(raw)).toMatch(/^invalid config: account\.githubOidc\.repositories\[0\]\.repository: /);
  });

  test('every bad key of the schema is reported in one message', () => {
    const raw = base();
    raw.apps[0].processes.web.memory = 100;
    raw.apps[0].processes.web.cpu = 300;
    const message = configErrorOf(raw);
    expect(message).toContain('apps[0].processes.web.cpu: ');
    expect(message).toContain('; apps[0].processes.web.memory: ');
  });

  test('cross-reference checks (clusters, databases, release process) run only once the schema itself is valid', () => {
    const raw = base();
    raw.apps[0].cluster = 'staging';
    raw.apps[0].processes.web.cpu = 300;
    const message = configErrorOf(raw);
    expect(message).toContain('apps[0].processes.web.cpu: ');
    expect(message).not.toContain('unknown cluster');
  });

  test('a non-object config is refused at the root', () => {
    expect(configErrorOf([])).toMatch(/^invalid config: \(root\): /);
  });
});

describe('loadDeploymentConfig', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-config-'));

  test('a missing file says how to point at one', () => {
    expect(() => loadDeploymentConfig(path.join(dir, 'nope.json'))).toThrow(
      `config file ${path.join(dir, 'nope.json')} cannot be read (set the "slipway:config" context key to a JSON config file)`,
    );
  });

  test('a file that is not JSON is a DeploymentConfigError', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "clusters": [');
    expect(() => loadDeploymentConfig(file)).toThrow(DeploymentConfigError);
    expect(() => loadDeploymentConfig(file)).toThrow(new RegExp(`^config file ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is not valid JSON: `));
  });

  test('validation errors name the file', () => {
    const file = path.join(dir, 'invalid.json');
    writeFileSync(file, JSON.stringify({ ...base(), extra: true }));
    expect(() => loadDeploymentConfig(file)).toThrow(`invalid config ${file}: extra: unknown key`);
  });
});

describe('schedules and configDebounceSeconds', () => {
  test('schedules default to none and the debounce to 30 s', () => {
    const app = parseDeploymentConfig(base()).apps[0];
    expect([app.schedules, app.configDebounceSeconds]).toEqual([[], 30]);
  });

  test('an invalid schedule expression names the entry and says why', () => {
    const raw = base();
    raw.apps[0].schedules = [{ schedule: 'rate(1 hour)', command: 'x' }, { schedule: 'cron(0 3 * * *)', command: 'y', process: 'worker' }];
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.schedules\[1\]\.schedule: "cron\(0 3 \* \* \*\)": Expected 6 values/);
  });

  test('a schedule on a process the app does not have is named', () => {
    const raw = base();
    raw.apps[0].schedules = [{ schedule: 'rate(1 hour)', command: 'x', process: 'clock' }];
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.schedules\[0\]\.process: process "clock" is not one of the app's processes/);
  });

  test('configDebounceSeconds out of range names the key', () => {
    const raw = base();
    raw.apps[0].configDebounceSeconds = 7200;
    expect(configErrorOf(raw)).toMatch(/^invalid config: apps\[0\]\.configDebounceSeconds: /);
  });
});
