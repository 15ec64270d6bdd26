/**
 * The contract between the ASL files in `statemachines/` and the CDK construct that deploys them: the
 * Lambda handlers each pipeline uses and the `${Placeholder}` substitutions each file expects. The local
 * runner (lib/local) fills the same placeholders with a simulated account's ARNs, and a test checks that
 * every file's placeholders are exactly the keys listed here. Values the ASL files spell as literals
 * (table keys, the milestone source, execution names, the running-deploy wait) are owned by
 * ./constants.ts, ./table.ts and ./names.ts; test/domain/asl-constants.test.ts checks the files agree.
 */

import { MILESTONE_SOURCE } from './constants';

/** One folder per handler under `functions/`. */
export const PIPELINE_FUNCTIONS = {
  /** Turns a CodeBuild "Build State Change" event into a typed build record, or fails with InvalidEvent. */
  parseBuildEvent: 'parse-build-event',
  /** Registers (or reuses) one task-definition revision per process type for a build's image. */
  registerTaskDefinitions: 'register-task-definitions',
  /** Turns the stopped release task (or RunTask's failure) into a verdict; ReleaseFailed on failure. */
  checkReleaseTask: 'check-release-task',
  /**
   * The deploy's `.waitForTaskToken` state of one process type: creates the ECS service if missing (with
   * autoscaling) or updates it, stores the task token for the deployment it started, and resumes at once
   * if that deployment already settled. On a redrive it starts a new deployment of the same revision.
   */
  updateService: 'update-service',
  /**
   * ECS "Deployment State Change" events resume the waiting deploys; its 5-minute sweep also makes the
   * final check of a deployment at the deploy timeout (DeploymentTimedOut) and repairs failure records
   * whose Step Functions status event never arrived.
   */
  deploymentEvents: 'deployment-events',
  /**
   * Step Functions "Execution Status Change" events of the app's state machines: records a failure in the
   * build's record, gives up what the execution held, and announces it (outside the execution, so that a
   * failure stays at the step a redrive re-runs).
   */
  executionStatus: 'execution-status',
  /** Turns a Parameter Store Change event into what changed for the app (a config key, the schedules list, or nothing). */
  parseParameterChange: 'parse-parameter-change',
  /** Registers revisions of the current release whose `secrets` are the config keys that exist now, and returns the deploy input. */
  registerConfigRevisions: 'register-config-revisions',
  /** Validates the app's schedules and syncs them to EventBridge Scheduler (create, update, delete). */
  syncSchedules: 'sync-schedules',
} as const;

export type PipelineFunctionKey = keyof typeof PIPELINE_FUNCTIONS;

/** The state machines, each `statemachines/<name>.asl.json`. */
export const STATE_MACHINES = ['build', 'release', 'deploy', 'config-change', 'schedules'] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/** The three pipelines a build goes through (the operator commands follow a build through them). */
export const BUILD_PIPELINES = ['build', 'release', 'deploy'] as const satisfies readonly StateMachineName[];
export type BuildPipelineName = (typeof BUILD_PIPELINES)[number];

/** What a placeholder stands for. */
export type Substitution =
  | { kind: 'clusterArn' }
  | { kind: 'function'; fn: PipelineFunctionKey }
  | { kind: 'stateMachine'; name: StateMachineName }
  /** `arn:<partition>:states:<region>:<account>:execution:<state machine name>:`, to which an execution's name is appended. */
  | { kind: 'executionArnPrefix'; name: StateMachineName }
  | { kind: 'constant'; value: string };

/** The substitutions of each state machine, by placeholder name. */
export const SUBSTITUTIONS: Record<StateMachineName, Record<string, Substitution>> = {
  build: {
    ParseBuildEventFunctionArn: { kind: 'function', fn: 'parseBuildEvent' },
    RegisterTaskDefinitionsFunctionArn: { kind: 'function', fn: 'registerTaskDefinitions' },
    ReleaseStateMachineArn: { kind: 'stateMachine', name: 'release' },
    ReleaseExecutionArnPrefix: { kind: 'executionArnPrefix', name: 'release' },
    MilestoneSource: { kind: 'constant', value: MILESTONE_SOURCE },
  },
  release: {
    ClusterArn: { kind: 'clusterArn' },
    CheckReleaseTaskFunctionArn: { kind: 'function', fn: 'checkReleaseTask' },
    DeployStateMachineArn: { kind: 'stateMachine', name: 'deploy' },
    DeployExecutionArnPrefix: { kind: 'executionArnPrefix', name: 'deploy' },
    MilestoneSource: { kind: 'constant', value: MILESTONE_SOURCE },
  },
  deploy: {
    UpdateServiceFunctionArn: { kind: 'function', fn: 'updateService' },
    MilestoneSource: { kind: 'constant', value: MILESTONE_SOURCE },
  },
  'config-change': {
    ParseParameterChangeFunctionArn: { kind: 'function', fn: 'parseParameterChange' },
    RegisterConfigRevisionsFunctionArn: { kind: 'function', fn: 'registerConfigRevisions' },
    DeployStateMachineArn: { kind: 'stateMachine', name: 'deploy' },
    SchedulesStateMachineArn: { kind: 'stateMachine', name: 'schedules' },
  },
  schedules: {
    SyncSchedulesFunctionArn: { kind: 'function', fn: 'syncSchedules' },
  },
};


/**
 * The milestone events' detail types (their source is MILESTONE_SOURCE of ./constants.ts). Every event's detail has `app`, `buildKey` and `execution` (the
 * execution's ARN); "Build Recorded" adds `status`, `commit`, `image`, `logLink`; "Deploy Started" adds
 * `processes`; "Deploy Succeeded" adds `image`; the failures add `error` and `cause` (and `failedStep`,
 * `logLink` when known); the "... Redriven" events add `redriveCount`. The state machines put the
 * started/succeeded milestones; execution-status puts the failures and the redrives, from Step Functions'
 * own status events.
 */
export const MILESTONES = [
  'Build Recorded',
  'Build Failed',
  'Build Redriven',
  'Release Started',
  'Release Succeeded',
  'Release Failed',
  'Release Redriven',
  'Deploy Started',
  'Deploy Succeeded',
  'Deploy Failed',
  'Deploy Rolled Back',
  'Deploy Redriven',
] as const;
export type Milestone = (typeof MILESTONES)[number];

/** The milestones an on-call engineer is told about (Slipway's SNS topic subscribes to these). */
export const FAILURE_MILESTONES: readonly Milestone[] = ['Build Failed', 'Release Failed', 'Deploy Failed', 'Deploy Rolled Back'];

/** detail-type of Step Functions' execution status events on the default bus. */
export const EXECUTION_STATUS_DETAIL_TYPE = 'Step Functions Execution Status Change';

/** An EventBridge event pattern, in the JSON form EventBridge and the CDK's `EventPattern` both take. */
export interface ExecutionStatusEventPattern {
  readonly source: readonly ['aws.states'];
  readonly 'detail-type': readonly [typeof EXECUTION_STATUS_DETAIL_TYPE];
  readonly detail: {
    readonly stateMachineArn: readonly string[];
    readonly $or: readonly [{ readonly status: readonly string[] }, { readonly status: readonly string[]; readonly redriveCount: readonly [{ readonly numeric: readonly ['>', 0] }] }];
  };
}

/**
 * The pattern of the rule that starts execution-status: the status changes of the given state machines
 * that matter to the failure bookkeeping: an execution ended badly (FAILED, TIMED_OUT, ABORTED), or a
 * redriven one runs again or succeeded (RUNNING / SUCCEEDED with `redriveCount` above 0). First starts
 * and plain successes do not invoke it. `$or` and `numeric` are EventBridge comparison operators for
 * event buses (EventBridge User Guide, "Comparison operators for use in event patterns in Amazon
 * EventBridge" and "Content filtering in Amazon EventBridge event patterns"). The construct and the local
 * runner use this same pattern; execution-status also filters what it does not need (actionFor).
 */
export function executionStatusEventPattern(stateMachineArns: readonly string[]): ExecutionStatusEventPattern {
  if (stateMachineArns.length === 0) throw new Error('executionStatusEventPattern needs at least one state machine ARN');
  return {
    source: ['aws.states'],
    'detail-type': [EXECUTION_STATUS_DETAIL_TYPE],
    detail: {
      stateMachineArn: [...stateMachineArns],
      $or: [{ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }, { status: ['RUNNING', 'SUCCEEDED'], redriveCount: [{ numeric: ['>', 0] }] }],
    },
  };
}



/**
 * The environment of the shared control plane's functions: nothing app-specific (the app comes with each
 * event or payload, its settings from {@link ./names settingsParameterName}).
 */
export const CONTROL_PLANE_ENV = {
  /** The deployment's prefix (config `prefix`): parameter paths `/<prefix>/apps/<app>/...`. */
  prefix: 'SLIPWAY_PREFIX',
  /** ARN of the cluster the control plane serves. */
  clusterArn: 'CLUSTER_ARN',
  /** The control plane's own table: waiters (task tokens of deploys waiting on ECS) and other cross-app items. */
  controlTable: 'CONTROL_TABLE_NAME',
  /** JSON object: state machine name (build, release, ...) -> ARN, for functions that read executions. */
  stateMachineArns: 'STATE_MACHINE_ARNS',
} as const;



/** The `${Placeholder}` names an ASL document uses. */
export function aslPlaceholders(definition: string): Set<string> {
  return new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));
}

/** The `outcome` of a deploy that ended in its "Deploy superseded" Succeed state (statemachines/deploy.asl.json). */
export const DEPLOY_SUPERSEDED = 'superseded';

/**
 * A deploy a newer build, a rollback or a config redeploy overtook: it SUCCEEDED without deploying
 * (deploy.asl.json "Deploy superseded", output `{"outcome": "superseded", "supersededBy": "<build>",
 * "reason": "..."}`). Not a failure: no alarm, no Deploy Failed, nothing to redrive.
 */
export interface SupersededDeploy {
  /** The build that holds the app instead, when the deploy could read it from the deploy claim. */
  readonly supersededBy?: string;
  readonly reason?: string;
}

/** Reads a succeeded deploy's output (a JSON string, as DescribeExecution and the status event give it): superseded or not. */
export function supersededDeploy(output: string | null | undefined): SupersededDeploy | undefined {
  if (!output) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || (parsed as { outcome?: unknown }).outcome !== DEPLOY_SUPERSEDED) return undefined;
  const o = parsed as { supersededBy?: unknown; reason?: unknown };
  return { ...(typeof o.supersededBy === 'string' ? { supersededBy: o.supersededBy } : {}), ...(typeof o.reason === 'string' ? { reason: o.reason } : {}) };
}
