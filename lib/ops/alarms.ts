import { paginateDescribeAlarms, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { alertsShard, alertsTopicName, alertsTopicShard, appAlarmKeys } from '../../domain/alerts';
import { appAlarmName } from '../../domain/names';
import { DEFAULT_PREFIX } from '../../domain/constants';
import { UsageError } from './usage-error';
import type { OpsClients } from './aws';
import { checkAppName } from './name-checks';

/** `slipway alarms`: the state of an app's CloudWatch alarms (docs/monitoring.md). */

/** The clients {@link listAlarms} uses. */
export type AlarmClients = Pick<OpsClients, 'cloudwatch'>;

/** One alarm as `slipway alarms` shows it. */
export interface AlarmSummary {
  readonly name: string;
  readonly state: string;
  readonly reason: string;
  readonly since?: string;
  readonly description?: string;
}

/** Options of {@link listAlarms}. */
export interface AlarmsOptions {
  readonly app: string;
  /** Slipway's resource-name prefix (config `prefix`). @default "slipway" */
  readonly prefix?: string;
  /**
   * The app's process types and control plane (its settings parameter): the alarms are then exactly the
   * app's ({@link appAlarmKeys}) notifying its alerts shard. Without them, every alarm named
   * `<prefix>-<app>-...` that notifies a `<prefix>-*-alerts-<shard of the app>` topic (an app whose name
   * extends this one's, in the same shard, would then show too).
   */
  readonly processes?: readonly string[];
  readonly controlPlane?: string;
}

/**
 * The state of every alarm of an app (docs/monitoring.md): named `<prefix>-<app>--<key>` and notifying the
 * app's alerts shard `<prefix>-<cluster>-alerts-<n>` (domain/alerts.ts). Alarms in ALARM come first.
 */
export async function listAlarms({ cloudwatch }: AlarmClients, options: AlarmsOptions): Promise<AlarmSummary[]> {
  checkAppName(options.app);
  if (!cloudwatch) throw new UsageError('slipway alarms needs a CloudWatch client (OpsClients.cloudwatch)');
  const prefix = options.prefix ?? DEFAULT_PREFIX;
  const shard = alertsShard(options.app);
  const names = options.processes ? new Set(appAlarmKeys(options.processes).map((k) => appAlarmName(prefix, options.app, k))) : undefined;
  const notifiesShard = (arn: string) => {
    const topic = arn.slice(arn.lastIndexOf(':') + 1);
    if (options.controlPlane !== undefined) return topic === alertsTopicName(prefix, options.controlPlane, shard);
    return alertsTopicShard(prefix, topic) === shard;
  };
  const alarms: MetricAlarm[] = [];
  for await (const page of paginateDescribeAlarms({ client: cloudwatch }, { AlarmNamePrefix: appAlarmName(prefix, options.app, ''), AlarmTypes: ['MetricAlarm'] })) {
    alarms.push(...(page.MetricAlarms ?? []));
  }
  const order: Record<string, number> = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
  return alarms
    .filter((a) => (names ? names.has(a.AlarmName ?? '') : true) && (a.AlarmActions ?? []).some(notifiesShard))
    .map((a) => ({ name: a.AlarmName ?? '', state: a.StateValue ?? 'UNKNOWN', reason: a.StateReason ?? '', since: a.StateUpdatedTimestamp?.toISOString(), description: a.AlarmDescription }))
    .sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) || a.name.localeCompare(b.name));
}
