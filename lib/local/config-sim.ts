import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { appParameterPath, settingsParameterName } from '../../functions/shared/app-parameters';
import type { AppSettings } from '../../functions/shared/settings';
import { scheduler, ssm } from '../../functions/shared/clients';
import { MILESTONE_SOURCE, scheduleGroupName } from '../pipeline-contract';
import { SimulatedAwsError, type EmittedEvent, type World } from './world';
import { SimulatedScheduler } from './world-scheduler';
import { SimulatedParameterStore } from './world-ssm';

/**
 * The simulated account's Parameter Store and EventBridge Scheduler, the Step Functions calls the
 * config-change and schedules state machines make (ListExecutions), the passive wait the runner gives
 * every Wait state, and the environment of their
 * handlers. Kept apart from runner.ts so the runner only delegates to it.
 */

/** An execution as ListExecutions sees it. */
export interface ListedExecution {
  readonly stateMachine: string;
  readonly arn: string;
  readonly name: string;
  readonly status: string;
}

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
    this.appsPath = `/${prefix}/apps/`;
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

  /** Waits `seconds` on the simulated clock while everything else that is due runs (the runner drives the clock). */
  async sleep(seconds: number): Promise<void> {
    // Passive: whoever moves the clock (another execution's wait, or the runner) wakes it up, so two
    // executions never race each other's clocks.
    const w = this.world;
    await new Promise<void>((resolve) => w.schedule(w.now + seconds, 'wake up a waiting execution', resolve));
  }

  /**
   * The Task resources of these state machines that the runner has no model of, or `undefined` when
   * `resource` is not one of them.
   */
  async runTask(resource: string, params: Record<string, unknown>, executions: readonly ListedExecution[]): Promise<{ result: unknown } | undefined> {
    switch (resource) {
      case 'arn:aws:states:::aws-sdk:sfn:listExecutions': {
        try {
          this.world.count('ListExecutions');
        } catch (e) {
          throw new SimulatedAwsError('Sfn.ThrottlingException', (e as Error).message);
        }
        const arn = String(params.StateMachineArn);
        const status = params.StatusFilter as string | undefined;
        const max = typeof params.MaxResults === 'number' && params.MaxResults > 0 ? params.MaxResults : 100;
        const list = executions.filter((e) => e.stateMachine === arn && (!status || e.status === status)).slice(0, max);
        return { result: { Executions: list.map((e) => ({ ExecutionArn: e.arn, StateMachineArn: arn, Name: e.name, Status: e.status, StartDate: this.world.isoNow() })) } };
      }
      default:
        return undefined;
    }
  }
}
