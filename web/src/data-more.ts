/**
 * Reads of the pages loaded on demand (logs; config, scale and schedules), with the clients only they
 * use, so the apps page's bundle does not carry them.
 */
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchLogsClient, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { clusterNameOf, scalableTargetResourceId, SCALABLE_DIMENSION, SCALABLE_NAMESPACE, serviceName } from '../../domain/names';
import type { AppSettings } from '../../domain/settings';
import { clientSettings, type AppClients } from './aws';

const logsClients = new WeakMap<AppClients, CloudWatchLogsClient>();
const scalingClients = new WeakMap<AppClients, ApplicationAutoScalingClient>();

function logsOf(clients: AppClients): CloudWatchLogsClient {
  let c = logsClients.get(clients);
  if (!c) logsClients.set(clients, (c = new CloudWatchLogsClient(clientSettings(clients.settings.config, clients.settings.credentials, 'logs'))));
  return c;
}

function autoscalingOf(clients: AppClients): ApplicationAutoScalingClient {
  let c = scalingClients.get(clients);
  if (!c) scalingClients.set(clients, (c = new ApplicationAutoScalingClient(clientSettings(clients.settings.config, clients.settings.credentials, 'application-autoscaling'))));
  return c;
}

/** A process type's scaling: its settings and Application Auto Scaling's registration. */
export interface ScaleState {
  readonly process: string;
  readonly desired: number;
  readonly min?: number;
  readonly max?: number;
  readonly cpuTarget?: number;
  readonly registered: boolean;
}

export async function loadScaling(clients: AppClients, app: string, settings: AppSettings): Promise<ScaleState[]> {
  const ids = Object.keys(settings.processes).sort().map((p) => ({ p, id: scalableTargetResourceId(clusterNameOf(settings.cluster), serviceName(app, p)) }));
  const out = await autoscalingOf(clients).send(new DescribeScalableTargetsCommand({ ServiceNamespace: SCALABLE_NAMESPACE, ScalableDimension: SCALABLE_DIMENSION, ResourceIds: ids.map((i) => i.id) }));
  const registered = new Map((out.ScalableTargets ?? []).map((t) => [t.ResourceId, t]));
  return ids.map(({ p, id }) => {
    const t = registered.get(id);
    const a = settings.processes[p].autoscaling;
    return { process: p, desired: settings.processes[p].desiredCount, min: t?.MinCapacity ?? a?.min, max: t?.MaxCapacity ?? a?.max, cpuTarget: a?.cpuTarget, registered: t !== undefined };
  });
}

/** One log line. */
export interface LogLine {
  readonly id: string;
  readonly at: number;
  readonly stream: string;
  readonly message: string;
}

/**
 * Log lines of a process type's log group from `since` (epoch ms), every page; `seen` drops lines a
 * previous read already returned (a follow re-reads from the last line's time).
 */
export async function readLogs(clients: AppClients, group: string, since: number, seen: ReadonlySet<string>): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  let token: string | undefined;
  do {
    const out = await logsOf(clients).send(new FilterLogEventsCommand({ logGroupName: group, startTime: since, nextToken: token, limit: 1000 }));
    for (const e of out.events ?? []) {
      const id = e.eventId ?? `${e.logStreamName}/${e.timestamp}/${e.message}`;
      if (!seen.has(id)) lines.push({ id, at: e.timestamp ?? 0, stream: e.logStreamName ?? '', message: e.message ?? '' });
    }
    token = out.nextToken;
  } while (token && lines.length < 5000);
  return lines;
}

