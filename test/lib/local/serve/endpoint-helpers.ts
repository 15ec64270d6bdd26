import * as path from 'node:path';
import { LocalEndpoint, type EndpointOptions } from '../../../../lib/local/serve/server';
import type { WorldFile } from '../../../../lib/local/world-schema';

/** The repository (ASL files, config/example.json). */
export const ROOT = path.join(__dirname, '..', '..', '..', '..');

/** Dummy credentials: the endpoint needs a SigV4 signature, never real keys. */
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

/** Starts an endpoint on a free port over a world of the example config, its clock 1,000 times real time. */
export function startEndpoint(world: WorldFile = {}, options: Partial<EndpointOptions> = {}): Promise<LocalEndpoint> {
  return LocalEndpoint.start({ rootDir: ROOT, port: 0, speed: 1000, world: { config: path.join(ROOT, 'config/example.json'), ...world }, ...options });
}

/** SDK client settings for an endpoint. */
export function clientConfig(endpoint: LocalEndpoint): { endpoint: string; region: string; credentials: typeof CREDENTIALS; maxAttempts: number } {
  return { endpoint: endpoint.url, region: endpoint.account.run.world.spec.region, credentials: CREDENTIALS, maxAttempts: 1 };
}

/** Waits (real time, polling) until `done()` holds; throws after `ms`. */
export async function eventually(done: () => boolean, ms = 20_000, what = 'the condition'): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Waits until no execution of the endpoint's account runs. */
export function settled(endpoint: LocalEndpoint): Promise<void> {
  return eventually(() => endpoint.account.run.executions.length > 0 && endpoint.account.run.executions.every((e) => e.status !== 'RUNNING') && !endpoint.account.run.busy, 30_000, 'every execution to end');
}

/** A CodeBuild "Build State Change" event of build `n` of the example app, marked for the production control plane (as its project's variable makes it). */
export function buildEvent(n: number, status = 'SUCCEEDED'): Record<string, unknown> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const base = require('../../../fixtures/events/codebuild-succeeded.json') as Record<string, unknown>;
  const e = structuredClone(base) as { id: string; detail: Record<string, unknown> & { 'additional-information': Record<string, unknown> & { environment: Record<string, unknown> } } };
  const id = `8745a7a9-c340-456a-9166-${String(n).padStart(12, '0')}`;
  e.id = `bfdc1220-60ff-44eb-9c5a-${String(n).padStart(12, '0')}`;
  e.detail['build-status'] = status;
  e.detail['build-id'] = `arn:aws:codebuild:us-east-1:123456789012:build/slipway-example:${id}`;
  e.detail['additional-information']['build-number'] = n;
  e.detail['additional-information'].environment['environment-variables'] = [{ name: 'SLIPWAY_CONTROL_PLANE', type: 'PLAINTEXT', value: 'slipway/control-plane/production' }];
  return { ...e, resources: [e.detail['build-id']] };
}
