import './polyfills';
import './quiet';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { setMaxListeners } from 'node:events';
import { taskStates, type AslStates } from '../asl';
import { CONTROL_PLANE_ENV, executionStatusEventPattern, STATE_MACHINES, type PipelineFunctionKey, type StateMachineName } from '../../domain/pipelines';
import { APP_NAME, appScopedName, controlPlaneFunctionName, stateMachineName } from '../../domain/names';
import { SimulatedAwsError } from './aws-error';
import { mockAwsClients } from './client-mocks';
import { SimulatedControlPlaneRules } from './control-plane-rules';
import { useParameterCacheScope } from '../../functions/shared/parameter-cache';
import { LocalDefinitions, SIMULATED_WAIT } from './definitions';
import { MAX_PAYLOAD_BYTES, redrivePlan, runAttempt, type AttemptResult } from './engine';
import { deterministicUuid, type EventPattern, type ExecutionStatusEvent } from './event-patterns';
import { buildWorld, loadWorld } from './load-world';
import { buildReport, StateList, type RunReport } from './report';
import { RetryWaits, seededRandom, type Retrier } from './retry-clock';
import { LocalRunError } from './run-error';
import { MAX_EXECUTION_SECONDS, resolveTimeout } from './task-timeouts';
import { dynamoDbTask } from './services/dynamodb';
import { SimulatedLambda } from './services/lambda';
import { executionNameProblem, redriveRefusal, SimulatedStepFunctions, type ExecutionReport } from './services/stepfunctions';
import type { World } from './world';
import type { WorldFile } from './world-schema';
import { fixedWorld } from './world-patch';
import type { JsonValue } from '../../domain/json';

/**
 * Runs Slipway's pipelines locally: the real ASL files (lib/local/definitions.ts) on
 * aws-local-stepfunctions (lib/local/engine.ts), each Task state answered by the real handler
 * (services/lambda.ts) or by the simulated account ({@link World}, its services in lib/local/services/),
 * on the simulated clock. This file runs executions: starting, redriving, and moving the clock until
 * they end.
 */

export { MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES } from './engine';
export { controlTableName } from './load-world';
export type { RunReport } from './report';
export { LocalRunError } from './run-error';
export { fixedWorld } from './world-patch';
export { executionNameProblem, redriveRefusal, type ExecutionReport, type StateVisit } from './services/stepfunctions';


/** What to run. */
export interface LocalRunOptions {
  readonly pipeline: StateMachineName;
  readonly input: unknown;
  readonly world?: WorldFile;
  /** Repository root (ASL files, config). @default process.cwd() */
  readonly rootDir?: string;
  /**
   * After the run, the operator fixes the cause: this JSON Merge Patch (RFC 7396) is merged into the
   * world, and the chain's failed execution is redriven once. @default no redrive
   */
  readonly redriveWith?: unknown;
}

/**
 * Extra answers for Task resources the runner does not model, keyed by the Task's `Resource` (after
 * substitution): called with the state's effective parameters and the simulated account.
 */
export type LocalTaskHandler = (params: Record<string, unknown>, world: World) => Promise<unknown>;

/** Optional changes to what a {@link LocalRun} executes, for benchmarks and experiments. */
export interface LocalRunExtras {
  /** Run this ASL file (absolute path) instead of `statemachines/<name>.asl.json`. @default none */
  readonly aslFiles?: Partial<Record<StateMachineName, string>>;
  /** Answers for more Task resources. @default none */
  readonly taskHandlers?: Readonly<Record<string, LocalTaskHandler>>;
}

/** An execution's state in the runner: running, and how many of its states wait on the simulated clock. */
interface RunState {
  running: boolean;
  waits: number;
}

/** Task resources that wait on the simulated clock themselves (the others take no simulated time). */
const TIME_WAITS: ReadonlySet<string> = new Set(['arn:aws:states:::lambda:invoke.waitForTaskToken', 'arn:aws:states:::ecs:runTask.sync']);

/**
 * Runs Slipway's pipelines locally: the real ASL files on aws-local-stepfunctions, each Task state
 * answered by the real handler or by the simulated account ({@link World}).
 */
export class LocalRun {
  readonly world: World;
  readonly app: string;
  readonly executions: ExecutionReport[] = [];
  /** State transitions so far, as Step Functions bills them: every state entered and every retry. */
  transitions = 0;
  /** Each state machine's ARN. */
  private readonly arns = {} as Record<StateMachineName, string>;
  private readonly definitions: LocalDefinitions;
  private readonly lambda: SimulatedLambda;
  private readonly stepFunctions: SimulatedStepFunctions;
  private readonly queue: ExecutionReport[] = [];
  /** Executions running concurrently (started by simulated EventBridge rules), until they end. */
  private readonly concurrent = new Set<Promise<void>>();
  /** The control plane's rules on Parameter Store changes and milestones, and each app's registration. */
  readonly rules: SimulatedControlPlaneRules;
  private readonly mocks: { restore: () => void }[] = [];
  /** The deployment's prefix (config `prefix`). */
  readonly prefix: string;
  /** The shared control plane the run simulates: named after the cluster of the world's `app`. */
  readonly controlPlane: string;

  constructor(
    world: WorldFile = {},
    rootDir = process.cwd(),
    private readonly extras: LocalRunExtras = {},
  ) {
    const loaded = loadWorld(world, rootDir);
    const { spec } = loaded;
    this.app = loaded.settings.app;
    this.prefix = loaded.prefix;
    this.controlPlane = loaded.controlPlane;
    const clusterArn = loaded.settings.cluster;
    this.world = buildWorld(loaded);
    this.rules = new SimulatedControlPlaneRules(this.world, this.prefix, this.controlPlane);
    for (const s of loaded.hosted) this.rules.registerApp(s);
    // Time moves on only when every running execution waits on the clock (none is between states or in a Lambda).
    this.world.clock.isQuiet = () => this.busyTasks === 0 && [...this.running].every((r) => r.waits > 0 || !r.running);
    // The control plane's Parameter Store Change rule: changes under /<prefix>/apps/ start config-change.
    this.world.ssm.onChange = (event) => {
      if (this.rules.parameterChangeMatches(event)) this.startConcurrently('config-change', event);
    };

    const base = `arn:aws:states:${spec.region}:${spec.account}`;
    for (const sm of STATE_MACHINES) this.arns[sm] = `${base}:stateMachine:${stateMachineName(this.prefix, this.controlPlane, sm)}`;
    const environment = {
      [CONTROL_PLANE_ENV.prefix]: this.prefix,
      [CONTROL_PLANE_ENV.clusterArn]: clusterArn,
      [CONTROL_PLANE_ENV.controlTable]: this.world.controlTableName,
      [CONTROL_PLANE_ENV.stateMachineArns]: JSON.stringify(Object.fromEntries(STATE_MACHINES.map((sm) => [sm, this.arns[sm]]))),
      ...this.rules.environment,
      // Lambda always sets AWS_REGION; a real AWS command in the same CLI process resolves its own.
      AWS_REGION: spec.region,
    };
    this.lambda = new SimulatedLambda(
      `arn:aws:lambda:${spec.region}:${spec.account}:function:`,
      (key) => controlPlaneFunctionName(this.prefix, this.controlPlane, key),
      () => environment,
      () => this.world.clock.dateAt(this.world.now).getTime(),
    );
    this.definitions = new LocalDefinitions(rootDir, clusterArn, { ...this.arns, ...this.lambda.arns }, extras.aslFiles);
    this.stepFunctions = new SimulatedStepFunctions(this.world, this.executions, this.arns);
    // The ECS deployment events rule, and the sweep schedule while a Task waits on a task token.
    this.world.ecs.onDeploymentEvent = async (event) => {
      await this.lambda.invoke('deploymentEvents', event);
    };
    // Two schedules (lib/constructs/control-plane/rules.ts): the deadline check every minute invokes
    // deployment-events (deploys past their timeout, lost ECS events), the 5-minute sweep invokes
    // execution-status (missed status events). Each rule invokes its target when due.
    this.world.clock.onSweep = async (due) => {
      const sweep = { 'detail-type': 'Scheduled Event', source: 'aws.events', time: this.world.isoNow(), detail: {} };
      if (due.deadlineCheck) await this.lambda.invoke('deploymentEvents', sweep);
      if (due.sweep) await this.lambda.invoke('executionStatus', sweep);
    };
    // The control plane's rule on its state machines' status changes: the failure bookkeeping runs outside the executions.
    this.addStatusRule(executionStatusEventPattern(STATE_MACHINES.map((sm) => this.arns[sm])) as unknown as EventPattern, (event) => this.lambda.invoke('executionStatus', event));
  }

  /** Lambda invocations so far. */
  get lambdaInvocations(): number {
    return this.lambda.invocations;
  }

  /** The most Lambda invocations in progress at once, and the synchronous ones refused past the account's concurrency. */
  get lambdaConcurrency(): { peak: number; throttled: number } {
    return { peak: this.lambda.peakConcurrency, throttled: this.lambda.throttled };
  }

  /** Lambda invocations so far of one of the control plane's functions. */
  lambdaInvocationsOf(fn: PipelineFunctionKey): number {
    return this.lambda.invocationsOf[fn] ?? 0;
  }

  /** Every "Step Functions Execution Status Change" event the simulated account emitted, in order. */
  get statusEvents(): ExecutionStatusEvent[] {
    return this.stepFunctions.statusEvents;
  }

  /** Rule targets that failed (EventBridge would retry them, then drop the event). */
  get targetFailures(): { event: string; error: string; message: string }[] {
    return this.world.eventBus.targetFailures;
  }

  /** Adds an EventBridge rule for execution status changes (as the app stack does), delivering to `target`. */
  addStatusRule(pattern: EventPattern, target: (event: ExecutionStatusEvent) => Promise<unknown>): void {
    this.world.eventBus.addRule(pattern, target);
  }

  /**
   * Step Functions sends an execution's status changes to the default bus (services/stepfunctions.ts);
   * a matching rule's target runs beside the executions, as a Lambda target would.
   */
  private publishStatus(exec: ExecutionReport): void {
    this.world.eventBus.deliver(this.stepFunctions.statusChangeEvent(exec), (delivery) => {
      this.busyTasks += 1;
      const done: Promise<void> = delivery().finally(() => {
        this.busyTasks -= 1;
        this.concurrent.delete(done);
      });
      this.concurrent.add(done);
    });
  }

  /**
   * The name an execution started without one gets. An EventBridge rule's target starts it named after
   * the event: the event id, an underscore and a UUID (73 characters for a UUID event id); a start of an
   * app's pipeline from the CLI is named under its app, `<app>--<UUID>` (the deploy refuses a name of
   * another app's), anything else gets a UUID, as StartExecution does when no name is given.
   */
  private defaultName(pipeline: StateMachineName, input: unknown): string {
    const seed = `${pipeline}/${this.executions.length}`;
    const event = input as { id?: unknown; source?: unknown; 'detail-type'?: unknown } | null;
    if (event && typeof event.id === 'string' && typeof event.source === 'string' && typeof event['detail-type'] === 'string') return `${event.id}_${deterministicUuid(seed)}`;
    const app = (input as { app?: unknown } | null)?.app;
    if (typeof app === 'string' && APP_NAME.test(app)) return appScopedName(app, deterministicUuid(seed));
    return deterministicUuid(seed);
  }

  /** Runs an execution and every child it starts (each as soon as it is started), on the simulated clock. */
  async run(pipeline: StateMachineName, input: unknown, name?: string): Promise<ExecutionReport> {
    // StartExecution's own checks (API reference: `name` as executionNameProblem, `input` at most 262144 characters).
    const bad = name !== undefined ? executionNameProblem(name) : undefined;
    if (bad) throw new LocalRunError(`StartExecution refused the name (InvalidName): ${bad}`);
    if (Buffer.byteLength(JSON.stringify(input ?? {}), 'utf8') > MAX_PAYLOAD_BYTES) {
      throw new LocalRunError(`StartExecution refused the input (ValidationException): it is over ${MAX_PAYLOAD_BYTES} bytes, Step Functions' 256 KiB quota`);
    }
    const exec = this.newExecution(pipeline, name ?? this.defaultName(pipeline, input), (input ?? {}) as JsonValue);
    await this.withMocks(async () => {
      this.track(exec);
      await this.drain();
    });
    return exec;
  }

  /**
   * What an operator does after a failure: fix the cause (`patch`, a JSON Merge Patch of the world
   * file, RFC 7396: `null` removes a key), then redrive the chain's failed execution once.
   */
  async redriveAfterFix(world: WorldFile, patch: unknown): Promise<ExecutionReport> {
    const fixed = fixedWorld(world, patch, this.world.spec);
    const failed = [...this.executions].reverse().find((e) => e.status === 'FAILED');
    if (!failed) throw new LocalRunError('no execution failed: there is nothing to redrive');
    this.world.applyPatchedSpec(fixed, patch);
    return this.redrive(failed);
  }

  /**
   * Redrives an execution as Step Functions' RedriveExecution does: only a FAILED, TIMED_OUT or ABORTED
   * execution (else ExecutionNotRedrivable); same name, input and ARN; RedriveCount + 1; `ExecutionRedriven`
   * in its history; the states entered and never exited run again (nothing else: no state name is special).
   */
  async redrive(exec: ExecutionReport): Promise<ExecutionReport> {
    this.prepareRedrive(exec);
    await this.withMocks(async () => {
      this.track(exec, true);
      await this.drain();
    });
    return exec;
  }

  /**
   * Starts a redrive (the checks of {@link redrive}) beside whatever runs and returns at once: in an
   * account that lives on (`slipway local serve`), its clock driver lets the redrive run.
   */
  startRedrive(exec: ExecutionReport): ExecutionReport {
    this.prepareRedrive(exec);
    this.track(exec, true);
    return exec;
  }

  private prepareRedrive(exec: ExecutionReport): void {
    const why = redriveRefusal(exec, this.world.now);
    if (why) throw new SimulatedAwsError('ExecutionNotRedrivable', why);
    this.definitions.load(exec.stateMachine);
    try {
      redrivePlan(exec.history, this.definitions.stateInfo.get(exec.stateMachine) ?? new Map());
    } catch (e) {
      throw new LocalRunError(`execution ${exec.name} cannot be redriven locally: ${(e as Error).message}`);
    }
    exec.redriveCount += 1;
    exec.redriveDate = this.world.now;
    exec.status = 'RUNNING';
  }

  /** The simulated Step Functions API over this run's executions (StartExecution's name check, DescribeExecution...). */
  get stepFunctionsApi(): SimulatedStepFunctions {
    return this.stepFunctions;
  }

  /** The pipeline a state machine ARN of this control plane names, if any. */
  stateMachineOf(arn: unknown): StateMachineName | undefined {
    return this.stepFunctions.stateMachineOf(arn);
  }

  /** The ARN of one of the control plane's state machines. */
  stateMachineArn(sm: StateMachineName): string {
    return this.arns[sm];
  }

  /** Whether executions are running or actions are due (what a clock driver waits for). */
  get busy(): boolean {
    return this.concurrent.size > 0 || this.pendingActions > 0 || this.queue.length > 0;
  }

  private async drain(): Promise<void> {
    for (;;) {
      const next = this.queue.shift();
      if (next) this.track(next);
      else if (this.concurrent.size > 0) await this.driveClock();
      else break;
    }
  }

  /** Starts an execution now, beside whatever runs (an EventBridge rule's target); `drain` waits for it. */
  startConcurrently(pipeline: StateMachineName, input: unknown, name?: string): ExecutionReport {
    const exec = this.newExecution(pipeline, name ?? this.defaultName(pipeline, input), (input ?? {}) as JsonValue);
    this.track(exec);
    return exec;
  }

  /** Runs an execution (or a redrive of it) beside the others; `drain` moves the clock until all end. */
  private track(exec: ExecutionReport, redrive = false): void {
    const done: Promise<void> = this.execute(exec, redrive).finally(() => this.concurrent.delete(done));
    this.concurrent.add(done);
  }

  private pendingActions = 0;
  /** Task states running work that takes no simulated time (a Lambda, a DynamoDB call). */
  private busyTasks = 0;
  /** The executions running now, each with how many of its states wait on the simulated clock. */
  private readonly running = new Set<RunState>();

  /**
   * Moves the simulated clock while the executions running beside each other wait on it, until one of
   * them ends, a child is started or a scheduled action happens (at most a simulated year).
   */
  private async driveClock(): Promise<void> {
    const running = this.concurrent.size;
    const pending = this.pendingActions;
    await this.world.clock.runUntil(() => this.concurrent.size !== running || this.pendingActions !== pending || this.queue.length > 0, this.world.now + 31536000);
  }

  /**
   * Runs `action` at simulated time `at` (a person changing a parameter, an event arriving); then
   * {@link runScheduled} lets the time pass.
   */
  at(at: number, what: string, action: () => void): void {
    this.pendingActions += 1;
    this.world.clock.schedule(at, what, () => {
      this.pendingActions -= 1;
      action();
    });
  }

  /**
   * Lets simulated time pass until every action given to {@link at} has happened and every execution
   * (children included, each started as soon as its parent starts it) has ended.
   */
  async runScheduled(): Promise<void> {
    await this.withMocks(async () => {
      for (;;) {
        const next = this.queue.shift();
        if (next) this.track(next);
        else if (this.concurrent.size > 0 || this.pendingActions > 0) await this.driveClock();
        else break;
      }
    });
  }

  /** Aborts every execution's engine run; each run listens on it, so a fleet has more than Node's default 10 listeners. */
  private readonly aborting = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();

  /**
   * Abandons every execution running now (an account that stops for good, `slipway local serve`): the
   * engine's runs are aborted so that none of their timers holds the process; nothing else happens in
   * the account.
   */
  abandonExecutions(): void {
    this.aborting.abort();
  }

  /** Whether the simulated clients stay in place between runs ({@link holdMocks}). */
  private mocksHeld = false;

  /**
   * Points the handlers' AWS clients at the simulated account until the returned function is called,
   * for an account that lives on between runs (`slipway local serve`): runs then leave them in place.
   */
  holdMocks(): () => void {
    this.mocks.push(...mockAwsClients(this.world, this.stepFunctions));
    this.mocksHeld = true;
    return () => {
      this.mocksHeld = false;
      for (const m of this.mocks.splice(0)) m.restore();
    };
  }

  private async withMocks(fn: () => Promise<void>): Promise<void> {
    if (this.mocksHeld) return fn();
    this.mocks.push(...mockAwsClients(this.world, this.stepFunctions));
    // Each simulated function keeps its own parameter cache, aging on the simulated clock.
    const restoreCache = useParameterCacheScope(() => this.lambda.cacheScope());
    try {
      await fn();
    } finally {
      restoreCache();
      for (const m of this.mocks.splice(0)) m.restore();
    }
  }

  /** The report of everything run so far. */
  report(): RunReport {
    return buildReport(this);
  }

  /** FULL jitter of the retries' waits: seeded, so that runs repeat exactly. */
  private readonly random = seededRandom(0x5119);

  private overrides(def: StateMachineDefinition, execution: string, active: RunState, inflight: Set<Promise<unknown>>): Record<string, (input: JsonValue) => Promise<JsonValue>> {
    const out: Record<string, (input: JsonValue) => Promise<JsonValue>> = {};
    // The engine retries at once: the wait AWS makes before each retry is waited here, on the simulated clock.
    const retries = new RetryWaits(this.random);
    for (const [name, state] of taskStates(def.States as unknown as AslStates)) {
      const resource = String(state.Resource);
      const retriers = (state.Retry ?? []) as Retrier[];
      const timeouts = this.definitions.taskTimeouts.get(name);
      out[name] = async (engineInput) => {
        // The state's TimeoutSeconds(Path), enforced below on the simulated clock (lib/local/task-timeouts.ts).
        const resolved = resolveTimeout(timeouts, engineInput);
        const input = resolved.input as JsonValue;
        const key = `${name}\u0000${JSON.stringify(input ?? null)}`;
        // A retry waits its interval; any state waits while the account's StateTransition bucket is empty.
        const wait = Math.max(retries.waitBefore(key, retriers), this.world.limits.transitionDelay());
        if (wait > 0) {
          active.waits += 1;
          try {
            await this.world.clock.sleep(wait);
          } finally {
            active.waits -= 1;
          }
        }
        // Work that takes no simulated time keeps the clock still until it is done (see World.isQuiet).
        // After Parameters processing, a state's input is also held to the payload quota.
        if (resource !== SIMULATED_WAIT && Buffer.byteLength(JSON.stringify(input ?? null), 'utf8') > MAX_PAYLOAD_BYTES) {
          throw new SimulatedAwsError('States.DataLimitExceeded', `The state/task '${name}' has an input with a size exceeding the maximum number of bytes service limit.`);
        }
        const instant = resource !== SIMULATED_WAIT && !TIME_WAITS.has(resource);
        if (instant) this.busyTasks += 1;
        else active.waits += 1;
        const seconds = this.definitions.waitSeconds.get(name);
        // A Wait waits passively on the simulated clock (whoever drives the clock wakes it), so that
        // executions running side by side never race each other's clocks.
        const work =
          resource === SIMULATED_WAIT && seconds !== undefined
            ? this.world.clock.sleep(seconds >= 0 ? seconds : Number((input as { seconds?: unknown }).seconds)).then(() => input)
            : this.runTask(resource, input as Record<string, JsonValue>, execution, active, {
                deadline: resolved.seconds === undefined ? undefined : this.world.now + resolved.seconds,
                heartbeatSeconds: timeouts?.heartbeatSeconds,
              });
        inflight.add(work);
        try {
          let result: JsonValue;
          try {
            result = (await work) as JsonValue;
            retries.succeeded(key);
          } catch (e) {
            retries.failed(key, retriers, (e as Error).name);
            throw e;
          }
          // Step Functions' payload quota (256 KiB of UTF-8) applies to each Task's result: States.DataLimitExceeded
          // ("Step Functions service quotas"; error name from the Step Functions guide, "Error names").
          if (result !== undefined && Buffer.byteLength(JSON.stringify(result), 'utf8') > MAX_PAYLOAD_BYTES) {
            throw new SimulatedAwsError('States.DataLimitExceeded', `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`);
          }
          return result;
        } finally {
          inflight.delete(work);
          if (instant) this.busyTasks -= 1;
          else active.waits -= 1;
        }
      };
    }
    return out;
  }

  private async runTask(resource: string, params: Record<string, JsonValue>, execution: string, active: RunState, limits: { deadline?: number; heartbeatSeconds?: number } = {}): Promise<unknown> {
    const w = this.world;
    switch (resource) {
      case 'arn:aws:states:::lambda:invoke': {
        const payload = await this.lambda.invoke(this.lambda.functionOf(params.FunctionName), params.Payload, true);
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      }
      case 'arn:aws:states:::lambda:invoke.waitForTaskToken': {
        const key = this.lambda.functionOf(params.FunctionName);
        const payload = { ...(params.Payload as Record<string, JsonValue>) };
        const { token, pending } = this.stepFunctions.newToken();
        payload.taskToken = token;
        await this.lambda.invoke(key, payload, true);
        // The state's TimeoutSeconds, else the execution's year; HeartbeatSeconds first when shorter
        // (nothing in the simulation sends SendTaskHeartbeat).
        const timeoutAt = limits.deadline ?? w.now + MAX_EXECUTION_SECONDS;
        const heartbeatAt = limits.heartbeatSeconds === undefined ? Infinity : w.now + limits.heartbeatSeconds;
        const settled = await w.clock.runUntil(() => pending.settled || !active.running, Math.min(timeoutAt, heartbeatAt));
        if (!active.running) {
          pending.closed = true;
          throw new SimulatedAwsError('States.Runtime', 'the execution ended while this state was waiting');
        }
        if (!settled || !pending.result) {
          pending.closed = true;
          if (heartbeatAt < timeoutAt) throw new SimulatedAwsError('States.HeartbeatTimeout', '');
          throw new SimulatedAwsError('States.Timeout', '');
        }
        if (!pending.result.ok) throw new SimulatedAwsError(pending.result.error, pending.result.cause);
        return JSON.parse(pending.result.output) as unknown;
      }
      case 'arn:aws:states:::ecs:runTask.sync':
        return w.ecs.runTaskSync(params, limits.deadline);
      case 'arn:aws:states:::dynamodb:updateItem':
      case 'arn:aws:states:::dynamodb:putItem':
      case 'arn:aws:states:::dynamodb:getItem':
      case 'arn:aws:states:::dynamodb:deleteItem':
        return dynamoDbTask(w, resource.slice(resource.lastIndexOf(':') + 1), params);
      case 'arn:aws:states:::states:startExecution':
        return this.startExecution(params);
      case 'arn:aws:states:::events:putEvents': {
        const sent = w.events.length;
        const out = w.eventBus.putEvents(params.Entries, execution);
        this.rules.deliverMilestones(w.events.slice(sent), (sm, event) => this.startConcurrently(sm, event));
        return out;
      }
      default: {
        if (this.extras.taskHandlers?.[resource]) return this.extras.taskHandlers[resource](params, w);
        if (resource === 'arn:aws:states:::aws-sdk:sfn:listExecutions') return this.stepFunctions.listExecutionsTask(params);
        if (resource === 'arn:aws:states:::aws-sdk:sfn:describeExecution') return this.stepFunctions.describeExecutionTask(params);
        throw new SimulatedAwsError('States.Runtime', `the local runner has no model of ${resource}`);
      }
    }
  }

  /** The `states:startExecution` integration: a child starts as soon as the parent's Task has started it. */
  private startExecution(p: Record<string, JsonValue>): unknown {
    try {
      this.world.count('StartExecution');
    } catch (e) {
      throw new SimulatedAwsError(`StepFunctions.${(e as Error).name}`, (e as Error).message);
    }
    const arn = String(p.StateMachineArn);
    const sm = this.stepFunctions.stateMachineOf(arn);
    if (!sm) throw new SimulatedAwsError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${arn}'`);
    const name = String(p.Name);
    const bad = executionNameProblem(name);
    if (bad) throw new SimulatedAwsError('StepFunctions.InvalidNameException', `Invalid Name: '${name}' (${bad})`);
    // An Input over 256 KiB never gets here: the Task's own input quota fails it first (States.DataLimitExceeded).
    const check = this.stepFunctions.startCheck(sm, name, p.Input ?? {});
    if (check.verdict === 'same') return { ExecutionArn: check.existing.arn, StartDate: this.world.isoNow() };
    if (check.verdict === 'taken') throw new SimulatedAwsError('StepFunctions.ExecutionAlreadyExistsException', `Execution Already Exists: '${check.existing.arn}'`);
    const exec = this.newExecution(sm, name, p.Input ?? {});
    this.queue.push(exec);
    return { ExecutionArn: exec.arn, StartDate: this.world.isoNow() };
  }

  private newExecution(sm: StateMachineName, name: string, input: JsonValue): ExecutionReport {
    const arn = `${this.arns[sm].replace(':stateMachine:', ':execution:')}:${name}`;
    const exec: ExecutionReport = { stateMachine: sm, name, arn, status: 'RUNNING', redriveCount: 0, startedAt: this.world.now, states: [], input, history: [] };
    this.executions.push(exec);
    return exec;
  }

  /**
   * Runs one attempt of an execution: the first run, or a redrive that re-runs, by AWS's rule, the
   * states entered and never exited in the last attempt (lib/local/engine.ts, lib/local/history.ts).
   */
  private async execute(exec: ExecutionReport, redrive = false): Promise<void> {
    const def = this.definitions.load(exec.stateMachine);
    this.publishStatus(exec);
    const active: RunState = { running: true, waits: 0 };
    this.running.add(active);
    const inflight = new Set<Promise<unknown>>();
    const states = new StateList(exec, (name) => this.definitions.waitSeconds.has(name), () => this.world.now);
    let result: AttemptResult;
    try {
      result = await runAttempt({
        def,
        info: this.definitions.stateInfo.get(exec.stateMachine) ?? new Map(),
        history: exec.history,
        input: exec.input,
        clock: () => this.world.clock.dateAt(this.world.now),
        region: this.world.spec.region,
        roleArn: this.roleArn(exec.stateMachine),
        context: {
          Execution: { Id: exec.arn, Name: exec.name, RedriveCount: exec.redriveCount, StartTime: this.world.clock.dateAt(exec.startedAt).toISOString() },
          StateMachine: { Id: this.arns[exec.stateMachine], Name: this.arns[exec.stateMachine].split(':').pop() },
          State: { EnteredTime: this.world.isoNow(), Name: '', RetryCount: 0 },
          Task: { Token: 'replaced-by-the-local-runner' },
        },
        tasks: this.overrides(def, exec.arn, active, inflight),
        redriveCount: redrive ? exec.redriveCount : undefined,
        signal: this.aborting.signal,
        onEngineEvent: (e, idx) => {
          // A retry is billed as a state transition too ("including retries", aws.amazon.com/step-functions/pricing).
          if (states.note(e, idx) || e.type === 'StateRetried') {
            this.transitions += 1;
            this.world.limits.transition();
          }
        },
      });
    } catch (e) {
      result = { outcome: { ok: false, error: e }, error: (e as Error).name, cause: (e as Error).message };
    }
    active.running = false;
    await Promise.allSettled([...inflight]);
    this.running.delete(active);
    if (result.outcome.ok) {
      exec.status = 'SUCCEEDED';
      exec.error = undefined;
      exec.cause = undefined;
      exec.output = result.outcome.output;
    } else {
      exec.status = 'FAILED';
      exec.error = result.error;
      exec.cause = result.cause;
    }
    exec.endedAt = this.world.now;
    this.publishStatus(exec);
  }

  /** The execution role's ARN in the simulated account (shown in ExecutionStarted). */
  private roleArn(sm: StateMachineName): string {
    return `arn:aws:iam::${this.world.spec.account}:role/${this.arns[sm].split(':').pop()}-role`;
  }
}

/** Runs one pipeline (and the children it starts) in a fresh simulated account. */
export async function runLocal(options: LocalRunOptions): Promise<{ run: LocalRun; report: RunReport; redriven?: ExecutionReport }> {
  const run = new LocalRun(options.world ?? {}, options.rootDir);
  await run.run(options.pipeline, options.input);
  if (options.redriveWith === undefined) return { run, report: run.report() };
  const redriven = await run.redriveAfterFix(options.world ?? {}, options.redriveWith);
  return { run, report: run.report(), redriven };
}
