/**
 * What an on-call engineer does next: one line per failure an operator meets (a failed release task, a
 * rolled-back or timed-out deployment, a task ECS could not place), and what the app runs now when its
 * process types run different builds. Shared by `slipway status`, `slipway watch` and the local run's
 * timeline, so each says the same. Pure functions; nothing here calls AWS.
 */

/** What {@link nextStep} knows of a failure. */
export interface FailureFacts {
  /** The failed step's error (`ReleaseFailed`, `DeploymentRolledBack`, `States.TaskFailed`, ...). */
  readonly error?: string | null;
  /** The process type whose step failed (a deploy's Map iteration), when known. */
  readonly process?: string | null;
  readonly app?: string | null;
  readonly build?: string | null;
  /** What a redrive would do ({@link ./timeline assessRedrive}'s verdict): the advice names redrive only when it helps. */
  readonly redrive?: 'possible' | 'would-not-help' | 'not-redrivable' | 'not-failed';
  /** The pipeline that failed, when the error alone does not say (a release's `States.TaskFailed`). */
  readonly pipeline?: string | null;
}

/** The next step after a failure, as one line, or null when there is nothing specific to say. */
export function nextStep(f: FailureFacts): string | null {
  const app = f.app ?? '<app>';
  const build = f.build ?? '<build>';
  const process = f.process ?? '<process>';
  const redrive = f.redrive === undefined || f.redrive === 'possible' ? `slipway redrive ${app} ${build}` : null;
  const thenRedrive = redrive ? `, then ${redrive}` : '';
  switch (f.error) {
    case 'DeploymentRolledBack':
      return `ECS rolled ${process} back: it runs its previous revision and serves the previous build. Find why the new tasks stopped (slipway logs ${app} ${process} --build ${build}; slipway ps ${app}), fix it${thenRedrive} (deploys ${process} again), or put every process type back on the last good release: slipway rollback ${app}`;
    case 'DeploymentTimedOut':
      return `${process}'s deployment did not settle before the deploy timeout: look at its tasks and the service's events (slipway ps ${app}; slipway logs ${app} ${process} --build ${build}), fix the cause${thenRedrive} (a new deployment of the same revision), or slipway rollback ${app}`;
    case 'DeploymentFailed':
      return `${process}'s deployment failed without a rollback: look at its tasks (slipway ps ${app}), fix the cause${thenRedrive}, or slipway rollback ${app}`;
    case 'ReleaseFailed':
      return `read the release task's log (the logs line), fix the cause (the release command, a config key: slipway config ${app})${thenRedrive}, or push a fix; nothing was deployed`;
    case 'States.TaskFailed':
      return f.pipeline === 'release' ? `read the release task's log (the logs line), fix the cause${thenRedrive}, or push a fix; nothing was deployed` : null;
    default:
      return null;
  }
}

/** One process type's service and the build it runs (null: unknown). */
export interface RunningService {
  readonly service: string;
  readonly build: string | null;
}

/**
 * A line saying the app runs several builds at once (a deploy that finished on some process types and
 * not on others), or null when every service runs the same build.
 */
export function runningBuilds(services: readonly RunningService[]): string | null {
  const builds = [...new Set(services.map((s) => s.build ?? 'unknown'))];
  if (builds.length < 2) return null;
  const each = services.map((s) => `${s.service} build ${s.build ?? 'unknown'}`).join(', ');
  return `the app runs ${builds.length} builds at once: ${each} (a deploy did not finish on every process type: redrive it, or slipway rollback to put them all on one release)`;
}
