import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { appParameterPath, appsParameterRoot, scheduleGroupName, settingsParameterName } from '../../domain/names';
import type { AppSettings } from '../../functions/shared/settings';
import { scheduler, ssm } from '../../functions/shared/clients';
import { MILESTONE_SOURCE } from '../../domain/constants';
import type { EmittedEvent } from './services/eventbridge';
import type { World } from './world';
import { SimulatedScheduler } from './services/scheduler';
import { SimulatedParameterStore } from './services/ssm';

/**
 * What the shared control plane finds of each app in the simulated account: its settings parameter in
 * Parameter Store (services/ssm.ts) and its schedule group in EventBridge Scheduler
 * (services/scheduler.ts); the control plane's rules on Parameter Store changes and on Deploy Succeeded
 * milestones; and the environment of the handlers that use them.
 */

/** Parameter Store, Scheduler and the config/schedules plumbing of one local run. */
export class ConfigSimulation {
  readonly ssm: SimulatedParameterStore;
  readonly scheduler: SimulatedScheduler;
  /** `/<prefix>/apps/`: the shared Parameter Store Change rule matches the parameters under it. */
  readonly appsPath: string;
  /**
   * The environment sync-schedules needs beyond CONTROL_PLANE_ENV: the control plane's Scheduler role and
   * the schedules' dead-letter queue (shared by every app; each app's schedule group is `<prefix>-<app>`).
   */
  readonly environment: Record<string, string>;

  constructor(
    private readonly world: World,
    private readonly prefix: string,
    controlPlane: string,
    seed: Record<string, { value: string; type: 'String' | 'SecureString' | 'StringList' }> = {},
  ) {
    this.ssm = new SimulatedParameterStore(world);
    this.scheduler = new SimulatedScheduler(world);
    this.appsPath = appsParameterRoot(prefix);
    for (const [name, p] of Object.entries(seed)) this.ssm.parameters.set(name, { name, type: p.type, value: p.value, version: 1, lastModified: 0 });
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
  addApp(settings: AppSettings): void {
    const name = settingsParameterName(appParameterPath(this.prefix, settings.app));
    this.ssm.parameters.set(name, { name, type: 'String', value: JSON.stringify(settings), version: 1, lastModified: 0 });
    this.scheduler.addGroup(scheduleGroupName(this.prefix, settings.app));
  }

  /**
   * Simulate the app's Deploy Succeeded rule (milestone events start the schedules sync). Off by
   * default, so that a run of the pipelines shows the pipelines only.
   */
  syncSchedulesAfterDeploys = false;

  /** The control plane's Deploy Succeeded rule (every app's): a matching milestone event starts `schedules` with the event. */
  deliverMilestones(events: readonly EmittedEvent[], start: (stateMachine: 'schedules', event: Record<string, unknown>) => void): void {
    if (!this.syncSchedulesAfterDeploys) return;
    for (const e of events) {
      if (e.source !== MILESTONE_SOURCE || e.detailType !== 'Deploy Succeeded') continue;
      start('schedules', { version: '0', id: e.id, 'detail-type': e.detailType, source: e.source, account: this.world.spec.account, time: e.time, region: this.world.spec.region, resources: e.resources, detail: e.detail });
    }
  }

  /** Whether the shared Parameter Store Change rule matches an event (name prefix `/<prefix>/apps/`). */
  ruleMatches(event: Record<string, unknown>): boolean {
    const name = (event.detail as { name?: unknown } | undefined)?.name;
    return typeof name === 'string' && name.startsWith(this.appsPath);
  }

  /** aws-sdk-client-mock handlers for the SSM and Scheduler clients the handlers use. */
  installMocks(): { restore: () => void }[] {
    return [this.ssm.mock(ssm as SSMClient), this.scheduler.mock(scheduler as SchedulerClient)];
  }
}
