/**
 * `slipway local run <pipeline>` with several events (repeated --event, or a folder): one simulated
 * account, each event starting the pipeline for its own app, interleaved on one clock, reported per app.
 * Run through the commander program as the CLI registers it (lib/cli/local.ts), in this process.
 */
import { Command } from 'commander';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { CliIo } from '../../../lib/cli/io';
import { registerLocalCommands } from '../../../lib/cli/local';
import type { FleetReport } from '../../../lib/local/report';

const ROOT = path.join(__dirname, '..', '..', '..');
const TWO_APPS = path.join(ROOT, 'test', 'fixtures', 'events', 'two-apps');
const EXAMPLE_42 = path.join(TWO_APPS, 'example-build-42.json');
const DOCS_7 = path.join(TWO_APPS, 'docs-build-7.json');

/** Runs `slipway local run ...args` in `cwd`: exit code, stdout, stderr. */
async function slipway(cwd: string, ...args: string[]): Promise<{ code: number | undefined; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  let code: number | undefined;
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), exit: () => undefined, progress: () => undefined } as unknown as CliIo;
  const program = new Command('slipway').exitOverride();
  registerLocalCommands(program, (c) => (code = c), io, () => cwd);
  await program.parseAsync(['node', 'slipway', 'local', 'run', ...args]);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'slipway-several-'));
const write = (dir: string, name: string, data: unknown) => {
  writeFileSync(path.join(dir, name), JSON.stringify(data));
  return path.join(dir, name);
};

describe('several events in one account', () => {
  test('a folder of two apps\' CodeBuild events: each app built, released and deployed on its own, interleaved, reported per app (--json)', async () => {
    const result = await slipway(ROOT, 'build', '--event', 'test/fixtures/events/two-apps', '--json');

    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as FleetReport;
    expect(report.apps.map((a) => [a.app, a.executions.map((e) => `${e.stateMachine} ${e.status}`)])).toEqual([
      ['docs', ['build SUCCEEDED', 'release SUCCEEDED', 'deploy SUCCEEDED']],
      ['example', ['build SUCCEEDED', 'release SUCCEEDED', 'deploy SUCCEEDED']],
    ]);
    const docs = report.apps[0];
    const example = report.apps[1];
    expect(docs.services).toEqual([{ name: 'docs--web', taskDefinition: 'slipway-docs--web:1', desiredCount: 1, runningCount: 1 }]);
    expect(example.services.map((s) => [s.name, s.taskDefinition, s.desiredCount, s.runningCount])).toEqual([
      ['example--web', 'slipway-example--web:1', 2, 2],
      ['example--worker', 'slipway-example--worker:1', 1, 1],
    ]);
    expect([docs.taskDefinitions, example.taskDefinitions]).toEqual([['slipway-docs--web:1'], ['slipway-example--web:1', 'slipway-example--worker:1']]);
    expect(report.unattributed).toEqual([]);
    // Interleaved on one clock: docs' deploy started before example's release ended (docs has no release command).
    const at = (a: FleetReport['apps'][number], sm: string) => a.executions.find((e) => e.stateMachine === sm);
    expect(at(docs, 'deploy')?.startedAt).toBeLessThan(at(example, 'release')?.endedAt ?? -1);
    expect(at(docs, 'deploy')?.endedAt).toBeLessThan(at(example, 'deploy')?.endedAt ?? -1);
  });

  test('--event twice: the same run, as the person reads it (one timeline, then each app)', async () => {
    const result = await slipway(ROOT, 'build', '--event', EXAMPLE_42, '--event', DOCS_7);

    expect(result.code).toBe(0);
    const lines = result.out.split('\n');
    expect(lines).toEqual(expect.arrayContaining(['app example', 'app docs', '    example--web  slipway-example--web:1  desired 2, running 2', '    docs--web  slipway-docs--web:1  desired 1, running 1', '  task definitions: slipway-docs--web:1']));
    expect(lines.filter((l) => /^t\+/.test(l)).map((l) => l.replace(/^t\+\S+\s+/, '').replace(/[0-9a-f-]{36}_[0-9a-f-]{36}/, 'BUILD'))).toEqual([
      '▶ example: BUILD (build) started',
      '✓ example: BUILD (build) SUCCEEDED',
      '▶ example: example--42-release (release) started',
      '▶ docs: BUILD (build) started',
      '✓ docs: BUILD (build) SUCCEEDED',
      '▶ docs: docs--7-release (release) started',
      '✓ docs: docs--7-release (release) SUCCEEDED',
      '▶ docs: docs--7-deploy (deploy) started',
      '✓ example: example--42-release (release) SUCCEEDED',
      '▶ example: example--42-deploy (deploy) started',
      '✓ docs: docs--7-deploy (deploy) SUCCEEDED',
      '✓ example: example--42-deploy (deploy) SUCCEEDED',
    ]);
  });

  test("one app's release fails (world releases), the other deploys; --redrive-with fixes it and redrives that app's release only (the documented command)", async () => {
    const args = ['build', '--event', 'test/fixtures/events/two-apps', '--world', 'test/fixtures/worlds/example-release-fails.json', '--redrive-with', 'test/fixtures/worlds/example-release-fixed.patch.json'];
    const result = await slipway(ROOT, ...args, '--json');

    const report = JSON.parse(result.out) as FleetReport & { redriven: { name: string; status: string; redriveCount: number }[] };
    expect(result.code).toBe(0);
    expect(report.redriven).toEqual([expect.objectContaining({ name: 'example--42-release', status: 'SUCCEEDED', redriveCount: 1 })]);
    const release = report.apps.find((a) => a.app === 'example')?.executions.find((e) => e.stateMachine === 'release');
    // Two attempts: the first failed after the release task's 45 s, the redrive (after the fix) succeeded.
    expect(release?.attempts.map((a) => [a.status, (a.endedAt ?? 0) - a.startedAt])).toEqual([
      ['FAILED', 45],
      ['SUCCEEDED', 45],
    ]);
    const text = (await slipway(ROOT, ...args)).out.split('\n');
    expect(text.filter((l) => l.includes('example--42-release')).map((l) => l.replace(/^t\+\S+\s+/, ''))).toEqual([
      '▶ example: example--42-release (release) started',
      '✗ example: example--42-release (release) FAILED',
      '▶ example: example--42-release (release) redriven (1)',
      '✓ example: example--42-release (release) SUCCEEDED',
      '    ✓ example--42-release  (release)  SUCCEEDED  redriven 1×',
      'redrove example--42-release (redrive 1): SUCCEEDED',
    ]);
    expect(report.apps.find((a) => a.app === 'example')?.executions.map((e) => [e.stateMachine, e.status, e.redriveCount])).toEqual([
      ['build', 'SUCCEEDED', 0],
      ['release', 'SUCCEEDED', 1],
      ['deploy', 'SUCCEEDED', 0],
    ]);
    expect(report.apps.find((a) => a.app === 'docs')?.executions.map((e) => [e.stateMachine, e.status, e.redriveCount])).toEqual([
      ['build', 'SUCCEEDED', 0],
      ['release', 'SUCCEEDED', 0],
      ['deploy', 'SUCCEEDED', 0],
    ]);
  });

  test('without the fix: exit 1, the failed release named with its failed step, the other app deployed', async () => {
    const dir = tmp();
    write(dir, 'world.json', { releases: { docs: { exitCode: 3 } }, apps: ['example', 'docs'] });
    // docs has no release command: its release is skipped, so the failing release is nobody's; example's succeeds.
    const result = await slipway(dir, 'build', '--event', EXAMPLE_42, '--event', DOCS_7, '--world', 'world.json', '--json');
    expect(result.code).toBe(0);

    write(dir, 'world.json', { releases: { example: { exitCode: 3 } } });
    const failing = await slipway(dir, 'build', '--event', EXAMPLE_42, '--event', DOCS_7, '--world', 'world.json', '--json');
    expect(failing.code).toBe(1);
    const report = JSON.parse(failing.out) as FleetReport;
    expect(report.apps.find((a) => a.app === 'example')?.executions.filter((e) => e.status !== 'SUCCEEDED').map((e) => [e.name, e.status, e.failedStep, e.error])).toEqual([
      ['example--42-release', 'FAILED', 'Run release task', 'States.TaskFailed'],
    ]);
    expect(report.apps.find((a) => a.app === 'docs')?.services.map((s) => s.taskDefinition)).toEqual(['slipway-docs--web:1']);
  });
});

describe('bad input: a named error, exit 2, nothing run', () => {
  test.each<[string, (dir: string) => string[], RegExp]>([
    ['a folder with no events', (dir) => (mkdirSync(path.join(dir, 'empty')), ['--event', 'empty']), /^error: UsageError: event folder \S+empty holds no event files \(\*\.json\)$/],
    [
      'an event for an app the config does not have',
      (dir) => ['--event', EXAMPLE_42, '--event', write(dir, 'shop.json', { ...JSON.parse(readFileSync(DOCS_7, 'utf8')), detail: { ...JSON.parse(readFileSync(DOCS_7, 'utf8')).detail, 'project-name': 'slipway-shop' } })],
      /^error: UsageError: event shop\.json is for app "shop", which \S+example\.json does not have \(apps: example, docs\)$/,
    ],
    [
      'two files for the same build',
      (dir) => (copyFileSync(EXAMPLE_42, path.join(dir, 'again.json')), ['--event', EXAMPLE_42, '--event', 'again.json']),
      /^error: UsageError: events \S+example-build-42\.json and again\.json are both build 42 of example: an event starts its pipeline once, keep one of them$/,
    ],
    ['an event that names no app', (dir) => ['--event', EXAMPLE_42, '--event', write(dir, 'other.json', { source: 'aws.codebuild', detail: { 'project-name': 'someone-else' } })], /^error: UsageError: event other\.json names no app of prefix "slipway"/],
    ['an event of another pipeline', () => ['--event', EXAMPLE_42, '--event', path.join(ROOT, 'test/fixtures/events/release-input.json')], /^error: UsageError: event \S+release-input\.json is not a CodeBuild "Build State Change" event \(source aws\.codebuild\), what the build pipeline starts with$/],
  ])('%s', async (_name, args, message) => {
    const dir = tmp();
    const result = await slipway(dir, 'build', ...args(dir));

    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
    expect(result.out).toBe('');
  });

  test('a fix that changes the apps is refused before anything runs (--json: the error document)', async () => {
    const dir = tmp();
    write(dir, 'fix.json', { apps: ['example'] });

    const result = await slipway(dir, 'build', '--event', TWO_APPS, '--redrive-with', 'fix.json', '--json');

    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toEqual({ error: 'UsageError', message: 'the redrive patch changes "apps": a fix changes what happens next, not which account or app this is' });
  });
});
