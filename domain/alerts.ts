/*
 * Names of the alert topics and of an app's alarms (docs/monitoring.md), shared by the stacks and the CLI
 * (`slipway alarms`): no CDK here, so the CLI's bundle stays small.
 */

/**
 * How many topics share a cluster's apps' alerts. SNS allows 200 filter policies per topic by default
 * (SNS Developer Guide, "Filter policy constraints in Amazon SNS"), one per subscribed address of an app:
 * four shards hold 800 per cluster, and with the platform topic they are the five targets an EventBridge
 * rule may have (EventBridge quotas: 5 targets per rule).
 */
export const ALERT_SHARDS = 4;

/**
 * Alias of the account's one KMS key for every Slipway alert topic (AccountStack creates it; cluster and
 * database stacks refer to it by this name, so no stack exports it).
 */
export function alertsKeyAliasName(prefix: string): string {
  return `alias/${prefix}/alerts`;
}

/**
 * The SNS topics of a cluster's alerts: `<prefix>-<cluster>-alerts` for the platform (the control plane's
 * alarms and every app's pipeline failures, unfiltered), and `<prefix>-<cluster>-alerts-<1..4>`, the shard
 * of an app ({@link alertsShard}): its alarms, and every app's pipeline failures, which the app's
 * subscriptions filter.
 */
export function alertsTopicName(prefix: string, controlPlane: string, shard?: number): string {
  if (shard !== undefined && (!Number.isInteger(shard) || shard < 1 || shard > ALERT_SHARDS)) throw new Error(`alerts shard must be 1 to ${ALERT_SHARDS}, got ${shard}`);
  return shard === undefined ? `${prefix}-${controlPlane}-alerts` : `${prefix}-${controlPlane}-alerts-${shard}`;
}

/**
 * The shard an app's alerts topic serves, read back from the topic's name ({@link alertsTopicName}
 * with a shard): undefined for the platform topic or another name. `controlPlane` may hold hyphens.
 */
export function alertsTopicShard(prefix: string, topic: string): number | undefined {
  const head = `${prefix}-`;
  const match = /-alerts-(\d+)$/.exec(topic);
  if (!topic.startsWith(head) || !match || match.index <= head.length) return undefined;
  const shard = Number(match[1]);
  return shard >= 1 && shard <= ALERT_SHARDS && topic === alertsTopicName(prefix, topic.slice(head.length, match.index), shard) ? shard : undefined;
}

/** The SNS topic of a database's alarms: `<prefix>-db-<database>-alarms`. */
export function databaseAlarmsTopicName(prefix: string, database: string): string {
  return `${prefix}-db-${database}-alarms`;
}

/** A database alarm's name: `<prefix>-db-<database>-<instance>-<key>` (`instance` 1, 2, ...: the Aurora instance it watches). */
export function databaseAlarmName(prefix: string, database: string, instance: number, key: string): string {
  return `${prefix}-db-${database}-${instance}-${key}`;
}

/** The alerts shard (1 to {@link ALERT_SHARDS}) of an app: a hash of its name (FNV-1a), stable as apps come and go. */
export function alertsShard(app: string): number {
  let hash = 0x811c9dc5;
  for (const ch of app) {
    hash ^= ch.charCodeAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return (hash % ALERT_SHARDS) + 1;
}

/** The process type attached to the load balancer (its alarms are the web ones). */
const WEB = 'web';

/**
 * The keys of an app's alarms (their names are `<prefix>-<app>--<key>`, {@link appAlarmName}): the load
 * balancer's three when the app has a `web` process, three per process type, and the schedules'.
 */
export function appAlarmKeys(processes: readonly string[], hasWeb = processes.includes(WEB)): string[] {
  return [
    ...(hasWeb ? ['http-5xx-rate', 'response-time', 'unhealthy-hosts'] : []),
    ...processes.flatMap((p) => [`${p}-cpu`, `${p}-memory`, `${p}-tasks-below-desired`]),
    'schedule-target-errors',
  ];
}
