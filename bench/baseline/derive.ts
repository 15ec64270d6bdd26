/**
 * The polling baseline is derived from Slipway's own deploy pipeline, so the comparison stays "the same
 * pipeline, another wait" as statemachines/deploy.asl.json changes:
 *
 *   npx tsx bench/baseline/derive.ts    # rewrites bench/baseline/deploy-polling.asl.json
 *
 * A test checks that the committed file is what this derivation gives for the current deploy.asl.json.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type States = Record<string, Record<string, unknown>>;
interface Definition {
  Comment?: string;
  StartAt: string;
  States: States;
}

/** The deploy's state that makes up its event-driven wait (update the service, wait on the token), replaced by the polling loop. */
export const EVENT_DRIVEN_WAIT = ['Update the service and wait for its deployment'] as const;

/** Where the polling variant starts: the same handler, invoked without waiting on a token. */
const UPDATE_STATE = 'Create or update the service';

/** The Choice that sends a service not yet on the release to the polling loop. */
const ENTRY_CHOICE = 'Is the service already on this release?';

/** The Map state that deploys each process type. */
const MAP_STATE = 'Deploy each process type';

/** The deploy definition's Map iteration states, checked to have the shape the derivation relies on. */
function iterationStates(deploy: Definition): States {
  const map = deploy.States[MAP_STATE] as { ItemProcessor?: { States?: States } } | undefined;
  const states = map?.ItemProcessor?.States;
  const missing = states ? [...EVENT_DRIVEN_WAIT].filter((n) => !states[n]) : [MAP_STATE];
  if (!states || missing.length > 0) throw new Error(`deploy.asl.json no longer has ${missing.join(', ')}: update bench/baseline/derive.ts to the new deploy pipeline`);
  return states;
}

/**
 * Slipway's deploy with its event-driven wait replaced by the common samples' polling loop:
 * `Wait 15 seconds` -> `Describe the service` (AWS SDK integration, no Lambda) -> `Is the deployment done?`.
 */
export function derivePollingBaseline(deploy: Definition): Definition {
  const def = structuredClone(deploy);
  const states = iterationStates(def);
  const wait = states[EVENT_DRIVEN_WAIT[0]] as { Parameters: { FunctionName: string; Payload: Record<string, unknown> }; Retry: unknown; Next: string };
  // Where the real deploy goes once the deployment completed (recording the process type, then its result).
  const done = wait.Next;
  for (const name of EVENT_DRIVEN_WAIT) delete states[name];
  // The same handler as a plain invoke: its token is a placeholder nobody resumes (SendTaskSuccess to it
  // fails as TaskDoesNotExist, which the handler treats as closed); the loop below polls instead.
  const update: States = {
    [UPDATE_STATE]: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: wait.Parameters.FunctionName, Payload: { ...wait.Parameters.Payload, taskToken: 'polling-baseline-no-token', 'taskToken.$': undefined } },
      Retry: wait.Retry,
      ResultSelector: { 'serviceName.$': '$.Payload.serviceName', 'serviceArn.$': '$.Payload.serviceArn', 'deploymentId.$': '$.Payload.deploymentId', 'action.$': '$.Payload.action', 'state.$': '$.Payload.state' },
      ResultPath: '$.deployed',
      Next: ENTRY_CHOICE,
    },
    [ENTRY_CHOICE]: {
      Type: 'Choice',
      Choices: [
        { Variable: '$.deployed.state', StringEquals: 'SUPERSEDED', Next: 'Service is on a newer release' },
        { Variable: '$.deployed.state', StringEquals: 'COMPLETED', Next: done },
      ],
      Default: 'Wait 15 seconds',
    },
  };
  states['Service is on a newer release'] = { Type: 'Fail', Error: 'DeploymentSuperseded', Cause: 'the service runs a newer build' };
  const loop: States = {
    'Wait 15 seconds': { Type: 'Wait', Seconds: 15, Next: 'Describe the service' },
    'Describe the service': {
      Type: 'Task',
      Comment: 'The polling check of the common samples: one DescribeServices per process type every 15 s until the newest deployment is COMPLETED or FAILED.',
      Resource: 'arn:aws:states:::aws-sdk:ecs:describeServices',
      Parameters: {
        'Cluster.$': "States.ArrayGetItem(States.StringSplit($.deployed.serviceArn, '/'), 1)",
        'Services.$': 'States.Array($.deployed.serviceName)',
      },
      ResultSelector: { 'deployment.$': '$.Services[0].Deployments[0]' },
      ResultPath: '$.poll',
      Retry: [{ ErrorEquals: ['Ecs.ThrottlingException', 'Ecs.ServerException'], IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2 }],
      Next: 'Is the deployment done?',
    },
    'Is the deployment done?': {
      Type: 'Choice',
      Choices: [
        { Variable: '$.poll.deployment.RolloutState', StringEquals: 'COMPLETED', Next: done },
        { Variable: '$.poll.deployment.RolloutState', StringEquals: 'FAILED', Next: 'Deployment did not complete' },
      ],
      Default: 'Wait 15 seconds',
    },
    'Deployment did not complete': { Type: 'Fail', Error: 'DeploymentRolledBack', Cause: "the deployment failed (see the service's events in the ECS console)" },
  };
  const map = def.States[MAP_STATE] as { ItemProcessor: { StartAt: string; States: States } };
  map.ItemProcessor.StartAt = UPDATE_STATE;
  map.ItemProcessor.States = JSON.parse(JSON.stringify({ ...update, ...Object.fromEntries(Object.entries(states).filter(([n]) => !(n in loop) && !(n in update))), ...loop })) as States;
  def.Comment =
    "BENCHMARK BASELINE, not a Slipway state machine (generated by bench/baseline/derive.ts from statemachines/deploy.asl.json): the deploy pipeline with its event-driven wait replaced by the fixed-interval polling loop of the common samples (Wait 15 s -> describe the service -> Choice). Used only by `npm run bench`.";
  return def;
}

/** The baseline file's text for the repository's current deploy.asl.json. */
export function pollingBaselineText(rootDir: string): string {
  const deploy = JSON.parse(readFileSync(join(rootDir, 'statemachines', 'deploy.asl.json'), 'utf8')) as Definition;
  return `${JSON.stringify(derivePollingBaseline(deploy), null, 2)}\n`;
}

if (require.main === module) {
  const root = join(__dirname, '..', '..');
  writeFileSync(join(__dirname, 'deploy-polling.asl.json'), pollingBaselineText(root));
  console.log('wrote bench/baseline/deploy-polling.asl.json');
}
