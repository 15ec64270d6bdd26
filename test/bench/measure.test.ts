import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { bundleHandler, coldStart, FLOOR, ONE_CLIENT, prepareBundles, type BundleDir } from '../../bench/cold-start';
import { measureDatabase, provisioning } from '../../bench/database';
import { ROOT } from '../statemachines/scenarios';

describe('cold start', () => {
  let bundles: BundleDir;
  beforeAll(async () => {
    bundles = await prepareBundles(['deployment-events']);
  });
  afterAll(() => bundles.dispose());

  test('a handler is bundled with the AWS SDK left external, as the stack deploys it', async () => {
    const text = Buffer.from(await bundleHandler('deployment-events')).toString('utf8');

    expect(text).toMatch(/require\("@aws-sdk\/client-ecs"\)/);
  });

  test('a fresh node process loads the bundle and finds its handler; the load is part of the process time', () => {
    const sample = coldStart(bundles, 'deployment-events', ROOT);

    expect(sample.loadMs).toBeGreaterThan(0);
    expect(sample.processMs).toBeGreaterThan(sample.loadMs);
  });

  test('the floor is a process loading an empty handler', () => {
    const floor = coldStart(bundles, FLOOR, ROOT);

    expect(floor.processMs).toBeGreaterThan(floor.loadMs);
  });

  test('the one-client reference loads the SDK from the repository (it exits 0 with a handler)', () => {
    const reference = coldStart(bundles, ONE_CLIENT, ROOT);

    expect(reference.loadMs).toBeGreaterThan(0);
  });
});

describe('database section (real PostgreSQL)', () => {
  test('one provisioning per side and 3 concurrent creates, all of them in the catalog afterwards', async () => {
    const r = await measureDatabase(1, 3);

    expect(r.managerMs).toHaveLength(1);
    expect(r.psqlMs).toHaveLength(1);
    expect(r.concurrent).toMatchObject({ calls: 3, succeeded: 3, catalogOk: 3, errors: [] });
  });

  test('a provisioning is createDatabase, enableIamAuth, then runSql in the new database', () => {
    expect(provisioning('app_x').map((e) => [e.action, e.database])).toEqual([
      ['createDatabase', 'app_x'],
      ['enableIamAuth', undefined],
      ['runSql', 'app_x'],
    ]);
  });
});

describe('npm run bench', () => {
  test('an unknown option is a usage error: one line, exit code 2', async () => {
    // bench/run.ts bundled by esbuild (packages left external, found through NODE_PATH) and run by node:
    // the code `npm run bench` runs through tsx, without tsx's start-up and per-file compiling (about
    // 1.7 s of CPU, against 1 s for the bundle and its build).
    const dir = mkdtempSync(join(tmpdir(), 'slipway-bench-run-'));
    try {
      const script = join(dir, 'run.js');
      await build({ entryPoints: [join(ROOT, 'bench', 'run.ts')], outfile: script, bundle: true, packages: 'external', platform: 'node', format: 'cjs', logLevel: 'silent' });
      const r = spawnSync(process.execPath, [script, '--fast'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } });

      expect(r.status).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain("Unknown option '--fast'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
