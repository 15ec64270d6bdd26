/**
 * `slipway local run` as a user runs it: from any working directory, with paths resolved against that
 * directory (an absolute path stays absolute), the project's own files found from the package, and its
 * errors as one line (a JSON document with --json).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { lines, runSlipway } from './child-cli';

const ROOT = path.join(__dirname, '..', '..', '..');
const EVENTS = path.join(ROOT, 'test', 'fixtures', 'events');

async function cli(args: string[], cwd: string): Promise<{ code: number; out: string; err: string[] }> {
  const run = await runSlipway(args, { NODE_NO_WARNINGS: '1' }, cwd);
  return { code: run.code, out: run.stdout, err: lines(run.stderr) };
}

const statuses = (out: string) => (JSON.parse(out) as { executions: { stateMachine: string; status: string }[] }).executions.map((e) => `${e.stateMachine} ${e.status}`);

describe('slipway local run from another directory', () => {
  test('from docs/, with relative paths, runs build -> release -> deploy with the package\'s ASL files and example config', async () => {
    const result = await cli(['local', 'run', 'build', '--event', '../test/fixtures/events/codebuild-succeeded.json', '--world', '../test/fixtures/worlds/example.json', '--json'], path.join(ROOT, 'docs'));

    expect(result.code).toBe(0);
    expect(statuses(result.out)).toEqual(['build SUCCEEDED', 'release SUCCEEDED', 'deploy SUCCEEDED']);
  });

  test('a world naming a config by absolute path uses that file, from a directory outside the project', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-local-'));
    writeFileSync(path.join(dir, 'world.json'), JSON.stringify({ app: 'example', config: path.join(ROOT, 'config', 'example.json'), release: { exitCode: 1 } }));

    const result = await cli(['local', 'run', 'build', '--event', path.join(EVENTS, 'codebuild-succeeded.json'), '--world', 'world.json', '--json'], dir);

    expect(result.code).toBe(1);
    expect(statuses(result.out)).toEqual(['build SUCCEEDED', 'release FAILED']);
  });

  test('a world naming a config that exists nowhere is one line, exit 2, and the error document with --json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-local-'));
    writeFileSync(path.join(dir, 'world.json'), JSON.stringify({ config: 'my-config.json' }));

    const result = await cli(['local', 'run', 'build', '--event', path.join(EVENTS, 'codebuild-succeeded.json'), '--world', 'world.json', '--json'], dir);

    expect(result.code).toBe(2);
    expect(result.err).toEqual([`error: UsageError: world: config file my-config.json is neither in ${dir} nor in the Slipway package (${ROOT})`]);
    expect(JSON.parse(result.out)).toEqual({ error: 'UsageError', message: expect.stringContaining('my-config.json is neither') });
  });

  test('an event file that does not exist names the full path it looked for', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'slipway-local-'));

    const result = await cli(['local', 'run', 'build', '--event', 'nope.json', '--json'], dir);

    expect(result.code).toBe(2);
    expect(JSON.parse(result.out)).toEqual({ error: 'UsageError', message: `event file ${path.join(dir, 'nope.json')} cannot be read` });
  });
});

describe('release and deploy run locally from their documented example inputs', () => {
  test.each([
    ['release', 'release-input.json', ['release SUCCEEDED', 'deploy SUCCEEDED']],
    ['deploy', 'deploy-input.json', ['deploy SUCCEEDED']],
  ])('%s with test/fixtures/events/%s', async (pipeline, file, expected) => {
    // ECS runs only task definitions the account holds: the world has build 42's revisions registered.
    const result = await cli(['local', 'run', pipeline, '--event', path.join(EVENTS, file), '--world', path.join(ROOT, 'test/fixtures/worlds/build-42-registered.json'), '--json'], ROOT);

    expect(result.code).toBe(0);
    expect(statuses(result.out)).toEqual(expected);
  });
});
