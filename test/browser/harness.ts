/**
 * What the browser tests run against: `slipway local serve` (the CLI, as a person starts it) with a world,
 * Debian's Chromium driven by playwright-core through its `executablePath` (no browser download), and the
 * CLI for what happens outside the page (CodeBuild's events, an operator's fix).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'bin', 'slipway.js');
const run = promisify(execFile);

/** Chromium: $CHROMIUM_PATH, else `chromium` (Debian's package) or `chromium-browser` on PATH. */
export function chromiumPath(): string {
  const candidates = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : (process.env.PATH ?? '').split(path.delimiter).flatMap((dir) => [path.join(dir, 'chromium'), path.join(dir, 'chromium-browser')]);
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  throw new Error('no Chromium found: install Debian\'s package (apt-get install -y chromium) or set CHROMIUM_PATH');
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/** A running `slipway local serve`. */
export interface Serve {
  readonly url: string;
  readonly dashboard: string;
  readonly env: NodeJS.ProcessEnv;
  /** Runs the CLI against this endpoint; its stdout. */
  cli(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/** Starts `slipway local serve --port 0` with a world file (relative to the repository) and waits for its URL. */
export async function startServe(world: string, speed = 60): Promise<Serve> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'local', 'serve', '--world', path.join(ROOT, world), '--port', '0', '--speed', String(speed)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`slipway local serve did not start in 60 s: ${err}`)), 60_000);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`slipway local serve exited (${code}): ${err}`));
    });
  });
  const env = { ...process.env, AWS_ENDPOINT_URL: url, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', NO_COLOR: '1' };
  return {
    url,
    dashboard: `${url}/dashboard/`,
    env,
    cli: async (...args) => (await run(process.execPath, [CLI, ...args], { cwd: ROOT, env, maxBuffer: 10 * 1024 * 1024 })).stdout,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Where the screenshots of the docs go. */
export function screenshotPath(name: string): string {
  const dir = path.join(ROOT, 'docs', 'images');
  mkdirSync(dir, { recursive: true });
  return path.join(dir, name);
}
