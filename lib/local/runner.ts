import './polyfills';
import './quiet';
import {
  ApplicationAutoScalingClient,
  DeleteScheduledActionCommand,
  DescribeScalableTargetsCommand,
  DescribeScheduledActionsCommand,
  PutScalingPolicyCommand,
  PutScheduledActionCommand,
  RegisterScalableTargetCommand,
  type ApplicationAutoScalingClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-application-auto-scaling';
import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, ListExecutionsCommand, type ListExecutionsCommandInput, type ListExecutionsCommandOutput, SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient, type DescribeExecutionCommandOutput, type GetExecutionHistoryCommandInput, type GetExecutionHistoryCommandOutput } from '@aws-sdk/client-sfn';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { handler as checkReleaseTask } from '../../functions/check-release-task/index';
import { handler as deploymentEvents } from '../../functions/deployment-events/index';
import { handler as parseBuildEvent } from '../../functions/parse-build-event/index';
import { handler as registerTaskDefinitions } from '../../functions/register-task-definitions/index';
import { autoscaling, dynamodb, ecs, eventbridge, sfn } from '../../functions/shared/clients';
import { handler as updateService } from '../../functions/update-service/index';
import { handler as executionStatus } from '../../functions/execution-status/index';
import { handler as parseParameterChange } from '../../functions/parse-parameter-change/index';
import { handler as registerConfigRevisions } from '../../functions/register-config-revisions/index';
import { handler as syncSchedules } from '../../functions/sync-schedules/index';
import { ConfigSimulation } from './config-sim';
import { aslPath, forEachState, taskStates, type AslStates } from '../asl';
import { loadConfig } from '../config';
import { aslPlaceholders, CONTROL_PLANE_ENV, executionStatusEventPattern, PIPELINE_FUNCTIONS, STATE_MACHINES, SUBSTITUTIONS, serviceName, stateMachineName, type PipelineFunctionKey, type StateMachineName } from '../pipeline-contract';
import { ConditionalCheckFailedException, type Item, type MemoryTable } from './dynamo';
import type { AppSettings } from '../../functions/shared/settings';
import { localAppSettings } from './local-settings';
import { SimulatedAwsError, World, type EmittedEvent, type SimScheduledAction } from './world';
import { stateIndex, type EngineEvent } from './history';
import { MAX_PAYLOAD_BYTES, redrivePlan, runAttempt, type AttemptResult } from './engine';
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { deterministicUuid, matchesEventPattern, type EventPattern, type ExecutionStatusEvent } from './eventbridge';
import { worldSchema, type WorldFile } from './world-schema';
import { apply as applyMergePatch } from 'json-merge-patch';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Handler = (event: unknown) => Promise<unknown>;

/** A local run that cannot start: bad world, unknown app, unreadable config. Exit code 2 in the CLI. */
export class LocalRunError extends Error {
  public override readonly name = 'LocalRunError';
}

/** One state an execution entered, as the console's graph view shows it. */
export interface StateVisit {
  readonly name: string;
  readonly type: string;
  /** Process type of the Map iteration the state ran in. */
  readonly iteration?: string;
  /** Simulated seconds since the run started. */
  readonly at: number;
  status: 'entered' | 'succeeded' | 'failed' | 'caught';
  retries: number;
  error?: string;
  cause?: string;
}

/** One execution of a state machine. */
export interface ExecutionReport {
  readonly stateMachine: StateMachineName;
  readonly name: string;
  readonly arn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  error?: string;
  cause?: string;
  redriveCount: number;
  /** Simulated seconds of the last redrive. */
  redriveDate?: number;
  readonly startedAt: number;
  endedAt?: number;
  /** The states as the console's graph view lists them (a summary of `history`). */
  states: StateVisit[];
  /** The execution input. */
  readonly input: Json;
  output?: Json;
  /** Every event of every attempt, in the shape of GetExecutionHistory's `events`. */
  readonly history: HistoryEvent[];
}

export { MAX_HISTORY_EVENTS, MAX_PAYLOAD_BYTES } from './engine';

/**
 * Why Step Functions refuses an execution name, or undefined (StartExecution API reference, `name`:
 * 1-80 characters; no white space, brackets `< > { } [ ]`, wildcards `? *`, special characters
 * `" # % \ ^ | ~ \` $ & , ; : /`, or control characters U+0000-001F, U+007F-009F).
 */
export function executionNameProblem(name: string): string | undefined {
  const length = [...name].length;
  if (length < 1 || length > 80) return `${length} characters; the limit is 1-80`;
  const bad = [...name].find((c) => /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/u.test(c) || /[\u0000-\u001f\u007f-\u009f]/u.test(c));
  return bad === undefined ? undefined : `it contains ${JSON.stringify(bad)}, which execution names may not`;
}

/**
 * Why RedriveExecution refuses an execution, or undefined. Recorded reasons (fixtures' README): "Execution
 * is RUNNING and cannot be redriven", "Execution is SUCCEEDED and cannot be redriven". The API reference
 * (RedriveExecution) also refuses past 1,000 redrives and histories over 24,999 events.
 */
export function redriveRefusal(exec: Pick<ExecutionReport, 'status' | 'redriveCount' | 'history'>): string | undefined {
  if (exec.status === 'RUNNING' || exec.status === 'SUCCEEDED') return `Execution is ${exec.status} and cannot be redriven`;
  if (exec.redriveCount >= 1000) return 'Execution has been redriven 1000 times and cannot be redriven again';
  if (exec.history.length > 24999) return 'Execution history has more than 24999 events and cannot be redriven';
  return undefined;
}

/** The result of a local run: every execution, totals, and the simulated account afterwards. */
export interface RunReport {
  readonly app: string;
  readonly executions: ExecutionReport[];
  readonly totals: {
    readonly stateTransitions: number;
    readonly lambdaInvocations: number;
    readonly simulatedSeconds: number;
    readonly releaseTasksStarted: number;
    readonly taskDefinitionsRegistered: number;
  };
  readonly world: {
    readonly services: Record<string, { taskDefinition: string; image: string; desiredCount: number; deployments: number }>;
    readonly lastGoodRelease: { build: string; image: string; processes: unknown } | null;
    readonly autoscaling: Record<string, { min?: number; max?: number; policies: string[] }>;
    /** The scale-to-zero schedule's actions, by scalable-target resource id. */
    readonly scheduledActions: Record<string, SimScheduledAction[]>;
  };
  /** Milestone events the pipelines put on the default event bus (source `slipway`), in order. */
  readonly events: EmittedEvent[];
}

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

/** Resource the runner gives a `Wait` state so that it runs on the simulated clock. */
const SIMULATED_WAIT = 'arn:aws:states:::slipway-local:wait';

interface PendingToken {
  settled: boolean;
  closed: boolean;
  result?: { ok: true; output: string } | { ok: false; error: string; cause: string };
}

const FUNCTION_HANDLERS: Record<PipelineFunctionKey, Handler> = {
  parseBuildEvent: parseBuildEvent,
  registerTaskDefinitions: registerTaskDefinitions,
  checkReleaseTask: checkReleaseTask,
  updateService: updateService,
  deploymentEvents: deploymentEvents,
  executionStatus: executionStatus,
  parseParameterChange: parseParameterChange,
  registerConfigRevisions: registerConfigRevisions,
  syncSchedules: syncSchedules,
};

/**
 * Runs Slipway's pipelines locally: the real ASL files on aws-local-stepfunctions, each Task state
 * answered by the real handler or by the simulated account ({@link World}).
 */
export class LocalRun {
  readonly world: World;
  readonly app: string;
  readonly executions: ExecutionReport[] = [];
  transitions = 0;
  lambdaInvocations = 0;
  private readonly arns: Record<string, string> = {};
  private readonly functionArns = new Map<string, PipelineFunctionKey>();
  private readonly definitions = new Map<StateMachineName, StateMachineDefinition>();
  /** Each state machine's states as written (before the runner's Wait stand-ins), for the history. */
  private readonly stateInfo = new Map<StateMachineName, ReturnType<typeof stateIndex>>();
  /** Wait states (by name) that run on the simulated clock, and their seconds. */
  private readonly waitSeconds = new Map<string, number>();
  private readonly tokens = new Map<string, PendingToken>();
  private readonly queue: ExecutionReport[] = [];
  private tokenSeq = 0;
  /** Executions running concurrently (started by simulated EventBridge rules), until they end. */
  private readonly concurrent = new Set<Promise<void>>();
  /** Simulated Parameter Store and EventBridge Scheduler (config-change and schedules). */
  readonly config: ConfigSimulation;
  private readonly mocks: { restore: () => void }[] = [];
  private readonly clusterArn: string;
  /** The deployment's prefix (config `prefix`). */
  readonly prefix: string;
  /** The shared control plane the run simulates: named after the cluster of the world's `app`. */
  readonly controlPlane: string;

  constructor(
    world: WorldFile = {},
    private readonly rootDir = process.cwd(),
    private readonly extras: LocalRunExtras = {},
  ) {
    const parsed = worldSchema.safeParse(world);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new LocalRunError(`invalid world: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    const spec = parsed.data;
    let config;
    try {
      // An absolute config path (the CLI resolves it against the working directory) stays as it is.
      config = loadConfig(resolve(rootDir, spec.config));
    } catch (e) {
      throw new LocalRunError((e as Error).message);
    }
    const app = spec.app ? config.apps.find((a) => a.name === spec.app) : config.apps[0];
    if (!app) throw new LocalRunError(`world: app "${spec.app ?? '(first)'}" is not in ${spec.config} (apps: ${config.apps.map((a) => a.name).join(', ') || 'none'})`);
    this.app = app.name;
    this.prefix = config.prefix;
    this.controlPlane = app.cluster;
    // Every app the account hosts, served by the one control plane of the app's cluster.
    const hosted = (spec.apps ?? [app.name]).map((name) => {
      const a = config.apps.find((x) => x.name === name);
      if (!a) throw new LocalRunError(`world: apps: "${name}" is not in ${spec.config} (apps: ${config.apps.map((x) => x.name).join(', ')})`);
      if (a.cluster !== app.cluster) throw new LocalRunError(`world: apps: "${name}" runs in cluster "${a.cluster}", not "${app.cluster}": a local run simulates one control plane (one cluster)`);
      return localAppSettings(config, a, { account: spec.account, region: spec.region });
    });
    if (!hosted.some((s) => s.app === app.name)) throw new LocalRunError(`world: apps must include the world's app "${app.name}"`);
    const settings = hosted.find((s) => s.app === app.name) as AppSettings;
    for (const process of Object.keys(spec.services)) {
      if (!settings.processes[process]) throw new LocalRunError(`world: process "${process}" is not one of ${app.name}'s processes (${Object.keys(settings.processes).join(', ')})`);
    }
    for (const key of Object.keys(spec.deployments)) {
      const service = hosted.some((s) => Object.keys(s.processes).some((p) => serviceName(s.app, p) === key));
      if (!settings.processes[key] && !service) {
        throw new LocalRunError(`world: deployments: "${key}" is neither one of ${app.name}'s processes (${Object.keys(settings.processes).join(', ')}) nor a service <app>-<process> of a hosted app`);
      }
    }
    this.clusterArn = settings.cluster;
    this.world = new World(spec, settings, controlTableName(config.prefix, this.controlPlane));
    for (const other of hosted) if (other.app !== app.name) this.world.addApp(other);
    for (const [process, s] of Object.entries(spec.services)) this.world.seedService(process, s.build);
    for (const build of spec.registeredBuilds) for (const process of Object.keys(settings.processes)) this.world.seedRevision(process, build);
    if (spec.newerBuild) this.seedNewerBuild(spec.newerBuild.build, spec.newerBuild.claimed);
    try {
      this.world.seedScalableTargets(spec.scalableTargets);
    } catch (e) {
      throw new LocalRunError((e as Error).message);
    }
    this.config = new ConfigSimulation(this.world, config.prefix, this.controlPlane, spec.parameters);
    for (const s of hosted) this.config.addApp(s);
    // Time moves on only when every running execution waits on the clock (none is between states or in a Lambda).
    this.world.isQuiet = () => this.busyTasks === 0 && [...this.running].every((r) => r.waits > 0 || !r.running);
    // The control plane's Parameter Store Change rule: changes under /<prefix>/apps/ start config-change.
    this.config.ssm.onChange = (event) => {
      if (this.config.ruleMatches(event)) this.startConcurrently('config-change', event);
    };

    const base = `arn:aws:states:${spec.region}:${spec.account}`;
    for (const sm of STATE_MACHINES) this.arns[sm] = `${base}:stateMachine:${stateMachineName(config.prefix, this.controlPlane, sm)}`;
    for (const [key, folder] of Object.entries(PIPELINE_FUNCTIONS)) {
      const arn = `arn:aws:lambda:${spec.region}:${spec.account}:function:${config.prefix}-${this.controlPlane}-${folder}`;
      this.functionArns.set(arn, key as PipelineFunctionKey);
      this.arns[key] = arn;
    }
    // The control plane's rule on its state machines' status changes: the failure bookkeeping runs outside the executions.
    this.addStatusRule(executionStatusEventPattern(STATE_MACHINES.map((sm) => this.arns[sm])) as unknown as EventPattern, (event) => this.invoke('executionStatus', event));
  }

  /** A newer build holds the app: its claim is recorded and every process runs its revision. */
  private seedNewerBuild(build: string, claimed: boolean): void {
    const sortKey = build.padStart(10, '0');
    if (claimed) this.world.table.put({ pk: { S: 'APP' }, sk: { S: 'DEPLOY' }, buildSortKey: { S: sortKey }, buildKey: { S: build } });
    for (const process of Object.keys(this.world.settings.processes)) {
      const name = serviceName(this.app, process);
      if (this.world.services.has(name)) {
        const arn = this.world.seedRevision(process, build);
        const s = this.world.services.get(name);
        if (s) {
          s.service.taskDefinition = arn;
          s.service.deployments = [{ id: `ecs-svc/seed${build}${process}`, status: 'PRIMARY', taskDefinition: arn, rolloutState: 'COMPLETED', desiredCount: s.service.desiredCount, runningCount: s.service.desiredCount }];
        }
      } else {
        this.world.seedService(process, build);
      }
    }
  }

  private substitute(name: StateMachineName): StateMachineDefinition {
    const cached = this.definitions.get(name);
    if (cached) return cached;
    let text = readFileSync(this.extras.aslFiles?.[name] ?? aslPath(this.rootDir, name), 'utf8');
    for (const [placeholder, sub] of Object.entries(SUBSTITUTIONS[name])) {
      let value: string;
      switch (sub.kind) {
        case 'clusterArn':
          value = this.clusterArn;
          break;
        case 'function':
          value = this.arns[sub.fn];
          break;
        case 'stateMachine':
          value = this.arns[sub.name];
          break;
      }
      text = text.split(`\${${placeholder}}`).join(value);
    }
    const [left] = aslPlaceholders(text);
    if (left) throw new LocalRunError(`statemachines/${name}.asl.json uses \${${left}}, which lib/pipeline-contract.ts does not define`);
    const def = JSON.parse(text) as StateMachineDefinition;
    this.stateInfo.set(name, stateIndex((JSON.parse(text) as StateMachineDefinition).States as unknown as AslStates));
    // aws-local-stepfunctions evaluates TimeoutSecondsPath against the state's Parameters output, where
    // AWS uses the state's input; the runner enforces that timeout itself, in simulated time.
    for (const state of taskStates(def.States as unknown as AslStates).values()) {
      if (state.TimeoutSecondsPath) {
        delete state.TimeoutSecondsPath;
        state.TimeoutSeconds = 2000000; // setTimeout holds at most 24.8 days
      }
    }
    // A Wait with fixed Seconds runs on the simulated clock (aws-local-stepfunctions would sleep for real):
    // the runner turns it into a local Task that advances the clock, still reported as a Wait.
    forEachState(def.States as unknown as AslStates, (stateName, state) => {
      if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
        this.waitSeconds.set(stateName, state.Seconds);
        delete state.Seconds;
        Object.assign(state, { Type: 'Task', Resource: SIMULATED_WAIT });
      } else if (state.Type === 'Wait' && typeof state.SecondsPath === 'string') {
        // SecondsPath (config-change's debounce): the seconds come in as the Task's parameters.
        this.waitSeconds.set(stateName, -1);
        Object.assign(state, { Type: 'Task', Resource: SIMULATED_WAIT, Parameters: { 'seconds.$': state.SecondsPath }, ResultPath: null });
        delete state.SecondsPath;
      } else if (state.Type === 'Wait') {
        throw new LocalRunError(`statemachines/${name}.asl.json: Wait state "${stateName}": the local runner simulates Seconds and SecondsPath only`);
      }
    });
    this.definitions.set(name, def);
    return def;
  }


  /** Invokes a real handler as Lambda would: errors become `{errorType, errorMessage}` causes. */
  private async invoke(key: PipelineFunctionKey, payload: unknown): Promise<unknown> {
    const h = FUNCTION_HANDLERS[key];
    this.lambdaInvocations += 1;
    // The control plane's functions get CONTROL_PLANE_ENV only (sync-schedules also its role and queue):
    // nothing of one app, so a handler that still read an app from its environment fails here too.
    for (const gone of ['TABLE_NAME', 'APP_NAME', 'PARAMETER_PATH', 'DEBOUNCE_SECONDS', 'SCHEDULE_GROUP']) delete process.env[gone];
    process.env[CONTROL_PLANE_ENV.prefix] = this.prefix;
    process.env[CONTROL_PLANE_ENV.clusterArn] = this.clusterArn;
    process.env[CONTROL_PLANE_ENV.controlTable] = this.world.controlTableName;
    process.env[CONTROL_PLANE_ENV.stateMachineArns] = JSON.stringify(Object.fromEntries(STATE_MACHINES.map((sm) => [sm, this.arns[sm]])));
    Object.assign(process.env, this.config.environment);
    // Lambda always sets AWS_REGION; a real AWS command in the same CLI process resolves its own.
    process.env.AWS_REGION = this.world.spec.region;
    try {
      return await h(structuredClone(payload));
    } catch (e) {
      const err = e as Error;
      throw new SimulatedAwsError(err.name || 'Error', JSON.stringify({ errorType: err.name || 'Error', errorMessage: err.message, trace: [] }));
    }
  }

  private installMocks(): void {
    const w = this.world;
    const ecsMock = mockClient(ecs as ECSClient);
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake(async (input) => ({ taskDefinition: w.registerTaskDefinition(input) }));
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(async (input) => ({ taskDefinitionArns: w.listTaskDefinitions(input.familyPrefix ?? '', input.sort === 'DESC', input.maxResults) }));
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake(async (input) => w.describeTaskDefinition(input.taskDefinition ?? ''));
    ecsMock.on(DescribeServicesCommand).callsFake(async (input) => {
      const services = (input.services ?? []).map((n: string) => w.describeService(n)).filter(Boolean);
      const failures = (input.services ?? []).filter((n: string) => !w.services.has(n)).map((n: string) => ({ arn: n, reason: 'MISSING' }));
      return { services, failures };
    });
    ecsMock.on(CreateServiceCommand).callsFake(async (input) => {
      // ECS creates any service name; the simulation notes which hosted app's process type it runs.
      const owner = w.serviceOwner(input.serviceName ?? '') ?? { app: '', process: input.serviceName ?? '' };
      return { service: w.createService(input, owner) };
    });
    ecsMock.on(UpdateServiceCommand).callsFake(async (input) => ({ service: w.updateService(input.service ?? '', input.taskDefinition ?? '') }));
    const ddbMock = mockClient(dynamodb as DynamoDBClient);
    const ddbCall = <T>(fn: () => T): T => {
      try {
        return fn();
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException) throw new SimulatedAwsError('ConditionalCheckFailedException', e.message);
        throw e;
      }
    };
    ddbMock.on(GetItemCommand).callsFake(async (input) => {
      w.count('GetItem');
      return { Item: w.tableNamed(input.TableName).get(input.Key as Item) };
    });
    ddbMock.on(PutItemCommand).callsFake(async (input) =>
      ddbCall(() => {
        w.count('PutItem');
        w.tableNamed(input.TableName).put(input.Item as Item, input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item });
        return {};
      }),
    );
    ddbMock.on(UpdateItemCommand).callsFake(async (input) =>
      ddbCall(() => {
        w.count('UpdateItem');
        return { Attributes: w.tableNamed(input.TableName).update(input.Key as Item, input.UpdateExpression ?? '', input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item }) };
      }),
    );
    ddbMock.on(DeleteItemCommand).callsFake(async (input) =>
      ddbCall(() => {
        w.count('DeleteItem');
        w.tableNamed(input.TableName).delete(input.Key as Item, input.ConditionExpression, { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item });
        return {};
      }),
    );
    ddbMock.on(QueryCommand).callsFake(async (input) => {
      w.count('Query');
      return { Items: w.tableNamed(input.TableName).query(input.KeyConditionExpression ?? '', { names: input.ExpressionAttributeNames, values: input.ExpressionAttributeValues as Item }, input.ScanIndexForward !== false, input.Limit) };
    });
    const sfnMock = mockClient(sfn as SFNClient);
    sfnMock.on(SendTaskSuccessCommand).callsFake(async (input) => this.settleToken(input.taskToken ?? '', { ok: true, output: input.output ?? '{}' }));
    sfnMock.on(GetExecutionHistoryCommand).callsFake(async (input) => this.executionHistoryPage(input));
    sfnMock.on(DescribeExecutionCommand).callsFake(async (input) => this.describeExecution(input.executionArn ?? ''));
    sfnMock.on(ListExecutionsCommand).callsFake(async (input) => this.listExecutions(input));
    sfnMock.on(SendTaskFailureCommand).callsFake(async (input) => this.settleToken(input.taskToken ?? '', { ok: false, error: input.error ?? 'Error', cause: input.cause ?? '' }));
    const asMock = mockClient(autoscaling as ApplicationAutoScalingClient);
    asMock.on(RegisterScalableTargetCommand).callsFake(async (input) => {
      w.registerScalableTarget(input.ResourceId ?? '', input.MinCapacity, input.MaxCapacity);
      return {};
    });
    asMock.on(PutScalingPolicyCommand).callsFake(async (input) => {
      w.putScalingPolicy(input.ResourceId ?? '', input.PolicyName ?? '');
      return { PolicyARN: `arn:aws:autoscaling:${w.spec.region}:${w.spec.account}:scalingPolicy:local:resource/${input.ResourceId}:policyName/${input.PolicyName}` };
    });
    this.mockScheduledScaling(asMock);
    // PutEvents from a handler (execution-status's milestones): the SDK sends Detail as a JSON string.
    const ebMock = mockClient(eventbridge as EventBridgeClient);
    ebMock.on(PutEventsCommand).callsFake(async (input: PutEventsCommandInput) => {
      const entries = (input.Entries ?? []).map((e: PutEventsRequestEntry) => {
        let detail: unknown = e.Detail;
        try {
          detail = JSON.parse(e.Detail ?? '');
        } catch {
          /* left as is: putEvents refuses a Detail that is not a JSON object */
        }
        return { Source: e.Source, DetailType: e.DetailType, Detail: detail, EventBusName: e.EventBusName };
      });
      return w.putEvents(entries, input.Entries?.[0]?.Resources?.[0] ?? '');
    });
    this.mocks.push(ecsMock, ddbMock, sfnMock, asMock, ebMock, ...this.config.installMocks());
    w.onDeploymentEvent = async (event) => {
      await this.invoke('deploymentEvents', event);
    };
    w.onSweep = async () => {
      if ([...this.tokens.values()].some((t) => !t.settled && !t.closed)) {
        await this.invoke('deploymentEvents', { 'detail-type': 'Scheduled Event', source: 'aws.events', time: w.isoNow(), detail: {} });
      }
    };
  }

  private settleToken(token: string, result: PendingToken['result']): Record<string, never> {
    const t = this.tokens.get(token);
    if (!t) throw new SimulatedAwsError('TaskDoesNotExist', `Task token ${token} does not exist`);
    if (t.settled || t.closed) throw new SimulatedAwsError('TaskTimedOut', `Task ${token} is already closed`);
    t.settled = true;
    t.result = result;
    return {};
  }

  private overrides(def: StateMachineDefinition, execution: string, active: RunState, inflight: Set<Promise<unknown>>): Record<string, (input: Json) => Promise<Json>> {
    const out: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [name, state] of taskStates(def.States as unknown as AslStates)) {
      const resource = String(state.Resource);
      out[name] = async (input) => {
        // Work that takes no simulated time keeps the clock still until it is done (see World.isQuiet).
        // After Parameters processing, a state's input is also held to the payload quota.
        if (resource !== SIMULATED_WAIT && Buffer.byteLength(JSON.stringify(input ?? null), 'utf8') > MAX_PAYLOAD_BYTES) {
          throw new SimulatedAwsError('States.DataLimitExceeded', `The state/task '${name}' has an input with a size exceeding the maximum number of bytes service limit.`);
        }
        const instant = resource !== SIMULATED_WAIT && !TIME_WAITS.has(resource);
        if (instant) this.busyTasks += 1;
        else active.waits += 1;
        const seconds = this.waitSeconds.get(name);
        // A Wait waits passively on the simulated clock (whoever drives the clock wakes it), so that
        // executions running side by side never race each other's clocks.
        const work =
          resource === SIMULATED_WAIT && seconds !== undefined
            ? this.config.sleep(seconds >= 0 ? seconds : Number((input as { seconds?: unknown }).seconds)).then(() => input)
            : this.runTask(resource, input as Record<string, Json>, execution, active);
        inflight.add(work);
        try {
          const result = (await work) as Json;
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

  private async runTask(resource: string, params: Record<string, Json>, execution: string, active: RunState): Promise<unknown> {
    const w = this.world;
    switch (resource) {
      case 'arn:aws:states:::lambda:invoke': {
        const key = this.functionArns.get(String(params.FunctionName));
        if (!key) throw new SimulatedAwsError('Lambda.ResourceNotFoundException', `Function not found: ${String(params.FunctionName)}`);
        const payload = await this.invoke(key, params.Payload);
        return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
      }
      case 'arn:aws:states:::lambda:invoke.waitForTaskToken': {
        const key = this.functionArns.get(String(params.FunctionName));
        if (!key) throw new SimulatedAwsError('Lambda.ResourceNotFoundException', `Function not found: ${String(params.FunctionName)}`);
        const payload = { ...(params.Payload as Record<string, Json>) };
        const token = `local-token-${++this.tokenSeq}`;
        payload.taskToken = token;
        const pending: PendingToken = { settled: false, closed: false };
        this.tokens.set(token, pending);
        await this.invoke(key, payload);
        const timeout = typeof payload.timeoutSeconds === 'number' ? payload.timeoutSeconds : 31536000;
        const settled = await w.runUntil(() => pending.settled || !active.running, w.now + timeout);
        if (!active.running) {
          pending.closed = true;
          throw new SimulatedAwsError('States.Runtime', 'the execution ended while this state was waiting');
        }
        if (!settled || !pending.result) {
          pending.closed = true;
          throw new SimulatedAwsError('States.Timeout', `The task did not send a result within ${timeout} s`);
        }
        if (!pending.result.ok) throw new SimulatedAwsError(pending.result.error, pending.result.cause);
        return JSON.parse(pending.result.output) as unknown;
      }
      case 'arn:aws:states:::ecs:runTask.sync':
        return w.runTaskSync(params);
      case 'arn:aws:states:::dynamodb:updateItem':
      case 'arn:aws:states:::dynamodb:putItem':
      case 'arn:aws:states:::dynamodb:getItem':
      case 'arn:aws:states:::dynamodb:deleteItem':
        return this.dynamoTask(resource.slice(resource.lastIndexOf(':') + 1), params);
      case 'arn:aws:states:::states:startExecution':
        return this.startExecution(params);
      case 'arn:aws:states:::events:putEvents': {
        const sent = w.events.length;
        const out = w.putEvents(params.Entries, execution);
        this.config.deliverMilestones(w.events.slice(sent), (sm, event) => this.startConcurrently(sm, event));
        return out;
      }
      default: {
        if (this.extras.taskHandlers?.[resource]) return this.extras.taskHandlers[resource](params, w);
        const handled = await this.config.runTask(resource, params, this.executions.map((e) => ({ stateMachine: this.arns[e.stateMachine], arn: e.arn, name: e.name, status: e.status })));
        if (handled) return handled.result;
        throw new SimulatedAwsError('States.Runtime', `the local runner has no model of ${resource}`);
      }
    }
  }

  private dynamoTask(action: string, p: Record<string, Json>): unknown {
    const w = this.world;
    let table: MemoryTable;
    try {
      table = w.tableNamed(p.TableName);
    } catch (e) {
      throw new SimulatedAwsError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
    }
    const ctx = { names: p.ExpressionAttributeNames as Record<string, string> | undefined, values: p.ExpressionAttributeValues as unknown as Item | undefined };
    const cond = p.ConditionExpression as string | undefined;
    try {
      w.count(action.charAt(0).toUpperCase() + action.slice(1));
    } catch (e) {
      // Optimised integrations name a service's errors <Service>.<code> (e.g. DynamoDB.ConditionalCheckFailedException).
      throw new SimulatedAwsError(`DynamoDB.${(e as Error).name}`, (e as Error).message);
    }
    try {
      switch (action) {
        case 'updateItem':
          table.update(p.Key as unknown as Item, String(p.UpdateExpression), cond, ctx);
          return {};
        case 'putItem':
          table.put(p.Item as unknown as Item, cond, ctx);
          return {};
        case 'getItem':
          return { Item: table.get(p.Key as unknown as Item) };
        default:
          table.delete(p.Key as unknown as Item, cond, ctx);
          return {};
      }
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new SimulatedAwsError('DynamoDB.ConditionalCheckFailedException', 'The conditional request failed');
      throw e;
    }
  }

  private startExecution(p: Record<string, Json>): unknown {
    try {
      this.world.count('StartExecution');
    } catch (e) {
      throw new SimulatedAwsError(`StepFunctions.${(e as Error).name}`, (e as Error).message);
    }
    const arn = String(p.StateMachineArn);
    const sm = STATE_MACHINES.find((n) => this.arns[n] === arn);
    if (!sm) throw new SimulatedAwsError('StepFunctions.StateMachineDoesNotExistException', `State Machine Does Not Exist: '${arn}'`);
    const name = String(p.Name);
    const bad = executionNameProblem(name);
    if (bad) throw new SimulatedAwsError('StepFunctions.InvalidNameException', `Invalid Name: '${name}' (${bad})`);
    // An Input over 256 KiB never gets here: the Task's own input quota fails it first (States.DataLimitExceeded).
    const existing = this.executions.find((e) => e.stateMachine === sm && e.name === name);
    if (existing) {
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(p.Input)) return { ExecutionArn: existing.arn, StartDate: this.world.isoNow() };
      throw new SimulatedAwsError('StepFunctions.ExecutionAlreadyExistsException', `Execution Already Exists: '${existing.arn}'`);
    }
    const exec = this.newExecution(sm, name, p.Input ?? {});
    this.queue.push(exec);
    return { ExecutionArn: exec.arn, StartDate: this.world.isoNow() };
  }

  private newExecution(sm: StateMachineName, name: string, input: Json): ExecutionReport {
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
    const def = this.substitute(exec.stateMachine);
    this.publishStatus(exec);
    const active: RunState = { running: true, waits: 0 };
    this.running.add(active);
    const inflight = new Set<Promise<unknown>>();
    const iterationNames = new Map<number, string>();
    const open = new Map<string, StateVisit>();
    let result: AttemptResult;
    try {
      result = await runAttempt({
        def,
        info: this.stateInfo.get(exec.stateMachine) ?? new Map(),
        history: exec.history,
        input: exec.input,
        clock: () => new Date(this.world.startMs + this.world.now * 1000),
        region: this.world.spec.region,
        roleArn: this.roleArn(exec.stateMachine),
        context: {
          Execution: { Id: exec.arn, Name: exec.name, RedriveCount: exec.redriveCount, StartTime: new Date(this.world.startMs + exec.startedAt * 1000).toISOString() },
          StateMachine: { Id: this.arns[exec.stateMachine], Name: this.arns[exec.stateMachine].split(':').pop() },
          State: { EnteredTime: this.world.isoNow(), Name: '', RetryCount: 0 },
          Task: { Token: 'replaced-by-the-local-runner' },
        },
        tasks: this.overrides(def, exec.arn, active, inflight),
        redriveCount: redrive ? exec.redriveCount : undefined,
        onEngineEvent: (e, idx) => this.visit(exec, e, idx, iterationNames, open),
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

  /** Keeps the console-style list of states (`ExecutionReport.states`) beside the history. */
  private visit(exec: ExecutionReport, e: EngineEvent, idx: number | undefined, iterationNames: Map<number, string>, open: Map<string, StateVisit>): void {
    if (!e.state) return;
    const key = `${idx ?? '-'}/${e.state.name}`;
    if (e.type === 'StateEntered') {
      this.transitions += 1;
      if (idx !== undefined && !iterationNames.has(idx)) {
        const proc = (e.state.input as Record<string, Json> | null)?.process;
        iterationNames.set(idx, typeof proc === 'string' ? proc : `#${idx}`);
      }
      const visit: StateVisit = { name: e.state.name, type: e.state.type === 'Task' && this.waitSeconds.has(e.state.name) ? 'Wait' : e.state.type, iteration: idx !== undefined ? iterationNames.get(idx) : undefined, at: this.world.now, status: 'entered', retries: 0 };
      exec.states.push(visit);
      open.set(key, visit);
      return;
    }
    const visit = open.get(key);
    if (!visit) return;
    if (e.type === 'StateExited') visit.status = visit.status === 'caught' ? 'caught' : 'succeeded';
    if (e.type === 'StateRetried') visit.retries += 1;
    if (e.type === 'StateFailed') {
      visit.status = 'failed';
      visit.error = e.Error;
      visit.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause);
    }
    if (e.type === 'StateCaught') visit.status = 'caught';
  }

  private findExecution(arn: string): ExecutionReport {
    const exec = this.executions.find((e) => e.arn === arn);
    if (!exec) throw new SimulatedAwsError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return exec;
  }

  /** Step Functions GetExecutionHistory: maxResults 1-1000 (default 100), reverseOrder, nextToken. */
  private executionHistoryPage(input: GetExecutionHistoryCommandInput): Partial<GetExecutionHistoryCommandOutput> {
    const exec = this.findExecution(input.executionArn ?? '');
    const max = input.maxResults ?? 100;
    if (max < 0 || max > 1000) throw new SimulatedAwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    const events = input.reverseOrder ? [...exec.history].reverse() : exec.history;
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > events.length) throw new SimulatedAwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    const size = max === 0 ? 100 : max;
    const page = events.slice(start, start + size).map((e) => structuredClone(e));
    return { events: page, nextToken: start + size < events.length ? String(start + size) : undefined };
  }

  /** Step Functions DescribeExecution of an execution the run knows. */
  private describeExecution(arn: string): Partial<DescribeExecutionCommandOutput> {
    const exec = this.findExecution(arn);
    const at = (s?: number) => (s === undefined ? undefined : new Date(this.world.startMs + s * 1000));
    const refusal = redriveRefusal(exec);
    return {
      executionArn: exec.arn,
      stateMachineArn: this.arns[exec.stateMachine],
      name: exec.name,
      status: exec.status,
      startDate: at(exec.startedAt),
      stopDate: exec.status === 'RUNNING' ? undefined : at(exec.endedAt),
      input: JSON.stringify(exec.input),
      output: exec.status === 'SUCCEEDED' ? JSON.stringify(exec.output ?? null) : undefined,
      error: exec.error,
      cause: exec.cause,
      redriveCount: exec.redriveCount,
      redriveDate: at(exec.redriveDate),
      redriveStatus: refusal ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
      redriveStatusReason: refusal ?? `Execution is ${exec.status} and is redrivable`,
    };
  }

  /**
   * Step Functions ListExecutions (API reference): the executions of one state machine, newest first,
   * optionally of one status; maxResults 0-1000 (0: the default, 100) with a nextToken for the next page.
   */
  private listExecutions(input: ListExecutionsCommandInput): Partial<ListExecutionsCommandOutput> {
    try {
      this.world.count('ListExecutions');
    } catch (e) {
      throw new SimulatedAwsError((e as Error).name, (e as Error).message);
    }
    const sm = STATE_MACHINES.find((n) => this.arns[n] === input.stateMachineArn);
    if (!sm) throw new SimulatedAwsError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${String(input.stateMachineArn)}'`);
    const max = input.maxResults ?? 0;
    if (max < 0 || max > 1000) throw new SimulatedAwsError('ValidationException', `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    const all = this.executions.filter((e) => e.stateMachine === sm && (!input.statusFilter || e.status === input.statusFilter)).reverse();
    const start = input.nextToken ? Number(input.nextToken) : 0;
    if (!Number.isInteger(start) || start < 0 || start > all.length) throw new SimulatedAwsError('InvalidToken', `Invalid Token: '${input.nextToken}'`);
    const size = max === 0 ? 100 : max;
    const at = (s?: number) => (s === undefined ? undefined : new Date(this.world.startMs + s * 1000));
    const page = all.slice(start, start + size).map((e) => ({
      executionArn: e.arn,
      stateMachineArn: this.arns[sm],
      name: e.name,
      status: e.status,
      startDate: at(e.startedAt),
      stopDate: e.status === 'RUNNING' ? undefined : at(e.endedAt),
      redriveCount: e.redriveCount,
    }));
    return { executions: page, nextToken: start + size < all.length ? String(start + size) : undefined };
  }

  /** The execution role's ARN in the simulated account (shown in ExecutionStarted). */
  private roleArn(sm: StateMachineName): string {
    return `arn:aws:iam::${this.world.spec.account}:role/${this.arns[sm].split(':').pop()}-role`;
  }

  /** Every "Step Functions Execution Status Change" event the simulated account emitted, in order. */
  readonly statusEvents: ExecutionStatusEvent[] = [];
  /** Rules on the default bus for those events, and what they start. */
  private readonly statusRules: { readonly pattern: EventPattern; readonly target: (event: ExecutionStatusEvent) => Promise<unknown> }[] = [];

  /** Adds an EventBridge rule for execution status changes (as the app stack does), delivering to `target`. */
  addStatusRule(pattern: EventPattern, target: (event: ExecutionStatusEvent) => Promise<unknown>): void {
    this.statusRules.push({ pattern, target });
  }

  /**
   * Step Functions sends an execution's status changes (RUNNING, also after a redrive, then SUCCEEDED,
   * FAILED, TIMED_OUT or ABORTED) to the default bus (Step Functions guide, "Routing Step Functions events
   * using Amazon EventBridge"; delivery is best effort, at least once, in no guaranteed order). The shape
   * is that of the recorded events in ../shared/fixtures/aws-events/stepfunctions-execution-status-change-*.
   * A matching rule's target runs beside the executions, as a Lambda target would.
   */
  private publishStatus(exec: ExecutionReport): void {
    const ms = (s: number | undefined) => (s === undefined ? null : this.world.startMs + s * 1000);
    const ended = exec.status !== 'RUNNING';
    const redrivable = exec.status === 'FAILED' && !redriveRefusal(exec);
    const event: ExecutionStatusEvent = {
      version: '0',
      id: deterministicUuid(`${exec.arn}/${exec.redriveCount}/${exec.status}/${exec.history.length}`),
      'detail-type': 'Step Functions Execution Status Change',
      source: 'aws.states',
      account: this.world.spec.account,
      time: this.world.isoNow().replace(/\.\d{3}Z$/, 'Z'),
      region: this.world.spec.region,
      resources: [exec.arn],
      detail: {
        executionArn: exec.arn,
        stateMachineArn: this.arns[exec.stateMachine],
        name: exec.name,
        status: exec.status,
        startDate: ms(exec.startedAt) as number,
        stopDate: ended ? ms(exec.endedAt) : null,
        input: JSON.stringify(exec.input),
        inputDetails: { included: true },
        output: exec.status === 'SUCCEEDED' ? JSON.stringify(exec.output ?? null) : null,
        outputDetails: exec.status === 'SUCCEEDED' ? { included: true } : null,
        stateMachineVersionArn: null,
        stateMachineAliasArn: null,
        redriveCount: exec.redriveCount,
        redriveDate: ms(exec.redriveDate),
        redriveStatus: redrivable ? 'REDRIVABLE' : 'NOT_REDRIVABLE',
        redriveStatusReason: redrivable ? `Execution is ${exec.status} and is redrivable` : (redriveRefusal(exec) ?? 'Execution cannot be redriven'),
        ...(exec.status === 'FAILED' ? { error: exec.error ?? null, cause: exec.cause ?? null } : {}),
      },
    };
    this.statusEvents.push(event);
    for (const rule of this.statusRules) {
      if (!matchesEventPattern(rule.pattern, event)) continue;
      this.busyTasks += 1;
      const done: Promise<void> = rule
        .target(structuredClone(event))
        .then(
          () => undefined,
          (e: unknown) => {
            this.targetFailures.push({ event: event.id, error: (e as Error).name, message: (e as Error).message });
          },
        )
        .finally(() => {
          this.busyTasks -= 1;
          this.concurrent.delete(done);
        });
      this.concurrent.add(done);
    }
  }

  /** Rule targets that failed (EventBridge would retry them, then drop the event). */
  readonly targetFailures: { event: string; error: string; message: string }[] = [];

  /**
   * The name an execution started without one gets. An EventBridge rule's target starts it named after
   * the event: the event id, an underscore and a UUID (73 characters for a UUID event id); a start from
   * the CLI gets a UUID, as StartExecution does when no name is given.
   */
  private defaultName(pipeline: StateMachineName, input: unknown): string {
    const seed = `${pipeline}/${this.executions.length}`;
    const event = input as { id?: unknown; source?: unknown; 'detail-type'?: unknown } | null;
    if (event && typeof event.id === 'string' && typeof event.source === 'string' && typeof event['detail-type'] === 'string') return `${event.id}_${deterministicUuid(seed)}`;
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
    const exec = this.newExecution(pipeline, name ?? this.defaultName(pipeline, input), (input ?? {}) as Json);
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
    if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) throw new LocalRunError('the redrive patch must be a JSON object (a JSON Merge Patch of the world file)');
    const parsed = worldSchema.safeParse(applyMergePatch(structuredClone(world), patch));
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new LocalRunError(`the world after the redrive patch is invalid: ${i.path.join('.') || '(root)'}: ${i.message}`);
    }
    for (const key of ['config', 'app', 'apps', 'account', 'region', 'startTime'] as const) {
      if (JSON.stringify(parsed.data[key]) !== JSON.stringify(this.world.spec[key])) throw new LocalRunError(`the redrive patch changes "${key}": a fix changes what happens next, not which account or app this is`);
    }
    const failed = [...this.executions].reverse().find((e) => e.status === 'FAILED');
    if (!failed) throw new LocalRunError('no execution failed: there is nothing to redrive');
    this.world.applyPatchedSpec(parsed.data);
    return this.redrive(failed);
  }

  /**
   * Redrives an execution as Step Functions' RedriveExecution does: only a FAILED, TIMED_OUT or ABORTED
   * execution (else ExecutionNotRedrivable); same name, input and ARN; RedriveCount + 1; `ExecutionRedriven`
   * in its history; the states entered and never exited run again (nothing else: no state name is special).
   */
  async redrive(exec: ExecutionReport): Promise<ExecutionReport> {
    const why = redriveRefusal(exec);
    if (why) throw new SimulatedAwsError('ExecutionNotRedrivable', why);
    this.substitute(exec.stateMachine);
    try {
      redrivePlan(exec.history, this.stateInfo.get(exec.stateMachine) ?? new Map());
    } catch (e) {
      throw new LocalRunError(`execution ${exec.name} cannot be redriven locally: ${(e as Error).message}`);
    }
    exec.redriveCount += 1;
    exec.redriveDate = this.world.now;
    exec.status = 'RUNNING';
    await this.withMocks(async () => {
      this.track(exec, true);
      await this.drain();
    });
    return exec;
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
    const exec = this.newExecution(pipeline, name ?? this.defaultName(pipeline, input), (input ?? {}) as Json);
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
    await this.world.runUntil(() => this.concurrent.size !== running || this.pendingActions !== pending || this.queue.length > 0, this.world.now + 31536000);
  }

  /**
   * Runs `action` at simulated time `at` (a person changing a parameter, an event arriving); then
   * {@link runScheduled} lets the time pass.
   */
  at(at: number, what: string, action: () => void): void {
    this.pendingActions += 1;
    this.world.schedule(at, what, () => {
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

  private async withMocks(fn: () => Promise<void>): Promise<void> {
    this.installMocks();
    try {
      await fn();
    } finally {
      for (const m of this.mocks.splice(0)) m.restore();
    }
  }

  /** Application Auto Scaling calls of the scale-to-zero schedule, answered by the simulated account. */
  private mockScheduledScaling(asMock: AwsStub<ServiceInputTypes, ServiceOutputTypes, ApplicationAutoScalingClientResolvedConfig>): void {
    const w = this.world;
    const call = <T>(fn: () => T): Promise<T> => Promise.resolve().then(fn);
    asMock.on(DescribeScalableTargetsCommand).callsFake((input: { ResourceIds?: string[] }) =>
      call(() => ({
        ScalableTargets: (input.ResourceIds ?? []).flatMap((id) => {
          const t = w.describeScalableTarget(id);
          return t ? [{ ServiceNamespace: 'ecs', ResourceId: id, ScalableDimension: 'ecs:service:DesiredCount', MinCapacity: t.min, MaxCapacity: t.max }] : [];
        }),
      })),
    );
    asMock.on(DescribeScheduledActionsCommand).callsFake((input: { ResourceId?: string }) =>
      call(() => ({ ScheduledActions: w.describeScheduledActions(input.ResourceId ?? '').map((a) => ({ ScheduledActionName: a.name, Schedule: a.schedule, ResourceId: input.ResourceId })) })),
    );
    asMock.on(PutScheduledActionCommand).callsFake((input: { ResourceId?: string; ScheduledActionName?: string; Schedule?: string; Timezone?: string; ScalableTargetAction?: { MinCapacity?: number; MaxCapacity?: number } }) =>
      call(() => {
        w.putScheduledAction(input.ResourceId ?? '', {
          name: input.ScheduledActionName ?? '',
          schedule: input.Schedule ?? '',
          timeZone: input.Timezone,
          min: input.ScalableTargetAction?.MinCapacity,
          max: input.ScalableTargetAction?.MaxCapacity,
        });
        return {};
      }),
    );
    asMock.on(DeleteScheduledActionCommand).callsFake((input: { ResourceId?: string; ScheduledActionName?: string }) =>
      call(() => {
        w.deleteScheduledAction(input.ResourceId ?? '', input.ScheduledActionName ?? '');
        return {};
      }),
    );
  }

  /** The report of everything run so far. */
  report(): RunReport {
    const w = this.world;
    const services: RunReport['world']['services'] = {};
    for (const [name, s] of w.services) {
      const td = s.service.taskDefinition ?? '';
      const image = w.findRevision(td)?.taskDefinition.containerDefinitions?.[0]?.image ?? 'unknown';
      services[name] = { taskDefinition: td, image, desiredCount: s.service.desiredCount ?? 0, deployments: (s.service.deployments ?? []).length };
    }
    const current = w.table.get({ pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } });
    return {
      app: this.app,
      executions: this.executions.map((e) => ({ ...e, states: e.states.map(({ ...s }) => (delete (s as { input?: unknown }).input, s)) })),
      totals: {
        stateTransitions: this.transitions,
        lambdaInvocations: this.lambdaInvocations,
        simulatedSeconds: w.now,
        releaseTasksStarted: w.tasks.length,
        taskDefinitionsRegistered: w.calls.RegisterTaskDefinition ?? 0,
      },
      world: {
        services,
        lastGoodRelease: current
          ? { build: current.buildKey?.S ?? '', image: current.image?.S ?? '', processes: JSON.parse(current.processes?.S ?? '[]') as unknown }
          : null,
        autoscaling: Object.fromEntries(w.scalableTargets),
        scheduledActions: Object.fromEntries([...w.scheduledActions].map(([id, actions]) => [id, [...actions.values()]])),
      },
      events: w.events.map((e) => ({ ...e })),
    };
  }
}

/** The shared control plane's own table in the simulated account (CDK names the real one). */
export function controlTableName(prefix: string, controlPlane: string): string {
  return `${prefix}-${controlPlane}-control`;
}

/** Runs one pipeline (and the children it starts) in a fresh simulated account. */
export async function runLocal(options: LocalRunOptions): Promise<{ run: LocalRun; report: RunReport; redriven?: ExecutionReport }> {
  const run = new LocalRun(options.world ?? {}, options.rootDir);
  await run.run(options.pipeline, options.input);
  if (options.redriveWith === undefined) return { run, report: run.report() };
  const redriven = await run.redriveAfterFix(options.world ?? {}, options.redriveWith);
  return { run, report: run.report(), redriven };
}
