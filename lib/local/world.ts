import type { AppSettings } from '../../domain/settings';
import { serviceName } from '../../domain/names';
import { InjectedAwsError, SimulatedAwsError } from './aws-error';
import { LocalRunError } from './run-error';
import { SimulatedAutoScaling } from './services/autoscaling';
import { SimulatedClock } from './services/clock';
import { MemoryTable } from './services/dynamodb';
import { SimulatedEcs, type Revision, type SimService, type SyncTask } from './services/ecs';
import { SimulatedEventBus, type EmittedEvent } from './services/eventbridge';
import { SimulatedScheduler } from './services/scheduler';
import { SimulatedParameterStore } from './services/ssm';
import { RateLimiter } from './rate-limits';
import type { WorldSpec } from './world-schema';

export { InjectedAwsError, SimulatedAwsError } from './aws-error';
export type { SimScheduledAction } from './services/autoscaling';
export type { DeploymentEvent, SyncTask } from './services/ecs';
export type { EmittedEvent } from './services/eventbridge';

/**
 * The simulated account: the apps it hosts and their DynamoDB tables, the call counts, throttling and
 * injected errors every simulated service answers with, and the services themselves, each in a file
 * named after it (lib/local/services/): the clock, ECS, Application Auto Scaling, the EventBridge
 * default bus, Parameter Store and EventBridge Scheduler. Waits cost no real time.
 */
export class World {
  /** The DynamoDB tables of the account by name: each app's own table and the control plane's table. */
  readonly tables = new Map<string, MemoryTable>();
  /** The apps hosted in the account (their settings, as their settings parameters hold them), the world's `app` first. */
  readonly apps = new Map<string, AppSettings>();
  readonly calls: Record<string, number> = {};
  readonly clock: SimulatedClock;
  readonly ecs: SimulatedEcs;
  readonly autoscaling: SimulatedAutoScaling;
  /** The default event bus. */
  readonly eventBus: SimulatedEventBus;
  /** Parameter Store: the world's `parameters` at the start, each app's settings parameter once registered. */
  readonly ssm: SimulatedParameterStore;
  /** EventBridge Scheduler: each registered app's schedule group and its schedules. */
  readonly scheduler: SimulatedScheduler;
  private readonly throttleLeft: Record<string, number>;
  /** AWS's documented default API rates, as token buckets on the simulated clock (lib/local/rate-limits.ts). */
  readonly limits: RateLimiter;

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
    this.clock = new SimulatedClock(Date.parse(spec.startTime), () => this.spec.sweepEverySeconds, () => this.spec.deadlineCheckEverySeconds);
    this.throttleLeft = { ...spec.throttle } as Record<string, number>;
    this.limits = new RateLimiter(spec.region, () => this.clock.now);
    this.ecs = new SimulatedEcs(this);
    this.autoscaling = new SimulatedAutoScaling(this, this.ecs);
    this.eventBus = new SimulatedEventBus(this);
    this.ssm = new SimulatedParameterStore(this);
    this.scheduler = new SimulatedScheduler(this);
    for (const [name, p] of Object.entries(spec.parameters)) this.ssm.parameters.set(name, { name, type: p.type, value: p.value, version: 1, lastModified: 0 });
    this.injectErrors(spec.errors);
  }

  /** Seconds since the start of the run. */
  get now(): number {
    return this.clock.now;
  }

  /** The run's start, epoch milliseconds. */
  get startMs(): number {
    return this.clock.startMs;
  }

  /** The simulated wall-clock time. */
  isoNow(): string {
    return this.clock.isoNow();
  }

  // The ECS, autoscaling and event-bus state that reports, tests and benchmarks read from the account.
  get revisions(): Map<string, Revision[]> {
    return this.ecs.revisions;
  }
  get services(): Map<string, SimService> {
    return this.ecs.services;
  }
  get tasks(): SyncTask[] {
    return this.ecs.tasks;
  }
  get completedDeployments(): SimulatedEcs['completedDeployments'] {
    return this.ecs.completedDeployments;
  }
  get scalableTargets(): SimulatedAutoScaling['scalableTargets'] {
    return this.autoscaling.scalableTargets;
  }
  get scheduledActions(): SimulatedAutoScaling['scheduledActions'] {
    return this.autoscaling.scheduledActions;
  }
  /** Events the pipelines put on the default event bus, in order. */
  get events(): EmittedEvent[] {
    return this.eventBus.events;
  }
  /** A stored task-definition revision by ARN or `family:revision` (not an API call). */
  findRevision(ref: string): Revision | undefined {
    return this.ecs.findRevision(ref);
  }
  /** Registers a revision for an earlier build (world set-up). */
  seedRevision(process: string, build: string, app = this.settings.app): string {
    return this.ecs.seedRevision(process, build, app);
  }
  /** ECS DescribeServices of one service (counted). */
  describeService(name: string): ReturnType<SimulatedEcs['describeService']> {
    return this.ecs.describeService(name);
  }
  /** Runs a scheduled action of Application Auto Scaling now. */
  runScheduledAction(name: string): void {
    this.autoscaling.runScheduledAction(name);
  }

  /** Hosts another app in the account: its own table (named in its settings), empty. */
  addApp(settings: AppSettings): void {
    if (this.apps.has(settings.app)) throw new LocalRunError(`world: app "${settings.app}" is hosted twice`);
    if (this.tables.has(settings.table)) throw new LocalRunError(`world: table ${settings.table} of ${settings.app} already exists`);
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
    if (!t) throw new LocalRunError(`world: app ${app} has no table`);
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
    if (!s) throw new LocalRunError(`world: app "${app}" is not hosted in this account (apps: ${[...this.apps.keys()].join(', ')})`);
    return s;
  }

  /** The app and process type of a service name `<app>--<process>` of a hosted app. */
  serviceOwner(name: string): { app: string; process: string } | undefined {
    for (const [app, s] of this.apps) for (const process of Object.keys(s.processes)) if (serviceName(app, process) === name) return { app, process };
    return undefined;
  }


  /**
   * Counts a call; throws ThrottlingException while the world says so, then the service's throttling
   * error when AWS's default rate for the call is exceeded (`limits`; `resource` names the table of a
   * per-table quota), then any error injected into it.
   */
  count(call: string, resource?: string): void {
    this.calls[call] = (this.calls[call] ?? 0) + 1;
    const left = this.throttleLeft[call] ?? 0;
    if (left > 0) {
      this.throttleLeft[call] = left - 1;
      throw new SimulatedAwsError('ThrottlingException', `Rate exceeded (simulated throttling of ${call})`);
    }
    this.limits.admit(call, resource);
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
   * outcome, lost events, ...). The world goes on from where it is: with `patch` (the JSON Merge Patch
   * that made `spec`), the sequences that are used up as calls happen (each process type's deployment
   * outcomes, `throttle` counts, `errors` with `times`) change only for the keys the patch names; the
   * others keep what is left of them, so an outcome, a throttle or an injected error already consumed
   * stays consumed. Without `patch`, every sequence starts again from `spec`. What exists stays.
   */
  applyPatchedSpec(spec: WorldSpec, patch?: unknown): void {
    this.spec = spec;
    const throttled = namedByPatch(patch, 'throttle', spec.throttle, this.throttleLeft);
    for (const k of throttled) this.throttleLeft[k] = spec.throttle[k as keyof WorldSpec['throttle']] ?? 0;
    this.ecs.planOutcomes(spec, namedByPatch(patch, 'deployments', spec.deployments, {}));
    for (const k of namedByPatch(patch, 'errors', spec.errors, this.injected)) {
      const e = spec.errors[k as keyof WorldSpec['errors']];
      if (e) this.injected[k] = { name: e.name, message: e.message, left: e.times };
      else delete this.injected[k];
    }
  }
}

/**
 * The keys of a world sequence (`throttle`, `deployments`, `errors`) that a JSON Merge Patch re-plans:
 * every key (old and new) when there is no patch or it sets the whole field (`null` or a value that is
 * not an object), else the keys it names.
 */
function namedByPatch(patch: unknown, field: 'throttle' | 'deployments' | 'errors', planned: object, current: object): Set<string> {
  const every = new Set([...Object.keys(planned), ...Object.keys(current)]);
  if (patch === undefined) return every;
  if (patch === null || typeof patch !== 'object' || !(field in patch)) return new Set();
  const value = (patch as Record<string, unknown>)[field];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return every;
  return new Set(Object.keys(value));
}
