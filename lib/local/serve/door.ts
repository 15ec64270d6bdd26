import { controlPlaneBuildMarker } from '../../../domain/build-marker';
import { serviceResource } from '../../../domain/names';
import { matchesEventPattern, type EventPattern } from '../event-patterns';
import type { ServedAccount } from './account';
import { WireError } from './errors';

/**
 * The endpoint's own door for AWS services' events (`slipway local event <file>`, `POST /_slipway/events`):
 * an event as EventBridge delivers it (CodeBuild Build State Change, ECS Deployment State Change,
 * Parameter Store Change) goes to the account's rules that match it, as on AWS: the control plane's
 * rules (lib/constructs/control-plane/rules.ts) with the same patterns, evaluated by the simulated bus's
 * matcher (lib/local/eventbridge.ts).
 */

/** What a delivered event did: the rules it matched and the executions they started. */
export interface Delivery {
  readonly rule: string;
  readonly executionArn?: string;
}

const ENVELOPE = ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'] as const;

/**
 * Checks an event's envelope as EventBridge delivers AWS services' events (EventBridge User Guide,
 * "Amazon EventBridge events": version, id, detail-type, source, account, time, region, resources,
 * detail) and that it is this account's.
 * @throws WireError InvalidEvent naming what is wrong.
 */
export function checkEvent(event: unknown, account: { account: string; region: string }): Record<string, unknown> {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) throw new WireError('InvalidEvent', 'the event must be a JSON object, as EventBridge delivers it');
  const e = event as Record<string, unknown>;
  const missing = ENVELOPE.filter((k) => e[k] === undefined);
  if (missing.length > 0) throw new WireError('InvalidEvent', `the event lacks ${missing.join(', ')} (an AWS event has ${ENVELOPE.join(', ')})`);
  for (const k of ['id', 'detail-type', 'source', 'account', 'time', 'region'] as const) if (typeof e[k] !== 'string') throw new WireError('InvalidEvent', `the event's "${k}" must be a string`);
  if (!Array.isArray(e.resources)) throw new WireError('InvalidEvent', 'the event\'s "resources" must be an array of ARNs');
  if (e.detail === null || typeof e.detail !== 'object' || Array.isArray(e.detail)) throw new WireError('InvalidEvent', 'the event\'s "detail" must be a JSON object');
  if (Number.isNaN(Date.parse(String(e.time)))) throw new WireError('InvalidEvent', `the event's "time" ${JSON.stringify(e.time)} is not an ISO 8601 time`);
  if (e.account !== account.account) throw new WireError('InvalidEvent', `the event is for account ${String(e.account)}, the simulated account is ${account.account}: an account's rules see only its own events`);
  if (e.region !== account.region) throw new WireError('InvalidEvent', `the event is for region ${String(e.region)}, the simulated account is in ${account.region}`);
  return e;
}

/** Delivers an AWS service's event to the rules of the served account that match it. */
export async function deliverEvent(served: ServedAccount, event: unknown): Promise<Delivery[]> {
  const run = served.run;
  const world = run.world;
  const e = checkEvent(event, world.spec);
  const delivered: Delivery[] = [];
  // BuildStateChangeRule: a build of a Slipway project (`<prefix>-<app>`) marked for this control plane.
  const build: EventPattern = {
    source: ['aws.codebuild'],
    'detail-type': ['CodeBuild Build State Change'],
    detail: {
      'project-name': [{ prefix: `${run.prefix}-` }],
      'additional-information': { environment: { 'environment-variables': { value: [controlPlaneBuildMarker(run.prefix, run.controlPlane)] } } },
    },
  };
  if (matchesEventPattern(build, e)) {
    const exec = run.startConcurrently('build', e);
    delivered.push({ rule: 'BuildStateChangeRule', executionArn: exec.arn });
  }
  // DeploymentStateChangeRule: deployment events of the cluster's services go to the deployment-events function.
  const services = `arn:aws:ecs:${world.spec.region}:${world.spec.account}:${serviceResource(world.ecs.clusterName(), '')}`;
  if (matchesEventPattern({ source: ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], resources: [{ prefix: services }] }, e)) {
    await world.ecs.onDeploymentEvent(e);
    delivered.push({ rule: 'DeploymentStateChangeRule' });
  }
  // ParameterChangeRule: a change under /<prefix>/apps/ starts config-change.
  if (matchesEventPattern({ source: ['aws.ssm'], 'detail-type': ['Parameter Store Change'] }, e) && run.rules.parameterChangeMatches(e)) {
    const exec = run.startConcurrently('config-change', e);
    delivered.push({ rule: 'ParameterChangeRule', executionArn: exec.arn });
  }
  served.poke();
  return delivered;
}
