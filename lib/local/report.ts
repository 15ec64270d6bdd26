import { appOfExecutionInput } from '../../domain/executions';
import { TAG_APP, TAG_BUILD, taskDefinitionOfArn } from '../../domain/names';
import { buildTimeline } from '../../domain/execution-history';
import { stepLabel } from '../ops/step-labels';
import { dynamoKey, readCurrentRelease, readProcessList, RELEASE_CURRENT } from '../../domain/table';
import type { SimScheduledAction } from './services/autoscaling';
import type { EmittedEvent } from './services/eventbridge';
import type { EngineEvent } from './history';
import type { ExecutionReport, StateVisit } from './services/stepfunctions';
import type { World } from './world';

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
    /** Each service as it is now; `build` from its task definition's `slipway:build` tag (null when untagged). */
    readonly services: Record<string, { taskDefinition: string; image: string; build: string | null; desiredCount: number; deployments: number }>;
    readonly lastGoodRelease: { build: string; image: string; processes: unknown } | null;
    readonly autoscaling: Record<string, { min?: number; max?: number; policies: string[] }>;
    /** The scale-to-zero schedule's actions, by scalable-target resource id. */
    readonly scheduledActions: Record<string, SimScheduledAction[]>;
  };
  /** Milestone events the pipelines put on the default event bus (source `slipway`), in order. */
  readonly events: EmittedEvent[];
}

/** The report of a local run so far: its executions and totals, and the simulated account as it is now. */
export function buildReport(run: { readonly app: string; readonly executions: readonly ExecutionReport[]; readonly transitions: number; readonly lambdaInvocations: number; readonly world: World }): RunReport {
  const w = run.world;
  const services: RunReport['world']['services'] = {};
  for (const [name, s] of w.services) {
    const td = s.service.taskDefinition ?? '';
    const revision = w.findRevision(td);
    const image = revision?.taskDefinition.containerDefinitions?.[0]?.image ?? 'unknown';
    const build = revision?.tags.find((t) => t.key === TAG_BUILD)?.value ?? null;
    services[name] = { taskDefinition: td, image, build, desiredCount: s.service.desiredCount ?? 0, deployments: (s.service.deployments ?? []).length };
  }
  const current = readCurrentRelease(w.table.get(dynamoKey(RELEASE_CURRENT)));
  return {
    app: run.app,
    executions: run.executions.map((e) => ({ ...e, states: e.states.map(({ ...s }) => (delete (s as { input?: unknown }).input, s)) })),
    totals: {
      stateTransitions: run.transitions,
      lambdaInvocations: run.lambdaInvocations,
      simulatedSeconds: w.now,
      releaseTasksStarted: w.tasks.length,
      // Revisions created, not calls: a throttled call that was retried registered nothing.
      taskDefinitionsRegistered: w.ecs.registeredRevisions,
    },
    world: {
      services,
      lastGoodRelease: current
        ? { build: current.buildKey, image: current.image ?? '', processes: readProcessList(current.processes) ?? [] }
        : null,
      autoscaling: Object.fromEntries(w.scalableTargets),
      scheduledActions: Object.fromEntries([...w.scheduledActions].map(([id, actions]) => [id, [...actions.values()]])),
    },
    events: w.events.map((e) => ({ ...e })),
  };
}

/** One execution in a {@link FleetReport}. */
export interface FleetExecution {
  readonly name: string;
  readonly stateMachine: ExecutionReport['stateMachine'];
  readonly status: ExecutionReport['status'];
  readonly redriveCount: number;
  /** Simulated seconds since the run's start. */
  readonly startedAt: number;
  readonly endedAt?: number;
  /** The step that made it fail (as `slipway status` names it), null unless it failed. */
  readonly failedStep: string | null;
  readonly error?: string;
  /** Each attempt (the first run, then each redrive) from its history: when it started and how it ended (simulated seconds). */
  readonly attempts: { readonly startedAt: number; readonly endedAt?: number; readonly status?: string }[];
}

const ATTEMPT_ENDS: Record<string, string> = { ExecutionSucceeded: 'SUCCEEDED', ExecutionFailed: 'FAILED', ExecutionTimedOut: 'TIMED_OUT', ExecutionAborted: 'ABORTED' };

/** An execution's attempts from its history's ExecutionStarted/ExecutionRedriven and end events, in seconds since `startMs`. */
function attemptsOf(e: ExecutionReport, startMs: number): FleetExecution['attempts'] {
  const at = (t: unknown) => Math.round((new Date(t as string | number | Date).getTime() - startMs) / 1000);
  const attempts: { startedAt: number; endedAt?: number; status?: string }[] = [];
  for (const h of e.history) {
    if (h.type === 'ExecutionStarted' || h.type === 'ExecutionRedriven') attempts.push({ startedAt: at(h.timestamp) });
    const end = ATTEMPT_ENDS[h.type ?? ''];
    const last = attempts[attempts.length - 1];
    if (end && last) Object.assign(last, { endedAt: at(h.timestamp), status: end });
  }
  return attempts;
}

/** One app in a {@link FleetReport}: what ran for it and what it has in the account now. */
export interface FleetAppReport {
  readonly app: string;
  readonly executions: FleetExecution[];
  /** Its ECS services: task definition as `family:revision`, desired and running tasks. */
  readonly services: { readonly name: string; readonly taskDefinition: string; readonly desiredCount: number; readonly runningCount: number }[];
  /** Its task-definition revisions, `family:revision`. */
  readonly taskDefinitions: string[];
}

/** The report of a several-event run: per app, then the run's totals. */
export interface FleetReport {
  readonly apps: FleetAppReport[];
  /** Executions whose input names no hosted app (none, unless an input was hostile). */
  readonly unattributed: string[];
  readonly totals: RunReport['totals'];
}

/** The per-app report of a run of several apps' events (lib/local/fleet.ts). */
export function buildFleetReport(run: Parameters<typeof buildReport>[0] & { readonly prefix: string }): FleetReport {
  const w = run.world;
  const family = (arn: string | undefined) => {
    const td = taskDefinitionOfArn(arn ?? '');
    return td ? `${td.family}:${td.revision}` : (arn ?? '');
  };
  const apps = new Map<string, { executions: FleetExecution[]; services: FleetAppReport['services']; taskDefinitions: string[] }>();
  for (const app of w.apps.keys()) apps.set(app, { executions: [], services: [], taskDefinitions: [] });
  const unattributed: string[] = [];
  for (const e of run.executions) {
    const app = apps.get(appOfExecutionInput(run.prefix, e.input) ?? '');
    if (!app) {
      unattributed.push(e.name);
      continue;
    }
    const failure = e.status === 'SUCCEEDED' || e.status === 'RUNNING' ? undefined : buildTimeline(e.history);
    const failedStep = failure?.failure ? stepLabel(failure.failure.entry, failure.itemLabels) : null;
    app.executions.push({ name: e.name, stateMachine: e.stateMachine, status: e.status, redriveCount: e.redriveCount, startedAt: e.startedAt, ...(e.endedAt !== undefined ? { endedAt: e.endedAt } : {}), failedStep, ...(e.error ? { error: e.error } : {}), attempts: attemptsOf(e, w.startMs) });
  }
  for (const [name, s] of w.services) {
    apps.get(s.app)?.services.push({ name, taskDefinition: family(s.service.taskDefinition), desiredCount: s.service.desiredCount ?? 0, runningCount: s.service.runningCount ?? 0 });
  }
  for (const revisions of w.revisions.values()) {
    for (const r of revisions) {
      const app = r.tags.find((t) => t.key === TAG_APP)?.value;
      apps.get(app ?? '')?.taskDefinitions.push(`${r.taskDefinition.family}:${r.taskDefinition.revision}`);
    }
  }
  const totals = buildReport(run).totals;
  return { apps: [...apps].map(([app, a]) => ({ app, ...a })), unattributed, totals };
}

/**
 * Keeps an execution's list of states as the console's graph view shows it (`ExecutionReport.states`)
 * beside its history, from the engine's events of one attempt.
 */
export class StateList {
  /** Each Map iteration's name: its process type. */
  private readonly iterationNames = new Map<number, string>();
  /** The states entered and not yet left, by iteration and name. */
  private readonly open = new Map<string, StateVisit>();

  constructor(
    private readonly exec: ExecutionReport,
    /** Whether a Task is the runner's stand-in for a Wait state (reported as a Wait). */
    private readonly isWait: (stateName: string) => boolean,
    /** Simulated seconds now. */
    private readonly now: () => number,
  ) {}

  /** Notes an engine event; true when it entered a state (a state transition). */
  note(e: EngineEvent, idx: number | undefined): boolean {
    if (!e.state) return false;
    const key = `${idx ?? '-'}/${e.state.name}`;
    if (e.type === 'StateEntered') {
      if (idx !== undefined && !this.iterationNames.has(idx)) {
        const proc = (e.state.input as Record<string, unknown> | null)?.process;
        this.iterationNames.set(idx, typeof proc === 'string' ? proc : `#${idx}`);
      }
      const visit: StateVisit = { name: e.state.name, type: e.state.type === 'Task' && this.isWait(e.state.name) ? 'Wait' : e.state.type, iteration: idx !== undefined ? this.iterationNames.get(idx) : undefined, at: this.now(), status: 'entered', retries: 0 };
      this.exec.states.push(visit);
      this.open.set(key, visit);
      return true;
    }
    const visit = this.open.get(key);
    if (!visit) return false;
    if (e.type === 'StateExited') visit.status = visit.status === 'caught' ? 'caught' : 'succeeded';
    if (e.type === 'StateRetried') visit.retries += 1;
    if (e.type === 'StateFailed') {
      visit.status = 'failed';
      visit.error = e.Error;
      visit.cause = typeof e.Cause === 'string' ? e.Cause : JSON.stringify(e.Cause);
    }
    if (e.type === 'StateCaught') visit.status = 'caught';
    return false;
  }
}
