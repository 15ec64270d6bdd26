import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
// The endpoint (and the runner under it) loads when `local serve` runs, not with every `slipway` command.
import type * as Server from '../local/serve/server';
import { EXIT, UsageError } from './errors';
import { printResult, processIo, reportError, type CliIo } from './io';
import { handleInterrupts } from './runtime';
import { packageRoot, resolveWorldConfig } from './world-config';

/** The port `slipway local serve` listens on unless --port says otherwise (the one LocalStack users know). */
export const DEFAULT_SERVE_PORT = 4566;

/** The endpoint `local event` and `local fix` talk to: --endpoint, else AWS_ENDPOINT_URL, else the default port. */
export function endpointUrl(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const url = option ?? env.AWS_ENDPOINT_URL ?? `http://127.0.0.1:${DEFAULT_SERVE_PORT}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--endpoint ${JSON.stringify(url.slice(0, 80))} is not a URL (e.g. http://127.0.0.1:${DEFAULT_SERVE_PORT})`);
  }
  if (parsed.protocol !== 'http:') throw new UsageError(`--endpoint ${url} must be an http:// URL of slipway local serve`);
  return url.replace(/\/+$/, '');
}

function readJsonFile(file: string, what: string, cwd: string): unknown {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch {
    throw new UsageError(`${what} file ${full} cannot be read`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UsageError(`${what} file ${full} is not JSON: ${(e as Error).message}`);
  }
}

/** A request to the endpoint's door: its JSON answer, or an error naming what the door said. */
async function door(url: string, what: string, body: unknown): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  } catch (e) {
    throw new DoorError(`no slipway local serve answers at ${new URL(url).origin} (${(e as Error).message}): start one, or pass --endpoint`);
  }
  const out = (await res.json().catch(() => ({}))) as Record<string, unknown>;
  if (!res.ok) throw new DoorError(`the endpoint refused the ${what}: ${String(out.error ?? res.status)}: ${String(out.message ?? '')}`);
  return out;
}

/** The endpoint refused what was sent, or is not there. Exit 1. */
export class DoorError extends Error {
  public override readonly name = 'DoorError';
}

interface ServeOptions {
  world?: string;
  port?: string;
  stateDir?: string;
  speed?: string;
}

/**
 * Adds `slipway local serve`, `slipway local event` and `slipway local fix` to `local`: the simulated
 * account as an endpoint AWS clients talk to, AWS services' events into it, and an operator's fix of what
 * happens next (docs/local-serve.md).
 */
export function registerServeCommands(local: Command, setExit: (code: number) => void, io: CliIo = processIo, cwd: () => string = () => process.cwd()): void {
  local
    .command('serve')
    .description('run the simulated account as a local AWS endpoint (AWS_ENDPOINT_URL) that the CLI, the SDK and pages talk to; see docs/local-serve.md')
    .option('--world <file>', 'the simulated account and what happens in it (see docs/local-runs.md)')
    .option('--port <port>', `port on 127.0.0.1 (default: ${DEFAULT_SERVE_PORT}; 0: any free port)`)
    .option('--state-dir <dir>', 'keep the account (executions, records, services, parameters) in <dir>/state.json across restarts')
    .option('--speed <n>', 'simulated seconds per real second (default: 1, real time)')
    .action(async (opts: ServeOptions) => {
      try {
        const here = cwd();
        const root = packageRoot();
        const port = opts.port === undefined ? DEFAULT_SERVE_PORT : Number(opts.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a port number from 0 to 65535, got ${JSON.stringify(opts.port)}`);
        const speed = opts.speed === undefined ? 1 : Number(opts.speed);
        const { MAX_SPEED } = require('../local/serve/account') as typeof import('../local/serve/account');
        if (!(speed > 0 && speed <= MAX_SPEED)) throw new UsageError(`--speed must be a number above 0 and at most ${MAX_SPEED}, got ${JSON.stringify(opts.speed)}`);
        const world = opts.world ? readJsonFile(opts.world, 'world', here) : {};
        if (typeof world !== 'object' || world === null || Array.isArray(world)) throw new UsageError(`world file ${opts.world} must hold a JSON object`);
        const spec = { ...(world as Record<string, unknown>) };
        spec.config = resolveWorldConfig(spec.config, here, root);
        const { LocalEndpoint } = require('../local/serve/server') as typeof Server;
        const { LocalRunError } = require('../local/run-error') as typeof import('../local/run-error');
        let endpoint: Server.LocalEndpoint;
        try {
          endpoint = await LocalEndpoint.start({ rootDir: root, port, speed, world: spec, stateDir: opts.stateDir ? path.resolve(here, opts.stateDir) : undefined });
        } catch (e) {
          if (e instanceof LocalRunError || (e as Error).name === 'StateFileError') throw new UsageError((e as Error).message);
          if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} is in use: pass --port`);
          throw e;
        }
        const w = endpoint.account.run.world;
        io.stderr(
          [
            `slipway local serve: account ${w.spec.account} in ${w.spec.region}, apps ${[...w.apps.keys()].join(', ')}, speed ${speed}${opts.stateDir ? `, state in ${opts.stateDir}` : ''}`,
            `listening on ${endpoint.url} (Ctrl-C stops it). In another shell:`,
            `  export AWS_ENDPOINT_URL=${endpoint.url} AWS_REGION=${w.spec.region} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test`,
          ].join('\n'),
        );
        // The local sign-in's signing key, made off the main thread now that the endpoint answers.
        void endpoint.people.issuer.prepareKeys();
        // Ctrl-C (bin/slipway.ts hands it to this handler) and SIGTERM stop it after the account is saved.
        let interrupted = false;
        await new Promise<void>((resolve) => {
          let stopping = false;
          const stop = () => {
            if (stopping) return;
            stopping = true;
            process.off('SIGTERM', stop);
            void endpoint.close().then(resolve);
          };
          const release = handleInterrupts({
            first: () => {
              interrupted = true;
              stop();
              return 'slipway local serve: stopping (saving the account)';
            },
            second: () => 'slipway local serve: stopped without waiting for the account to be saved',
          });
          process.once('SIGTERM', stop);
          void endpoint.closed.then(release);
        });
        io.stderr('slipway local serve: stopped');
        // Ctrl-C ends it as it ends every command: exit 130 (128 + SIGINT).
        setExit(interrupted ? EXIT.interrupted : EXIT.ok);
      } catch (e) {
        setExit(reportError(io, e, false));
      }
    });

  local
    .command('event')
    .description("deliver an AWS service's event (CodeBuild, ECS or Parameter Store, as EventBridge delivers it) to the account of slipway local serve")
    .argument('<file>', 'the event as JSON')
    .option('--endpoint <url>', `the endpoint (default: $AWS_ENDPOINT_URL, else http://127.0.0.1:${DEFAULT_SERVE_PORT})`)
    .option('--json', 'print one JSON document')
    .action(async (file: string, opts: { endpoint?: string; json?: boolean }) => {
      try {
        const event = readJsonFile(file, 'event', cwd());
        const out = (await door(`${endpointUrl(opts.endpoint)}/_slipway/events`, 'event', event)) as { delivered?: { rule: string; executionArn?: string }[] };
        const delivered = out.delivered ?? [];
        const text = delivered.length === 0 ? 'no rule of the account matched the event: nothing started' : delivered.map((d) => `${d.rule}${d.executionArn ? ` started ${d.executionArn}` : ''}`).join('\n');
        printResult(io, opts.json, out, text);
        setExit(EXIT.ok);
      } catch (e) {
        setExit(reportError(io, e, opts.json));
      }
    });

  local
    .command('fix')
    .description('change what happens next in the account of slipway local serve (a JSON Merge Patch of the world, e.g. the release now exits 0), as an operator fixes a cause before a redrive')
    .argument('<patch>', 'the JSON Merge Patch file')
    .option('--endpoint <url>', `the endpoint (default: $AWS_ENDPOINT_URL, else http://127.0.0.1:${DEFAULT_SERVE_PORT})`)
    .option('--json', 'print one JSON document')
    .action(async (file: string, opts: { endpoint?: string; json?: boolean }) => {
      try {
        const patch = readJsonFile(file, 'patch', cwd());
        const out = await door(`${endpointUrl(opts.endpoint)}/_slipway/world`, 'patch', patch);
        printResult(io, opts.json, out, 'the simulated account now behaves as the patched world says');
        setExit(EXIT.ok);
      } catch (e) {
        setExit(reportError(io, e, opts.json));
      }
    });
}
