import type { Deployment, Service, TaskDefinition, Tag, RegisterTaskDefinitionCommandInput, CreateServiceCommandInput } from '@aws-sdk/client-ecs';
import { createHash } from 'node:crypto';
import type { AppSettings } from '../../functions/shared/settings';
import { serviceName } from '../pipeline-contract';
import { SimulatedAwsError } from './aws-error';
import { checkContainerOverrides, checkEcsTags, checkPutEvents, checkServiceName, checkTaskDefinition, type PutEventsEntry } from './aws-limits';
import { MemoryTable } from './dynamo';
import type { DeploymentOutcome, WorldSpec } from './world-schema';

export { SimulatedAwsError } from './aws-error';

/** An error the world file injected into a call (`errors`): the service answered with it. */
export class InjectedAwsError extends Error {
  constructor(
    name: string,
    message: string,
    /** The API operation that failed. */
    readonly call: string,
  ) {
    super(message);
    this.name = name;
  }
}

/** A stored task-definition revision. */
interface Revision {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** A scheduled action of Application Auto Scaling. */
export interface SimScheduledAction {
  readonly name: string;
  readonly schedule: string;
  readonly timeZone?: string;
  readonly min?: number;
  readonly max?: number;
}

/** A simulated ECS service. */
interface SimService {
  service: Service;
  /** The app whose process type it runs. */
  app: string;
  process: string;
}

/** An ECS "Deployment State Change" event as EventBridge delivers it. */
export type DeploymentEvent = Record<string, unknown>;

/** A stopped task as `ecs:runTask.sync` returns it (PascalCase). */
export type SyncTask = Record<string, unknown>;

interface Scheduled {
  at: number;
  seq: number;
  what: string;
  run: () => Promise<void> | void;
}

/** A few turns of the event loop: what other executions can do without simulated time passing. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 0));
}

/** A wait in progress: it is over when its condition holds or its deadline has come. */
interface Waiter {
  readonly done: () => boolean;
  readonly deadline: number;
}

/** An event put on the simulated default event bus. */
export interface EmittedEvent {
  readonly id: string;
  /** Simulated seconds since the run started. */
  readonly at: number;
  readonly time: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** The execution that sent it (the optimized integration appends its ARN). */
  readonly resources: string[];
}

/**
 * The simulated account: ECS task definitions, services, deployments and tasks, the app's table and
 * autoscaling registrations, on a simulated clock (seconds since the run's start). Waits cost no real time.
 */
export class World {
  /** The DynamoDB tables of the account by name: each app's own table and the control plane's table. */
  readonly tables = new Map<string, MemoryTable>();
  /** The apps hosted in the account (their settings, as their settings parameters hold them), the world's `app` first. */
  readonly apps = new Map<string, AppSettings>();
  /** Seconds since the start of the run. */
  now = 0;
  readonly startMs: number;
  readonly revisions = new Map<string, Revision[]>();
  readonly services = new Map<string, SimService>();
  readonly tasks: SyncTask[] = [];
  readonly tasksByToken = new Map<string, SyncTask>();
  readonly scalableTargets = new Map<string, { min?: number; max?: number; policies: string[] }>();
  readonly calls: Record<string, number> = {};
  /** Each ECS deployment that completed, with the simulated time it did (before its event is delivered). */
  readonly completedDeployments: { service: string; deploymentId: string; at: number }[] = [];
  /** Events the pipelines put on the default event bus, in order. */
  readonly events: EmittedEvent[] = [];
  private readonly throttleLeft: Record<string, number>;
  private readonly outcomes: Record<string, DeploymentOutcome[]>;
  private readonly queue: Scheduled[] = [];
  private seq = 0;
  private deploymentSeq = 1000000000000000000n;
  /** Called with each ECS deployment event (unless the world loses them). */
  onDeploymentEvent: (event: DeploymentEvent) => Promise<void> = async () => undefined;
  /** The waits in progress ({@link runUntil} calls), each with its condition. */
  private readonly waiters = new Set<Waiter>();
  /** Whether no execution is busy with work that takes no simulated time (time may move on only then). */
  isQuiet: () => boolean = () => true;
  /** Called by the sweep schedule. */
  onSweep: () => Promise<void> = async () => undefined;

  /** Errors injected into calls (world `errors`), with how many times each is left (undefined: always). */
  private injected: Record<string, { name: string; message: string; left?: number }> = {};

  constructor(
    public spec: WorldSpec,
    /** The settings of the world's `app` (the one the world's per-process fields describe). */
    readonly settings: AppSettings,
    /** The shared control plane's table (waiters). */
    readonly controlTableName: string,
  ) {
    this.addApp(settings);
    this.tables.set(controlTableName, new MemoryTable(controlTableName));
    this.startMs = Date.parse(spec.startTime);
    this.throttleLeft = { ...spec.throttle } as Record<string, number>;
    this.outcomes = Object.fromEntries(Object.entries(spec.deployments).map(([k, v]) => [k, [...v]]));
    this.injectErrors(spec.errors);
  }

  /** Hosts another app in the account: its own table (named in its settings), empty. */
  addApp(settings: AppSettings): void {
    if (this.apps.has(settings.app)) throw new Error(`world: app "${settings.app}" is hosted twice`);
    if (this.tables.has(settings.table)) throw new Error(`world: table ${settings.table} of ${settings.app} already exists`);
    this.apps.set(settings.app, settings);
    this.tables.set(settings.table, new MemoryTable(settings.table));
  }

  /** The world's `app`'s table. */
  get table(): MemoryTable {
    return this.tableOf(this.settings.app);
  }

  /** The table of a hosted app. */
  tableOf(app: string): MemoryTable {
    const settings = this.appSettings(app);
    const t = this.tables.get(settings.table);
    if (!t) throw new Error(`world: app ${app} has no table`);
    return t;
  }

  /** The control plane's table. */
  get controlTable(): MemoryTable {
    return this.tables.get(this.controlTableName) as MemoryTable;
  }

  /**
   * A table by name, as DynamoDB finds it: ResourceNotFoundException for a table the account does not
   * hold ("Requested resource not found", DynamoDB API reference, Common Errors / GetItem Errors).
   */
  tableNamed(name: unknown): MemoryTable {
    const t = typeof name === 'string' ? this.tables.get(name) : undefined;
    if (!t) throw new SimulatedAwsError('ResourceNotFoundException', `Requested resource not found: Table: ${String(name)} not found`);
    return t;
  }

  /** The settings of a hosted app. */
  appSettings(app: string): AppSettings {
    const s = this.apps.get(app);
    if (!s) throw new Error(`world: app "${app}" is not hosted in this account (apps: ${[...this.apps.keys()].join(', ')})`);
    return s;
  }

  /** The app and process type of a service name `<app>-<process>` of a hosted app. */
  serviceOwner(name: string): { app: string; process: string } | undefined {
    for (const [app, s] of this.apps) for (const process of Object.keys(s.processes)) if (serviceName(app, process) === name) return { app, process };
    return undefined;
  }

  /** The simulated wall-clock time. */
  isoNow(): string {
    return new Date(this.startMs + this.now * 1000).toISOString();
  }

  private get arnBase(): string {
    return `arn:aws:ecs:${this.spec.region}:${this.spec.account}`;
  }

  private clusterName(): string {
    const c = this.settings.cluster;
    return c.slice(c.lastIndexOf('/') + 1);
  }

  /** Counts a call; throws ThrottlingException while the world says so, then any error injected into it. */
  count(call: string): void {
    this.calls[call] = (this.calls[call] ?? 0) + 1;
    const left = this.throttleLeft[call] ?? 0;
    if (left > 0) {
      this.throttleLeft[call] = left - 1;
      throw new SimulatedAwsError('ThrottlingException', `Rate exceeded (simulated throttling of ${call})`);
    }
    const injected = this.injected[call];
    if (injected && (injected.left === undefined || injected.left > 0)) {
      if (injected.left !== undefined) injected.left -= 1;
      throw new InjectedAwsError(injected.name, injected.message, call);
    }
  }

  /** Sets the errors injected into calls (the world's `errors`; a redrive's patch replaces them). */
  injectErrors(errors: WorldSpec['errors']): void {
    this.injected = Object.fromEntries(Object.entries(errors).map(([call, e]) => [call, { name: e.name, message: e.message, left: e.times }]));
  }

  /**
   * The operator fixed the cause: from now on the simulated account behaves as `spec` says (release
   * outcome, deployment outcomes, throttling, lost events, injected errors). What exists stays.
   */
  applyPatchedSpec(spec: WorldSpec): void {
    this.spec = spec;
    for (const [k, v] of Object.entries(spec.throttle)) this.throttleLeft[k] = v ?? 0;
    for (const k of Object.keys(this.throttleLeft)) if (!(k in spec.throttle)) this.throttleLeft[k] = 0;
    for (const k of Object.keys(this.outcomes)) delete this.outcomes[k];
    Object.assign(this.outcomes, Object.fromEntries(Object.entries(spec.deployments).map(([k, v]) => [k, [...v]])));
    this.injectErrors(spec.errors);
  }

  /**
   * EventBridge PutEvents on the default bus, as the Step Functions optimized integration calls it: each
   * entry needs a Source, a DetailType and a JSON-object Detail. The integration fails the Task with
   * EventBridge.FailedEntry when an entry fails (here: throttled, or malformed).
   */
  putEvents(entries: unknown, execution: string): { Entries: { EventId: string }[]; FailedEntryCount: number } {
    try {
      this.count('PutEvents');
    } catch (e) {
      if (e instanceof InjectedAwsError) throw new SimulatedAwsError(`EventBridge.${e.name}`, e.message);
      throw new SimulatedAwsError('EventBridge.FailedEntry', `1 of ${Array.isArray(entries) ? entries.length : 1} entries failed: ThrottlingException: ${(e as Error).message}`);
    }
    if (!Array.isArray(entries)) throw new SimulatedAwsError('EventBridge.ValidationException', '1 validation error detected: Value at \'entries\' failed to satisfy constraint: Member must not be null');
    // The optimized integration adds the execution's ARN to each entry's Resources (counted in its size).
    const sent = (entries as Record<string, unknown>[]).map((e) => ({ ...e, Resources: [...(Array.isArray(e.Resources) ? e.Resources : []), execution] }));
    try {
      checkPutEvents(sent as PutEventsEntry[]);
    } catch (e) {
      // Step Functions names a service's errors `<Service>.<ErrorCode>`.
      throw new SimulatedAwsError(`EventBridge.${(e as Error).name}`, (e as Error).message);
    }
    const out: { EventId: string }[] = [];
    for (const raw of entries as Record<string, unknown>[]) {
      const { Source, DetailType, Detail, EventBusName } = raw;
      if (typeof Source !== 'string' || !Source || Source.startsWith('aws.')) throw new SimulatedAwsError('EventBridge.FailedEntry', `InvalidArgument: Source "${String(Source)}" is missing or reserved for AWS`);
      if (typeof DetailType !== 'string' || !DetailType) throw new SimulatedAwsError('EventBridge.FailedEntry', 'InvalidArgument: DetailType is missing');
      if (Detail === null || typeof Detail !== 'object' || Array.isArray(Detail)) throw new SimulatedAwsError('EventBridge.FailedEntry', 'MalformedDetail: Detail must be a JSON object');
      if (EventBusName !== undefined && EventBusName !== 'default') throw new SimulatedAwsError('EventBridge.FailedEntry', `ResourceNotFoundException: event bus ${String(EventBusName)} is not simulated`);
      const id = `local-event-${this.events.length + 1}`;
      this.events.push({ id, at: this.now, time: this.isoNow(), source: Source, detailType: DetailType, detail: structuredClone(Detail) as Record<string, unknown>, resources: [execution] });
      out.push({ EventId: id });
    }
    return { Entries: out, FailedEntryCount: 0 };
  }

  // ------------------------------------------------------------------ clock

  /** Runs `run` at simulated time `at` (seconds since start). */
  schedule(at: number, what: string, run: () => Promise<void> | void): void {
    this.queue.push({ at, seq: this.seq++, what, run });
    this.queue.sort((a, b) => a.at - b.at || a.seq - b.seq);
  }

  /**
   * Advances simulated time, running what is due, until `done()` or `deadline` (then returns false).
   * The sweep schedule runs every `sweepEverySeconds` while something waits.
   */
  async runUntil(done: () => boolean, deadline: number): Promise<boolean> {
    // The deadline is a moment others must not run past either (a release task that ends at t+45 s).
    if (deadline > this.now && deadline - this.now < 31536000) this.schedule(deadline, 'a wait ends', () => undefined);
    const me = { done, deadline };
    this.waiters.add(me);
    try {
      return await this.advance(me, deadline);
    } finally {
      this.waiters.delete(me);
    }
  }

  /** Whether another wait is already over and about to return (time must not move on before it does). */
  private otherWaitIsOver(me: Waiter): boolean {
    for (const w of this.waiters) if (w !== me && (w.done() || this.now >= w.deadline)) return true;
    return false;
  }

  private async advance(me: Waiter, deadline: number): Promise<boolean> {
    const done = me.done;
    let settled = false;
    for (;;) {
      // Let the run's event log record what was entered at the current time before the clock moves on.
      await new Promise((r) => setImmediate(r));
      if (done()) return true;
      const nextSweep = (Math.floor(this.now / this.spec.sweepEverySeconds) + 1) * this.spec.sweepEverySeconds;
      const next = this.queue[0];
      const nextAt = Math.min(next ? next.at : Infinity, nextSweep);
      // This wait's deadline has come: it ends now, without moving the clock.
      if (nextAt > deadline && this.now >= deadline) return done();
      if (nextAt > this.now && (!settled || !this.isQuiet() || this.otherWaitIsOver(me))) {
        // Before time moves on, let executions running beside this one reach their next wait (and
        // schedule their wake-up), so that no one oversleeps.
        await settle();
        settled = true;
        continue;
      }
      settled = false;
      if (nextAt > deadline) {
        this.now = Math.max(this.now, deadline);
        return done();
      }
      this.now = Math.max(this.now, nextAt);
      if (next && next.at <= nextSweep) {
        this.queue.shift();
        await next.run();
      } else {
        await this.onSweep();
      }
    }
  }

  // ------------------------------------------------------------------ task definitions

  /** ECS RegisterTaskDefinition (counted, throttleable). */
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    this.count('RegisterTaskDefinition');
    checkTaskDefinition(input);
    checkEcsTags(input.tags);
    return this.addRevision(input);
  }

  private addRevision(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    const family = input.family ?? '';
    const list = this.revisions.get(family) ?? [];
    const revision = list.length + 1;
    const taskDefinition: TaskDefinition = {
      taskDefinitionArn: `${this.arnBase}:task-definition/${family}:${revision}`,
      family,
      revision,
      status: 'ACTIVE',
      containerDefinitions: input.containerDefinitions,
      cpu: input.cpu,
      memory: input.memory,
      executionRoleArn: input.executionRoleArn,
      taskRoleArn: input.taskRoleArn,
      networkMode: input.networkMode,
      requiresCompatibilities: input.requiresCompatibilities,
    };
    list.push({ taskDefinition, tags: input.tags ?? [] });
    this.revisions.set(family, list);
    return taskDefinition;
  }

  listTaskDefinitions(familyPrefix: string, descending: boolean, maxResults?: number): string[] {
    this.count('ListTaskDefinitions');
    const arns = [...this.revisions.entries()]
      .filter(([family]) => family.startsWith(familyPrefix))
      .flatMap(([, list]) => list.map((r) => r.taskDefinition.taskDefinitionArn ?? ''));
    if (descending) arns.reverse();
    return maxResults ? arns.slice(0, maxResults) : arns;
  }

  /** ECS DescribeTaskDefinition (counted). */
  describeTaskDefinition(ref: string): Revision {
    this.count('DescribeTaskDefinition');
    const found = this.findRevision(ref);
    if (!found) throw new SimulatedAwsError('ClientException', `Unable to describe task definition ${ref}.`);
    return found;
  }

  /** A stored revision by ARN or `family:revision`, for set-up and reports (not an API call). */
  findRevision(ref: string): Revision | undefined {
    for (const list of this.revisions.values()) {
      for (const r of list) {
        const td = r.taskDefinition;
        if (td.taskDefinitionArn === ref || `${td.family}:${td.revision}` === ref) return structuredClone(r);
      }
    }
    return undefined;
  }

  /** Registers a revision for an earlier build (world set-up), as the build pipeline would have. */
  seedRevision(process: string, build: string, app = this.settings.app): string {
    const settings = this.appSettings(app);
    const p = settings.processes[process];
    if (!p) throw new Error(`world: process "${process}" is not one of ${app}'s processes (${Object.keys(settings.processes).join(', ')})`);
    const td = this.addRevision({
      family: p.family,
      containerDefinitions: [{ name: process, image: `${settings.imageRepositoryUri}:build-${build}`, essential: true }],
      cpu: p.cpu,
      memory: p.memory,
      tags: [
        { key: 'slipway:app', value: app },
        { key: 'slipway:build', value: build },
      ],
    });
    return td.taskDefinitionArn ?? '';
  }

  // ------------------------------------------------------------------ services and deployments

  private nextDeploymentId(): string {
    this.deploymentSeq += 7919n;
    return `ecs-svc/${this.deploymentSeq}`;
  }

  describeService(name: string): Service | undefined {
    this.count('DescribeServices');
    const s = this.services.get(name);
    return s ? structuredClone(s.service) : undefined;
  }

  /** ECS CreateService (counted, throttleable): the first deployment runs its planned outcome. */
  createService(input: CreateServiceCommandInput, owner: { app: string; process: string }): Service {
    this.count('CreateService');
    checkServiceName(input);
    checkEcsTags(input.tags);
    return this.addService(input, owner, false);
  }

  private addService(input: CreateServiceCommandInput, owner: { app: string; process: string }, settled: boolean): Service {
    const name = input.serviceName ?? '';
    const existing = this.services.get(name);
    if (existing && existing.service.status === 'ACTIVE') {
      throw new SimulatedAwsError('InvalidParameterException', `Creation of service was not idempotent: ${name} already exists.`);
    }
    const deployment: Deployment = {
      id: this.nextDeploymentId(),
      status: 'PRIMARY',
      taskDefinition: input.taskDefinition,
      desiredCount: input.desiredCount,
      runningCount: settled ? input.desiredCount : 0,
      rolloutState: settled ? 'COMPLETED' : 'IN_PROGRESS',
      createdAt: new Date(this.startMs + this.now * 1000),
    };
    const service: Service = {
      serviceName: name,
      serviceArn: `${this.arnBase}:service/${this.clusterName()}/${name}`,
      clusterArn: this.settings.cluster,
      status: 'ACTIVE',
      taskDefinition: input.taskDefinition,
      desiredCount: input.desiredCount,
      runningCount: settled ? input.desiredCount : 0,
      deploymentConfiguration: input.deploymentConfiguration ?? { deploymentCircuitBreaker: { enable: true, rollback: true } },
      loadBalancers: input.loadBalancers,
      deployments: [deployment],
    };
    this.services.set(name, { service, ...owner });
    if (!settled) this.planDeployment(name, deployment.id ?? '');
    return structuredClone(service);
  }

  updateService(name: string, taskDefinition: string): Service {
    this.count('UpdateService');
    const s = this.services.get(name);
    if (!s || s.service.status !== 'ACTIVE') throw new SimulatedAwsError('ServiceNotFoundException', `Service not found: ${name}`);
    const deployment = this.startDeployment(s, taskDefinition);
    this.planDeployment(name, deployment.id ?? '');
    return structuredClone(s.service);
  }

  private startDeployment(s: SimService, taskDefinition: string): Deployment {
    for (const d of s.service.deployments ?? []) if (d.status === 'PRIMARY') d.status = 'ACTIVE';
    const deployment: Deployment = {
      id: this.nextDeploymentId(),
      status: 'PRIMARY',
      taskDefinition,
      desiredCount: s.service.desiredCount,
      runningCount: 0,
      rolloutState: 'IN_PROGRESS',
      createdAt: new Date(this.startMs + this.now * 1000),
    };
    s.service.deployments = [deployment, ...(s.service.deployments ?? [])];
    s.service.taskDefinition = taskDefinition;
    return deployment;
  }

  private emit(s: SimService, eventName: string, deploymentId: string, reason: string): void {
    if (this.spec.lostEvents) return;
    const event: DeploymentEvent = {
      version: '0',
      id: createHash('md5').update(`${deploymentId}${eventName}${this.now}`).digest('hex'),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: this.spec.account,
      time: this.isoNow(),
      region: this.spec.region,
      resources: [s.service.serviceArn],
      detail: { eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId, updatedAt: this.isoNow(), reason },
    };
    // EventBridge delivers asynchronously: a second later.
    this.schedule(this.now + 1, `deliver ${eventName}`, () => this.onDeploymentEvent(event));
  }

  private complete(s: SimService, deploymentId: string): void {
    const d = s.service.deployments?.find((x) => x.id === deploymentId);
    if (!d || d.status !== 'PRIMARY' || d.rolloutState !== 'IN_PROGRESS') return;
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${deploymentId} completed.`;
    d.runningCount = d.desiredCount;
    s.service.runningCount = d.desiredCount;
    s.service.deployments = [d];
    this.completedDeployments.push({ service: s.service.serviceName ?? '', deploymentId, at: this.now });
    this.emit(s, 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId, `ECS deployment ${deploymentId} completed.`);
  }

  private planDeployment(name: string, deploymentId: string): void {
    const s = this.services.get(name);
    if (!s) return;
    // A key `<app>-<process>` (the service's name) plans one app's service; a process type alone, the world's `app`'s.
    const queue = this.outcomes[name] ?? (s.app === this.settings.app ? this.outcomes[s.process] : undefined) ?? [];
    const outcome: DeploymentOutcome = queue.shift() ?? { outcome: 'completes', afterSeconds: 60 };
    this.emit(s, 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId, `ECS deployment ${deploymentId} in progress.`);
    switch (outcome.outcome) {
      case 'completes':
        this.schedule(this.now + outcome.afterSeconds, `${name} deployment completes`, () => this.complete(s, deploymentId));
        break;
      case 'neverSettles':
        break;
      case 'rollsBack':
        this.schedule(this.now + outcome.afterSeconds, `${name} deployment rolls back`, () => {
          const d = s.service.deployments?.find((x) => x.id === deploymentId);
          if (!d || d.status !== 'PRIMARY') return;
          const previous = s.service.deployments?.find((x) => x.id !== deploymentId);
          d.rolloutState = 'FAILED';
          d.rolloutStateReason = outcome.reason;
          d.status = 'ACTIVE';
          this.emit(s, 'SERVICE_DEPLOYMENT_FAILED', deploymentId, outcome.reason);
          if (previous?.taskDefinition) {
            const rollback = this.startDeployment(s, previous.taskDefinition);
            s.service.deployments = s.service.deployments?.filter((x) => x.id !== previous.id);
            this.emit(s, 'SERVICE_DEPLOYMENT_IN_PROGRESS', rollback.id ?? '', `ECS deployment circuit breaker: rolling back to deploymentId ${previous.id}.`);
            this.schedule(this.now + 60, `${name} rollback completes`, () => this.complete(s, rollback.id ?? ''));
          }
        });
        break;
      case 'replaced':
        this.schedule(this.now + outcome.afterSeconds, `${name} deployment replaced`, () => {
          const current = s.service.deployments?.find((x) => x.id === deploymentId);
          if (!current || current.status !== 'PRIMARY') return;
          const newer = this.seedRevision(s.process, '99999', s.app);
          const replacement = this.startDeployment(s, newer);
          this.emit(s, 'SERVICE_DEPLOYMENT_IN_PROGRESS', replacement.id ?? '', `ECS deployment ${replacement.id} in progress.`);
          this.schedule(this.now + 60, `${name} replacement completes`, () => this.complete(s, replacement.id ?? ''));
        });
        break;
    }
  }

  /** Puts an existing service on a revision of an earlier build, settled (world set-up). */
  seedService(process: string, build: string, app = this.settings.app): void {
    const arn = this.seedRevision(process, build, app);
    const p = this.appSettings(app).processes[process];
    this.addService({ serviceName: serviceName(app, process), taskDefinition: arn, desiredCount: p.desiredCount }, { app, process }, true);
  }

  // ------------------------------------------------------------------ release task

  /** `ecs:runTask.sync`: runs the task to its end on the simulated clock. */
  async runTaskSync(params: Record<string, unknown>): Promise<SyncTask> {
    try {
      this.count('RunTask');
    } catch (e) {
      // The ecs:runTask integration names every ECS error ECS.AmazonECSException, the code in the message.
      if (e instanceof InjectedAwsError) throw new SimulatedAwsError('ECS.AmazonECSException', `${e.message} (Service: AmazonECS; Status Code: 400; Error Code: ${e.name})`);
      throw new SimulatedAwsError('ECS.AmazonECSException', `${(e as Error).message} (Service: AmazonECS; Status Code: 400; Error Code: ThrottlingException)`);
    }
    const token = typeof params.ClientToken === 'string' ? params.ClientToken : undefined;
    const seen = token ? this.tasksByToken.get(token) : undefined;
    const rel = this.spec.release;
    if (rel.placementFailure) {
      throw new SimulatedAwsError('AmazonECS.Unknown', JSON.stringify({ Failures: [{ Arn: params.TaskDefinition, Reason: rel.placementFailure }] }));
    }
    let task = seen;
    if (!task) this.checkRunTask(params);
    if (!task) {
      const id = createHash('md5').update(`${token ?? ''}${this.tasks.length}`).digest('hex');
      const overrides = (params.Overrides as { ContainerOverrides?: { Name?: string }[] } | undefined)?.ContainerOverrides ?? [];
      const main = overrides[0]?.Name ?? 'web';
      const containers: Record<string, unknown>[] = [];
      if (rel.sidecar) containers.push({ Name: rel.sidecar.name, ExitCode: rel.sidecar.exitCode, LastStatus: 'STOPPED' });
      containers.push(rel.failToStart ? { Name: main, LastStatus: 'STOPPED', Reason: rel.failToStart } : { Name: main, ExitCode: rel.exitCode, LastStatus: 'STOPPED' });
      task = {
        TaskArn: `${this.arnBase}:task/${this.clusterName()}/${id}`,
        TaskDefinitionArn: params.TaskDefinition,
        ClusterArn: params.Cluster,
        LastStatus: 'STOPPED',
        DesiredStatus: 'STOPPED',
        // Step Functions sets the task's startedBy itself (a StartedBy parameter is overwritten): label with Tags.
        Tags: params.Tags,
        StopCode: rel.failToStart ? 'TaskFailedToStart' : 'EssentialContainerExited',
        StoppedReason: rel.failToStart ? `CannotPullContainerError: ${rel.failToStart}` : 'Essential container in task exited',
        Containers: containers,
      };
      this.tasks.push(task);
      if (token) this.tasksByToken.set(token, task);
      await this.runUntil(() => false, this.now + rel.durationSeconds);
    }
    const failed = rel.failToStart !== undefined || rel.exitCode !== 0;
    if (failed) throw new SimulatedAwsError('States.TaskFailed', JSON.stringify(task));
    return structuredClone(task);
  }

  /**
   * RunTask's request checks, as the `ecs:runTask.sync` integration reports them (`ECS.<ErrorCode>`):
   * the task definition must exist, each container override must name one of its containers, tags
   * within ECS's limits.
   */
  private checkRunTask(params: Record<string, unknown>): void {
    const asEcs = (e: unknown) => new SimulatedAwsError(`ECS.${(e as Error).name}`, (e as Error).message);
    const ref = String(params.TaskDefinition ?? '');
    const revision = this.findRevision(ref);
    if (!revision) throw new SimulatedAwsError('ECS.ClientException', `Unable to find task definition ${ref}.`);
    const containers = (revision.taskDefinition.containerDefinitions ?? []).map((c) => c.name ?? '');
    const overrides = ((params.Overrides as { ContainerOverrides?: { Name?: string }[] } | undefined)?.ContainerOverrides ?? []).map((o) => ({ name: o.Name }));
    const tags = Array.isArray(params.Tags) ? (params.Tags as { Key?: string; Value?: string }[]).map((t) => ({ key: t.Key, value: t.Value })) : undefined;
    try {
      checkContainerOverrides(overrides, containers);
      checkEcsTags(tags);
    } catch (e) {
      throw asEcs(e);
    }
  }

  // ------------------------------------------------------------------ autoscaling

  registerScalableTarget(resourceId: string, min?: number, max?: number): void {
    this.count('RegisterScalableTarget');
    const t = this.scalableTargets.get(resourceId) ?? { policies: [] };
    this.scalableTargets.set(resourceId, { ...t, min, max });
    this.clampDesiredCount(resourceId);
  }

  putScalingPolicy(resourceId: string, policyName: string): void {
    this.count('PutScalingPolicy');
    const t = this.scalableTargets.get(resourceId);
    if (!t) throw new SimulatedAwsError('ObjectNotFoundException', `No scalable target registered for ${resourceId}`);
    if (!t.policies.includes(policyName)) t.policies.push(policyName);
  }

  // ------------------------------------------------------------------ scale-to-zero schedule

  /** Scheduled actions by scalable-target resource id, then by name. */
  readonly scheduledActions = new Map<string, Map<string, SimScheduledAction>>();

  /** Application Auto Scaling DescribeScalableTargets of one resource (counted). */
  describeScalableTarget(resourceId: string): { min?: number; max?: number } | undefined {
    this.count('DescribeScalableTargets');
    const t = this.scalableTargets.get(resourceId);
    return t ? { min: t.min, max: t.max } : undefined;
  }

  putScheduledAction(resourceId: string, action: SimScheduledAction): void {
    this.count('PutScheduledAction');
    if (!this.scalableTargets.has(resourceId)) throw new SimulatedAwsError('ObjectNotFoundException', `No scalable target registered for ${resourceId}`);
    const actions = this.scheduledActions.get(resourceId) ?? new Map<string, SimScheduledAction>();
    actions.set(action.name, { ...action });
    this.scheduledActions.set(resourceId, actions);
  }

  describeScheduledActions(resourceId: string): SimScheduledAction[] {
    this.count('DescribeScheduledActions');
    return [...(this.scheduledActions.get(resourceId)?.values() ?? [])].map((a) => ({ ...a }));
  }

  deleteScheduledAction(resourceId: string, name: string): void {
    this.count('DeleteScheduledAction');
    if (!this.scheduledActions.get(resourceId)?.delete(name)) throw new SimulatedAwsError('ObjectNotFoundException', `No scheduled action ${name} for ${resourceId}`);
  }

  /** Registrations before the run (world set-up); a service whose range is 0-0 has no tasks. */
  seedScalableTargets(targets: Record<string, { min: number; max: number }>): void {
    for (const [process, range] of Object.entries(targets)) {
      const name = serviceName(this.settings.app, process);
      if (!this.services.has(name)) throw new Error(`world: scalableTargets.${process} needs the service in "services"`);
      this.scalableTargets.set(this.resourceIdOf(name), { min: range.min, max: range.max, policies: [] });
      this.clampDesiredCount(this.resourceIdOf(name));
    }
  }

  /**
   * Runs a scheduled action as Application Auto Scaling does at its time: the range changes and the
   * service's desired count moves into it; new tasks run the service's current revision.
   */
  runScheduledAction(name: string): void {
    for (const [resourceId, actions] of this.scheduledActions) {
      const a = actions.get(name);
      if (!a) continue;
      const t = this.scalableTargets.get(resourceId) ?? { policies: [] };
      this.scalableTargets.set(resourceId, { ...t, min: a.min, max: a.max });
      this.clampDesiredCount(resourceId);
      return;
    }
    throw new Error(`no scheduled action named ${name}`);
  }

  private resourceIdOf(service: string): string {
    return `service/${this.clusterName()}/${service}`;
  }

  private clampDesiredCount(resourceId: string): void {
    const t = this.scalableTargets.get(resourceId);
    const s = this.services.get(resourceId.slice(resourceId.lastIndexOf('/') + 1));
    if (!t || !s || t.min === undefined || t.max === undefined) return;
    const desired = Math.max(t.min, Math.min(s.service.desiredCount ?? 0, t.max));
    s.service.desiredCount = desired;
    s.service.runningCount = desired;
    for (const d of s.service.deployments ?? []) if (d.status === 'PRIMARY') d.desiredCount = d.runningCount = desired;
  }
}
