import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `cdk synth` runs bin/slipway-app.ts: a refusal is one escaped line on stderr, exit 1, never a stack trace.

const ROOT = join(__dirname, '..', '..');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'slipway-synth-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function synth(context: Record<string, string>): { status: number | null; stderr: string } {
  const run = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), join(ROOT, 'bin', 'slipway-app.ts')], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env.PATH, NODE_NO_WARNINGS: '1', CDK_OUTDIR: join(dir, 'out'), CDK_CONTEXT_JSON: JSON.stringify(context) },
  });
  return { status: run.status, stderr: run.stderr };
}

test('a missing slipway:statemachines folder is one line naming the context key', () => {
  const run = synth({ 'slipway:config': 'config/example.json', 'slipway:statemachines': join(dir, 'no-such-folder') });
  expect(run.status).toBe(1);
  const lines = run.stderr.trim().split('\n');
  expect(lines).toEqual([expect.stringMatching(/^cannot synthesize: DeploymentConfigError: the "slipway:statemachines" context key names ".*no-such-folder", which is not a folder/)]);
});

test('escape sequences from a config reach stderr escaped, on one line', () => {
  const config = JSON.parse(readFileSync(join(ROOT, 'config', 'example.json'), 'utf8')) as { apps: { hostname?: string }[] };
  config.apps[0].hostname = '\u001b[31mred\u001b]0;title\u0007.example.com';
  const file = join(dir, 'config.json');
  writeFileSync(file, JSON.stringify(config));
  const run = synth({ 'slipway:config': file });
  expect(run.status).toBe(1);
  // eslint-disable-next-line no-control-regex
  expect(run.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f]/);
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^invalid config .*: apps\[0\]\.hostname: .*is not a hostname for the load balancer/)]);
});
