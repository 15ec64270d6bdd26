import { alertsShard, alertsTopicName, appAlarmKeys, appAlarmName } from '../alerts';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  RegisterScalableTargetCommand,
  type ScalableTarget,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, paginateDescribeAlarms, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { APP_NAME, PROCESS_NAME } from '../../functions/shared/settings';
import { serviceName } from '../pipeline-contract';
import { cliClient } from './aws-clients';
import { describeAwsError, UsageError } from './errors';
import { escapeForTerminal } from '../ops/terminal';

/**
 * `slipway scale` and `slipway alarms`: the command logic as plain functions taking their AWS clients
 * (tested with aws-sdk-client-mock), and a thin commander wiring (tested in a child process).
 */

const DIMENSION = 'ecs:service:DesiredCount';

/** A scalable range. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/**
 * Parses `<min>[-<max>]`: `3` is exactly three tasks, `2-6` lets autoscaling move between 2 and 6, `0`
 * stops the process. @throws UsageError for anything else.
 */
export function parseRange(text: string): Range {
  const m = /^(\d{1,4})(?:-(\d{1,4}))?$/.exec(text.trim());
  if (!m) throw new UsageError(`"${text}" is not a task count or range: use <min> or <min>-<max>, e.g. 2 or 2-6`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? min : Number(m[2]);
  if (min > max) throw new UsageError(`in "${text}" the minimum (${min}) is above the maximum (${max})`);
  if (max > 1000) throw new UsageError(`at most 1000 tasks per service (got ${max})`);
  return { min, max };
}

/** Checks an app or process name before it goes into a resource name. @throws UsageError */
export function checkName(kind: 'app' | 'process', name: string): void {
  const pattern = kind === 'app' ? APP_NAME : PROCESS_NAME;
  if (!pattern.test(name)) throw new UsageError(`"${name}" is not a valid ${kind} name (lowercase letters, digits and hyphens, starting with a letter)`);
}

export { describeAwsError };

/** The outcome of `slipway scale`. */
export interface ScaleResult {
  readonly app: string;
  readonly process: string;
  readonly service: string;
  readonly resourceId: string;
  readonly previous?: Range;
  readonly range: Range;
}

/** Options of {@link scaleProcess}. */
export interface ScaleOptions {
  readonly app: string;
  readonly process: string;
  readonly range: Range;
  /** ECS cluster name, needed only when the service has no registration yet. */
  readonly cluster?: string;
}

/**
 * Sets the autoscaling range of an app's process type: finds the service's scalable target
 * (`service/<cluster>/<app>-<process>`, the name the deploy pipeline gives the service) and registers
 * it with the new range; Application Auto Scaling then moves the desired count into the range.
 * @throws UsageError when the names are invalid, or the service has no registration and no `cluster` is given.
 */
export async function scaleProcess(client: ApplicationAutoScalingClient, options: ScaleOptions): Promise<ScaleResult> {
  checkName('app', options.app);
  checkName('process', options.process);
  const service = serviceName(options.app, options.process);
  let target: ScalableTarget | undefined;
  if (options.cluster) {
    const resourceId = `service/${options.cluster}/${service}`;
    const out = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: DIMENSION, ResourceIds: [resourceId] }));
    target = out.ScalableTargets?.find((t) => t.ResourceId === resourceId);
  } else {
    const matches: ScalableTarget[] = [];
    let next: string | undefined;
    do {
      const out = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'ecs', ScalableDimension: DIMENSION, NextToken: next }));
      matches.push(...(out.ScalableTargets ?? []).filter((t) => t.ResourceId?.endsWith(`/${service}`)));
      next = out.NextToken;
    } while (next);
    if (matches.length > 1) {
      throw new UsageError(`${service} is registered in several clusters (${matches.map((t) => t.ResourceId).join(', ')}): pass --cluster <name>`);
    }
    target = matches[0];
    if (!target) {
      throw new UsageError(`${service} has no autoscaling registration yet (the deploy pipeline creates it with the service): deploy the app first, or pass --cluster <name> to register one`);
    }
  }
  const resourceId = target?.ResourceId ?? `service/${options.cluster}/${service}`;
  await client.send(new RegisterScalableTargetCommand({ ServiceNamespace: 'ecs', ScalableDimension: DIMENSION, ResourceId: resourceId, MinCapacity: options.range.min, MaxCapacity: options.range.max }));
  return {
    app: options.app,
    process: options.process,
    service,
    resourceId,
    previous: target ? { min: target.MinCapacity ?? 0, max: target.MaxCapacity ?? 0 } : undefined,
    range: options.range,
  };
}

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
 * The state of every alarm of an app (docs/monitoring.md): named `<prefix>-<app>-<key>` and notifying the
 * app's alerts shard `<prefix>-<cluster>-alerts-<n>` (lib/alerts.ts). Alarms in ALARM come first.
 */
export async function listAlarms(client: CloudWatchClient, options: AlarmsOptions): Promise<AlarmSummary[]> {
  checkName('app', options.app);
  const prefix = options.prefix ?? 'slipway';
  const base = `${prefix}-${options.app}`;
  const shard = alertsShard(options.app);
  const names = options.processes ? new Set(appAlarmKeys(options.processes).map((k) => appAlarmName(prefix, options.app, k))) : undefined;
  const notifiesShard = (arn: string) => {
    const topic = arn.slice(arn.lastIndexOf(':') + 1);
    if (options.controlPlane !== undefined) return topic === alertsTopicName(prefix, options.controlPlane, shard);
    return topic.startsWith(`${prefix}-`) && topic.endsWith(`-alerts-${shard}`);
  };
  const alarms: MetricAlarm[] = [];
  for await (const page of paginateDescribeAlarms({ client }, { AlarmNamePrefix: `${base}-`, AlarmTypes: ['MetricAlarm'] })) {
    alarms.push(...(page.MetricAlarms ?? []));
  }
  const order: Record<string, number> = { ALARM: 0, INSUFFICIENT_DATA: 1, OK: 2 };
  return alarms
    .filter((a) => (names ? names.has(a.AlarmName ?? '') : true) && (a.AlarmActions ?? []).some(notifiesShard))
    .map((a) => ({ name: a.AlarmName ?? '', state: a.StateValue ?? 'UNKNOWN', reason: a.StateReason ?? '', since: a.StateUpdatedTimestamp?.toISOString(), description: a.AlarmDescription }))
    .sort((a, b) => (order[a.state] ?? 3) - (order[b.state] ?? 3) || a.name.localeCompare(b.name));
}

/** Human output of `slipway alarms`. */
export function formatAlarms(app: string, alarms: readonly AlarmSummary[]): string {
  if (alarms.length === 0) return `no alarms found for ${app} (is the app stack deployed in this account and region?)`;
  const firing = alarms.filter((a) => a.state === 'ALARM').length;
  const width = Math.max(...alarms.map((a) => a.name.length));
  // Names and reasons come from CloudWatch: escaped field by field, so a newline in one cannot fake a line.
  const lines = alarms.map((a) => `${a.state === 'ALARM' ? '✗' : a.state === 'OK' ? '✓' : '?'} ${escapeForTerminal(a.name).padEnd(width)}  ${escapeForTerminal(a.state).padEnd(17)} ${a.since ?? ''}${a.state === 'OK' ? '' : `\n    ${escapeForTerminal(a.reason)}`}`);
  return [`${escapeForTerminal(app)}: ${alarms.length} alarms, ${firing} in ALARM`, ...lines].join('\n');
}

/** Human output of `slipway scale`. */
export function formatScale(r: ScaleResult): string {
  const show = (x: Range) => (x.min === x.max ? `${x.min}` : `${x.min}-${x.max}`);
  return [
    `${r.service}: ${r.previous ? `${show(r.previous)} -> ` : ''}${show(r.range)} task(s) (${r.resourceId})`,
    'A deploy re-applies the config\'s range, except to a non-production app\'s service at zero (it stays there until the schedule\'s next start). Change the config to make it permanent.',
  ].join('\n');
}

/** The clients the commands use (module scope; tests of the logic pass their own to the functions above). */
export const autoscalingClient = cliClient((c) => new ApplicationAutoScalingClient(c));
export const cloudWatchClient = cliClient((c) => new CloudWatchClient(c));

