import { commandIo } from '../../../../lib/cli/command-io';
import { processIo, type CliIo } from '../../../../lib/cli/io';
import { main } from '../../../../lib/cli/main';
import type { LocalEndpoint } from '../../../../lib/local/serve/server';
import { CREDENTIALS } from './endpoint-helpers';

/** What one `slipway` command printed and how it exited. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs `slipway <args...>` in this process (lib/cli/main.ts, which bin/slipway.ts runs) against an
 * endpoint, as a user would with `AWS_ENDPOINT_URL` and dummy credentials: the CLI builds its real SDK
 * clients, which reach the endpoint over HTTP. The process's io (the CLI's streams and exit) is captured
 * for the command's duration.
 */
export async function slipway(endpoint: LocalEndpoint, ...args: string[]): Promise<CliRun> {
  const env: Record<string, string | undefined> = {
    AWS_ENDPOINT_URL: endpoint.url,
    AWS_REGION: endpoint.account.run.world.spec.region,
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_PROFILE: undefined,
    AWS_SESSION_TOKEN: undefined,
    NO_COLOR: '1',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const out: string[] = [];
  const err: string[] = [];
  let exitCode: number | undefined;
  const capture: Pick<CliIo, 'stdout' | 'stderr' | 'exit'> = {
    stdout: (text) => void out.push(text),
    stderr: (text) => void err.push(text),
    exit: (code) => void (exitCode ??= code),
  };
  const ios = [processIo, commandIo] as unknown as Record<string, unknown>[];
  const originals = ios.map((io) => ({ stdout: io.stdout, stderr: io.stderr, exit: io.exit, progress: io.progress }));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  for (const io of ios) Object.assign(io, capture, 'progress' in io ? { progress: () => undefined } : {});
  try {
    const code = await main(args, capture as CliIo);
    return { code: exitCode ?? code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    ios.forEach((io, i) => Object.assign(io, originals[i]));
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    process.exitCode = undefined;
  }
}
