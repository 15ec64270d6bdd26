/**
 * Execution histories shaped as Step Functions returns them (GetExecutionHistory) for pipelines that
 * follow docs/design.md's "a failure stays where it happens": the event sequences of the recorded AWS
 * histories in test/fixtures/aws-histories (README rules 1-5: an uncaught failure has no
 * `...StateExited` and ExecutionFailed repeats its error; a Fail state has no exit; retries repeat the
 * scheduling events inside one state; a failed Map iteration gives MapIterationFailed, MapStateFailed),
 * with ids, previousEventId chains (a Map's iterations interleave; each iteration's events chain back to
 * its MapIterationStarted) and timestamps given deterministically, and our state names.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const APP = 'example';
export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:slipway-example-${name}`;
/** An execution of the shared control plane's state machine of `pipeline` (the cluster "production"). */
export const execArn = (pipeline: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-production-${pipeline}:${name}`;
export const T0 = new Date('2026-11-20T10:00:00.000Z');

/** Appends events with increasing ids and timestamps. */
export class HistoryBuilder {
  public readonly events: HistoryEvent[] = [];
  private clock = T0.getTime();

  /** Adds one event `seconds` after the previous one; returns its id. */
  public add(type: string, previousEventId: number | undefined, details: Partial<HistoryEvent> = {}, seconds = 1): number {
    this.clock += seconds * 1000;
    const id = this.events.length + 1;
    this.events.push({ id, previousEventId: previousEventId ?? (id > 1 ? id - 1 : 0), timestamp: new Date(this.clock), type: type as HistoryEvent['type'], ...details });
    return id;
  }

  public entered(type: string, name: string, prev: number, input: unknown = {}): number {
    return this.add(`${type}StateEntered`, prev, { stateEnteredEventDetails: { name, input: JSON.stringify(input), inputDetails: { truncated: false } } });
  }

  public exited(type: string, name: string, prev: number, output: unknown = {}): number {
    return this.add(`${type}StateExited`, prev, { stateExitedEventDetails: { name, output: JSON.stringify(output), outputDetails: { truncated: false } } });
  }

  /** TaskScheduled + TaskStarted; returns the TaskStarted id. */
  public schedule(prev: number, resourceType: string, resource: string, parameters: unknown, seconds = 1): number {
    const scheduled = this.add('TaskScheduled', prev, { taskScheduledEventDetails: { resourceType, resource, region: REGION, parameters: JSON.stringify(parameters) } }, seconds);
    return this.add('TaskStarted', scheduled, { taskStartedEventDetails: { resourceType, resource } });
  }

  public taskFailed(prev: number, resourceType: string, resource: string, error: string, cause: string, seconds = 1): number {
    return this.add('TaskFailed', prev, { taskFailedEventDetails: { resourceType, resource, error, cause } }, seconds);
  }

  public taskSucceeded(prev: number, resourceType: string, resource: string, output: unknown, seconds = 1): number {
    return this.add('TaskSucceeded', prev, { taskSucceededEventDetails: { resourceType, resource, output: JSON.stringify(output), outputDetails: { truncated: false } } }, seconds);
  }

  /** A lambda:invoke Task state that succeeds on its first attempt; returns the TaskStateExited id. */
  public lambdaTask(name: string, fn: string, prev: number, seconds = 2): number {
    const entered = this.entered('Task', name, prev);
    const started = this.schedule(entered, 'lambda', 'invoke', { FunctionName: fnArn(fn), Payload: {} });
    const ok = this.taskSucceeded(started, 'lambda', 'invoke', { Payload: {}, StatusCode: 200 }, seconds);
    return this.exited('Task', name, ok);
  }

  /** A dynamodb Task state that succeeds; returns the TaskStateExited id. */
  public dynamoTask(name: string, action: string, prev: number): number {
    const entered = this.entered('Task', name, prev);
    const started = this.schedule(entered, 'dynamodb', action, { TableName: 'ExampleAppStack-PipelinesTable' });
    const ok = this.taskSucceeded(started, 'dynamodb', action, {});
    return this.exited('Task', name, ok);
  }
}

const lambdaCause = (type: string, message: string) => JSON.stringify({ errorType: type, errorMessage: message, trace: [`${type}: ${message}`, '    at handler (/var/task/index.js:1:100)'] });

export const ROLLBACK_CAUSE = 'ECS deployment ecs-svc/123 of service example--web was rolled back by the deployment circuit breaker: tasks failed to start (3 of 3). Revision 41 is running again.';
export const DEPLOY_TASK = 'Update the service and wait for its deployment';
export const DEPLOY_MAP = 'Deploy each process type';

/**
 * `example--42-deploy`: two processes (web, worker) deployed by the Map, each iteration one
 * `.waitForTaskToken` Task; web's first update is throttled once and retried (no event marks a retry:
 * the attempt's events repeat inside the state, README rule 3); worker's deployment completes and its
 * iteration succeeds; then web's deployment is rolled back by the circuit breaker (DeploymentRolledBack),
 * uncaught: MapIterationFailed, MapStateFailed, ExecutionFailed with the inner error (README rule 4).
 * Iterations interleave; each event points at the previous event of its own iteration.
 */
export function deployIterationFailed(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: JSON.stringify({ app: APP }), roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy` } });
  const claim = h.dynamoTask('Claim the app for this build', 'updateItem', start);
  const mapEntered = h.entered('Map', DEPLOY_MAP, claim);
  const mapStarted = h.add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 2 } });
  const it0 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 0 } });
  const it1 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: DEPLOY_MAP, index: 1 } });
  const web = h.entered('Task', DEPLOY_TASK, it0, { process: 'web' });
  const worker = h.entered('Task', DEPLOY_TASK, it1, { process: 'worker' });
  const params = (process: string) => ({ FunctionName: fnArn('deploy-process'), Payload: { process } });
  const webStarted = h.schedule(web, 'lambda', 'invoke.waitForTaskToken', params('web'));
  const workerStarted = h.schedule(worker, 'lambda', 'invoke.waitForTaskToken', params('worker'));
  const webThrottled = h.taskFailed(webStarted, 'lambda', 'invoke.waitForTaskToken', 'Lambda.TooManyRequestsException', 'Rate Exceeded. (Service: Lambda, Status Code: 429)');
  const workerSubmitted = h.add('TaskSubmitted', workerStarted, { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"StatusCode":200}' } });
  const webRetryStarted = h.schedule(webThrottled, 'lambda', 'invoke.waitForTaskToken', params('web'), 4);
  const webSubmitted = h.add('TaskSubmitted', webRetryStarted, { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"StatusCode":200}' } });
  const workerOk = h.taskSucceeded(workerSubmitted, 'lambda', 'invoke.waitForTaskToken', { state: 'COMPLETED' }, 60);
  const workerExit = h.exited('Task', DEPLOY_TASK, workerOk);
  h.add('MapIterationSucceeded', workerExit, { mapIterationSucceededEventDetails: { name: DEPLOY_MAP, index: 1 } });
  const webFailed = h.taskFailed(webSubmitted, 'lambda', 'invoke.waitForTaskToken', 'DeploymentRolledBack', ROLLBACK_CAUSE, 120);
  const itFailed = h.add('MapIterationFailed', webFailed, { mapIterationFailedEventDetails: { name: DEPLOY_MAP, index: 0 } });
  const mapFailed = h.add('MapStateFailed', itFailed);
  h.add('ExecutionFailed', mapFailed, { executionFailedEventDetails: { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE } });
  return h;
}

export const RELEASE_TASK_ARN = `arn:aws:ecs:${REGION}:${ACCOUNT}:task/production/0f1e2d3c4b5a`;
/** The release plan in the release execution's input: where the release task's logs go. */
export const RELEASE_INPUT = { app: APP, release: { logGroup: '/slipway/apps/example', containerName: 'web', region: REGION } };
export const RELEASE_LOG_LINK = `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Fslipway$252Fapps$252Fexample/log-events/web$252Fweb$252F0f1e2d3c4b5a`;

/**
 * The cause of `States.TaskFailed` from `ecs:runTask.sync`: the JSON of the final ECS task, PascalCase,
 * not wrapped in `Tasks[]` (recorded: test/fixtures/aws-histories/06b-ecs-runtask-sync-failure.json).
 */
export function ecsTaskCause(container: { ExitCode?: number; Reason?: string }, stop: { StopCode: string; StoppedReason: string }): string {
  return JSON.stringify({
    ClusterArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/production`,
    Containers: [{ ContainerArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:container/production/0f1e2d3c4b5a/1`, Name: 'web', Image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/slipway/example:build-42`, LastStatus: 'STOPPED', TaskArn: RELEASE_TASK_ARN, ...container }],
    DesiredStatus: 'STOPPED',
    LastStatus: 'STOPPED',
    LaunchType: 'FARGATE',
    StartedBy: 'AWS Step Functions',
    TaskArn: RELEASE_TASK_ARN,
    TaskDefinitionArn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/slipway-example--web:42`,
    ...stop,
  });
}

export const RELEASE_EXIT_1_CAUSE = ecsTaskCause({ ExitCode: 1 }, { StopCode: 'EssentialContainerExited', StoppedReason: 'Essential container in task exited' });

/**
 * `example--42-release`: "Run release task" (`ecs:runTask.sync`) — the release command exits 1;
 * States.TaskFailed, uncaught, so the execution fails at that Task with the same error and cause
 * (the shape of 06b-ecs-runtask-sync-failure.json, after our "Does the app have a release command?").
 */
export function releaseTaskFailed(cause = RELEASE_EXIT_1_CAUSE): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: JSON.stringify(RELEASE_INPUT) } });
  const choice = h.entered('Choice', 'Does the app have a release command?', start);
  const choiceOut = h.exited('Choice', 'Does the app have a release command?', choice);
  const run = h.entered('Task', 'Run release task', choiceOut);
  const runStarted = h.schedule(run, 'ecs', 'runTask.sync', { Cluster: `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/production` });
  const submitted = h.add('TaskSubmitted', runStarted, { taskSubmittedEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', output: JSON.stringify({ Tasks: [{ TaskArn: RELEASE_TASK_ARN }] }) } });
  const failed = h.taskFailed(submitted, 'ecs', 'runTask.sync', 'States.TaskFailed', cause, 45);
  h.add('ExecutionFailed', failed, { executionFailedEventDetails: { error: 'States.TaskFailed', cause } });
  return h;
}

/** `example--42-release` still running: the release task was submitted and has not stopped. */
export function releaseRunning(): HistoryBuilder {
  const h = releaseTaskFailed();
  h.events.splice(h.events.length - 2);
  return h;
}

/** A build execution: "Register task definitions" fails with a Lambda error after its retries, uncaught. */
export function buildFailedInLambda(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
  const read = h.lambdaTask('Read the build event', 'parse-build-event', start);
  const record = h.dynamoTask('Record the build', 'updateItem', read);
  const register = h.entered('Task', 'Register task definitions', record);
  let prev = register;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = h.schedule(prev, 'lambda', 'invoke', { FunctionName: fnArn('register-task-definitions'), Payload: { build: { buildKey: '43' } } }, attempt === 0 ? 1 : 2 ** attempt);
    prev = h.taskFailed(started, 'lambda', 'invoke', attempt < 2 ? 'TransientError' : 'SettingsNotFound', lambdaCause(attempt < 2 ? 'TransientError' : 'SettingsNotFound', attempt < 2 ? 'ECS ListTaskDefinitions throttled' : "the app's settings record is missing"));
  }
  h.add('ExecutionFailed', prev, { executionFailedEventDetails: { error: 'SettingsNotFound', cause: lambdaCause('SettingsNotFound', "the app's settings record is missing") } });
  return h;
}

/** A deploy that succeeds (one process). */
export function deploySucceeded(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
  const claim = h.dynamoTask('Claim the app for this build', 'updateItem', start);
  const mapEntered = h.entered('Map', DEPLOY_MAP, claim);
  const mapStarted = h.add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 1 } });
  const it0 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 0 } });
  const update = h.lambdaTask(DEPLOY_TASK, 'deploy-process', it0);
  const itOk = h.add('MapIterationSucceeded', update, { mapIterationSucceededEventDetails: { name: 'Deploy each process type', index: 0 } });
  // MapStateSucceeded and MapStateExited both point at the last MapIterationSucceeded.
  h.add('MapStateSucceeded', itOk);
  const mapExit = h.exited('Map', 'Deploy each process type', itOk);
  const rec = h.dynamoTask('Record the release', 'putItem', mapExit);
  const rec2 = h.dynamoTask('Record the release in the build history', 'updateItem', rec);
  const ok = h.entered('Succeed', 'Deploy succeeded', rec2);
  const okOut = h.exited('Succeed', 'Deploy succeeded', ok);
  h.add('ExecutionSucceeded', okOut, { executionSucceededEventDetails: { output: '{}' } });
  return h;
}

/** Splits events into GetExecutionHistory pages of `size`, with nextToken between them. */
export function pages(events: HistoryEvent[], size: number): { events: HistoryEvent[]; nextToken?: string }[] {
  const out: { events: HistoryEvent[]; nextToken?: string }[] = [];
  for (let i = 0; i < events.length; i += size) out.push({ events: events.slice(i, i + size), ...(i + size < events.length ? { nextToken: `token-${i + size}` } : {}) });
  return out;
}
