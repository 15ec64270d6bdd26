import {
  CreateServiceCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ListTaskDefinitionsCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
  type CreateServiceCommandInput,
  type Deployment,
  type ECSClient,
  type RegisterTaskDefinitionCommandInput,
  type Service,
  type Tag,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import { createHash } from 'node:crypto';
import { serviceName, serviceResource, TAG_APP, TAG_BUILD } from '../../../domain/names';
import { checkContainerOverrides, checkEcsTags, checkOverridesLength, checkServiceName, checkTaskDefinition } from '../aws-limits';
import { InjectedAwsError, SimulatedAwsError } from '../aws-error';
import type { SimulatedAccount } from './simulated-account';
import { LocalRunError } from '../run-error';
import type { DeploymentOutcome, WorldSpec } from '../world-schema';

/** A stored task-definition revision. */
export interface Revision {
  taskDefinition: TaskDefinition;
  tags: Tag[];
}

/** A simulated ECS service. */
export interface SimService {
  service: Service;
  /** The app whose process type it runs. */
  app: string;
  process: string;
}

/** An ECS "Deployment State Change" event as EventBridge delivers it. */
export type DeploymentEvent = Record<string, unknown>;

/** A stopped task as `ecs:runTask.sync` returns it (PascalCase). */
export type SyncTask = Record<string, unknown>;

/**
 * Simulated Amazon ECS: task definitions, services, their deployments (each planned by the world's
 * `deployments` outcomes, its "ECS Deployment State Change" events delivered a second later) and the
 * release task of `ecs:runTask.sync`, in the account's cluster.
 */
export class SimulatedEcs {
  readonly revisions = new Map<string, Revision[]>();
  readonly services = new Map<string, SimService>();
  readonly tasks: SyncTask[] = [];
  readonly tasksByToken = new Map<string, SyncTask>();
  /** Each ECS deployment that completed, with the simulated time it did (before its event is delivered). */
  readonly completedDeployments: { service: string; deploymentId: string; at: number }[] = [];
  private readonly outcomes: Record<string, DeploymentOutcome[]> = {};
  private deploymentSeq = 1000000000000000000n;
  /** Called with each ECS deployment event (unless the world loses them). */
  onDeploymentEvent: (event: DeploymentEvent) => Promise<void> = async () => undefined;

  constructor(private readonly account: SimulatedAccount) {
    this.planOutcomes(account.spec);
  }

  /**
   * The deployment outcomes the world plans, each key's list used up one deployment at a time. `only`:
   * re-plan just these keys (a redrive's patch names them; the others keep what is left of their list).
   */
  planOutcomes(spec: WorldSpec, only?: ReadonlySet<string>): void {
    for (const k of only ?? new Set([...Object.keys(this.outcomes), ...Object.keys(spec.deployments)])) {
      const planned = spec.deployments[k];
      if (planned) this.outcomes[k] = [...planned];
      else delete this.outcomes[k];
    }
  }

  private get arnBase(): string {
    return `arn:aws:ecs:${this.account.spec.region}:${this.account.spec.account}`;
  }

  /** The name of the account's cluster (the last part of its ARN). */
  clusterName(): string {
    const c = this.account.settings.cluster;
    return c.slice(c.lastIndexOf('/') + 1);
  }

  // ------------------------------------------------------------------ task definitions

  /**
   * Revisions RegisterTaskDefinition created in this run. Not the calls: a throttled or refused call
   * registers nothing (it is counted in `calls`).
   */
  registeredRevisions = 0;

  /** ECS RegisterTaskDefinition (counted, throttleable). */
  registerTaskDefinition(input: RegisterTaskDefinitionCommandInput): TaskDefinition {
    this.account.count('RegisterTaskDefinition');
    checkTaskDefinition(input);
    checkEcsTags(input.tags);
    const registered = this.addRevision(input);
    this.registeredRevisions += 1;
    return registered;
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
    this.account.count('ListTaskDefinitions');
    const arns = [...this.revisions.entries()]
      .filter(([family]) => family.startsWith(familyPrefix))
      .flatMap(([, list]) => list.map((r) => r.taskDefinition.taskDefinitionArn ?? ''));
    if (descending) arns.reverse();
    return maxResults ? arns.slice(0, maxResults) : arns;
  }

  /** ECS DescribeTaskDefinition (counted). */
  describeTaskDefinition(ref: string): Revision {
    this.account.count('DescribeTaskDefinition');
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
  seedRevision(process: string, build: string, app = this.account.settings.app, family?: string): string {
    const settings = this.account.appSettings(app);
    const p = settings.processes[process];
    if (!p) throw new LocalRunError(`world: process "${process}" is not one of ${app}'s processes (${Object.keys(settings.processes).join(', ')})`);
    const td = this.addRevision({
      family: family ?? p.family,
      containerDefinitions: [{ name: process, image: `${settings.imageRepositoryUri}:build-${build}`, essential: true }],
      cpu: p.cpu,
      memory: p.memory,
      tags: [
        { key: TAG_APP, value: app },
        { key: TAG_BUILD, value: build },
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
    this.account.count('DescribeServices');
    const s = this.services.get(name);
    return s ? structuredClone(s.service) : undefined;
  }

  /** ECS CreateService (counted, throttleable): the first deployment runs its planned outcome. */
  createService(input: CreateServiceCommandInput, owner: { app: string; process: string }): Service {
    this.account.count('CreateService');
    checkServiceName(input);
    checkEcsTags(input.tags);
    return this.addService(input, owner, false);
  }

  /**
   * CreateService and UpdateService refuse a task definition that was never registered: ECS answers
   * `ClientException: TaskDefinition not found.` (as recorded in public reports of the CreateService
   * and UpdateService operations, e.g. Cloud-CV/EvalAI#2419, remind101/empire#353).
   */
  private requireRegistered(taskDefinition: string | undefined): void {
    if (!taskDefinition || !this.findRevision(taskDefinition)) throw new SimulatedAwsError('ClientException', 'TaskDefinition not found.');
  }

  private addService(input: CreateServiceCommandInput, owner: { app: string; process: string }, settled: boolean): Service {
    const name = input.serviceName ?? '';
    if (!settled) this.requireRegistered(input.taskDefinition);
    const existing = this.services.get(name);
    // A service name is unique in its cluster while the service is ACTIVE: ECS refuses a second
    // CreateService of it with "InvalidParameterException: Creation of service was not idempotent."
    // (recorded in public reports: github.com/hashicorp/terraform-provider-aws/issues/14489,
    // github.com/Shippable/support/issues/4753), whichever app asks.
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
      createdAt: this.account.clock.dateAt(this.account.clock.now),
    };
    const service: Service = {
      serviceName: name,
      serviceArn: `${this.arnBase}:${serviceResource(this.clusterName(), name)}`,
      clusterArn: this.account.settings.cluster,
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
    this.account.count('UpdateService');
    const s = this.services.get(name);
    if (!s || s.service.status !== 'ACTIVE') throw new SimulatedAwsError('ServiceNotFoundException', `Service not found: ${name}`);
    this.requireRegistered(taskDefinition);
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
      createdAt: this.account.clock.dateAt(this.account.clock.now),
    };
    s.service.deployments = [deployment, ...(s.service.deployments ?? [])];
    s.service.taskDefinition = taskDefinition;
    return deployment;
  }

  private emit(s: SimService, eventName: string, deploymentId: string, reason: string): void {
    if (this.account.spec.lostEvents) return;
    const event: DeploymentEvent = {
      version: '0',
      id: createHash('md5').update(`${deploymentId}${eventName}${this.account.clock.now}`).digest('hex'),
      'detail-type': 'ECS Deployment State Change',
      source: 'aws.ecs',
      account: this.account.spec.account,
      time: this.account.clock.isoNow(),
      region: this.account.spec.region,
      resources: [s.service.serviceArn],
      detail: { eventType: eventName === 'SERVICE_DEPLOYMENT_FAILED' ? 'ERROR' : 'INFO', eventName, deploymentId, updatedAt: this.account.clock.isoNow(), reason },
    };
    // EventBridge delivers asynchronously: a second later.
    this.account.clock.schedule(this.account.clock.now + 1, `deliver ${eventName}`, () => this.onDeploymentEvent(event));
  }

  private complete(s: SimService, deploymentId: string): void {
    const d = s.service.deployments?.find((x) => x.id === deploymentId);
    if (!d || d.status !== 'PRIMARY' || d.rolloutState !== 'IN_PROGRESS') return;
    d.rolloutState = 'COMPLETED';
    d.rolloutStateReason = `ECS deployment ${deploymentId} completed.`;
    d.runningCount = d.desiredCount;
    s.service.runningCount = d.desiredCount;
    s.service.deployments = [d];
    this.completedDeployments.push({ service: s.service.serviceName ?? '', deploymentId, at: this.account.clock.now });
    this.emit(s, 'SERVICE_DEPLOYMENT_COMPLETED', deploymentId, `ECS deployment ${deploymentId} completed.`);
  }

  private planDeployment(name: string, deploymentId: string): void {
    const s = this.services.get(name);
    if (!s) return;
    // A key `<app>--<process>` (the service's name) plans one app's service; a process type alone, the world's `app`'s.
    const queue = this.outcomes[name] ?? (s.app === this.account.settings.app ? this.outcomes[s.process] : undefined) ?? [];
    const outcome: DeploymentOutcome = queue.shift() ?? { outcome: 'completes', afterSeconds: 60 };
    this.emit(s, 'SERVICE_DEPLOYMENT_IN_PROGRESS', deploymentId, `ECS deployment ${deploymentId} in progress.`);
    switch (outcome.outcome) {
      case 'completes':
        this.account.clock.schedule(this.account.clock.now + outcome.afterSeconds, `${name} deployment completes`, () => this.complete(s, deploymentId));
        break;
      case 'neverSettles':
        break;
      case 'rollsBack':
        this.account.clock.schedule(this.account.clock.now + outcome.afterSeconds, `${name} deployment rolls back`, () => {
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
            this.account.clock.schedule(this.account.clock.now + 60, `${name} rollback completes`, () => this.complete(s, rollback.id ?? ''));
          }
        });
        break;
      case 'replaced':
        this.account.clock.schedule(this.account.clock.now + outcome.afterSeconds, `${name} deployment replaced`, () => {
          const current = s.service.deployments?.find((x) => x.id === deploymentId);
          if (!current || current.status !== 'PRIMARY') return;
          const newer = this.seedRevision(s.process, '99999', s.app);
          const replacement = this.startDeployment(s, newer);
          this.emit(s, 'SERVICE_DEPLOYMENT_IN_PROGRESS', replacement.id ?? '', `ECS deployment ${replacement.id} in progress.`);
          this.account.clock.schedule(this.account.clock.now + 60, `${name} replacement completes`, () => this.complete(s, replacement.id ?? ''));
        });
        break;
    }
  }

  /** Puts an existing service on a revision of an earlier build, settled (world set-up). */
  seedService(process: string, build: string, app = this.account.settings.app): void {
    const arn = this.seedRevision(process, build, app);
    const p = this.account.appSettings(app).processes[process];
    this.addService({ serviceName: serviceName(app, process), taskDefinition: arn, desiredCount: p.desiredCount }, { app, process }, true);
  }

  // ------------------------------------------------------------------ release task

  /** `ecs:runTask.sync`: runs the task to its end on the simulated clock. */
  async runTaskSync(params: Record<string, unknown>, deadline?: number): Promise<SyncTask> {
    try {
      this.account.count('RunTask');
    } catch (e) {
      // The ecs:runTask integration names every ECS error ECS.AmazonECSException, the code in the message.
      if (e instanceof InjectedAwsError) throw new SimulatedAwsError('ECS.AmazonECSException', `${e.message} (Service: AmazonECS; Status Code: 400; Error Code: ${e.name})`);
      throw new SimulatedAwsError('ECS.AmazonECSException', `${(e as Error).message} (Service: AmazonECS; Status Code: 400; Error Code: ThrottlingException)`);
    }
    const token = typeof params.ClientToken === 'string' ? params.ClientToken : undefined;
    const seen = token ? this.tasksByToken.get(token) : undefined;
    const rel = this.releaseOutcome(String(params.TaskDefinition ?? ''));
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
      const endsAt = this.account.clock.now + rel.durationSeconds;
      if (deadline !== undefined && endsAt > deadline) {
        // The state's TimeoutSeconds elapses first: Step Functions stops waiting and the state fails with
        // States.Timeout (ASL "Timeouts"); the task itself is still running when the state gives up.
        await this.account.clock.runUntil(() => false, deadline);
        Object.assign(task, { LastStatus: 'RUNNING', DesiredStatus: 'RUNNING', Containers: containers.map((c) => ({ Name: c.Name, LastStatus: 'RUNNING' })) });
        delete task.StopCode;
        delete task.StoppedReason;
        throw new SimulatedAwsError('States.Timeout', '');
      }
      await this.account.clock.runUntil(() => false, endsAt);
    }
    const failed = rel.failToStart !== undefined || rel.exitCode !== 0;
    if (failed) throw new SimulatedAwsError('States.TaskFailed', JSON.stringify(task));
    return structuredClone(task);
  }

  /** How a task of this task definition ends: the world's `releases` entry of the app it is tagged with, else `release`. */
  private releaseOutcome(taskDefinition: string): WorldSpec['release'] {
    const app = this.findRevision(taskDefinition)?.tags.find((t) => t.key === TAG_APP)?.value;
    return (app !== undefined ? this.account.spec.releases[app] : undefined) ?? this.account.spec.release;
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
      checkOverridesLength(params.Overrides);
      checkEcsTags(tags);
    } catch (e) {
      throw asEcs(e);
    }
  }

  /** aws-sdk-client-mock handlers on `client` (the handlers' ECS client) answering from this simulation. */
  mock(client: ECSClient): { restore: () => void } {
    const ecsMock = mockClient(client);
    ecsMock.on(RegisterTaskDefinitionCommand).callsFake(async (input) => ({ taskDefinition: this.registerTaskDefinition(input) }));
    ecsMock.on(ListTaskDefinitionsCommand).callsFake(async (input) => ({ taskDefinitionArns: this.listTaskDefinitions(input.familyPrefix ?? '', input.sort === 'DESC', input.maxResults) }));
    ecsMock.on(DescribeTaskDefinitionCommand).callsFake(async (input) => this.describeTaskDefinition(input.taskDefinition ?? ''));
    ecsMock.on(DescribeServicesCommand).callsFake(async (input) => {
      const services = (input.services ?? []).map((n: string) => this.describeService(n)).filter(Boolean);
      const failures = (input.services ?? []).filter((n: string) => !this.services.has(n)).map((n: string) => ({ arn: n, reason: 'MISSING' }));
      return { services, failures };
    });
    ecsMock.on(CreateServiceCommand).callsFake(async (input) => {
      // ECS creates any service name; the simulation notes which hosted app's process type it runs.
      const owner = this.account.serviceOwner(input.serviceName ?? '') ?? { app: '', process: input.serviceName ?? '' };
      return { service: this.createService(input, owner) };
    });
    ecsMock.on(UpdateServiceCommand).callsFake(async (input) => ({ service: this.updateService(input.service ?? '', input.taskDefinition ?? '') }));
    return ecsMock;
  }
}
