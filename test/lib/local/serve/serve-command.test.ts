import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { BIN, childEnv } from '../../cli/child-cli';
import { slipway } from './cli-in-process';
import { ROOT, startEndpoint } from './endpoint-helpers';

/** `slipway local serve` as a user starts it (bin/slipway.js in a child process), and `local event`/`local fix`. */

test('local serve listens, answers, and on Ctrl-C saves the account and exits 130, as every command does on Ctrl-C', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'slipway-serve-cmd-'));
  try {
    const child = spawn(process.execPath, [BIN, 'local', 'serve', '--port', '0', '--speed', '1000', '--state-dir', dir], { cwd: ROOT, env: childEnv({ NODE_NO_WARNINGS: '1' }) });
    let stderr = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (m) resolve(m[1]);
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${stderr}`)));
    });
    expect(stderr).toContain('export AWS_ENDPOINT_URL=');
    const health = (await (await fetch(`${url}/_slipway/health`)).json()) as { status: string; apps: string[]; speed: number };
    expect(health).toMatchObject({ status: 'ready', apps: ['example'], speed: 1000 });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('slipway local serve: stopped');
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).version).toBe(1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('usage errors', () => {
  test.each([
    [['local', 'serve', '--speed', '0'], /--speed must be a number above 0/],
    [['local', 'serve', '--port', '70000'], /--port must be a port number/],
    [['local', 'event', 'test/fixtures/serve/nope.json'], /event file .* cannot be read/],
    [['local', 'event', 'package.json', '--endpoint', 'ftp://x'], /must be an http:\/\/ URL/],
  ])('slipway %j: exit 2 with a message', async (args, message) => {
    const out = await slipway({ url: 'http://127.0.0.1:9', account: { run: { world: { spec: { region: 'us-east-1' } } } } } as never, ...args);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(message);
  });
});

describe('local event and local fix against an endpoint', () => {
  test('local event delivers the event and names what it started; nothing listening is DoorError, exit 1', async () => {
    const endpoint = await startEndpoint({ services: { web: { build: '41' }, worker: { build: '41' } } });
    try {
      const out = await slipway(endpoint, 'local', 'event', path.join(ROOT, 'test/fixtures/serve/push-43.json'));
      expect(out.code).toBe(0);
      expect(out.stdout).toMatch(/^BuildStateChangeRule started arn:aws:states:us-east-1:123456789012:execution:slipway-production-build:/);
      expect(endpoint.account.run.executions[0].stateMachine).toBe('build');
      const bad = await slipway(endpoint, 'local', 'fix', path.join(ROOT, 'test/fixtures/serve/release-fixed.json'), '--endpoint', 'http://127.0.0.1:9');
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/DoorError: no slipway local serve answers at http:\/\/127\.0\.0\.1:9/);
    } finally {
      await endpoint.close();
    }
  });

  test('a patch that changes which account this is, is refused by the endpoint', async () => {
    const endpoint = await startEndpoint();
    try {
      const res = await fetch(`${endpoint.url}/_slipway/world`, { method: 'POST', body: JSON.stringify({ account: '210987654321' }) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: 'InvalidPatch', message: 'the patch changes "account": a fix changes what happens next, not which account or app this is' });
    } finally {
      await endpoint.close();
    }
  });
});
