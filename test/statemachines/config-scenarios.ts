import { randomUUID } from 'node:crypto';
import { LocalRun, type ExecutionReport } from '../../lib/local/runner';
import type { WorldFile } from '../../lib/local/world-schema';
import type { JsonObject } from '../../domain/json';
import { awsEvent, buildEvent, exampleWorld, ROOT } from './scenarios';


/** The example app's config path in Parameter Store. */
export const CONFIG_PATH = '/slipway/apps/example/config';

/**
 * A real "Parameter Store Change" sample event (test/fixtures/aws-events/ssm-parameter-<op>.json)
 * with a fresh event id, and the parameter name (and its ARN in `resources`) replaced, e.g. by one of the app's config keys.
 */
export function parameterEvent(operation: 'create' | 'update' | 'delete', name?: string): JsonObject {
  const event = awsEvent(`ssm-parameter-${operation}.json`);
  // Every event EventBridge delivers has its own id (the config-change names its children from it).
  event.id = randomUUID();
  if (name !== undefined) {
    (event.detail as JsonObject).name = name;
    event.resources = [`arn:aws:ssm:us-east-1:123456789012:parameter${name.startsWith('/') ? '' : '/'}${name}`];
  }
  return event;
}

/** A run whose app has a current release: build 42 deployed over build 41 (the pipelines' own run). */
export async function releasedRun(world: WorldFile = {}): Promise<LocalRun> {
  const run = new LocalRun(exampleWorld(world), ROOT);
  await run.run('build', buildEvent());
  return run;
}

/** The executions of one state machine, in start order. */
export function executionsOf(run: LocalRun, stateMachine: ExecutionReport['stateMachine']): ExecutionReport[] {
  return run.executions.filter((e) => e.stateMachine === stateMachine);
}

/** The last state an execution entered. */
export function lastState(e: ExecutionReport | undefined): string | undefined {
  return e?.states[e.states.length - 1]?.name;
}

/** The config keys (secrets) of the revision a service runs now. */
export function serviceSecrets(run: LocalRun, process: string): string[] {
  const service = run.world.services.get(`example--${process}`)?.service;
  const revision = run.world.findRevision(service?.taskDefinition ?? '');
  return (revision?.taskDefinition.containerDefinitions?.[0]?.secrets ?? []).map((s) => s.name ?? '');
}
