import type { SimScheduledAction } from './services/autoscaling';
import type { EmittedEvent } from './services/eventbridge';
import type { ExecutionReport } from './services/stepfunctions';
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
    readonly services: Record<string, { taskDefinition: string; image: string; desiredCount: number; deployments: number }>;
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
    const image = w.findRevision(td)?.taskDefinition.containerDefinitions?.[0]?.image ?? 'unknown';
    services[name] = { taskDefinition: td, image, desiredCount: s.service.desiredCount ?? 0, deployments: (s.service.deployments ?? []).length };
  }
  const current = w.table.get({ pk: { S: 'RELEASE' }, sk: { S: 'CURRENT' } });
  return {
    app: run.app,
    executions: run.executions.map((e) => ({ ...e, states: e.states.map(({ ...s }) => (delete (s as { input?: unknown }).input, s)) })),
    totals: {
      stateTransitions: run.transitions,
      lambdaInvocations: run.lambdaInvocations,
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
