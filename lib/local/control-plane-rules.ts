import { appParameterPath, appsParameterRoot, scheduleGroupName, settingsParameterName } from '../../domain/names';
import { MILESTONE_SOURCE } from '../../domain/constants';
import type { AppSettings } from '../../domain/settings';
import type { EmittedEvent } from './services/eventbridge';
import type { World } from './world';

/**
 * What the shared control plane relies on in the simulated account beyond its state machines and
 * functions: each app's registration (the settings parameter and schedule group its app stack deploys,
 * in the account's Parameter Store and Scheduler: world.ssm, world.scheduler), the control plane's two
 * rules that start executions from them (Parameter Store Change under `/<prefix>/apps/` starts
 * config-change; a Deploy Succeeded milestone starts schedules), and the Scheduler environment of
 * sync-schedules. lib/constructs/control-plane/rules.ts deploys the real ones.
 */
export class SimulatedControlPlaneRules {
  /** `/<prefix>/apps/`: the shared Parameter Store Change rule matches the parameters under it. */
  readonly appsPath: string;
  /**
   * The environment sync-schedules needs beyond CONTROL_PLANE_ENV: the control plane's Scheduler role and
   * the schedules' dead-letter queue (shared by every app; each app's schedule group is `<prefix>-<app>`).
   */
  readonly environment: Record<string, string>;

  /**
   * Whether the Deploy Succeeded rule delivers (milestone events start the schedules sync). Off by
   * default, so that a run of the pipelines shows the pipelines only.
   */
  syncSchedulesAfterDeploys = false;

  constructor(
    private readonly world: World,
    private readonly prefix: string,
    controlPlane: string,
  ) {
    this.appsPath = appsParameterRoot(prefix);
    this.environment = {
      SCHEDULER_ROLE_ARN: `arn:aws:iam::${world.spec.account}:role/${prefix}-${controlPlane}-scheduler`,
      // An SQS queue name has at most 80 characters (CDK generates the real one).
      SCHEDULES_DLQ_ARN: `arn:aws:sqs:${world.spec.region}:${world.spec.account}:${`${prefix}-${controlPlane}`.slice(0, 66)}-schedules-dlq`,
    };
  }

  /**
   * What an app stack deploys for the control plane to find: the app's settings parameter
   * (`/<prefix>/apps/<app>/settings`, a String parameter holding the settings JSON; no change event,
   * as for the world's seeded parameters) and its schedule group `<prefix>-<app>`.
   */
  registerApp(settings: AppSettings): void {
    const name = settingsParameterName(appParameterPath(this.prefix, settings.app));
    this.world.ssm.parameters.set(name, { name, type: 'String', value: JSON.stringify(settings), version: 1, lastModified: 0 });
    this.world.scheduler.addGroup(scheduleGroupName(this.prefix, settings.controlPlane, settings.app));
  }

  /** The control plane's Deploy Succeeded rule (every app's): a matching milestone event starts `schedules` with the event. */
  deliverMilestones(events: readonly EmittedEvent[], start: (stateMachine: 'schedules', event: Record<string, unknown>) => void): void {
    if (!this.syncSchedulesAfterDeploys) return;
    for (const e of events) {
      if (e.source !== MILESTONE_SOURCE || e.detailType !== 'Deploy Succeeded') continue;
      start('schedules', { version: '0', id: e.id, 'detail-type': e.detailType, source: e.source, account: this.world.spec.account, time: e.time, region: this.world.spec.region, resources: e.resources, detail: e.detail });
    }
  }

  /** Whether the shared Parameter Store Change rule matches an event (name prefix `/<prefix>/apps/`). */
  parameterChangeMatches(event: Record<string, unknown>): boolean {
    const name = (event.detail as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name.startsWith(this.appsPath);
  }
}
