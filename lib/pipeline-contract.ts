/**
 * The contract between the ASL files in `statemachines/` and the CDK construct that deploys them: the
 * Lambda handlers each pipeline uses and the `${Placeholder}` substitutions each file expects. The local
 * runner (lib/local) fills the same placeholders with a simulated account's ARNs, and a test checks that
 * every file's placeholders are exactly the keys listed here.
 */

/** One folder per handler under `functions/`. */
export const PIPELINE_FUNCTIONS = {
  /** Turns a CodeBuild "Build State Change" event into a typed build record, or fails with InvalidEvent. */
  parseBuildEvent: 'parse-build-event',
  /** Registers (or reuses) one task-definition revision per process type for a build's image. */
  registerTaskDefinitions: 'register-task-definitions',
  /** Turns the stopped release task (or RunTask's failure) into a verdict; ReleaseFailed on failure. */
  checkReleaseTask: 'check-release-task',
  /** Creates the ECS service of a process type if missing (with autoscaling), else updates it. */
  updateService: 'update-service',
  /** Stores the deploy's task token for the ECS deployment it waits on; resumes at once if settled. */
  waitForDeployment: 'wait-for-deployment',
  /** Final check of a deployment when the wait timed out (the events may have been lost). */
  checkDeployment: 'check-deployment',
  /** ECS "Deployment State Change" events (and a 5-minute sweep) resume the waiting deploys. */
  deploymentEvents: 'deployment-events',
} as const;

export type PipelineFunctionKey = keyof typeof PIPELINE_FUNCTIONS;

/** The state machines, each `statemachines/<name>.asl.json`. */
export const STATE_MACHINES = ['build', 'release', 'deploy'] as const;
export type StateMachineName = (typeof STATE_MACHINES)[number];

/** What a placeholder stands for. */
export type Substitution =
  | { kind: 'appName' }
  | { kind: 'tableName' }
  | { kind: 'clusterArn' }
  | { kind: 'function'; fn: PipelineFunctionKey }
  | { kind: 'stateMachine'; name: StateMachineName };

/** The substitutions of each state machine, by placeholder name. */
export const SUBSTITUTIONS: Record<StateMachineName, Record<string, Substitution>> = {
  build: {
    AppName: { kind: 'appName' },
    AppTableName: { kind: 'tableName' },
    ParseBuildEventFunctionArn: { kind: 'function', fn: 'parseBuildEvent' },
    RegisterTaskDefinitionsFunctionArn: { kind: 'function', fn: 'registerTaskDefinitions' },
    ReleaseStateMachineArn: { kind: 'stateMachine', name: 'release' },
  },
  release: {
    AppName: { kind: 'appName' },
    AppTableName: { kind: 'tableName' },
    ClusterArn: { kind: 'clusterArn' },
    CheckReleaseTaskFunctionArn: { kind: 'function', fn: 'checkReleaseTask' },
    DeployStateMachineArn: { kind: 'stateMachine', name: 'deploy' },
  },
  deploy: {
    AppName: { kind: 'appName' },
    AppTableName: { kind: 'tableName' },
    UpdateServiceFunctionArn: { kind: 'function', fn: 'updateService' },
    WaitForDeploymentFunctionArn: { kind: 'function', fn: 'waitForDeployment' },
    CheckDeploymentFunctionArn: { kind: 'function', fn: 'checkDeployment' },
  },
};

/** Source of the milestone events the pipelines put on the default event bus. */
export const MILESTONE_SOURCE = 'slipway';

/**
 * The milestone events' detail types. Every event's detail has `app`, `buildKey` and `execution` (the
 * execution's ARN); "Build Recorded" adds `status`, `commit`, `image`, `logLink`; "Deploy Started" adds
 * `processes`; "Deploy Succeeded" adds `image`; the failures add `error` and `cause`.
 */
export const MILESTONES = ['Build Recorded', 'Build Failed', 'Release Started', 'Release Succeeded', 'Release Failed', 'Deploy Started', 'Deploy Succeeded', 'Deploy Failed', 'Deploy Rolled Back'] as const;
export type Milestone = (typeof MILESTONES)[number];

/** The milestones an on-call engineer is told about (Slipway's SNS topic subscribes to these). */
export const FAILURE_MILESTONES: readonly Milestone[] = ['Build Failed', 'Release Failed', 'Deploy Failed', 'Deploy Rolled Back'];

/** Name of a state machine in AWS: `<prefix>-<app>-<pipeline>`. */
export function stateMachineName(prefix: string, app: string, pipeline: StateMachineName): string {
  return `${prefix}-${app}-${pipeline}`;
}

/** ECS service name of an app's process type. */
export function serviceName(app: string, process: string): string {
  return `${app}-${process}`;
}

/** Task-definition family of an app's process type: `<prefix>-<app>-<process>`. */
export function taskDefinitionFamily(prefix: string, app: string, process: string): string {
  return `${prefix}-${app}-${process}`;
}

/** The `${Placeholder}` names an ASL document uses. */
export function aslPlaceholders(definition: string): Set<string> {
  return new Set([...definition.matchAll(/\$\{([A-Za-z0-9]+)\}/g)].map((m) => m[1]));
}
