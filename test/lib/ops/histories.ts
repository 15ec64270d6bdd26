/**
 * Execution histories shaped as Step Functions returns them for our ASL files: real event type names,
 * ids and previousEventId chains (a Map's iterations interleave; each iteration's events chain back to
 * its MapIterationStarted; MapIterationFailed/MapStateFailed and MapStateSucceeded/MapStateExited point
 * at the iteration's last event, as Step Functions writes them), Task attempts as TaskScheduled/TaskStarted/TaskFailed|TaskSucceeded, and
 * `arn:aws:states:::lambda:invoke` tasks with resourceType "lambda", resource "invoke".
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';
export const APP = 'example';
export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:slipway-example-${name}`;
export const execArn = (pipeline: string, name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:execution:slipway-${APP}-${pipeline}:${name}`;
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

export const ROLLBACK_CAUSE = 'ECS deployment ecs-svc/123 of service example-web was rolled back by the deployment circuit breaker: tasks failed to start (3 of 3). Revision 41 is running again.';

/**
 * `example-42-deploy`: two processes (web, worker) deployed by the Map; web's "Create or update the
 * service" is throttled once and retried; web's deployment is rolled back by the circuit breaker
 * (DeploymentRolledBack, not retried), which fails its iteration; worker's iteration is aborted; the Map's
 * Catch records the failure and the execution ends in "Deploy failed".
 */
export function deployFailedInMap(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: JSON.stringify({ app: APP }), roleArn: `arn:aws:iam::${ACCOUNT}:role/deploy` } });
  const claim = h.dynamoTask('Claim the app for this build', 'updateItem', start);
  const mapEntered = h.entered('Map', 'Deploy each process type', claim);
  const mapStarted = h.add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 2 } });
  const it0 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 0 } });
  const it1 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 1 } });
  // Iteration 0 (web) and 1 (worker) interleave.
  const web1 = h.entered('Task', 'Create or update the service', it0, { process: 'web' });
  const worker1 = h.entered('Task', 'Create or update the service', it1, { process: 'worker' });
  const webStarted = h.schedule(web1, 'lambda', 'invoke', { FunctionName: fnArn('update-service'), Payload: { process: 'web' } });
  const workerStarted = h.schedule(worker1, 'lambda', 'invoke', { FunctionName: fnArn('update-service'), Payload: { process: 'worker' } });
  const webThrottled = h.taskFailed(webStarted, 'lambda', 'invoke', 'Lambda.TooManyRequestsException', 'Rate Exceeded. (Service: Lambda, Status Code: 429)');
  const workerOk = h.taskSucceeded(workerStarted, 'lambda', 'invoke', { Payload: { state: 'IN_PROGRESS' } });
  const webRetryStarted = h.schedule(webThrottled, 'lambda', 'invoke', { FunctionName: fnArn('update-service'), Payload: { process: 'web' } }, 4);
  const workerExit = h.exited('Task', 'Create or update the service', workerOk);
  const webOk = h.taskSucceeded(webRetryStarted, 'lambda', 'invoke', { Payload: { state: 'IN_PROGRESS' } });
  const webExit = h.exited('Task', 'Create or update the service', webOk);
  const webChoice = h.entered('Choice', 'Is the service already on this release?', webExit);
  const workerChoice = h.entered('Choice', 'Is the service already on this release?', workerExit);
  const webChoiceOut = h.exited('Choice', 'Is the service already on this release?', webChoice);
  const workerChoiceOut = h.exited('Choice', 'Is the service already on this release?', workerChoice);
  const webWait = h.entered('Task', 'Wait for the deployment', webChoiceOut);
  const workerWait = h.entered('Task', 'Wait for the deployment', workerChoiceOut);
  const webWaitStarted = h.schedule(webWait, 'lambda', 'invoke.waitForTaskToken', { FunctionName: fnArn('wait-for-deployment'), Payload: { process: 'web' } });
  const workerWaitStarted = h.schedule(workerWait, 'lambda', 'invoke.waitForTaskToken', { FunctionName: fnArn('wait-for-deployment'), Payload: { process: 'worker' } });
  const webSubmitted = h.add('TaskSubmitted', webWaitStarted, { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"StatusCode":200}' } });
  const workerSubmitted = h.add('TaskSubmitted', workerWaitStarted, { taskSubmittedEventDetails: { resourceType: 'lambda', resource: 'invoke.waitForTaskToken', output: '{"StatusCode":200}' } });
  // As Step Functions writes it: the failed Task is marked aborted, MapIterationFailed and MapStateFailed
  // both point at the iteration's failure, the sibling's running Task is aborted, and the caught Map exits.
  const webFailed = h.taskFailed(webSubmitted, 'lambda', 'invoke.waitForTaskToken', 'DeploymentRolledBack', ROLLBACK_CAUSE, 180);
  h.add('TaskStateAborted', webFailed);
  h.add('MapIterationFailed', webFailed, { mapIterationFailedEventDetails: { name: 'Deploy each process type', index: 0 } });
  const workerAborted = h.add('TaskStateAborted', workerSubmitted);
  h.add('MapIterationAborted', workerAborted, { mapIterationAbortedEventDetails: { name: 'Deploy each process type', index: 1 } });
  const mapFailed = h.add('MapStateFailed', webFailed);
  const mapExited = h.exited('Map', 'Deploy each process type', mapFailed, { Error: 'DeploymentRolledBack', Cause: ROLLBACK_CAUSE });
  const record = h.dynamoTask('Record the failed deploy', 'updateItem', mapExited);
  const fail = h.entered('Fail', 'Deploy failed', record);
  h.add('ExecutionFailed', fail, { executionFailedEventDetails: { error: 'DeploymentRolledBack', cause: ROLLBACK_CAUSE } });
  return h;
}

export const RELEASE_LOG_LINK = `https://${REGION}.console.aws.amazon.com/cloudwatch/home?region=${REGION}#logsV2:log-groups/log-group/$252Fslipway$252Fapps$252Fexample/log-events/web$252Fweb$252Fabc123`;
export const RELEASE_CAUSE = `the release command exited with code 1 in container "web"; stop code EssentialContainerExited: Essential container in task exited. Logs: ${RELEASE_LOG_LINK}`;

/** `example-42-release`: the release task exits 1 (States.TaskFailed, caught), is judged, ReleaseFailed. */
export function releaseFailed(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
  const choice = h.entered('Choice', 'Does the app have a release command?', start);
  const choiceOut = h.exited('Choice', 'Does the app have a release command?', choice);
  const run = h.entered('Task', 'Run release task', choiceOut);
  const runStarted = h.schedule(run, 'ecs', 'runTask.sync', { Cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/production' });
  const submitted = h.add('TaskSubmitted', runStarted, { taskSubmittedEventDetails: { resourceType: 'ecs', resource: 'runTask.sync', output: JSON.stringify({ Tasks: [{ TaskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/production/abc123' }] }) } });
  const task = { taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/production/abc123', stopCode: 'EssentialContainerExited', containers: [{ name: 'web', exitCode: 1 }] };
  const failed = h.taskFailed(submitted, 'ecs', 'runTask.sync', 'States.TaskFailed', JSON.stringify(task), 65);
  const runExit = h.exited('Task', 'Run release task', failed);
  const judge = h.lambdaTask('Judge the failed release task', 'check-release-task', runExit);
  const did = h.entered('Choice', 'Did the release succeed?', judge);
  const didOut = h.exited('Choice', 'Did the release succeed?', did);
  const keep = h.entered('Pass', 'Keep the release verdict', didOut);
  const keepOut = h.exited('Pass', 'Keep the release verdict', keep);
  const record = h.dynamoTask('Record the failed release', 'updateItem', keepOut);
  const fail = h.entered('Fail', 'Release failed', record);
  h.add('ExecutionFailed', fail, { executionFailedEventDetails: { error: 'ReleaseFailed', cause: RELEASE_CAUSE } });
  return h;
}

/** A build execution: "Register task definitions" fails with a Lambda error after its retries. */
export function buildFailedInLambda(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
  const read = h.lambdaTask('Read the build event', 'parse-build-event', start);
  const usable = h.entered('Choice', 'Is the event usable?', read);
  const usableOut = h.exited('Choice', 'Is the event usable?', usable);
  const record = h.dynamoTask('Record the build', 'updateItem', usableOut);
  const deploy = h.entered('Choice', 'Is this a build to deploy?', record);
  const deployOut = h.exited('Choice', 'Is this a build to deploy?', deploy);
  const register = h.entered('Task', 'Register task definitions', deployOut);
  let prev = register;
  for (let attempt = 0; attempt < 3; attempt++) {
    const started = h.schedule(prev, 'lambda', 'invoke', { FunctionName: fnArn('register-task-definitions'), Payload: { build: { buildKey: '43' } } }, attempt === 0 ? 1 : 2 ** attempt);
    prev = h.taskFailed(started, 'lambda', 'invoke', attempt < 2 ? 'TransientError' : 'SettingsNotFound', lambdaCause(attempt < 2 ? 'TransientError' : 'SettingsNotFound', attempt < 2 ? 'ECS ListTaskDefinitions throttled' : "the app's settings record is missing"));
  }
  // Caught: the handler state's entry points straight at the last TaskFailed (no TaskStateExited).
  const rec = h.dynamoTask('Record the failed build pipeline', 'updateItem', prev);
  const fail = h.entered('Fail', 'Build pipeline failed', rec);
  h.add('ExecutionFailed', fail, { executionFailedEventDetails: { error: 'SettingsNotFound', cause: lambdaCause('SettingsNotFound', "the app's settings record is missing") } });
  return h;
}

/** A deploy that succeeds (two processes). */
export function deploySucceeded(): HistoryBuilder {
  const h = new HistoryBuilder();
  const start = h.add('ExecutionStarted', 0, { executionStartedEventDetails: { input: '{}' } });
  const claim = h.dynamoTask('Claim the app for this build', 'updateItem', start);
  const mapEntered = h.entered('Map', 'Deploy each process type', claim);
  const mapStarted = h.add('MapStateStarted', mapEntered, { mapStateStartedEventDetails: { length: 1 } });
  const it0 = h.add('MapIterationStarted', mapStarted, { mapIterationStartedEventDetails: { name: 'Deploy each process type', index: 0 } });
  const update = h.lambdaTask('Create or update the service', 'update-service', it0);
  const pass = h.entered('Pass', 'Service runs the new release', update);
  const passOut = h.exited('Pass', 'Service runs the new release', pass);
  const itOk = h.add('MapIterationSucceeded', passOut, { mapIterationSucceededEventDetails: { name: 'Deploy each process type', index: 0 } });
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
